#!/usr/bin/python3
"""cluster-bench: jobd nodes sharing a PostgreSQL database (issue 20).

Starts a private PostgreSQL 15 (initdb + pg_ctl under --dir, a Unix socket
only, fsync on unless --no-fsync) and --nodes jobd nodes (default 3) with
the same --jobs jobs (default 300), each `schedule=*:*:*`, command
/bin/true, for --duration seconds (default 300).  Then, unless
--no-failover, kill -9 of one node and --failover-secs more seconds of
load.  Before all that, unless --baseline-secs 0, one jobd without
[cluster] runs the same jobs (what the claim adds).  It prints a Markdown
table beside what dkron and Cronicle document:

  claim latency   slot due -> claim reaches the database (jobd_slots.claimed,
                  the claiming statement's start by the database's clock)
                  and slot due -> run started (jobd_runs.started_usec), p50
                  and p99 over every slot of the window
  slots run twice (job, slot) with more than one run in the nodes' own
                  ledgers (ledger.db): must be 0
  slots missed    (job, second) of the window with no run in any ledger:
                  must be 0
  loop lag p99    each node's Daemon method, sampled every second
                  (loop_lag.p99_usec covers the last minute): the worst
                  sample of any node

usage: tests/bench/cluster-bench.py [--build DIR] [--nodes N] [--jobs N]
           [--duration S] [--lease SPAN] [--failover-secs S | --no-failover]
           [--baseline-secs S] [--dir DIR] [--no-fsync] [--keep]
Not a test: it fails only when PostgreSQL or jobd cannot be started.
"""
import argparse
import os
import shutil
import signal
import sqlite3
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent / "integration"))
import benchlib as bl  # noqa: E402
import peers  # noqa: E402
from benchlib import TRACKER, fmt, poll, say  # noqa: E402
from pg_helpers import Postgres, pg_missing  # noqa: E402

USEC = 1000000
WARMUP = 5                      # seconds after the last node joined
# What the peers' documentation says (dkron's website/docs and issues,
# Cronicle's docs/WebUI.md, as surveyed for the project): neither gives a
# failover time.
PEER_FAILOVER = {
    "dkron": "not documented (Raft leader election; dkron#998, #1210: "
             "jobs stopped or missed after a re-election)",
    "Cronicle": "not documented (primary and backup servers)",
}


def pct(v, p):
    v = sorted(v)
    if not v:
        return None
    return v[min(len(v) - 1, max(0, int(round(p / 100 * (len(v) - 1)))))]


def jobs_conf(n):
    return "".join("[job j%03d]\ncommand=/bin/true\nschedule=*:*:*\n"
                   "output=null\n\n" % i for i in range(n))


def start_node(a, name, database):
    conf = "[jobd]\n\n"
    if database:
        conf += ("[cluster]\ndatabase=%s\nnode=%s\nlease=%s\n\n"
                 % (database, name, a.lease))
    j = peers.Jobd(SimpleNamespace(jobd=a.jobd, jobctl=a.jobctl), a.dir,
                   conf + jobs_conf(a.jobs))
    j.name = name
    j.wait_answer(60)
    return j


def ledger_runs(j):
    """[(job, scheduled_usec, result, started_usec)] of scheduled runs in
    the node's own ledger (read-only; jobd may still write)."""
    con = sqlite3.connect("file:%s?mode=ro" % (j.dir / "state/ledger.db"),
                          uri=True, timeout=30)
    try:
        return con.execute(
            "SELECT job, scheduled_usec, result, started_usec FROM runs "
            "WHERE \"trigger\" = 'schedule'").fetchall()
    finally:
        con.close()


class Sampler:
    """The Daemon method of each node every second, in a thread."""

    def __init__(self, nodes):
        self.nodes = list(nodes)
        self.samples = {j.name: [] for j in self.nodes}
        self.stop_ev = threading.Event()
        self.t = threading.Thread(target=self.run, daemon=True)
        self.t.start()

    def run(self):
        conns = {j.name: bl.Varlink(j.sock, 30) for j in self.nodes}
        nxt = time.monotonic() + 1
        try:
            while not self.stop_ev.wait(max(0, nxt - time.monotonic())):
                nxt += 1
                for j in self.nodes:
                    if j.name not in conns:
                        continue
                    try:
                        d = conns[j.name].call(bl.IFACE + ".Daemon")
                    except (OSError, RuntimeError, ValueError):
                        conns.pop(j.name).close()   # killed
                        continue
                    d["cpu_ticks"] = bl.cpu_ticks([j.pid])
                    d["t"] = time.monotonic()
                    self.samples[j.name].append(d)
        finally:
            for c in conns.values():
                c.close()

    def stop(self):
        self.stop_ev.set()
        self.t.join(30)

    def lag_p99(self):
        v = [s["loop_lag"]["p99_usec"] for ss in self.samples.values()
             for s in ss]
        return max(v) if v else None

    def lag_max(self):
        v = [s["loop_lag"]["max_usec"] for ss in self.samples.values()
             for s in ss]
        return max(v) if v else None

    def cpu(self, name):
        """The node's CPU share (of one CPU) over its samples."""
        ss = self.samples[name]
        if len(ss) < 2:
            return None
        return ((ss[-1]["cpu_ticks"] - ss[0]["cpu_ticks"]) / bl.TICK /
                (ss[-1]["t"] - ss[0]["t"]))


def wait_until(t):
    while time.time() < t:
        time.sleep(min(1.0, max(0.0, t - time.time())))


def count(runs_by_node, jobs, w0, w1):
    """Runs per (job, slot) over the nodes' ledgers, in [w0, w1] (usec):
    (twice, missed, skipped, lateness list)."""
    seen = Counter()
    skipped = 0
    late = []
    for runs in runs_by_node:
        for job, slot, result, started in runs:
            if slot is None or not w0 <= slot <= w1:
                continue
            if result == "skipped":
                skipped += 1
                continue
            seen[(job, slot)] += 1
            if started:
                late.append(started - slot)
    want = [(j, s) for j in jobs for s in range(w0, w1 + USEC, USEC)]
    missed = sum(1 for k in want if seen[k] == 0)
    twice = sum(1 for n in seen.values() if n > 1)
    return twice, missed, skipped, late


def db_latency(pg, w0, w1):
    """(claim latencies, start latencies) in usec for the window."""
    claim = [int(r[0]) for r in pg.psql(
        "SELECT (extract(epoch FROM claimed) * 1000000)::bigint - slot "
        "FROM jobd_slots WHERE slot BETWEEN %d AND %d" % (w0, w1))]
    start = [int(r[0]) for r in pg.psql(
        "SELECT started_usec - slot FROM jobd_runs WHERE slot BETWEEN %d "
        "AND %d AND started_usec IS NOT NULL" % (w0, w1))]
    return claim, start


def baseline(a):
    """One jobd, no [cluster]: lateness and loop lag for the same jobs."""
    say("baseline: one jobd without [cluster], %d jobs for %gs"
        % (a.jobs, a.baseline_secs))
    j = start_node(a, "single", None)
    try:
        s = Sampler([j])
        w0 = (int(time.time()) + WARMUP) * USEC
        w1 = w0 + int(a.baseline_secs) * USEC
        wait_until(w1 / USEC + 2)
        s.stop()
        twice, missed, skipped, late = count(
            [ledger_runs(j)], ["j%03d" % i for i in range(a.jobs)], w0, w1)
        return {"late": late, "twice": twice, "missed": missed,
                "skipped": skipped, "p99": s.lag_p99(), "max": s.lag_max(),
                "cpu": s.cpu("single")}
    finally:
        j.stop(keep=a.keep)


def cluster_run(a, pg, r):
    names = ["n%d" % i for i in range(1, a.nodes + 1)]
    nodes = []
    try:
        for n in names:
            nodes.append(start_node(a, n, pg.conninfo()))
        poll(lambda: len(pg.psql("SELECT 1 FROM jobd_nodes WHERE state = "
                                 "'alive'")) == a.nodes
             if pg.psql("SELECT to_regclass('jobd_nodes') IS NOT NULL")
             [0][0] == "t" else False, 60, "every node to join")
        say("%d nodes joined; load for %gs" % (a.nodes, a.duration))
        s = Sampler(nodes)
        pg_pids = list(bl.descendants([pg.pid]))
        pg_cpu0, t0 = bl.cpu_ticks(pg_pids), time.monotonic()
        w0 = (int(time.time()) + WARMUP) * USEC
        w1 = w0 + int(a.duration) * USEC
        wait_until(w1 / USEC + 3)
        pg_pids = list(bl.descendants([pg.pid]))
        r["pg_cpu"] = ((bl.cpu_ticks(pg_pids) - pg_cpu0) / bl.TICK /
                       (time.monotonic() - t0))
        jobs = ["j%03d" % i for i in range(a.jobs)]
        runs = [ledger_runs(j) for j in nodes]
        r["twice"], r["missed"], r["skipped"], _ = count(runs, jobs, w0, w1)
        r["claim"], r["start"] = db_latency(pg, w0, w1)
        r["won"] = Counter(n for n, in pg.psql(
            "SELECT node FROM jobd_slots WHERE slot BETWEEN %d AND %d"
            % (w0, w1)))
        r["p99"], r["max"] = s.lag_p99(), s.lag_max()
        r["cpu"] = {j.name: s.cpu(j.name) for j in nodes}
        r["slots"] = len(jobs) * ((w1 - w0) // USEC + 1)
        if a.failover_secs > 0:
            failover(a, pg, nodes, jobs, r)
        s.stop()
    finally:
        for j in nodes:
            if getattr(j, "killed", False):
                TRACKER.stop(j.proc)
                j.logf.close()
                if not a.keep:
                    shutil.rmtree(j.dir, ignore_errors=True)
            else:
                j.stop(keep=a.keep)


def failover(a, pg, nodes, jobs, r):
    victim = nodes[-1]
    say("kill -9 of node %s; %gs more" % (victim.name, a.failover_secs))
    killed = time.time()
    victim.proc.send_signal(signal.SIGKILL)
    victim.proc.wait()
    victim.killed = True
    poll(lambda: pg.psql("SELECT state FROM jobd_nodes WHERE name = '%s'"
                         % victim.name)[0][0] == "dead", 120,
         "the others to declare %s dead" % victim.name, 0.02)
    r["dead_after"] = time.time() - killed
    f0 = (int(killed) + 1) * USEC
    f1 = f0 + int(a.failover_secs) * USEC
    wait_until(f1 / USEC + 3)
    runs = [ledger_runs(j) for j in nodes]
    # Slots the victim had claimed when it died but not started: gone
    # with it (what the semantics say: only unclaimed slots go to
    # the others).
    started = {(job, slot) for job, slot, _, st in runs[-1] if st}
    claimed = pg.psql("SELECT job, slot FROM jobd_slots WHERE node = '%s' "
                      "AND slot >= %d" % (victim.name,
                                          (int(killed) - 2) * USEC))
    r["lost_claims"] = sum(1 for job, slot in claimed
                           if (job, int(slot)) not in started)
    r["f_twice"], r["f_missed"], _, _ = count(runs, jobs, f0, f1)
    r["f_runs_lost"] = int(pg.value(
        "SELECT count(*) FROM jobd_runs WHERE node = '%s' AND result = "
        "'lost'" % victim.name))


def ms(v):
    return "-" if v is None else fmt(v / 1000) + " ms"


def table(a, r, base):
    peer = ["not documented", "not documented"]
    rows = [
        ("claim latency p50: slot due -> claim in the database",
         ms(pct(r["claim"], 50)), "-"),
        ("claim latency p99", ms(pct(r["claim"], 99)), "-"),
        ("slot due -> run started, p50 (one jobd alone: %s)"
         % (ms(pct(base["late"], 50)) if base else "not run"),
         ms(pct(r["start"], 50)), "-"),
        ("slot due -> run started, p99 (one jobd alone: %s)"
         % (ms(pct(base["late"], 99)) if base else "not run"),
         ms(pct(r["start"], 99)), "-"),
        ("slots run twice (must be 0)", "%d of %d" % (r["twice"],
                                                      r["slots"]), "-"),
        ("slots missed (must be 0)", "%d of %d%s" % (
            r["missed"], r["slots"], " (and %d fires skipped by a node "
            "still running the job's previous slot, overlap=skip; a slot "
            "counts as run when any node ran it)" % r["skipped"]
            if r["skipped"] else ""), "-"),
        ("loop lag p99, worst node and minute (one jobd alone: %s)"
         % (ms(base["p99"]) if base else "not run"), ms(r["p99"]), "-"),
        ("loop lag max, any node", ms(r["max"]), "-"),
    ]
    if "dead_after" in r:
        rows += [
            ("failover: a dead node's unclaimed slots", "taken by the "
             "others at once (no leader): %d missed, %d run twice in %gs "
             "after the kill" % (r["f_missed"], r["f_twice"],
                                 a.failover_secs), "failover"),
            ("failover: dead node declared, its runs recorded lost",
             "%.2f s after kill -9 (lease %s); %d runs lost" % (
                 r["dead_after"], a.lease, r["f_runs_lost"]), "failover"),
            ("failover: slots the dead node had claimed, never started",
             "%d" % r["lost_claims"], "-"),
        ]
    out = ["| measure | jobd (%d nodes x %d jobs every second, %gs) | "
           "dkron | Cronicle |" % (a.nodes, a.jobs, a.duration),
           "|---|---|---|---|"]
    for label, v, kind in rows:
        cells = [PEER_FAILOVER["dkron"], PEER_FAILOVER["Cronicle"]] \
            if kind == "failover" else (peer if "latency" in label or
                                        "run started" in label
                                        else ["-", "-"])
        out.append("| %s | %s | %s | %s |" % (label, v, cells[0], cells[1]))
    out.append("")
    out.append("Slots won per node: %s. jobd CPU per node: %s; PostgreSQL "
               "(all its processes): %.0f%% of a CPU%s. %d CPUs; "
               "PostgreSQL fsync=%s; lease=%s." % (
                   ", ".join("%s %d" % kv for kv in sorted(
                       r["won"].items())),
                   ", ".join("%s %.0f%%" % (k, 100 * v) for k, v in
                             sorted(r["cpu"].items()) if v is not None),
                   100 * r["pg_cpu"], "; one jobd alone: %.0f%%" % (
                       100 * base["cpu"]) if base and base["cpu"] else "",
                   os.cpu_count(), "on" if a.fsync else "off", a.lease))
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=str(bl.ROOT / "build"),
                    help="build directory holding jobd (default: build)")
    ap.add_argument("--nodes", type=int, default=3)
    ap.add_argument("--jobs", type=int, default=300,
                    help="jobs every second on every node (default 300)")
    ap.add_argument("--duration", type=float, default=300,
                    help="seconds of load measured (default 300)")
    ap.add_argument("--lease", default="10s",
                    help="[cluster] lease= (default 10s, jobd's default)")
    ap.add_argument("--failover-secs", type=float, default=30,
                    help="seconds of load after kill -9 of one node "
                    "(default 30)")
    ap.add_argument("--no-failover", dest="failover_secs",
                    action="store_const", const=0)
    ap.add_argument("--baseline-secs", type=float, default=60,
                    help="seconds of the same load on one jobd without "
                    "[cluster] first (default 60; 0: none)")
    ap.add_argument("--dir", default="/var/tmp",
                    help="where PostgreSQL's data and the state "
                    "directories go; on disk (default /var/tmp)")
    ap.add_argument("--no-fsync", dest="fsync", action="store_false",
                    help="PostgreSQL with fsync=off")
    ap.add_argument("--keep", action="store_true",
                    help="keep the directories (logs, ledgers)")
    a = ap.parse_args()
    a.jobd = str(Path(a.build) / "jobd")
    a.jobctl = str(Path(a.build) / "jobctl")
    if not os.access(a.jobd, os.X_OK):
        ap.error("%s is not executable (build first, or --build)" % a.jobd)
    why = pg_missing()
    if why:
        ap.error(why)
    base = baseline(a) if a.baseline_secs > 0 else None
    pg = Postgres(base=a.dir, fsync=a.fsync).start()
    r = {}
    try:
        cluster_run(a, pg, r)
    finally:
        if a.keep:
            pg.stop()
            say("kept %s" % pg.top)
        else:
            pg.close()
        TRACKER.cleanup()
    print(table(a, r, base))
    return 0


if __name__ == "__main__":
    sys.exit(main())
