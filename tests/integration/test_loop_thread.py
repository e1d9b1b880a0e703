"""Nothing that can block runs on jobd's loop thread: jobd runs under
strace -f, is driven through runs with output, a job with user=, history
and show, a reload and a ledger_sync=full ledger, and afterwards no line
of the main thread (tid = pid) may be an fsync/fdatasync, an SQLite file
access (write, read or lock of ledger.db, -wal, -shm), an NSS lookup
(opening /etc/passwd, /etc/group, nsswitch.conf, or connecting to nscd or
systemd-userdb), or a read of the configuration after the loop started.
The same trace must show the worker threads doing that work, so the test
cannot pass because the trace missed it."""
import os
import re
import shutil
import signal
import subprocess

import pytest

from conftest import child, daemon_info, history, wait_for

SYSCALLS = ("fsync", "fdatasync", "sync_file_range", "syncfs", "msync",
            "pwrite64", "pwritev", "pwritev2", "write", "writev", "pread64",
            "preadv", "fcntl", "open", "openat", "openat2", "connect",
            "listen")
# strace -y prints a descriptor as N</path>.
LEDGER_FD = re.compile(r"\(\d+<[^>]*/ledger\.db(-wal|-shm|-journal)?>")
OPENED = re.compile(r"\bopen(?:at2?)?\((?:[^,\"]*, )?\"([^\"]*)\"")
LEDGER_PATH = re.compile(r"/ledger\.db(-wal|-shm|-journal)?$")
NSS_FILES = ("/etc/passwd", "/etc/group", "/etc/shadow", "/etc/gshadow",
             "/etc/nsswitch.conf", "/etc/initgroups")
NSS_SOCKETS = ("/run/nscd/socket", "/var/run/nscd/socket",
               "/run/systemd/userdb/")
LINE = re.compile(r"^(\d+)\s+\S+\s+(?:<\.\.\. )?([a-z0-9_]+)(?:\(| resumed>)")


def jobd_pid_of(strace_pid):
    """strace's only direct child is jobd."""
    def find():
        try:
            with open("/proc/%d/task/%d/children"
                      % (strace_pid, strace_pid)) as f:
                kids = [int(p) for p in f.read().split()]
        except OSError:
            kids = []
        return kids[0] if len(kids) == 1 else None
    return wait_for(find, 10.0, "the jobd process under strace")


def start_traced(d, trace):
    """Starts d under strace -f; returns jobd's pid.  d.stop() signals
    jobd itself (a signal to strace would only detach it)."""
    if not shutil.which("strace"):
        pytest.fail("strace is not installed (it is in .ci/run's list)")
    plain = d.argv
    # LeakSanitizer cannot work under ptrace: off in a sanitized build.
    asan = os.environ.get("ASAN_OPTIONS", "")
    asan = (asan + ":" if asan else "") + "detect_leaks=0"
    d.argv = lambda *extra: ["strace", "-f", "-qq", "-tt", "-y",
                             "-e", "trace=" + ",".join(SYSCALLS),
                             "-o", str(trace), "--", "env",
                             "ASAN_OPTIONS=" + asan] + plain(*extra)
    d.start()
    pid = jobd_pid_of(d.proc.pid)

    def stop(sig=signal.SIGTERM, timeout=20.0):
        if d.proc.poll() is None:
            os.kill(pid, sig)
        try:
            return d.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.kill(pid, signal.SIGKILL)
            d.proc.wait()
            raise AssertionError("jobd did not exit within %ss" % timeout)
    d.stop = stop
    return pid


def calls(trace):
    """(tid, syscall, line) for every call in the trace."""
    out = []
    for line in trace.read_text(errors="replace").splitlines():
        m = LINE.match(line)
        if m:
            out.append((int(m.group(1)), m.group(2), line))
    return out


def blocking(name, line, config_files, listening):
    """Why this call must not be on the loop thread, or None."""
    if name in ("fsync", "fdatasync", "sync_file_range", "syncfs", "msync"):
        return "disk sync"
    if LEDGER_FD.search(line):
        return "SQLite file access"
    opened = OPENED.search(line) if name.startswith("open") else None
    if opened:
        path = opened.group(1)
        if LEDGER_PATH.search(path):
            return "SQLite file access"
        if path in NSS_FILES:
            return "NSS lookup"
        if listening and path in config_files:
            return "configuration read after the loop started"
    if name == "connect":
        for path in NSS_SOCKETS:
            if path in line:
                return "NSS lookup"
    return None


@pytest.mark.timeout(180)
def test_loop_thread_never_blocks(jobd, workdir):
    d = jobd(start=False)
    jobs = {
        "out": {"command": child("print", 40, "out", "eprint", 5, "err")},
        "bad": {"command": child("print", 2, "x", "exit", 3)},
        "nobody": {"command": child("id"), "user": "nobody",
                   "group": "nogroup"},
        "file": {"command": child("print", 20, "logged"),
                 "output": "file"},
    }
    d.write_config(jobs=jobs, settings={"ledger_sync": "full"})
    trace = workdir / "strace.log"
    pid = start_traced(d, trace)

    ids = [d.start_run(j) for j in ("out", "out", "bad", "nobody", "file",
                                     "out")]
    done = {i: d.wait_run(i, timeout=60) for i in ids}
    assert done[ids[3]]["result"] == "success", done[ids[3]]
    shown = d.jobctl_json("show", ids[3])
    assert shown["output"].split()[0] == "65534", shown
    assert [r["id"] for r in history(d)] == sorted(ids, reverse=True)
    assert history(d, "--failed")[0]["id"] == ids[2]
    rc, out, err = d.jobctl("logs", "out", "--run", ids[0])
    assert rc == 0 and "out 40" in out, (rc, out, err)

    jobs["more"] = {"command": child("exit", 0), "user": "nobody"}
    d.write_config(jobs=jobs, settings={"ledger_sync": "full"})
    reply = d.jobctl_json("reload")
    assert reply["added"] == ["more"], reply
    more = d.start_run("more")
    d.wait_run(more, timeout=60)
    info = daemon_info(d)
    assert info["pid"] == pid
    wait_for(lambda: daemon_info(d)["ledger"]["queued"] == 0, 20.0,
             "every row written")
    assert daemon_info(d)["ledger"]["ok"]
    assert d.stop() == 0

    config_files = [str(d.conf)] + [str(p) for p in d.confd.glob("*.conf")]
    listening = False
    bad = []
    workers = set()
    for tid, name, line in calls(trace):
        if tid == pid and name == "listen":
            listening = True
        why = blocking(name, line, config_files, listening and tid == pid)
        if not why:
            continue
        if tid == pid:
            bad.append("%s: %s" % (why, line))
        else:
            workers.add(why)
    assert not bad, "the loop thread (tid %d) made blocking calls:\n%s" \
        % (pid, "\n".join(bad[:30]))
    # The trace saw the work done elsewhere, so an empty list means
    # something.
    for why in ("disk sync", "SQLite file access", "NSS lookup"):
        assert why in workers, "no %s in any thread: is strace tracing " \
            "threads? (%s)" % (why, sorted(workers))
