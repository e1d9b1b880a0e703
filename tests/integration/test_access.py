"""Access control with real unprivileged users and groups made for the test
(useradd/groupadd, removed afterwards): socket_group= decides who can
connect, read-only methods for anyone connected, state changes for root and
admin_group=, Start of one job for its allow_start= users and @groups.
Refusals are PermissionDenied (jobctl: exit 1, "permission denied") and
logged with the peer's uid and pid.  Config files and include directories
writable by others are refused by --check and by a reload."""
import grp
import os
import pwd
import re
import shutil
import signal
import subprocess
import uuid

import pytest

from conftest import JOBD, JOBCTL, child, run_cmd, wait_for

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or not shutil.which("useradd")
    or not shutil.which("groupadd"),
    reason="needs root and useradd/groupadd to make test users and groups")


class Principals:
    """Groups sock, admin, start and users (with their supplementary
    groups): reader (sock), admin (sock admin), starter (sock),
    grpstarter (sock start), outsider (none).  Names are unique per run."""

    GROUPS = ("sock", "admin", "start")
    USERS = {"reader": ("sock",), "admin": ("sock", "admin"),
             "starter": ("sock",), "grpstarter": ("sock", "start"),
             "outsider": ()}

    def __init__(self):
        self.tag = uuid.uuid4().hex[:6]
        self.groups = {}
        self.users = {}

    def name(self, kind, short):
        return "jdt%s%s%s" % (self.tag, kind, short[:6])

    def create(self):
        for g in self.GROUPS:
            n = self.name("g", g)
            subprocess.run(["groupadd", n], check=True, capture_output=True)
            self.groups[g] = n
        for u, groups in self.USERS.items():
            n = self.name("u", u)
            argv = ["useradd", "--no-create-home", "--shell",
                    "/usr/sbin/nologin", "--user-group"]
            if groups:
                argv += ["-G", ",".join(self.groups[g] for g in groups)]
            subprocess.run(argv + [n], check=True, capture_output=True)
            self.users[u] = n

    def remove(self):
        for n in self.users.values():
            subprocess.run(["userdel", n], capture_output=True)
        for n in self.groups.values():
            subprocess.run(["groupdel", n], capture_output=True)

    def uid(self, user):
        return pwd.getpwnam(self.users[user]).pw_uid

    def popen(self, user, argv):
        """argv as user, with its groups as login would give them."""
        pw = pwd.getpwnam(self.users[user])
        groups = os.getgrouplist(pw.pw_name, pw.pw_gid)
        return subprocess.Popen(argv, user=pw.pw_uid, group=pw.pw_gid,
                                extra_groups=groups,
                                stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, cwd="/")


@pytest.fixture(scope="module")
def principals():
    p = Principals()
    try:
        p.create()
    except subprocess.CalledProcessError as e:
        p.remove()
        pytest.skip("cannot make test users: %s" % e.stderr.decode())
    yield p
    p.remove()


def as_user(principals, d, user, *args):
    """jobctl -s SOCK ARGS as user; returns (rc, out, err, pid)."""
    p = principals.popen(user, [JOBCTL, "-s", str(d.sock)]
                         + [str(a) for a in args])
    out, err = p.communicate(timeout=30)
    return p.returncode, out.decode(), err.decode(), p.pid


def open_dirs(d):
    """The socket's directories must be searchable by the test users
    (mkdtemp makes them 0700); the socket itself stays 0660."""
    os.chmod(d.dir.parent, 0o755)
    os.chmod(d.dir, 0o755)


def start_daemon(jobd, principals, jobs, admin=True):
    d = jobd(start=False)
    settings = {"socket_group": principals.groups["sock"]}
    if admin:
        settings["admin_group"] = principals.groups["admin"]
    d.write_config(jobs=jobs, settings=settings)
    open_dirs(d)
    return d.start()


def assert_refused(principals, d, user, method, *args):
    rc, out, err, pid = as_user(principals, d, user, *args)
    assert rc == 1, "%s %s: rc %d\n%s%s" % (user, args, rc, out, err)
    assert "permission denied" in err, err
    line = "control: refused %s to uid %d pid %d" % (
        method, principals.uid(user), pid)
    wait_for(lambda: line in d.log_text(), 5.0, "log line %r" % line)


def sleeper(d):
    return child("wait-file", d.path("go"), 60)


# ------------------------------------------------------------ the socket

def test_socket_belongs_to_socket_group(jobd, principals):
    d = start_daemon(jobd, principals, {"j": {"command": child("exit", 0)}})
    st = os.stat(d.sock)
    assert st.st_mode & 0o777 == 0o660
    assert grp.getgrgid(st.st_gid).gr_name == principals.groups["sock"]


def test_outsider_cannot_connect(jobd, principals):
    d = start_daemon(jobd, principals, {"j": {"command": child("exit", 0)}})
    rc, out, err, _ = as_user(principals, d, "outsider", "list")
    assert rc == 3, (rc, out, err)
    assert "j" not in out
    # The daemon is unharmed and root still gets in.
    assert d.jobctl("list")[0] == 0


# ------------------------------------------------------------ read-only

def test_reader_reads_but_cannot_change(jobd, principals):
    d = jobd(start=False)
    d.write_config(jobs={"j": {"command": sleeper(d)}}, settings={
        "socket_group": principals.groups["sock"],
        "admin_group": principals.groups["admin"]})
    open_dirs(d)
    d.start()
    rc, out, err, _ = as_user(principals, d, "reader", "list")
    assert rc == 0 and "j" in out, (rc, out, err)
    run = d.start_run("j")
    rc, out, err, _ = as_user(principals, d, "reader", "--json", "status",
                              "j")
    assert rc == 0, err
    assert '"id": %d' % run in out or '"id":%d' % run in out, out
    assert as_user(principals, d, "reader", "history")[0] == 0
    rc, out, err, _ = as_user(principals, d, "reader", "metrics")
    assert rc == 0 and 'jobd_job_running{job="j"} 1' in out, (rc, err)

    assert_refused(principals, d, "reader", "Start", "start", "j")
    assert_refused(principals, d, "reader", "io.jobd.Manager.Cancel",
                   "cancel", run)
    assert_refused(principals, d, "reader", "io.jobd.Manager.Reload",
                   "reload")
    # Nothing changed: still one run, still running.
    js = d.job_status("j")
    assert [r["id"] for r in js["runs"]] == [run]
    assert js["runs"][0]["state"] == "running"
    d.path("go").touch()
    d.wait_run(run)


def test_reader_follows_every_unit_but_cannot_cancel_all(jobd, principals):
    """Tail is read-only as Logs is: whoever may connect reads every
    unit's output; cancel all needs an administrator, like cancel."""
    d = jobd(start=False)
    d.write_config(jobs={"j": {"command": child("print", 1, "hi", "wait-file",
                                                 d.path("go"), 60)}},
                   settings={"socket_group": principals.groups["sock"],
                             "admin_group": principals.groups["admin"]})
    open_dirs(d)
    d.start()
    run = d.start_run("j")
    wait_for(lambda: d.jobctl("logs", "j")[1] == "hi 1\n", 10, "j's line")
    rc, out, err, _ = as_user(principals, d, "reader", "logs", "all")
    assert rc == 0 and out == "j[%d] hi 1\n" % run, (rc, out, err)
    assert_refused(principals, d, "reader", "io.jobd.Manager.Cancel",
                   "cancel", "all")
    assert d.run_state("j", run)["state"] == "running"
    rc, out, err, _ = as_user(principals, d, "admin", "cancel", "all")
    assert rc == 0 and out.split() == [str(run)], (rc, out, err)
    assert d.wait_run(run)["result"] == "cancelled"


def test_admin_group_member_may_do_all(jobd, principals):
    d = jobd(start=False)
    d.write_config(jobs={"j": {"command": sleeper(d)}}, settings={
        "socket_group": principals.groups["sock"],
        "admin_group": principals.groups["admin"]})
    open_dirs(d)
    d.start()
    rc, out, err, _ = as_user(principals, d, "admin", "start", "j")
    assert rc == 0, err
    run = int(out.strip())
    d.wait_running("j", run)
    rc, out, err, _ = as_user(principals, d, "admin", "cancel", run)
    assert rc == 0, err
    assert d.wait_run(run)["result"] == "cancelled"
    rc, out, err, _ = as_user(principals, d, "admin", "reload")
    assert rc == 0, err
    assert "refused" not in d.log_text()


def test_without_admin_group_only_root_changes(jobd, principals):
    d = start_daemon(jobd, principals, {"j": {"command": child("exit", 0)}},
                     admin=False)
    assert_refused(principals, d, "admin", "Start", "start", "j")
    assert d.jobctl("start", "j", "--wait")[0] == 0


# ------------------------------------------------------------ allow_start

def test_allow_start_user_and_group(jobd, principals):
    d = jobd(start=False)
    allowed = "%s @%s" % (principals.users["starter"],
                          principals.groups["start"])
    d.write_config(jobs={
        "a": {"command": sleeper(d), "allow_start": allowed},
        "b": {"command": child("exit", 0)},
    }, settings={"socket_group": principals.groups["sock"],
                 "admin_group": principals.groups["admin"]})
    open_dirs(d)
    d.start()
    runs = []
    for user in ("starter", "grpstarter"):
        rc, out, err, _ = as_user(principals, d, user, "start", "a")
        assert rc == 0, (user, rc, err)
        runs.append(int(out.strip()))
        assert_refused(principals, d, user, "Start", "start", "b")
        # Starting a together with b is refused as a whole.
        assert_refused(principals, d, user, "Start", "start", "a", "b")
        assert_refused(principals, d, user, "io.jobd.Manager.Cancel",
                       "cancel", runs[-1])
    # A member of the socket group only is refused a too.
    assert_refused(principals, d, "reader", "Start", "start", "a")
    assert sorted(r["id"] for r in d.job_status("a")["runs"]) == runs
    assert d.job_status("b")["runs"] == []
    assert d.job_status("b")["job"].get("last") is None
    d.path("go").touch()
    for r in runs:
        assert d.wait_run(r)["result"] == "success"


# ------------------------------------------------------------ config files

def check(d):
    return run_cmd([JOBD, "--check", "--config", str(d.conf)])


@pytest.mark.parametrize("what", ["main", "include"])
def test_check_refuses_world_writable_file(jobd, what):
    d = jobd(start=False, jobs={"j": {"command": child("exit", 0)}})
    target = d.conf if what == "main" else d.confd / "50-jobs.conf"
    assert check(d)[0] == 0
    os.chmod(target, 0o666)
    rc, out, err = check(d)
    assert rc == 2, (rc, out, err)
    msg = out + err
    assert re.search(re.escape(str(target)) + r".*0666", msg), msg
    os.chmod(target, 0o644)
    assert check(d)[0] == 0


def test_check_refuses_world_writable_include_dir(jobd):
    d = jobd(start=False, jobs={"j": {"command": child("exit", 0)}})
    os.chmod(d.confd, 0o777)
    rc, out, err = check(d)
    assert rc == 2, (rc, out, err)
    assert re.search(re.escape(str(d.confd)) + r".*0777", out + err), \
        out + err
    os.chmod(d.confd, 0o755)
    assert check(d)[0] == 0


def test_check_refuses_file_owned_by_another_user(jobd, principals):
    d = jobd(start=False, jobs={"j": {"command": child("exit", 0)}})
    target = d.confd / "50-jobs.conf"
    os.chown(target, principals.uid("reader"), 0)
    rc, out, err = check(d)
    assert rc == 2, (rc, out, err)
    assert str(target) in out + err and \
        "owner %d" % principals.uid("reader") in out + err, out + err
    # Group-writable for a group other than root's is refused too.
    os.chown(target, 0, grp.getgrnam(principals.groups["sock"]).gr_gid)
    os.chmod(target, 0o664)
    rc, out, err = check(d)
    assert rc == 2 and "0664" in out + err, (rc, out, err)


@pytest.mark.parametrize("how", ["jobctl", "sighup"])
def test_reload_refuses_insecure_config_and_keeps_old(jobd, how):
    d = jobd(jobs={"old": {"command": child("exit", 0)}})
    d.write_config(jobs={"new": {"command": child("exit", 0)}})
    target = d.confd / "50-jobs.conf"
    os.chmod(target, 0o666)
    if how == "jobctl":
        rc, out, err = d.jobctl("reload")
        assert rc == 1, (rc, out, err)
        assert str(target) in out + err and "0666" in out + err, out + err
    else:
        d.send_signal(signal.SIGHUP)
        wait_for(lambda: re.search(re.escape(str(target)) + r".*0666",
                                   d.log_text()), 10.0, "the refusal logged")
    rc, out, err = d.jobctl("list")
    assert rc == 0 and "old" in out and "new" not in out, out
    assert d.jobctl("start", "old", "--wait")[0] == 0
    os.chmod(target, 0o644)
    assert d.jobctl("reload")[0] == 0
    rc, out, err = d.jobctl("list")
    assert "new" in out and "old" not in out, out
