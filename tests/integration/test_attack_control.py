"""Attacks on the control socket by unprivileged local users (issue 14),
each run as a real user made for the test (the attacker fixture, useradd)
with groups made for it (groupadd):

* identity: a peer is judged by the uid and groups the kernel recorded
  when it connected (SO_PEERCRED, SO_PEERGROUPS), not by what /proc/PID
  says at call time: neither groups gained after connect nor a recycled
  pid now held by an admin's process make a connection an admin's;
* connection slots: a uid outside the admins holds at most its share, the
  last slots are kept for root and admin_group=, and idle connections are
  closed after control_idle_timeout=;
* one call names at most 64 jobs, services, targets or runs;
* run ids that do not fit 64 bits are refused, by jobctl and by jobd;
* a flood of changes to an on_path_changed= file starts a bounded number
  of runs (path_trigger_interval=)."""
import json
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from conftest import (JOBCTL, Attacker, child, history, run_cmd,
                      wait_for)
from varlink_client import Client, VarlinkError

HELPER = str(Path(__file__).with_name("attack_helper.py"))
MAX_CONNECTIONS = 128
RESERVED = 16
PER_UID = 32
MAX_NAMES = 64
BIG_ID = "99999999999999999999999"


# ------------------------------------------------------------ fixtures

class Groups:
    """Groups sock (may connect), admin (admin_group=) and start (an
    allow_start= @group), with unique names; removed afterwards."""

    def __init__(self):
        tag = uuid.uuid4().hex[:6]
        self.names = {k: "jdg%s%s" % (tag, k) for k in
                      ("sock", "admin", "start")}
        self.gid = {}

    def create(self):
        import grp
        for k, n in self.names.items():
            subprocess.run(["groupadd", n], check=True, capture_output=True)
            self.gid[k] = grp.getgrnam(n).gr_gid
        return self

    def remove(self):
        for n in self.names.values():
            subprocess.run(["groupdel", n], capture_output=True)


@pytest.fixture
def groups():
    g = Groups()
    try:
        g.create()
    except subprocess.CalledProcessError as e:
        g.remove()
        pytest.fail("groupadd failed: %s" % e.stderr.decode())
    yield g
    g.remove()


@pytest.fixture
def more_attackers():
    """Factory: n more throwaway users, removed afterwards."""
    made = []

    def make(n):
        for _ in range(n):
            made.append(Attacker().create())
        return made[-n:]
    yield make
    for a in made:
        a.remove()


def start_daemon(jobd, workdir, groups, jobs=None, settings=None):
    """jobd with socket_group=sock and admin_group=admin, its socket
    reachable by the test users (mkdtemp makes directories 0700)."""
    d = jobd(start=False)
    conf = {"socket_group": groups.names["sock"],
            "admin_group": groups.names["admin"]}
    conf.update(settings or {})
    d.write_config(jobs=jobs or {"j": {"command": child("exit", 0)}},
                   settings=conf)
    os.chmod(workdir, 0o755)
    os.chmod(d.dir, 0o755)
    return d.start()


def popen_as(user, groups, argv):
    """argv as user (an Attacker) with exactly these supplementary gids."""
    def drop():
        os.setgroups(groups)
        os.setgid(user.gid)
        os.setuid(user.uid)
    return subprocess.Popen([str(a) for a in argv], preexec_fn=drop, cwd="/",
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)


def run_as(user, groups, argv, timeout=30):
    p = popen_as(user, groups, argv)
    out, err = p.communicate(timeout=timeout)
    return p.returncode, out.decode(), err.decode()


def jobctl_as(user, groups, d, *args):
    return run_as(user, groups, [JOBCTL, "-s", d.sock] + list(args))


def helper_line(p, timeout=30.0):
    """The JSON line a helper prints (fails with its stderr if none)."""
    wait_for(lambda: p.poll() is not None or _readable(p.stdout), timeout,
             "the helper's answer")
    line = p.stdout.readline()
    assert line, "helper printed nothing: rc %s: %s" % (
        p.poll(), p.stderr.read().decode())
    return json.loads(line)


def _readable(f):
    import select
    return bool(select.select([f], [], [], 0)[0])


class Holder:
    """A user's process holding as many connections as jobd lets it."""

    def __init__(self, d, user, groups, most=MAX_CONNECTIONS + 8):
        self.p = popen_as(user, groups, [sys.executable, HELPER, "hold",
                                         d.sock, most])
        self.held = helper_line(self.p)["held"]

    def close(self):
        self.p.stdin.close()
        self.p.wait(10)
        self.p.stdout.close()
        self.p.stderr.close()


@pytest.fixture
def holders():
    made = []

    def make(*args, **kw):
        h = Holder(*args, **kw)
        made.append(h)
        return h
    yield make
    for h in made:
        h.close()


def event_is_set(d, name):
    rc, out, err = d.jobctl("event", "list")
    assert rc == 0, err
    return "%s set" % name in out.splitlines()


# ------------------------------------------------------------ identity

def test_groups_gained_after_connect_do_not_count(jobd, workdir, groups,
                                                  attacker):
    """Before the fix the admin check read /proc/PID/status at each call,
    so a process that joined admin_group after connecting passed it."""
    d = start_daemon(jobd, workdir, groups)
    rc, out, err = run_cmd([str(a) for a in (
        sys.executable, HELPER, "late-groups", d.sock, attacker.uid,
        attacker.gid, groups.gid["sock"], groups.gid["admin"])])
    assert rc == 0, err
    assert json.loads(out) == {
        "error": "org.varlink.service.PermissionDenied"}, out
    assert not event_is_set(d, "late")
    wait_for(lambda: "control: refused io.jobd.Manager.EventSet to uid %d"
             % attacker.uid in d.log_text(), 5.0, "the refusal logged")


def force_next_pid(pid):
    """Makes the next fork in this pid namespace get pid (ns_last_pid)."""
    with open("/proc/sys/kernel/ns_last_pid", "w") as f:
        f.write(str(pid - 1))


def test_recycled_pid_of_an_admin_process_does_not_pass(jobd, workdir,
                                                        groups, attacker):
    """The connecting process exits (its socket lives on in another
    process) and an admin_group process is made to take its pid: the old
    connection stays an outsider's.  Before the fix the check read the
    admin's /proc/PID/status and let EventSet, Cancel and Reload through."""
    if not os.access("/proc/sys/kernel/ns_last_pid", os.W_OK):
        pytest.fail("cannot write /proc/sys/kernel/ns_last_pid to recycle "
                    "a pid")
    d = start_daemon(jobd, workdir, groups)
    mine, theirs = socket.socketpair()
    p = subprocess.Popen(
        [sys.executable, HELPER, "pass-fd", str(d.sock),
         str(theirs.fileno())],
        pass_fds=[theirs.fileno()], stdout=subprocess.PIPE,
        preexec_fn=lambda: (os.setgroups([groups.gid["sock"]]),
                            os.setgid(attacker.gid), os.setuid(attacker.uid)))
    theirs.close()
    _, fds, _, _ = socket.recv_fds(mine, 1, 1)
    old_pid = json.loads(p.stdout.readline())["pid"]
    p.wait(10)
    p.stdout.close()
    conn = Client.__new__(Client)
    conn.sock, conn.buf = socket.socket(fileno=fds[0]), b""
    conn.sock.settimeout(10.0)
    admin = None
    for _ in range(50):
        if os.path.exists("/proc/%d" % old_pid):
            pytest.skip("pid %d was taken by another process before the "
                        "test could recycle it" % old_pid)
        force_next_pid(old_pid)
        admin = subprocess.Popen(["sleep", "60"], extra_groups=[
            groups.gid["admin"]], stdin=subprocess.DEVNULL)
        if admin.pid == old_pid:
            break
        admin.kill()
        admin.wait()
        admin = None
    assert admin, "could not make a process take pid %d" % old_pid
    try:
        with open("/proc/%d/status" % old_pid) as f:
            assert str(groups.gid["admin"]) in [
                line for line in f if line.startswith("Groups:")][0]
        for method, params in (("io.jobd.Manager.EventSet", {"name": "e"}),
                               ("io.jobd.Manager.Reload", {}),
                               ("io.jobd.Manager.Cancel",
                                {"targets": ["j"]})):
            with pytest.raises(VarlinkError) as e:
                conn.call1(method, params)
            assert e.value.error == "org.varlink.service.PermissionDenied", \
                (method, e.value.error)
        assert not event_is_set(d, "e")
    finally:
        admin.kill()
        admin.wait()
        conn.close()
        mine.close()


def test_supplementary_groups_count(jobd, workdir, groups, attacker):
    """admin_group= and allow_start=@group by supplementary group, as
    SO_PEERGROUPS reports it; without the group, refused."""
    d = start_daemon(jobd, workdir, groups, jobs={
        "a": {"command": child("exit", 0),
              "allow_start": "@" + groups.names["start"]},
        "b": {"command": child("exit", 0)}})
    sock, admin, start = (groups.gid[k] for k in ("sock", "admin", "start"))
    rc, out, err = jobctl_as(attacker, [sock, admin], d, "event", "set", "e")
    assert rc == 0, (rc, out, err)
    assert event_is_set(d, "e")
    rc, out, err = jobctl_as(attacker, [sock, start], d, "start", "a")
    assert rc == 0, (rc, out, err)
    assert d.wait_run(int(out))["result"] == "success"
    for gids, verb in (([sock, start], ["start", "b"]),
                       ([sock], ["start", "a"]),
                       ([sock, start], ["event", "clear", "e"])):
        rc, out, err = jobctl_as(attacker, gids, d, *verb)
        assert rc == 1 and "permission denied" in err, (gids, verb, rc, err)
    assert event_is_set(d, "e")


# ------------------------------------------------------------ slots

@pytest.mark.timeout(120)
def test_one_user_holds_only_its_share(jobd, workdir, groups, attacker,
                                       holders):
    """Before the fix one member of the socket group took all 128 slots
    and root's jobctl got exit 3."""
    d = start_daemon(jobd, workdir, groups)
    h = holders(d, attacker, [groups.gid["sock"]])
    assert h.held == PER_UID
    wait_for(lambda: re.search(
        r"control: uid %d holds %d connections, its share; refusing pid "
        r"\d+ \(uid %d\)" % (attacker.uid, PER_UID, attacker.uid),
        d.log_text()), 5.0, "the refusal logged with the uid")
    rc, out, err = d.jobctl("list")
    assert rc == 0 and "j" in out, (rc, out, err)
    # The same user as an admin (by its group) is not held to the share.
    rc, out, err = jobctl_as(attacker, [groups.gid["sock"],
                                        groups.gid["admin"]], d, "list")
    assert rc == 0, (rc, out, err)
    h.close()
    wait_for(lambda: jobctl_as(attacker, [groups.gid["sock"]], d,
                               "list")[0] == 0, 10.0, "slots back once closed")


@pytest.mark.timeout(180)
def test_reserve_is_kept_for_admins(jobd, workdir, groups, attacker,
                                    more_attackers, holders):
    """Four users fill every slot they may: 128 - 16 in all; root and an
    admin_group member still get in, another user does not."""
    d = start_daemon(jobd, workdir, groups)
    users = [attacker] + more_attackers(4)
    sock = [groups.gid["sock"]]
    held = [holders(d, u, sock).held for u in users[:4]]
    assert held == [PER_UID] * 3 + [MAX_CONNECTIONS - RESERVED - 3 * PER_UID]
    rc, out, err = jobctl_as(users[4], sock, d, "list")
    assert rc == 3, (rc, out, err)
    wait_for(lambda: "the rest is kept for root and admin_group=" in
             d.log_text(), 5.0, "the refusal logged")
    assert d.jobctl("list")[0] == 0
    rc, out, err = jobctl_as(users[4], sock + [groups.gid["admin"]], d,
                             "event", "set", "in")
    assert rc == 0, (rc, out, err)


def closed_by_daemon(c, timeout):
    """True once the daemon has closed c (EOF), within timeout."""
    c.sock.settimeout(0.1)

    def eof():
        try:
            return c.sock.recv(1) == b""
        except socket.timeout:
            return False
        except ConnectionResetError:
            return True
    try:
        wait_for(eof, timeout, "the connection closed")
        return True
    except AssertionError:
        return False


def test_idle_connections_are_closed(jobd, workdir, groups, attacker):
    """Before the fix a connection that never called anything was kept
    for ever."""
    d = start_daemon(jobd, workdir, groups, jobs={
        "w": {"command": child("wait-file", workdir / "go", 60)}},
        settings={"control_idle_timeout": "1s"})
    run = d.start_run("w")
    # In flight: a subscription and a Wait, which must stay.
    events = d.varlink()
    events.send({"method": "io.jobd.Manager.Events", "more": True})
    assert events.recv()["parameters"]["type"] == "subscribed"
    waiter = d.varlink()
    waiter.send({"method": "io.jobd.Manager.Wait",
                 "parameters": {"runs": [run]}})
    # Idle: the attacker's, which never calls, and root's after a call.
    rc, out, err = run_as(attacker, [groups.gid["sock"]],
                          [sys.executable, HELPER, "idle", d.sock, 15])
    assert rc == 0, err
    closed_after = json.loads(out)["closed_after"]
    assert closed_after is not None and closed_after >= 0.9, out
    after_call = d.varlink()
    after_call.call1("org.varlink.service.GetInfo")
    assert closed_by_daemon(after_call, 10.0)
    # Older than those, the busy ones are still served.
    assert d.jobctl("event", "set", "x")[0] == 0
    wait_for(lambda: events.recv()["parameters"].get("name") == "x", 5.0,
             "the event on the old subscription")
    (workdir / "go").touch()
    assert waiter.recv()["parameters"]["runs"][0]["result"] == "success"
    for c in (events, waiter, after_call):
        c.close()


# ------------------------------------------------------------ names

def test_names_per_call_are_bounded(jobd, workdir, groups, attacker):
    """Before the fix, one Start naming a job 5000 times started 5000
    runs in one turn of the loop (3.5 s)."""
    d = start_daemon(jobd, workdir, groups, jobs={
        "j": {"command": child("exit", 0), "allow_start": attacker.name}})
    call = json.dumps({"method": "io.jobd.Manager.Start",
                       "parameters": {"jobs": ["j"] * 5000}})
    script = ("import socket,sys; s=socket.socket(socket.AF_UNIX); "
              "s.connect(sys.argv[1]); s.sendall(sys.argv[2].encode()+b'\\0');"
              " b=b''\nwhile not b.endswith(b'\\0'): b+=s.recv(65536)\n"
              "print(b[:-1].decode())")
    rc, out, err = run_as(attacker, [groups.gid["sock"]],
                          [sys.executable, "-c", script, d.sock, call])
    assert rc == 0, err
    assert json.loads(out) == {
        "error": "org.varlink.service.InvalidParameter",
        "parameters": {"parameter": "jobs", "limit": MAX_NAMES}}, out[:300]
    assert d.job_status("j")["runs"] == []
    assert history(d, "j") == []
    with d.varlink() as c:
        for method, key, value in (
                ("io.jobd.Manager.Start", "jobs", "j"),
                ("io.jobd.Manager.Cancel", "targets", "j"),
                ("io.jobd.Manager.Wait", "runs", 1),
                ("io.jobd.Manager.Stop", "services", "j"),
                ("io.jobd.Manager.ResetFailed", "services", "j")):
            with pytest.raises(VarlinkError) as e:
                c.call1(method, {key: [value] * (MAX_NAMES + 1)})
            assert e.value.error == "org.varlink.service.InvalidParameter"
            assert e.value.parameters == {"parameter": key,
                                          "limit": MAX_NAMES}, method
        runs = c.call1("io.jobd.Manager.Start",
                       {"jobs": ["j"] * MAX_NAMES})["runs"]
        assert len(runs) == MAX_NAMES
    ids = sorted(r["id"] for r in runs)
    wait_for(lambda: sorted(r["id"] for r in history(d, "j") if
                            r.get("result") == "success") == ids, 20.0,
             "the %d runs to succeed" % MAX_NAMES)
    rc, out, err = d.jobctl("start", *["j"] * (MAX_NAMES + 1))
    assert rc == 2 and "at most %d" % MAX_NAMES in err, (rc, out, err)


def test_cancel_names_a_run_once(jobd):
    """A job named 64 times, and its run by id too: each run is cancelled
    once (a second cancel would be SIGKILL) and listed once."""
    d = jobd(start=False)
    d.write_config(jobs={"w": {"command": child("wait-file", d.path("go"),
                                                60), "max_running": 1}})
    d.start()
    ids = sorted(int(d.start_run("w")) for _ in range(5))
    d.wait_running("w", ids[0])
    with d.varlink() as c:
        runs = c.call1("io.jobd.Manager.Cancel", {
            "targets": ["w"] * (MAX_NAMES - 1) + [str(ids[0])]})["runs"]
    assert sorted(r["id"] for r in runs) == ids
    for i in ids:
        assert d.wait_run(i)["result"] == "cancelled"


# ------------------------------------------------------------ run ids

@pytest.mark.parametrize("args", [
    ["show", BIG_ID], ["wait", BIG_ID], ["cancel", BIG_ID],
    ["cancel", "9223372036854775808"], ["logs", "j", "--run", BIG_ID]])
def test_run_id_out_of_range_is_a_usage_error(jobd, args):
    """Before the fix `jobctl cancel 99999999999999999999999` said
    `no such run -1`."""
    d = jobd()
    rc, out, err = d.jobctl(*args)
    assert rc == 2, (rc, out, err)
    assert "invalid run id '%s'" % args[-1] in err, err
    assert "-1" not in err


def test_daemon_refuses_run_id_out_of_range(jobd):
    d = jobd()
    with d.varlink() as c:
        for target in (BIG_ID, "9223372036854775808"):
            with pytest.raises(VarlinkError) as e:
                c.call1("io.jobd.Manager.Cancel", {"targets": [target]})
            assert e.value.error == "org.varlink.service.InvalidParameter"
            assert e.value.parameters == {"parameter": "targets"}
        with pytest.raises(VarlinkError) as e:
            c.call1("io.jobd.Manager.Show", {"run": -1})
        assert e.value.error == "org.varlink.service.InvalidParameter"
        with pytest.raises(VarlinkError) as e:
            c.call1("io.jobd.Manager.Cancel",
                    {"targets": ["9223372036854775807"]})
        assert e.value.error == "io.jobd.Manager.NoSuchRun"
        assert e.value.parameters == {"run": 9223372036854775807}
    assert d.jobctl("list")[0] == 0


# ------------------------------------------------------------ path triggers

FLOOD_SECONDS = 3


def settled(d, job, interval):
    """The job's runs once none is unfinished and none can be coming: the
    newest was queued more than interval (plus slack) ago."""
    runs = history(d, job)
    if any(r["state"] != "finished" for r in runs):
        return None
    newest = max((r["queued_usec"] for r in runs), default=0) / 1e6
    if time.time() - newest < interval + 0.5:
        return None
    return runs


@pytest.mark.timeout(90)
def test_flood_of_changes_starts_bounded_runs(jobd, attacker,
                                              attacker_dir):
    """The attacker rewrites a watched file it owns as fast as it can for
    3 s.  Before the fix every change started a run (2562 in 5 s)."""
    target = attacker_dir / "spool.txt"
    d = jobd(jobs={"react": {"command": child("exit", 0),
                             "on_path_changed": str(target)}})
    script = ('end=$(( $(date +%%s) + %d )); i=0; '
              'while [ "$(date +%%s)" -lt "$end" ]; do '
              'echo $i > %s; i=$((i+1)); done; echo $i'
              % (FLOOD_SECONDS, target))
    t0 = time.monotonic()
    rc, out, err = attacker.run(["sh", "-c", script], timeout=60)
    took = time.monotonic() - t0
    assert rc == 0, err
    assert int(out) > 100, "the flood wrote only %s times" % out
    runs = wait_for(lambda: settled(d, "react", 1.0), 20.0,
                    "the runs to settle")
    # One run per second at most, plus the first and the last.
    assert 1 <= len(runs) <= took + 2, (len(runs), took)
    # A change after the flood still starts a run.
    target.write_text("after")
    wait_for(lambda: len(history(d, "react")) == len(runs) + 1, 10.0,
             "a run for the change after the flood")
    assert d.proc.poll() is None


def test_path_trigger_interval_is_checked(jobd):
    d = jobd(start=False, jobs={"j": {"command": child("exit", 0),
                                      "on_path_changed": "/tmp/x",
                                      "path_trigger_interval": "10ms"}})
    rc, out, err = run_cmd([d.argv()[0], "--check", "--config", str(d.conf)])
    assert rc == 2 and "path_trigger_interval" in out + err and \
        "100ms to 1d" in out + err, (rc, out, err)
    d.write_config(jobs={"j": {"command": child("exit", 0),
                               "on_path_changed": "/tmp/x",
                               "path_trigger_interval": "2s"}})
    rc, out, err = run_cmd([d.argv()[0], "--check", "--config", str(d.conf)])
    assert rc == 0, (rc, out, err)
