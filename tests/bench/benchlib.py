"""benchlib: the parts of tests/bench/run that are not cases.

Processes started by pid and stopped by pid (with every descendant found
under them), the wait for a quiet machine, /proc readings (RSS, PSS, CPU
time), the C helpers built with cc, the measurements and the final
Markdown table.  The Varlink client is ledger-bench.py's.
"""
import importlib.util
import os
import resource
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent.parent
IFACE = "io.jobd.Manager"
TICK = os.sysconf("SC_CLK_TCK")
T_START = time.monotonic()


def _load_ledger_bench():
    spec = importlib.util.spec_from_file_location(
        "ledger_bench", BENCH / "ledger-bench.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


LB = _load_ledger_bench()
Varlink = LB.Varlink


def say(msg):
    print("[%6.1fs] %s" % (time.monotonic() - T_START, msg),
          file=sys.stderr, flush=True)


# --- /proc

def proc_stat(pid):
    """(comm, state, ppid, pgrp, session, utime+stime ticks, starttime)
    or None when the process is gone."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            s = f.read()
    except OSError:
        return None
    comm = s[s.index("(") + 1:s.rindex(")")]
    f = s[s.rindex(")") + 2:].split()
    return (comm, f[0], int(f[1]), int(f[2]), int(f[3]),
            int(f[11]) + int(f[12]), int(f[19]))


def all_pids():
    return [int(d) for d in os.listdir("/proc") if d.isdigit()]


def descendants(roots):
    """Every live process under roots (roots included), as {pid: start}."""
    kids = {}
    info = {}
    for pid in all_pids():
        st = proc_stat(pid)
        if st:
            info[pid] = st
            kids.setdefault(st[2], []).append(pid)
    out = {}
    todo = [r for r in roots if r in info]
    while todo:
        p = todo.pop()
        if p in out:
            continue
        out[p] = info[p][6]
        todo.extend(kids.get(p, []))
    return out


def alive(pid, start=None):
    st = proc_stat(pid)
    if st is None or st[1] in ("Z", "X"):
        return False
    return start is None or st[6] == start


def cpu_ticks(pids):
    total = 0
    for p in pids:
        st = proc_stat(p)
        if st:
            total += st[5]
    return total


def rss_kb(pid):
    return LB.rss_kb(pid)


def pss_kb(pids):
    total = 0
    for p in pids:
        try:
            with open("/proc/%d/smaps_rollup" % p) as f:
                for line in f:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
                        break
        except OSError:
            pass
    return total


def children_named(pid, comm):
    out = []
    for p in all_pids():
        st = proc_stat(p)
        if st and st[2] == pid and st[0] == comm:
            out.append(p)
    return out


# --- processes

NOFILE = 262144


def raise_limits():
    """Runs in each child before exec: room for 10,000 services' pipes.
    The suite raised its own hard limit at start if it could; the soft
    limit goes up to that."""
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(NOFILE, hard), hard))
    except (ValueError, OSError):
        pass


class Tracker:
    """Every process the suite starts goes through popen(); stop() and
    cleanup() end them by pid, with whatever they left behind: the
    descendants seen while they ran (by pid and start time, so a reused
    pid is never hit) and anything still in their process group."""

    def __init__(self):
        self.procs = []
        self.seen = {}

    def popen(self, argv, **kw):
        kw.setdefault("stdin", subprocess.DEVNULL)
        kw.setdefault("start_new_session", True)
        kw.setdefault("preexec_fn", raise_limits)
        p = subprocess.Popen([str(a) for a in argv], **kw)
        self.procs.append(p)
        return p

    def note_tree(self, p):
        """Remembers p's current descendants for the sweep."""
        self.seen.setdefault(p.pid, {}).update(descendants([p.pid]))

    def stop(self, p, sig=signal.SIGTERM, timeout=120.0, note=True):
        """Signals p, waits for it, then kills by pid whatever of its tree
        is left.  Returns p's exit status (None if it had to be killed).
        note=False: the caller took note_tree() already (it costs a scan
        of /proc that a timed stop should not include)."""
        if note:
            self.note_tree(p)
        rc = None
        if p.poll() is None:
            try:
                p.send_signal(sig)
                rc = p.wait(timeout)
            except subprocess.TimeoutExpired:
                say("pid %d did not exit within %gs of signal %d: SIGKILL"
                    % (p.pid, timeout, sig))
                p.kill()
                p.wait()
        else:
            rc = p.returncode
        self.sweep(p)
        return rc

    def sweep(self, p):
        left = dict(self.seen.pop(p.pid, {}))
        # Members of p's process group or session; the number can only
        # have been reused for another group once p's pid is taken again.
        if proc_stat(p.pid) is None:
            for pid in all_pids():
                st = proc_stat(pid)
                if st and p.pid in (st[3], st[4]) and pid != os.getpid():
                    left[pid] = st[6]
        left.pop(p.pid, None)
        for pid, start in left.items():
            if alive(pid, start):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        if p in self.procs:
            self.procs.remove(p)

    def cleanup(self):
        for p in list(self.procs):
            self.stop(p, timeout=15)


TRACKER = Tracker()


def poll(pred, timeout, what, interval=0.05):
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.monotonic() >= deadline:
            raise TimeoutError("timed out after %gs waiting for %s"
                               % (timeout, what))
        time.sleep(interval)


# --- the quiet machine

def _cpu_idle_total():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return v[3] + v[4], sum(v[:8])


class Quiet:
    """Before each measurement: wait until the CPUs were idle at least
    `threshold` of one second, giving up after `timeout` seconds (the
    measurement then runs anyway and the idle share is on record)."""

    def __init__(self, threshold, timeout):
        self.threshold = threshold
        self.timeout = timeout
        self.seen = []
        self.gave_up = 0

    def idle_over(self, secs):
        i0, t0 = _cpu_idle_total()
        time.sleep(secs)
        i1, t1 = _cpu_idle_total()
        return (i1 - i0) / max(1, t1 - t0)

    def wait(self):
        if self.threshold <= 0:
            return None
        deadline = time.monotonic() + self.timeout
        while True:
            f = self.idle_over(1.0)
            if f >= self.threshold:
                break
            if time.monotonic() >= deadline:
                self.gave_up += 1
                say("machine not quiet (%.0f%% idle < %.0f%%) after %gs; "
                    "measuring anyway" % (f * 100, self.threshold * 100,
                                          self.timeout))
                break
        self.seen.append(f)
        return f


# --- C helpers

CFLAGS = ["-O2", "-std=gnu11", "-D_GNU_SOURCE", "-Wall", "-Wextra",
          "-Werror", "-Wshadow", "-Wstrict-prototypes",
          "-Wmissing-prototypes", "-Wpointer-arith", "-Wformat=2", "-Wvla"]


def build_helpers(outdir):
    """Compiles tests/bench/c/*.c into outdir; returns {name: path}."""
    uv_cflags = subprocess.check_output(
        ["pkg-config", "--cflags", "libuv"], text=True).split()
    uv_libs = subprocess.check_output(
        ["pkg-config", "--libs", "libuv"], text=True).split()
    out = {}
    for src in sorted((BENCH / "c").glob("*.c")):
        name = src.stem
        exe = Path(outdir) / name
        cmd = ["cc"] + CFLAGS
        if name == "uvspawn":
            cmd += uv_cflags + ["-o", str(exe), str(src)] + uv_libs
        else:
            cmd += ["-o", str(exe), str(src)]
        subprocess.run(cmd, check=True)
        out[name] = str(exe)
    return out


# --- measurements and the table

COLUMNS = ["jobd", "supervisord", "s6", "cron", "limit"]
PEERS = ["supervisord", "s6", "cron", "limit"]


def fmt(v):
    if v is None:
        return "-"
    a = abs(v)
    if a >= 1000:
        return "{:,.0f}".format(v)
    if a >= 100:
        return "%.0f" % v
    if a >= 10:
        return "%.1f" % v
    if a >= 1:
        return "%.2f" % v
    if a >= 0.01:
        return "%.3f" % v
    if a == 0:
        return "0"
    return "%.2g" % v


class Results:
    """rows: (id, label, unit, better) in table order; values and notes
    per (row, column); a column 'limit_alt' holds a second limit shown in
    brackets (uv_spawn beside posix_spawn)."""

    def __init__(self):
        self.rows = []
        self.vals = {}
        self.notes = {}

    def row(self, rid, label, unit, better):
        if rid not in [r[0] for r in self.rows]:
            self.rows.append((rid, label, unit, better))

    def add(self, rid, col, v):
        self.vals.setdefault((rid, col), []).append(v)
        label = [r for r in self.rows if r[0] == rid]
        say("  %s [%s]: %s %s" % (label[0][1] if label else rid, col,
                                  fmt(v), label[0][2] if label else ""))

    def note(self, rid, col, text):
        self.notes[(rid, col)] = text

    def med(self, rid, col):
        v = self.vals.get((rid, col))
        return statistics.median(v) if v else None

    def detail(self):
        out = ["| case | column | n | min | median | max |",
               "|---|---|---:|---:|---:|---:|"]
        for rid, label, unit, _ in self.rows:
            for col in COLUMNS + ["limit_alt"]:
                v = self.vals.get((rid, col))
                if v:
                    out.append("| %s (%s) | %s | %d | %s | %s | %s |" % (
                        label, unit, col, len(v), fmt(min(v)),
                        fmt(statistics.median(v)), fmt(max(v))))
        return "\n".join(out)

    def cell(self, rid, col):
        m = self.med(rid, col)
        text = fmt(m) if m is not None else ""
        if col == "limit":
            alt = self.med(rid, "limit_alt")
            if alt is not None:
                text += " (uv %s)" % fmt(alt)
        n = self.notes.get((rid, col))
        if n:
            text = (text + " " if text else "") + n
        return text or "-"

    def table(self):
        head = ["case", "unit", "jobd", "supervisord", "s6", "cron",
                "limit", "jobd/supervisord", "jobd/s6", "jobd/cron",
                "jobd/limit"]
        out = ["| " + " | ".join(head) + " |",
               "|" + "|".join(["---", "---"] + ["---:"] * 9) + "|"]
        for rid, label, unit, better in self.rows:
            cells = [label, unit + (" ↑" if better == "higher" else
                                    " ↓" if better == "lower" else "")]
            cells += [self.cell(rid, c) for c in COLUMNS]
            j = self.med(rid, "jobd")
            for p in PEERS:
                v = self.med(rid, p)
                if j is None or v is None or v == 0:
                    cells.append("-")
                else:
                    cells.append("%.2f" % (j / v))
            out.append("| " + " | ".join(cells) + " |")
        return "\n".join(out)
