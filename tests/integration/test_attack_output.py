"""A job's output as an attack (issue 14): the job's user controls every
byte its run writes.

A flood of empty lines must not grow jobd (the tail charges each line its
bookkeeping, and keeps at most TAIL_MAX_LINES), the ledger row stays
within output_tail=, and Logs and other calls keep answering.  Control
characters in output, STATUS= texts and reasons must not reach a terminal
through jobctl: they are shown escaped, unless --raw is given or stdout is
not a terminal."""
import base64
import json
import os
import pty
import select
import socket
import sqlite3
import subprocess
import threading
import time
import tty

import pytest

from conftest import JOBCTL, NOTIFY_CHILD, notify_child, start_units, \
    wait_for, wait_service

MB = 1024 * 1024
MAX_WRITE_QUEUE = 4 * MB        # jobd/control.h
DEFAULT_TAIL = 64 * 1024
TAIL_MAX_LINES = 10000          # jobd/tail.h
TAIL_LINE_COST = 40             # sizeof(struct tail_line), jobd/tail.h
EMPTY_LINES = 8000000


def vm_rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS for pid %d" % pid)


def under_asan(pid):
    with open("/proc/%d/maps" % pid) as f:
        return "libasan" in f.read()


class Timed:
    """Runs fn() over and over on a thread; keeps the slowest call."""

    def __init__(self, fn):
        self.fn, self.slowest, self.calls = fn, 0.0, 0
        self.failures = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stop.is_set():
            t0 = time.monotonic()
            ok = self.fn()
            self.slowest = max(self.slowest, time.monotonic() - t0)
            self.calls += 1
            if not ok:
                self.failures.append(ok)
            self.stop.wait(0.05)

    def end(self):
        self.stop.set()
        self.thread.join(60)


# ------------------------------------------------------------ the flood

def flood(jobd, attacker):
    """`yes ''` as the job's user: millions of zero-byte lines.  Checks
    jobd's memory, that status answers, and what logs and show print;
    returns the daemon and the run."""
    d = jobd(jobs={"flood": {
        "command": "yes '' | head -n %d; echo end" % EMPTY_LINES,
        "shell": "yes", "user": attacker.name}})
    base_kb = vm_rss_kb(d.proc.pid)
    asan = under_asan(d.proc.pid)
    status = Timed(lambda: d.jobctl("status", "flood", timeout=30)[0] == 0)
    run = d.start_run("flood")
    peak = [base_kb]

    def finished():
        peak[0] = max(peak[0], vm_rss_kb(d.proc.pid))
        r = d.run_state("flood", run)
        return r if r and r["state"] == "finished" else None
    fin = wait_for(finished, 120, "the flood to end", interval=0.05)
    status.end()
    assert fin["result"] == "success", fin
    grown_mb = (peak[0] - base_kb) / 1024
    print("empty-line flood: RSS %d kB -> peak %d kB (+%.1f MB); status "
          "calls %d, slowest %.2fs" % (base_kb, peak[0], grown_mb,
                                       status.calls, status.slowest))
    # Unbounded, 8 million lines cost jobd about 400 MB.  ASan's redzones
    # and quarantine multiply what small allocations take.
    assert grown_mb < (100 if not asan else 400), \
        "jobd grew %.1f MB for a flood of empty lines" % grown_mb
    # Each wake-up reads at most 16384 lines: reading 32 buffers of
    # newlines (2 million lines) held the loop for seconds.
    assert not status.failures and status.calls > 0
    assert status.slowest < 1.5, \
        "a status call took %.1fs during the flood" % status.slowest

    # Logs answers at once, with a bounded number of lines, the last
    # line last.
    t0 = time.monotonic()
    rc, out, err = d.jobctl("logs", "flood", "--run", run, "-n", 0,
                            raw=True, timeout=30)
    took = time.monotonic() - t0
    assert rc == 0, err
    assert took < 5.0, "logs took %.1fs" % took
    lines = out.split(b"\n")[:-1]
    assert lines[-1] == b"end"
    assert set(lines[:-1]) == {b""}
    assert len(lines) <= TAIL_MAX_LINES
    assert len(lines) * TAIL_LINE_COST <= DEFAULT_TAIL + TAIL_LINE_COST

    # The ledger row (the tail joined with newlines) is bounded too.
    shown = d.jobctl_json("show", run, timeout=30)
    assert shown["output"].endswith("\n\nend\n")
    assert len(shown["output"]) <= DEFAULT_TAIL
    assert d.proc.poll() is None
    return d, run


def test_flood_of_empty_lines_keeps_jobd_bounded(jobd, attacker):
    flood(jobd, attacker)


def logs_quickly(d, *args):
    t0 = time.monotonic()
    rc, out, err = d.jobctl("logs", *args, raw=True, timeout=30)
    took = time.monotonic() - t0
    assert rc == 0, err
    assert took < 5.0, "logs %s took %.1fs" % (args, took)
    return out.split(b"\n")[:-1]


def test_flooded_run_read_back_from_the_ledger(jobd, attacker):
    """After a restart the lines come from the ledger's row, read from
    its end; a row as long as the unbounded tail wrote (24 MB of
    newlines) costs no more."""
    d, run = flood(jobd, attacker)
    assert d.stop() == 0
    d.start()
    lines = logs_quickly(d, "flood", "--run", run, "-n", 0)
    assert lines[-1] == b"end" and set(lines[:-1]) == {b""}
    assert len(lines) * TAIL_LINE_COST <= DEFAULT_TAIL
    assert logs_quickly(d, "flood", "--run", run, "-n", 3) == \
        [b"", b"", b"end"]
    assert d.stop() == 0
    db = sqlite3.connect(str(d.state / "ledger.db"))
    with db:
        db.execute("UPDATE runs SET output_tail = ? WHERE id = ?",
                   (b"x\n" + b"\n" * (24 * MB) + b"end\n", run))
    db.close()
    d.start()
    base_kb = vm_rss_kb(d.proc.pid)
    lines = logs_quickly(d, "flood", "--run", run, "-n", 0)
    assert lines[-1] == b"end" and set(lines[:-1]) == {b""}
    assert len(lines) * TAIL_LINE_COST <= DEFAULT_TAIL
    grown_mb = (vm_rss_kb(d.proc.pid) - base_kb) / 1024
    assert grown_mb < (30 if not under_asan(d.proc.pid) else 200), grown_mb


def lazy_follower(d, run, job):
    c = d.varlink()
    # A small receive buffer: the backlog stays in jobd's queue.
    c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    c.send({"method": "io.jobd.Manager.Logs", "more": True,
            "parameters": {"job": job, "run": run, "follow": True}})
    return c


@pytest.mark.timeout(180)
def test_lazy_followers_of_an_empty_line_flood(jobd, attacker):
    """Followers that never read: jobd queues at most 4 MiB of replies
    for each (CONTROL_MAX_WRITE_QUEUE) and then drops it.  One reply per
    empty line cost some 300 bytes of bookkeeping besides its 100 bytes
    of text, three times the bound; lines now go out in batches."""
    d = jobd(jobs={"flood": {"command": "exec yes ''", "shell": "yes",
                             "user": attacker.name}})
    base_kb = vm_rss_kb(d.proc.pid)
    run = d.start_run("flood")
    d.wait_running("flood", run)
    clients = [lazy_follower(d, run, "flood") for _ in range(5)]
    polls = []
    for c in clients:
        p = select.poll()
        p.register(c.sock, select.POLLRDHUP)
        polls.append(p)
    peak, dropped = base_kb, set()
    t0 = time.monotonic()
    while len(dropped) < len(clients) and time.monotonic() - t0 < 90:
        peak = max(peak, vm_rss_kb(d.proc.pid))
        for i, p in enumerate(polls):
            if any(ev & (select.POLLRDHUP | select.POLLHUP)
                   for _, ev in p.poll(0)):
                dropped.add(i)
        time.sleep(0.02)
    assert len(dropped) == len(clients), \
        "jobd kept %d clients that do not read" % (5 - len(dropped))
    assert d.jobctl("cancel", run)[0] == 0
    d.wait_run(run)
    for c in clients:
        c.close()
    grown_mb = (peak - base_kb) / 1024
    print("5 lazy followers: RSS %d kB -> peak %d kB (+%.1f MB)"
          % (base_kb, peak, grown_mb))
    bound = (5 * (MAX_WRITE_QUEUE / MB + 1) + 10) * \
        (8 if under_asan(d.proc.pid) else 1)
    assert grown_mb < bound, "jobd grew %.1f MB for 5 lazy followers" \
        % grown_mb


def test_logs_reply_is_bounded(jobd, attacker):
    """16 MiB of control bytes kept in a 16 MiB tail: as JSON (\\u0001
    for each byte) a reply of 100 MB, built on the loop, and more than
    jobctl takes.  A reply holds 4 MiB of lines, the newest; the others
    are counted in omitted."""
    d = jobd(settings={"output_tail": "16M"}, jobs={"ctl": {
        "command": "head -c %d /dev/zero | tr '\\0' '\\1'; echo; "
                   "echo end" % (16 * MB - 1), "shell": "yes",
        "user": attacker.name}})
    run = d.start_run("ctl")
    assert d.wait_run(run, timeout=60)["result"] == "success"
    with d.varlink(timeout=30) as c:
        t0 = time.monotonic()
        reply = c.call1("io.jobd.Manager.Logs", {"job": "ctl"})
        took = time.monotonic() - t0
    lines = reply["lines"]
    assert took < 10, "Logs took %.1fs" % took
    assert lines[-1]["text"] == "end"
    assert lines[-2]["text"] == "\x01" * 8191
    size = len(json.dumps(reply, separators=(",", ":")))
    assert size <= MAX_WRITE_QUEUE + 1024, size
    assert reply["omitted"] > 1000
    # Together, the lines a 16 MiB tail holds (at most 16 MiB / 8232).
    assert len(lines) + reply["omitted"] <= 16 * MB // (8192 + 40) + 2
    rc, out, err = d.jobctl("logs", "ctl", "-n", 0, raw=True, timeout=30)
    assert rc == 0, err
    assert out.endswith(b"\x01\nend\n")
    assert out.count(b"\n") == len(lines)
    assert err.decode() == "jobctl: %d older lines left out: a reply " \
        "holds at most 4 MiB\n" % reply["omitted"]


# ------------------------------------------------------------ terminals

# What the attacker's job prints: OSC 52 (write the clipboard), clear
# screen and home, a window title, a carriage return that overwrites a
# line, invalid UTF-8, valid UTF-8 with a tab, a C1 CSI and DEL.
EVIL_SCRIPT = r"""#!/bin/sh
printf '\033]52;c;cHduZWQ=\007\n'
printf '\033[2J\033[H\n'
printf '\033]0;owned\007\n'
printf 'fake\rroot ok\n'
printf 'bad \377\376 utf8\n'
printf 'kept h\303\251llo \342\234\223\ttab\n'
printf 'c1 \302\233 del \177 end\n'
"""
EVIL = (b"\x1b]52;c;cHduZWQ=\x07\n"
        b"\x1b[2J\x1b[H\n"
        b"\x1b]0;owned\x07\n"
        b"fake\rroot ok\n"
        b"bad \xff\xfe utf8\n"
        b"kept h\xc3\xa9llo \xe2\x9c\x93\ttab\n"
        b"c1 \xc2\x9b del \x7f end\n")
ESCAPED = (b"\\x1b]52;c;cHduZWQ=\\x07\n"
           b"\\x1b[2J\\x1b[H\n"
           b"\\x1b]0;owned\\x07\n"
           b"fake\\x0droot ok\n"
           b"bad \\xff\\xfe utf8\n"
           b"kept h\xc3\xa9llo \xe2\x9c\x93\ttab\n"
           b"c1 \\xc2\\x9b del \\x7f end\n")
# In a locale that is not UTF-8, every byte past ASCII.
ESCAPED_C = ESCAPED.replace(b"h\xc3\xa9llo \xe2\x9c\x93",
                            b"h\\xc3\\xa9llo \\xe2\\x9c\\x93")


def on_tty(d, *args, locale="C.UTF-8", after_start=None):
    """Runs `jobctl -s SOCK ARGS` with stdout on a pseudo-terminal (raw
    mode: no newline translation); returns (rc, what the terminal got,
    stderr)."""
    master, slave = pty.openpty()
    tty.setraw(slave)
    env = dict(os.environ, LC_ALL=locale)
    p = subprocess.Popen([JOBCTL, "-s", str(d.sock)] + [str(a) for a in
                                                       args],
                         stdin=subprocess.DEVNULL, stdout=slave,
                         stderr=subprocess.PIPE, env=env)
    os.close(slave)
    if after_start:
        after_start()
    data = b""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        r, _, _ = select.select([master], [], [], 0.1)
        if r:
            try:
                chunk = os.read(master, 65536)
            except OSError:             # EIO: every writer closed it
                break
            if not chunk:
                break
            data += chunk
        elif p.poll() is not None:
            break
    os.close(master)
    err = p.stderr.read()
    p.stderr.close()
    return p.wait(10), data, err


def evil_job(jobd, attacker, attacker_dir, extra=None, text=EVIL_SCRIPT):
    script = attacker_dir / "evil.sh"
    attacker.write(script, text, mode=0o755)
    cmd = str(script) if not extra else "%s; %s" % (extra, script)
    d = jobd(jobs={"evil": {"command": cmd, "shell": "yes",
                            "user": attacker.name}})
    return d


def test_logs_on_a_terminal_are_escaped(jobd, attacker, attacker_dir):
    d = evil_job(jobd, attacker, attacker_dir)
    run = d.start_run("evil")
    assert d.wait_run(run)["result"] == "success"
    rc, out, err = on_tty(d, "logs", "evil")
    assert rc == 0, err
    assert b"\x1b" not in out and b"\x07" not in out and b"\r" not in out
    assert out == ESCAPED
    rc, out, err = on_tty(d, "logs", "evil", locale="C")
    assert rc == 0 and out == ESCAPED_C
    # A pipe gets the exact bytes, and so does a terminal with --raw.
    rc, out, err = d.jobctl("logs", "evil", raw=True)
    assert rc == 0 and out == EVIL
    rc, out, err = on_tty(d, "--raw", "logs", "evil")
    assert rc == 0 and out == EVIL


def without_invalid_utf8(text):
    return b"".join(x for x in text.splitlines(True)
                    if not x.startswith(b"bad "))


def test_show_on_a_terminal_is_escaped(jobd, attacker, attacker_dir):
    """Show's output is text: an invalid line makes it a placeholder
    (Logs has the bytes), so this job prints none."""
    d = evil_job(jobd, attacker, attacker_dir, text="\n".join(
        x for x in EVIL_SCRIPT.split("\n") if "bad " not in x))
    run = d.start_run("evil")
    d.wait_run(run)
    rc, out, err = on_tty(d, "show", run)
    assert rc == 0, err
    assert out.endswith(b"output:\n" + without_invalid_utf8(ESCAPED))
    assert b"\x1b" not in out and b"\x07" not in out
    rc, out, err = d.jobctl("show", run, raw=True)
    assert rc == 0
    assert out.endswith(b"output:\n" + without_invalid_utf8(EVIL))


def test_follow_on_a_terminal_is_escaped(jobd, attacker, attacker_dir):
    go = attacker_dir / "go"
    d = evil_job(jobd, attacker, attacker_dir, extra="while [ ! -e %s ]; "
                 "do sleep 0.05; done" % go)
    run = d.start_run("evil")
    d.wait_running("evil", run)
    rc, out, err = on_tty(d, "logs", "evil", "--follow",
                          after_start=lambda: attacker.write(go, ""))
    assert rc == 0, err
    assert out == ESCAPED


def test_json_on_a_terminal_is_valid_and_inert(jobd, attacker,
                                               attacker_dir):
    d = evil_job(jobd, attacker, attacker_dir)
    d.wait_run(d.start_run("evil"))
    rc, out, err = on_tty(d, "--json", "logs", "evil")
    assert rc == 0, err
    for b in (b"\x1b", b"\x07", b"\r", b"\x7f", b"\xc2\x9b"):
        assert b not in out, b
    got = b""
    for line in out.splitlines():
        entry = json.loads(line)
        if entry.get("text") is not None:
            got += entry["text"].encode() + b"\n"
        else:
            got += base64.b64decode(entry["base64"]) + b"\n"
    assert got == EVIL


def test_status_text_on_a_terminal_is_escaped(jobd):
    """A service's STATUS= text is its user's to choose."""
    notify_child("ready", 0)            # fails the test when it is missing
    d = start_units(jobd, services={"svc": {
        "command": "%s --status \"$(printf '\\033]0;pwn\\007\\033[2J')\" "
                   "ready 0" % NOTIFY_CHILD, "shell": "yes",
        "ready": "notify"}})
    wait_service(d, "svc", "ready")
    rc, out, err = d.jobctl("status", "svc", raw=True)
    assert b"\x1b]0;pwn\x07" in out     # what the filter is for
    rc, out, err = on_tty(d, "status", "svc")
    assert rc == 0, err
    assert b"status: \\x1b]0;pwn\\x07\\x1b[2J\n" in out
    assert b"\x1b" not in out and b"\x07" not in out
