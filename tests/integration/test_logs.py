"""supervisorctl habits for output and cancel: `jobctl logs` with several
names, a glob, all or none (each line after NAME[RUN], one Tail call),
`logs --follow` of all output through runs that start later and across a
service's restarts (ended by SIGINT/SIGTERM with 0), stderr lines marked
on a terminal, `cancel` with globs and all, the bad cases, and a client
that does not read (Tail paces its backlog and drops a follower that
lags)."""
import json
import os
import pty
import re
import select
import signal
import socket
import subprocess
import threading
import time
import tty

import pytest

from conftest import (JOBCTL, child, start_units, wait_for, wait_service)
from varlink_client import VarlinkError

MB = 1024 * 1024
TAGGED = re.compile(r"^([A-Za-z0-9_.@-]+)\[(\d+)\] (.*)$")


class Follower:
    """`jobctl ARGS` in the background, its stdout lines collected on a
    thread; wait(pred) polls them with a deadline."""

    def __init__(self, d, *args, env=None):
        self.proc = subprocess.Popen([JOBCTL, "-s", str(d.sock)]
                                     + [str(a) for a in args],
                                     stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=env)
        self.lines = []
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        for line in self.proc.stdout:
            with self.lock:
                self.lines.append(line.decode().rstrip("\n"))

    def got(self):
        with self.lock:
            return list(self.lines)

    def wait(self, pred, what, timeout=15.0):
        return wait_for(lambda: pred(self.got()), timeout, what)

    def stop(self, sig=signal.SIGINT):
        """Signals jobctl; returns (rc, stderr)."""
        self.proc.send_signal(sig)
        rc = self.proc.wait(10)
        self.thread.join(5)
        return rc, self.proc.stderr.read().decode()


def tagged(lines):
    """[(name, run, text)] of the lines that carry NAME[RUN]."""
    return [(m.group(1), int(m.group(2)), m.group(3))
            for m in map(TAGGED.match, lines) if m]


def finished(d, *jobs):
    """Starts a run of each job and waits for it; returns the run ids."""
    ids = [d.start_run(j) for j in jobs]
    for rid in ids:
        d.wait_run(rid)
    return ids


def units(jobd):
    return start_units(jobd, jobs={
        "web-a": {"command": child("print", 2, "a", "eprint", 1, "a-err")},
        "web-b": {"command": child("print", 3, "b")},
        "db": {"command": child("print", 1, "db")},
        "quiet": {"command": child("exit", 0)},
    })


# ------------------------------------------------------------ logs NAME...

def test_one_name_prints_as_it_always_did(jobd):
    d = units(jobd)
    finished(d, "web-a")
    rc, out, err = d.jobctl("logs", "web-a")
    assert rc == 0, err
    assert sorted(out.splitlines()) == ["a 1", "a 2", "a-err 1"]


def test_several_names_globs_and_all_are_prefixed(jobd):
    d = units(jobd)
    a, b, db = finished(d, "web-a", "web-b", "db")
    rc, out, err = d.jobctl("logs", "web*")
    assert rc == 0, err
    got = tagged(out.splitlines())
    assert len(got) == len(out.splitlines()), out
    # Each unit's latest run, unit after unit in name order.
    assert [(n, r) for n, r, _ in got] == [("web-a", a)] * 3 + \
        [("web-b", b)] * 3
    assert [t for n, _, t in got if n == "web-b"] == ["b 1", "b 2", "b 3"]
    assert sorted(t for n, _, t in got if n == "web-a") == \
        ["a 1", "a 2", "a-err 1"]
    # Several names, given in any order, come in name order.
    rc, out2, err = d.jobctl("logs", "web-b", "db")
    assert rc == 0, err
    assert [(n, r) for n, r, _ in tagged(out2.splitlines())] == \
        [("db", db)] + [("web-b", b)] * 3
    # all, and no name at all: every unit (quiet printed nothing).
    rc, every, err = d.jobctl("logs", "all")
    assert rc == 0, err
    assert sorted({n for n, _, _ in tagged(every.splitlines())}) == \
        ["db", "web-a", "web-b"]
    rc, none, err = d.jobctl("logs")
    assert rc == 0 and none == every, (none, every, err)
    # -n counts per unit.
    rc, out, err = d.jobctl("logs", "web*", "-n", 1)
    assert rc == 0, err
    assert [n for n, _, _ in tagged(out.splitlines())] == ["web-a", "web-b"]
    assert out.splitlines()[1] == "web-b[%d] b 3" % b


def test_json_lines_name_their_unit_and_run(jobd):
    d = units(jobd)
    a, b = finished(d, "web-a", "web-b")
    rc, out, err = d.jobctl("--json", "logs", "web*")
    assert rc == 0, err
    entries = [json.loads(x) for x in out.splitlines()]
    assert {(e["job"], e["run"]) for e in entries} == {("web-a", a),
                                                       ("web-b", b)}
    assert {e["stream"] for e in entries if e["job"] == "web-a"} == \
        {"stdout", "stderr"}
    assert all(isinstance(e["usec"], int) and "text" in e for e in entries)


def test_runs_no_longer_in_memory_are_read_back(jobd):
    """After a restart of jobd the units' latest runs are only on record:
    Tail reads them back as Logs does."""
    d = units(jobd)
    a, b = finished(d, "web-a", "web-b")
    assert d.stop() == 0
    d.start()
    rc, out, err = d.jobctl("logs", "web*")
    assert rc == 0, err
    got = tagged(out.splitlines())
    assert {(n, r) for n, r, _ in got} == {("web-a", a), ("web-b", b)}
    assert [t for n, _, t in got if n == "web-b"] == ["b 1", "b 2", "b 3"]


def test_logs_bad_names(jobd):
    d = units(jobd)
    finished(d, "web-a")
    rc, out, err = d.jobctl("logs", "zz*")
    assert rc == 1 and out == "", out
    assert "no job or service matches 'zz*'" in err
    rc, out, err = d.jobctl("logs", "web-a", "nope")
    assert rc == 1 and out == ""
    assert "no such job or service 'nope'" in err
    rc, out, err = d.jobctl("logs", "-f", "nope")
    assert rc == 1 and "no such job or service 'nope'" in err
    rc, out, err = d.jobctl("logs", "web-a", "db", "--run", 1)
    assert rc == 2 and "--run takes one job" in err


def test_tail_protocol_errors(jobd):
    d = units(jobd)
    with d.varlink() as c:
        with pytest.raises(VarlinkError) as e:
            list(c.call("io.jobd.Manager.Tail", {}))
        assert e.value.error == "org.varlink.service.ExpectedMore"
        with pytest.raises(VarlinkError) as e:
            list(c.call("io.jobd.Manager.Tail", {"jobs": []}, more=True))
        assert e.value.parameters == {"parameter": "jobs"}
        with pytest.raises(VarlinkError) as e:
            list(c.call("io.jobd.Manager.Tail", {"jobs": ["db", "x"]},
                        more=True))
        assert e.value.error == "io.jobd.Manager.NoSuchJob"
        assert e.value.parameters == {"job": "x"}
        # A unit without runs has no backlog: only the last reply.
        assert list(c.call("io.jobd.Manager.Tail", {"jobs": ["quiet"]},
                           more=True)) == [{"lines": []}]


# ------------------------------------------------------------ --follow

def test_follow_all_takes_runs_that_start_later(jobd):
    d = start_units(jobd, jobs={
        "first": {"command": child("print", 1, "first",
                                   "wait-file", "/nonexistent", 60)},
        "late": {"command": child("print", 2, "late")},
        "other": {"command": child("print", 1, "other")},
    })
    run1 = d.start_run("first")
    f = Follower(d, "logs", "-f")
    # The backlog went out: first's line is there, late has no run yet.
    f.wait(lambda got: ("first", run1, "first 1") in tagged(got),
           "first's line")
    late = d.start_run("late")
    again = d.start_run("late")
    f.wait(lambda got: [t for n, r, t in tagged(got) if n == "late"] ==
           ["late 1", "late 2"] * 2, "both runs of late")
    got = tagged(f.got())
    assert {r for n, r, _ in got if n == "late"} == {late, again}
    assert f.proc.poll() is None, "the follower ended with the runs"
    rc, err = f.stop(signal.SIGINT)
    assert rc == 0 and err == "", err
    d.jobctl("cancel", run1)
    d.wait_run(run1)


def test_follow_a_glob_shows_only_its_units(jobd):
    d = units(jobd)
    a1 = finished(d, "web-b")[0]
    f = Follower(d, "logs", "--follow", "web*", "-n", 0)
    # The backlog is there: from now on lines come as they are written.
    f.wait(lambda got: len(got) == 3, "the backlog of web-b")
    a, db, b = finished(d, "web-a", "db", "web-b")
    f.wait(lambda got: len(got) == 9, "6 more lines of web-a and web-b")
    got = tagged(f.got())
    assert len(got) == 9
    assert [(n, r) for n, r, _ in got[:3]] == [("web-b", a1)] * 3
    assert {(n, r) for n, r, _ in got[3:]} == {("web-a", a), ("web-b", b)}
    assert [t for n, r, t in got if r == b] == ["b 1", "b 2", "b 3"]
    rc, err = f.stop(signal.SIGTERM)
    assert rc == 0 and err == "", err


def test_follow_a_service_across_its_restarts(jobd):
    """restart=always: the runs of a crashing service come one after the
    other; logs -f SERVICE (no prefix) and logs -f with the service and a
    job (prefixed) follow them all."""
    d = start_units(jobd, services={"svc": {
        "command": 'echo "up $JOBD_RUN"; echo "crash $JOBD_RUN" >&2; '
                   'sleep 0.3; exit 3', "shell": "yes",
        "restart": "always", "restart_sec": "100ms",
        "restart_max_sec": "200ms", "start_limit_burst": 100}},
        jobs={"j": {"command": child("print", 1, "j")}})
    plain = Follower(d, "logs", "-f", "svc")
    both = Follower(d, "logs", "-f", "svc", "j")

    def runs_seen(lines):
        return {int(x.split()[1]) for x in lines
                if re.match(r"^up \d+$", x)}
    plain.wait(lambda got: len(runs_seen(got)) >= 3, "three runs of svc")
    both.wait(lambda got: len({r for n, r, t in tagged(got)
                               if n == "svc" and t.startswith("up ")}) >= 3,
              "three runs of svc, prefixed")
    for n, r, t in tagged(both.got()):
        assert n == "svc" and t in ("up %d" % r, "crash %d" % r), (n, r, t)
    assert plain.proc.poll() is None and both.proc.poll() is None
    assert plain.stop()[0] == 0
    assert both.stop(signal.SIGTERM)[0] == 0


def test_follow_ends_when_jobd_stops(jobd):
    d = units(jobd)
    finished(d, "db")
    f = Follower(d, "logs", "-f")
    f.wait(lambda got: got == ["db[%d] db 1" % d.job_status("db")["job"]
                               ["last"]["id"]], "db's backlog")
    assert d.stop() == 0
    assert f.proc.wait(10) == 0
    assert f.proc.stderr.read() == b""


# ------------------------------------------------------------ terminals

def on_tty(d, *args, env=None):
    """`jobctl ARGS` with stdout on a pseudo-terminal; returns (rc, what
    the terminal got)."""
    master, slave = pty.openpty()
    tty.setraw(slave)
    p = subprocess.Popen([JOBCTL, "-s", str(d.sock)] + [str(a) for a in
                                                       args],
                         stdin=subprocess.DEVNULL, stdout=slave,
                         stderr=subprocess.PIPE, env=env)
    os.close(slave)
    data = b""
    while True:
        r, _, _ = select.select([master], [], [], 10)
        if not r:
            break
        try:
            chunk = os.read(master, 65536)
        except OSError:             # EIO: every writer closed it
            break
        if not chunk:
            break
        data += chunk
    os.close(master)
    p.stderr.close()
    return p.wait(10), data


def tty_env(**extra):
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    env.update(LC_ALL="C.UTF-8", TERM="xterm")
    env.update(extra)
    return env


def test_stderr_lines_are_marked_on_a_terminal(jobd):
    d = start_units(jobd, jobs={"both": {"command": "echo out 1; printf "
                                         "'err\\033[2J 1\\n' >&2",
                                         "shell": "yes"}})
    run = finished(d, "both")[0]
    rc, out = on_tty(d, "logs", "both", env=tty_env())
    assert rc == 0
    # jobctl's own red, and the job's escape shown escaped inside it.
    assert sorted(out.split(b"\n")) == sorted(
        [b"out 1", b"\x1b[31merr\\x1b[2J 1\x1b[0m", b""]), out
    rc, out = on_tty(d, "logs", "both*", env=tty_env())
    assert b"both[%d] \x1b[31merr\\x1b[2J 1\x1b[0m\n" % run in out, out
    # No colour: NO_COLOR (not empty) or a dumb terminal.
    for env in (tty_env(NO_COLOR="1"), tty_env(TERM="dumb")):
        rc, out = on_tty(d, "logs", "both", env=env)
        assert rc == 0 and b"\x1b[" not in out
        assert b"stderr: err\\x1b[2J 1\n" in out and b"\nout 1\n" in \
            b"\n" + out, out
    rc, out = on_tty(d, "logs", "both", env=tty_env(NO_COLOR=""))
    assert b"\x1b[31m" in out
    # --raw, --json and a pipe: nothing is added.
    rc, out = on_tty(d, "--raw", "logs", "both", env=tty_env())
    assert sorted(out.split(b"\n")) == [b"", b"err\x1b[2J 1", b"out 1"]
    rc, out = on_tty(d, "--json", "logs", "both", env=tty_env())
    assert b"\x1b[31m" not in out and b"stderr: " not in out
    assert {json.loads(x)["stream"] for x in out.splitlines()} == \
        {"stdout", "stderr"}
    rc, out, err = d.jobctl("logs", "both", raw=True)
    assert sorted(out.split(b"\n")) == [b"", b"err\x1b[2J 1", b"out 1"]


# ------------------------------------------------------------ cancel

def test_cancel_globs_and_all(jobd):
    sleep = child("sleep", 300)
    d = start_units(jobd, jobs={"w1": {"command": sleep},
                                "w2": {"command": sleep},
                                "other": {"command": sleep},
                                "idle": {"command": child("exit", 0)}},
                    services={"wsvc": {"command": sleep}})
    wait_service(d, "wsvc", ["ready", "starting"])
    w1, w2, other = (d.start_run(j) for j in ("w1", "w2", "other"))
    for job, rid in (("w1", w1), ("w2", w2), ("other", other)):
        d.wait_running(job, rid)
    rc, out, err = d.jobctl("cancel", "w*")
    assert rc == 0, err
    # The jobs with unfinished runs: never the service.
    assert sorted(int(x) for x in out.split()) == sorted([w1, w2])
    assert d.wait_run(w1)["result"] == "cancelled"
    assert d.wait_run(w2)["result"] == "cancelled"
    assert d.run_state("other", other)["state"] == "running"
    rc, out, err = d.jobctl("cancel", "all")
    assert rc == 0 and out.split() == [str(other)], out + err
    assert d.wait_run(other)["result"] == "cancelled"
    wait_service(d, "wsvc", ["ready", "starting"])
    # Nothing left to cancel is no error (supervisorctl's stop all).
    rc, out, err = d.jobctl("cancel", "all")
    assert rc == 0 and out == "", out
    assert "no unfinished runs to cancel" in err
    rc, out, err = d.jobctl("cancel", "zz*")
    assert rc == 1 and "no job matches 'zz*'" in err
    rc, out, err = d.jobctl("cancel", "wsvc*")
    assert rc == 1 and "no job matches 'wsvc*'" in err
    # Names and run ids still work as they did, and refuse as they did.
    rid = d.start_run("w1")
    rc, out, err = d.jobctl("cancel", rid)
    assert rc == 0 and out.split() == [str(rid)]
    rc, out, err = d.jobctl("cancel", "idle")
    assert rc == 1 and "job 'idle' has no active run" in err


def test_cancel_skip_idle(jobd):
    """The jobs a pattern matched may end their runs before Cancel comes:
    with skip_idle jobd passes them over instead of refusing the call."""
    d = start_units(jobd, jobs={"idle": {"command": child("exit", 0)},
                                "busy": {"command": child("sleep", 300)}})
    done = finished(d, "idle")[0]
    busy = d.start_run("busy")
    d.wait_running("busy", busy)
    with d.varlink() as c:
        with pytest.raises(VarlinkError) as e:
            c.call1("io.jobd.Manager.Cancel", {"targets": ["idle", "busy"]})
        assert e.value.error == "io.jobd.Manager.NoRuns"
        assert d.run_state("busy", busy)["state"] == "running"
        reply = c.call1("io.jobd.Manager.Cancel", {
            "targets": ["idle", str(done), "busy"], "skip_idle": True})
        assert [r["id"] for r in reply["runs"]] == [busy]
        assert c.call1("io.jobd.Manager.Cancel", {
            "targets": ["idle"], "skip_idle": True}) == {"runs": []}
    assert d.wait_run(busy)["result"] == "cancelled"


# ------------------------------------------------------------ slow readers

def vm_rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS for pid %d" % pid)


def under_asan(pid):
    with open("/proc/%d/maps" % pid) as f:
        return "libasan" in f.read()


def lazy_tail(d, params):
    c = d.varlink(timeout=30)
    # A small receive buffer: what is not read stays in jobd's queue.
    c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    c.send({"method": "io.jobd.Manager.Tail", "more": True,
            "parameters": params})
    return c


def hung_up(c, timeout):
    p = select.poll()
    p.register(c.sock, select.POLLRDHUP)
    return any(ev & (select.POLLRDHUP | select.POLLHUP)
               for _, ev in p.poll(int(timeout * 1000)))


@pytest.mark.timeout(180)
def test_follower_that_does_not_read_is_dropped(jobd):
    """A follower of every unit that never reads: jobd queues at most
    4 MiB of replies for it and then closes it; other clients are served
    all along and jobd's memory stays bounded."""
    d = start_units(jobd, jobs={"flood": {"command": child(
        "flood", 8 * 1024 * MB)}})
    base_kb = vm_rss_kb(d.proc.pid)
    lazy = lazy_tail(d, {"follow": True})
    run = d.start_run("flood")
    peak, t0, hup = base_kb, time.monotonic(), False
    while time.monotonic() - t0 < 90 and not hup:
        peak = max(peak, vm_rss_kb(d.proc.pid))
        hup = hung_up(lazy, 0.05)
    assert hup, "jobd kept a follower that does not read for 90 s"
    rc, out, err = d.jobctl("list")
    assert rc == 0 and "flood" in out, err
    assert d.run_state("flood", run)["state"] == "running"
    assert d.jobctl("cancel", run)[0] == 0
    d.wait_run(run)
    lazy.close()
    grown_mb = (peak - base_kb) / 1024
    print("lazy Tail follower: RSS +%.1f MB" % grown_mb)
    assert grown_mb < (4 + 20) * (8 if under_asan(d.proc.pid) else 1), \
        grown_mb


@pytest.mark.timeout(180)
def test_backlog_goes_as_fast_as_the_reader(jobd):
    """Eight units with 1 MiB tails are some 9 MB of replies, over the
    4 MiB a client may leave unread: Tail sends a unit's backlog only once
    the previous one was read, so a reader that pauses is not dropped,
    gets every unit, and jobd does not hold them all at once."""
    cmd = ("yes 0123456789abcdef0123456789abcdef0123456789abcdef | "
           "head -c 1100000")
    names = ["u%d" % i for i in range(8)]
    d = start_units(jobd, settings={"output_tail": "1M"}, jobs={
        n: {"command": cmd, "shell": "yes"} for n in names})
    finished(d, *names)
    base_kb = vm_rss_kb(d.proc.pid)
    lazy = lazy_tail(d, {})
    peak, t0 = base_kb, time.monotonic()
    while time.monotonic() - t0 < 2:        # the reader pauses
        peak = max(peak, vm_rss_kb(d.proc.pid))
        assert not hung_up(lazy, 0.05), "jobd dropped a pausing reader"
    assert d.jobctl("list")[0] == 0
    seen, lines = [], 0
    while True:
        r = lazy.recv()
        assert "error" not in r, r
        p = r["parameters"]
        if p.get("job"):
            seen.append(p["job"])
            lines += len(p["lines"])
            assert all(x["job"] == p["job"] for x in p["lines"])
        if not r.get("continues"):
            break
        peak = max(peak, vm_rss_kb(d.proc.pid))
    lazy.close()
    assert seen == names
    assert lines == 8 * 10000       # TAIL_MAX_LINES each
    grown_mb = (peak - base_kb) / 1024
    print("paced backlog: RSS +%.1f MB" % grown_mb)
    assert grown_mb < 30 * (8 if under_asan(d.proc.pid) else 1), grown_mb
