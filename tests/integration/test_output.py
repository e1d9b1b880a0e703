"""Output capture: lines, the 8192-byte line bound, a last line without a
newline, binary bytes, both streams, the tail, logs -n/--run/--follow, a
grandchild holding the pipe (drain deadline), exit and EOF in either order,
and a flood."""
import base64
import json
import os
import queue
import re
import signal
import threading
import time

from conftest import child, pid_alive, wait_for, wait_pids_gone

LINE_MAX = 8192
BINARY_LINE = bytes(c for c in range(256) if c != 0x0a) \
    + b"\xff\xfe invalid utf8 \xc3\x28"


class LineReader:
    """Reads a process's stdout lines on a thread, so a test can wait for
    the next line with a deadline."""

    def __init__(self, proc):
        self.proc = proc
        self.lines = queue.Queue()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        for line in self.proc.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def next(self, timeout=10.0):
        try:
            return self.lines.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError("no output line within %ss" % timeout)


def logs_raw(d, *args):
    rc, out, err = d.jobctl("logs", *args, raw=True)
    assert rc == 0, err
    return out


def logs_json(d, *args):
    rc, out, err = d.jobctl("--json", "logs", *args)
    assert rc == 0, err
    return [json.loads(x) for x in out.splitlines()]


def line_bytes(entry):
    if entry.get("text") is not None:
        return entry["text"].encode()
    return base64.b64decode(entry["base64"])


def test_long_line_split_at_bound(jobd):
    d = jobd(jobs={"long": {"command": child("longline", 20000)}})
    assert d.jobctl("start", "long", "--wait")[0] == 0
    lines = logs_raw(d, "long").split(b"\n")
    assert lines[-1] == b""
    pieces = lines[:-1]
    assert b"".join(pieces) == b"x" * 20000
    assert [len(p) for p in pieces] == [LINE_MAX, LINE_MAX,
                                        20000 - 2 * LINE_MAX]


def test_last_line_without_newline_is_kept(jobd):
    d = jobd(jobs={"nonl": {"command": child("print", 2, "a",
                                             "nonl", "tail")}})
    assert d.jobctl("start", "nonl", "--wait")[0] == 0
    assert logs_raw(d, "nonl") == b"a 1\na 2\ntail\n"


def test_binary_round_trip(jobd):
    d = jobd(jobs={"bin": {"command": child("binary", "print", 1, "after")}})
    assert d.jobctl("start", "bin", "--wait")[0] == 0
    assert logs_raw(d, "bin") == BINARY_LINE + b"\n" + b"after 1\n"
    entries = logs_json(d, "bin")
    assert len(entries) == 2
    assert entries[0].get("text") is None
    assert base64.b64decode(entries[0]["base64"]) == BINARY_LINE
    assert entries[1]["text"] == "after 1"
    assert entries[1].get("base64") is None


def test_stdout_and_stderr_lines(jobd):
    d = jobd(jobs={"both": {"command": child("print", 2, "out",
                                             "eprint", 2, "err")}})
    assert d.jobctl("start", "both", "--wait")[0] == 0
    entries = logs_json(d, "both")
    got = sorted((e["stream"], line_bytes(e).decode()) for e in entries)
    assert got == [("stderr", "err 1"), ("stderr", "err 2"),
                   ("stdout", "out 1"), ("stdout", "out 2")]
    assert all(isinstance(e["usec"], int) and e["usec"] > 0
               for e in entries)
    out = logs_raw(d, "both").decode().splitlines()
    assert sorted(out) == ["err 1", "err 2", "out 1", "out 2"]


def test_logs_last_n_and_by_run(jobd):
    d = jobd(jobs={
        "five": {"command": child("print", 5)},
        "pid": {"command": "echo \"pid $$\"", "shell": "yes"},
    })
    assert d.jobctl("start", "five", "--wait")[0] == 0
    assert logs_raw(d, "five", "-n", 2) == b"line 4\nline 5\n"
    assert logs_raw(d, "five") == b"".join(b"line %d\n" % i
                                           for i in range(1, 6))
    r1 = d.start_run("pid")
    run1 = d.wait_run(r1)
    r2 = d.start_run("pid")
    run2 = d.wait_run(r2)
    assert run1["pid"] != run2["pid"]
    assert logs_raw(d, "pid", "--run", r1) == b"pid %d\n" % run1["pid"]
    assert logs_raw(d, "pid", "--run", r2) == b"pid %d\n" % run2["pid"]
    assert logs_raw(d, "pid") == b"pid %d\n" % run2["pid"]
    assert d.jobctl("logs", "pid", "--run", 999999)[0] == 1


def test_logs_follow_ends_with_the_run(jobd):
    d = jobd(start=False)
    ready, go = d.path("ready"), d.path("go")
    d.write_config(jobs={"f": {"command": child(
        "print", 1, "first", "touch", ready, "wait-file", go,
        "print", 1, "second", "exit", 0)}})
    d.start()
    run_id = d.start_run("f")
    wait_for(ready.exists, 10, "the run to print its first line")
    raw = d.popen_jobctl("logs", "f", "--follow")
    js = d.popen_jobctl("--json", "logs", "f", "-f")
    raw_lines, js_lines = LineReader(raw), LineReader(js)
    assert raw_lines.next() == b"first 1\n"
    assert json.loads(js_lines.next())["text"] == "first 1"
    # Both followers are still streaming while the run runs.
    assert raw.poll() is None and js.poll() is None
    go.touch()
    assert raw_lines.next() == b"second 1\n"
    assert json.loads(js_lines.next())["text"] == "second 1"
    assert raw_lines.next() is None
    assert js_lines.next() is None
    assert raw.wait(10) == 0
    assert js.wait(10) == 0
    assert d.wait_run(run_id)["result"] == "success"
    # Following a finished run prints its tail and returns.
    rc, out, err = d.jobctl("logs", "f", "--follow", timeout=10)
    assert rc == 0 and out == "first 1\nsecond 1\n", out + err


def test_grandchild_holding_pipe_is_stopped_with_the_run(jobd):
    """A setsid() grandchild that keeps the run's output open is found by
    the pipe it holds (and its JOBD_RUN=) and gets stop_signal once the
    run's own process exited: the run ends, not only at drain_timeout."""
    d = jobd(start=False)
    d.write_config(settings={"drain_timeout": "20s"}, jobs={"gc": {
        "command": child("grandchild", 30, "print", 1, "parent", "exit", 0),
        "environment": "TEST_GRANDCHILD_PIDFILE=%s" % d.pidfile("gc")}})
    d.start()
    started = time.monotonic()
    run_id = d.start_run("gc")
    gc = d.read_pid("gc")
    run = d.wait_run(run_id, timeout=25)
    elapsed = time.monotonic() - started
    assert elapsed < 10, "run took %.1fs (drain_timeout=20s)" % elapsed
    assert run["exit_code"] == 0
    assert logs_raw(d, "gc") == b"parent 1\n"
    wait_pids_gone([gc], timeout=5)
    assert "SIGTERM to process %d" % gc in d.log_text()


def test_eof_before_exit(jobd):
    d = jobd(settings={"drain_timeout": "30s"}, jobs={"closer": {
        "command": child("print", 1, "before", "close-stdout",
                         "sleep", 0.5, "exit", 2)}})
    started = time.monotonic()
    assert d.jobctl("start", "closer", "--wait", timeout=30)[0] == 2
    assert time.monotonic() - started < 10
    assert logs_raw(d, "closer") == b"before 1\n"


def test_exit_right_after_output(jobd):
    d = jobd(settings={"drain_timeout": "30s"}, jobs={"quick": {
        "command": child("print", 300, "exit", 0)}})
    expected = b"".join(b"line %d\n" % i for i in range(1, 301))
    for _ in range(3):
        started = time.monotonic()
        assert d.jobctl("start", "quick", "--wait", timeout=30)[0] == 0
        assert time.monotonic() - started < 10
        assert logs_raw(d, "quick", "-n", 0) == expected


def test_flood_keeps_a_bounded_tail(jobd):
    d = jobd(settings={"output_tail": "16K"}, jobs={"flood": {
        "command": child("flood", 4 * 1024 * 1024, "print", 1, "end")}})
    rc, out, err = d.jobctl("start", "flood", "--wait", timeout=50)
    assert rc == 0, err
    tail = logs_raw(d, "flood", "-n", 0)
    assert tail.endswith(b"y" * 63 + b"\nend 1\n")
    assert len(tail) <= 16 * 1024 + LINE_MAX + 1
    assert all(re.fullmatch(rb"y{63}|end 1", line)
               for line in tail.splitlines()), "a line was cut or merged"
