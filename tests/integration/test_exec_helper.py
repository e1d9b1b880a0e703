"""jobd-exec, the exec helper, run directly: every option checked from inside
the command it execs (id, umask, nice, ulimit, /proc/self/status, stdin,
cgroup.procs), and every failure as its exact one-line reason and exit 127.

Credential tests run as root with a throwaway user and groups created here
and removed at the end; they skip (with the reason) when not root.
The helper comes from $JOBD_EXEC, else from the directory of $JOBD."""
import grp
import os
import pwd
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

from conftest import wait_for

EXEC = os.environ.get("JOBD_EXEC") or (
    str(Path(os.environ["JOBD"]).parent / "jobd-exec")
    if os.environ.get("JOBD") else "")


@pytest.fixture(autouse=True)
def _helper():
    if not EXEC or not os.access(EXEC, os.X_OK):
        pytest.fail("jobd-exec not found (JOBD_EXEC=%r)" % EXEC)


def run(opts, cmd, **kw):
    """Runs `jobd-exec OPTS -- CMD`; returns the CompletedProcess (str)."""
    kw.setdefault("stdin", subprocess.DEVNULL)
    return subprocess.run([EXEC] + [str(o) for o in opts] + ["--"] + cmd,
                          capture_output=True, text=True, timeout=30, **kw)


def ok(opts, script, **kw):
    """stdout of `sh -c SCRIPT` under the helper, which must succeed."""
    p = run(opts, ["sh", "-c", script], **kw)
    assert (p.returncode, p.stderr) == (0, ""), p
    return p.stdout


def status_field(out, name):
    """A field of /proc/self/status as printed by grep."""
    for line in out.splitlines():
        if line.startswith(name + ":"):
            return line.split(":", 1)[1].split()
    raise AssertionError("no %s in %r" % (name, out))


# ------------------------------------------------------------ throwaway user

class Account:
    def __init__(self):
        tag = uuid.uuid4().hex[:8]
        self.user = "jdx" + tag
        self.primary = "jdxp" + tag
        self.extra = "jdxe" + tag       # supplementary, from /etc/group
        self.other = "jdxo" + tag       # given with --group / list only
        self.home = Path("/tmp") / ("jdx-home-" + tag)

    def create(self):
        for g in (self.primary, self.extra, self.other):
            sh("groupadd", g)
        sh("useradd", "-M", "-N", "-g", self.primary, "-G", self.extra,
           "-d", str(self.home), "-s", "/bin/sh", self.user)
        pw = pwd.getpwnam(self.user)
        self.uid, self.gid = pw.pw_uid, pw.pw_gid
        self.extra_gid = grp.getgrnam(self.extra).gr_gid
        self.other_gid = grp.getgrnam(self.other).gr_gid

    def remove(self):
        subprocess.run(["userdel", self.user], capture_output=True)
        for g in (self.primary, self.extra, self.other):
            subprocess.run(["groupdel", g], capture_output=True)


def sh(*argv):
    p = subprocess.run(argv, capture_output=True, text=True)
    assert p.returncode == 0, "%s: %s" % (" ".join(argv), p.stderr)


@pytest.fixture(scope="module")
def account():
    if os.geteuid() != 0:
        pytest.skip("needs root to create a user and change credentials")
    if not shutil.which("useradd") or not shutil.which("groupadd"):
        pytest.skip("useradd/groupadd not installed")
    a = Account()
    try:
        a.create()
        yield a
    finally:
        a.remove()


# ------------------------------------------------------------ credentials

def test_pid_is_the_commands_own():
    p = subprocess.Popen([EXEC, "--umask", "022", "--", "sh", "-c",
                          "echo $$"], stdout=subprocess.PIPE, text=True)
    out, _ = p.communicate(timeout=30)
    assert p.returncode == 0
    assert out.strip() == str(p.pid)


def test_user_by_name_gets_initgroups_and_environment(account):
    env = dict(os.environ, USER="root", HOME="/root", KEEP="kept")
    out = ok(["--user", account.user],
             "id -u; id -g; grep ^Groups: /proc/self/status; "
             "echo \"$HOME|$USER|$LOGNAME|$SHELL|$KEEP\"", env=env)
    lines = out.splitlines()
    assert lines[0] == str(account.uid)
    assert lines[1] == str(account.gid)
    assert sorted(map(int, status_field(out, "Groups"))) == sorted(
        [account.gid, account.extra_gid])
    assert lines[3] == "%s|%s|%s|/bin/sh|kept" % (
        account.home, account.user, account.user)


def test_user_by_uid(account):
    out = ok(["--user", account.uid], "id -un; echo $USER")
    assert out.split() == [account.user, account.user]


def test_group_and_exact_supplementary_groups(account):
    out = ok(["--user", account.user, "--group", account.other,
              "--supplementary-groups", "%s,54321" % account.extra],
             "id -u; id -g; grep ^Groups: /proc/self/status")
    lines = out.splitlines()
    assert lines[0] == str(account.uid)
    assert lines[1] == str(account.other_gid)
    assert sorted(map(int, status_field(out, "Groups"))) == sorted(
        [account.extra_gid, 54321])


def test_empty_supplementary_groups(account):
    out = ok(["--user", account.user, "--supplementary-groups", ""],
             "grep ^Groups: /proc/self/status")
    assert status_field(out, "Groups") == []


def test_group_by_gid(account):
    out = ok(["--user", account.user, "--group", account.other_gid],
             "id -g")
    assert out.strip() == str(account.other_gid)


def test_umask_nice_and_limits_as_user(account):
    out = ok(["--user", account.user, "--umask", "027", "--nice", "7",
              "--rlimit", "nofile=123:456", "--rlimit", "core=0:infinity",
              "--rlimit", "nofile=100:456"],
             "id -u; umask; nice; ulimit -Sn; ulimit -Hn; ulimit -Sc; "
             "ulimit -Hc")
    assert out.split() == [str(account.uid), "0027", "7", "100", "456",
                           "0", "unlimited"]


def test_root_only_directory_is_not_reachable_after_setuid(account,
                                                           tmp_path):
    d = tmp_path / "private"
    d.mkdir(mode=0o700)
    tool = d / "tool"
    tool.write_text("#!/bin/sh\necho ran\n")
    tool.chmod(0o755)
    assert ok([], str(tool)) == "ran\n"
    p = run(["--user", account.user], [str(tool)])
    assert (p.returncode, p.stdout) == (127, "")
    assert p.stderr == "jobd-exec: exec: execvp '%s': Permission denied\n" \
        % tool


def unprivileged(account, opts, cmd):
    """jobd-exec OPTS -- CMD run by the helper itself as the account."""
    p = run(["--user", account.user], ["sh", "-c", '[ -x "$0" ]', EXEC])
    if p.returncode != 0:
        pytest.skip("%s is not executable by other users" % EXEC)
    return run(["--user", account.user], [EXEC] + [str(o) for o in opts]
               + ["--"] + cmd)


def test_unprivileged_user_may_ask_for_itself(account):
    p = unprivileged(account, ["--user", account.user, "--group",
                               account.primary], ["id", "-u"])
    assert (p.returncode, p.stdout, p.stderr) == (0, "%d\n" % account.uid,
                                                  "")


def test_unprivileged_user_cannot_switch(account):
    p = unprivileged(account, ["--user", "root"], ["true"])
    assert (p.returncode, p.stdout, p.stderr) == (127, "", msg(
        "cannot set supplementary groups of 'root': "
        "Operation not permitted"))
    p = unprivileged(account, ["--group", account.other], ["true"])
    assert (p.returncode, p.stdout, p.stderr) == (127, "", msg(
        "cannot set group id %d: Operation not permitted"
        % account.other_gid))


def test_no_new_privileges():
    before = ok([], "grep ^NoNewPrivs: /proc/self/status")
    after = ok(["--no-new-privileges"], "grep ^NoNewPrivs: /proc/self/status")
    assert status_field(after, "NoNewPrivs") == ["1"]
    if status_field(before, "NoNewPrivs") == ["1"]:
        pytest.skip("the test runs with no_new_privs already set")
    assert status_field(before, "NoNewPrivs") == ["0"]


# ------------------------------------------------------------ stdin, chdir

@pytest.mark.parametrize("data", ["hello\nworld", "", "x" * 100000,
                                  "line\n\n\ttabs\n"])
def test_stdin_data(data):
    assert ok(["--stdin-data", data], "cat") == data


def test_stdin_data_is_read_only():
    out = ok(["--stdin-data", "abc"],
             "if echo x 2>/dev/null >&0; then echo wrote; fi; cat")
    assert out == "abc"


def test_stdin_file(tmp_path):
    f = tmp_path / "in"
    f.write_text("from a file\n")
    assert ok(["--stdin-file", f], "cat") == "from a file\n"


def test_stdin_fd_is_moved_and_closed():
    r, w = os.pipe()
    os.write(w, b"through fd\n")
    os.close(w)
    try:
        out = ok(["--stdin-fd", r],
                 "cat; [ -e /proc/self/fd/%d ] && echo open || echo closed"
                 % r, stdin=None, pass_fds=(r,))
    finally:
        os.close(r)
    assert out == "through fd\nclosed\n"


def test_chdir(tmp_path):
    assert ok(["--chdir", tmp_path], "pwd") == "%s\n" % tmp_path


# ------------------------------------------------------------ cgroup

def cgroup2_mounts():
    with open("/proc/self/mounts") as f:
        return [line.split()[1] for line in f if line.split()[2] == "cgroup2"]


@pytest.fixture
def cgroup_dir():
    if os.geteuid() != 0:
        pytest.skip("needs root to create a cgroup")
    mounts = cgroup2_mounts()
    if not mounts:
        pytest.skip("no cgroup v2 file system mounted")
    path = None
    for m in mounts:
        candidate = Path(m) / ("jobd-exec-test-" + uuid.uuid4().hex[:8])
        try:
            candidate.mkdir()
        except OSError:
            continue
        path = candidate
        break
    if path is None:
        pytest.skip("no writable cgroup v2 directory in %s" % mounts)
    yield path
    # The exited command leaves the cgroup asynchronously.
    wait_for(lambda: _rmdir(path), 10.0, "rmdir %s" % path)


def _rmdir(path):
    try:
        path.rmdir()
    except OSError:
        return False
    return True


def test_cgroup_move(cgroup_dir):
    p = subprocess.Popen([EXEC, "--cgroup", str(cgroup_dir), "--", "sh",
                          "-c", 'cat "$0/cgroup.procs"', str(cgroup_dir)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
    out, err = p.communicate(timeout=30)
    assert (p.returncode, err) == (0, "")
    # sh (the helper's own pid) and cat, its child, are both in there.
    pids = out.split()
    assert str(p.pid) in pids and len(pids) == 2, (p.pid, pids)


# ------------------------------------------------------------ failures

def msg(reason):
    return "jobd-exec: exec: %s\n" % reason


ERRORS = [
    (["--user", "jdx-nobody-here"], msg("no such user 'jdx-nobody-here'")),
    (["--user", "4123456789"], msg("no such user '4123456789'")),
    (["--group", "jdx-no-group"], msg("no such group 'jdx-no-group'")),
    (["--supplementary-groups", "root,jdx-no-group"],
     msg("no such group 'jdx-no-group'")),
    (["--supplementary-groups", "root,,0"],
     msg("invalid group list 'root,,0'")),
    (["--chdir", "/nope-jobd"],
     msg("working directory '/nope-jobd': No such file or directory")),
    (["--stdin-file", "/nope-jobd"],
     msg("cannot open stdin file '/nope-jobd': No such file or directory")),
    (["--stdin-fd", "517"],
     msg("cannot use fd 517 as stdin: Bad file descriptor")),
    (["--stdin-data", "a", "--stdin-file", "/dev/null"],
     msg("only one of --stdin-file, --stdin-data, --stdin-fd")),
    (["--rlimit", "nofile=abc"], msg("invalid rlimit 'nofile=abc'")),
    (["--rlimit", "nofile"], msg("invalid rlimit 'nofile'")),
    (["--rlimit", "files=10"], msg("invalid rlimit 'files=10'")),
    (["--rlimit", "nofile=10:"], msg("invalid rlimit 'nofile=10:'")),
    (["--rlimit", "nofile=-1"], msg("invalid rlimit 'nofile=-1'")),
    (["--rlimit", "nofile=20:10"],
     msg("invalid rlimit 'nofile=20:10': soft limit above hard limit")),
    (["--umask", "0999"], msg("invalid umask '0999'")),
    (["--umask", "1000"], msg("invalid umask '1000'")),
    (["--nice", "20"], msg("invalid nice level '20'")),
    (["--nice", "x"], msg("invalid nice level 'x'")),
    (["--cgroup", "/nope-jobd"],
     msg("cannot move into cgroup '/nope-jobd': No such file or directory")),
    (["--bogus"], msg("unknown option '--bogus'")),
]


@pytest.mark.parametrize("opts,stderr", ERRORS,
                         ids=[" ".join(e[0]) for e in ERRORS])
def test_error(opts, stderr):
    p = run(opts, ["sh", "-c", "echo ran"])
    assert (p.returncode, p.stdout, p.stderr) == (127, "", stderr)


def test_error_execvp():
    # execvp reports EACCES instead when PATH has an unreadable directory.
    p = run([], ["jobd-no-such-command"],
            env=dict(os.environ, PATH="/usr/bin:/bin"))
    assert (p.returncode, p.stdout, p.stderr) == (
        127, "", msg("execvp 'jobd-no-such-command': "
                     "No such file or directory"))


@pytest.mark.parametrize("argv,reason", [
    ([], "no command given"),
    (["--umask", "022"], "no command given"),
    (["--"], "no command given"),
    (["--chdir=/tmp", "--user"], "option '--user' needs an argument"),
])
def test_error_command_line(argv, reason):
    p = subprocess.run([EXEC] + argv, capture_output=True, text=True,
                       timeout=30)
    assert (p.returncode, p.stdout, p.stderr) == (127, "", msg(reason))


def test_error_rlimit_above_kernel_maximum():
    if os.geteuid() != 0:
        pytest.skip("an unprivileged raise fails differently")
    p = run(["--rlimit", "nofile=infinity"], ["true"])
    assert (p.returncode, p.stderr) == (
        127, msg("cannot set rlimit 'nofile=infinity': "
                 "Operation not permitted"))


def test_error_message_stays_on_one_line():
    p = run(["--user", "a\nb"], ["true"])
    assert (p.returncode, p.stderr) == (127, msg("no such user 'a?b'"))


def _with_error_fd(opts, cmd):
    """(exit status, stdout, stderr, what came through --error-fd, fd)."""
    r, w = os.pipe()
    try:
        p = subprocess.Popen([EXEC, "--error-fd", str(w)] + opts + ["--"]
                             + [c.replace("@FD@", str(w)) for c in cmd],
                             pass_fds=(w,), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
        os.close(w)
        reason = b""
        while True:
            chunk = os.read(r, 4096)
            if not chunk:
                break
            reason += chunk
        out, err = p.communicate(timeout=30)
        return p.returncode, out, err, reason.decode()
    finally:
        os.close(r)


def test_error_fd_gets_the_reason():
    rc, out, err, reason = _with_error_fd(["--user", "jdx-none"], ["true"])
    assert (rc, err, reason) == (127, msg("no such user 'jdx-none'"),
                                 "exec: no such user 'jdx-none'\n")


def test_error_fd_is_closed_by_a_successful_exec():
    rc, out, err, reason = _with_error_fd(
        [], ["sh", "-c", "[ -e /proc/self/fd/@FD@ ] && echo open || "
             "echo closed; exit 3"])
    assert (rc, out, err, reason) == (3, "closed\n", "", "")
