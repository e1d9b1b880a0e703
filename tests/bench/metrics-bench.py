#!/usr/bin/python3
"""metrics-bench: `jobctl metrics` with 10,000 jobs (issue 17's target:
under 50 ms).

Starts BUILD/jobd in a temporary directory with --jobs jobs (a third of
them periodic), gives half of them --runs runs each (every other of those
jobs fails), waits until every run is in the ledger, then times the
Metrics call on the socket (OpenMetrics and Prometheus 0.0.4), `jobctl
metrics` as a whole process and `jobctl metrics --textfile DIR`, --repeat
times each, and prints min / median / max beside the target.  jobd is
started and stopped by its pid.  Usage:

    tests/bench/metrics-bench.py --build build-m [--jobs 10000] [--runs 3]
"""
import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

IFACE = "io.jobd.Manager"
TARGET_MS = 50.0


def say(msg):
    print(msg, file=sys.stderr, flush=True)


class Varlink:
    """One connection; replies of many megabytes read in chunks."""

    def __init__(self, path, timeout=60.0):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)

    def call(self, method, params=None):
        msg = {"method": "%s.%s" % (IFACE, method)}
        if params is not None:
            msg["parameters"] = params
        self.sock.sendall(json.dumps(msg).encode() + b"\0")
        chunks = []
        while True:
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise ConnectionError("jobd closed the connection")
            if chunk.endswith(b"\0"):
                chunks.append(chunk[:-1])
                break
            chunks.append(chunk)
        reply = json.loads(b"".join(chunks))
        if "error" in reply:
            raise RuntimeError("%s: %s" % (method, reply["error"]))
        return reply.get("parameters") or {}

    def close(self):
        self.sock.close()


def poll(pred, timeout, what):
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.monotonic() >= deadline:
            raise RuntimeError("timed out after %ss waiting for %s"
                               % (timeout, what))
        time.sleep(0.05)


def write_config(d, n):
    lines = ["[jobd]", "include_dir=conf.d", "max_running=64", ""]
    for i in range(n):
        lines.append("[job j%05d]" % i)
        lines.append("command=%s" % ("/bin/false" if i % 4 == 1
                                     else "/bin/true"))
        lines.append("output=null")
        if i % 3 == 0:
            lines.append("schedule=hourly")
        lines.append("")
    (d / "conf.d").mkdir(parents=True)
    (d / "jobd.conf").write_text("\n".join(lines))


def give_runs(v, n, runs):
    """runs runs of every other job, 64 names per Start call."""
    names = ["j%05d" % i for i in range(0, n, 2)]
    for _ in range(runs):
        for k in range(0, len(names), 64):
            v.call("Start", {"jobs": names[k:k + 64]})
    return len(names) * runs


def settled(v):
    d = v.call("Daemon")
    return d["running"] == 0 and d["ledger"]["queued"] == 0 \
        and d["executor"]["queued"] == 0


def timed(fn, repeat):
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def row(label, ms):
    med = statistics.median(ms)
    return "| %s | %.1f | %.1f | %.1f | %s |" % (
        label, min(ms), med, max(ms),
        "under" if med < TARGET_MS else "OVER")


def measure(a, d, sock):
    v = Varlink(str(sock))
    out = {}
    om = v.call("Metrics")["text"]
    prom = v.call("Metrics", {"format": "prometheus"})["text"]
    out["om_bytes"], out["prom_bytes"] = len(om), len(prom)
    out["lines"] = om.count("\n")
    out["socket_om"] = timed(lambda: v.call("Metrics"), a.repeat)
    out["socket_prom"] = timed(
        lambda: v.call("Metrics", {"format": "prometheus"}), a.repeat)
    v.close()
    jobctl = str(Path(a.build) / "jobctl")

    def run(*extra):
        p = subprocess.run([jobctl, "-s", str(sock), "metrics"]
                           + list(extra), stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE)
        if p.returncode != 0:
            raise RuntimeError("jobctl metrics: %s" % p.stderr.decode())
    out["jobctl"] = timed(run, a.repeat)
    tf = d / "textfile"
    tf.mkdir()
    out["textfile"] = timed(lambda: run("--textfile", str(tf)), a.repeat)
    return out


def report(a, out, nruns):
    print("metrics-bench: %d jobs (%d runs on record in half of them), "
          "build %s, %d repeats, %d CPUs" % (a.jobs, nruns, a.build,
                                             a.repeat, os.cpu_count()))
    print("text: %d lines, %.1f MiB OpenMetrics, %.1f MiB Prometheus 0.0.4"
          % (out["lines"], out["om_bytes"] / 2**20,
             out["prom_bytes"] / 2**20))
    print()
    print("| what | min ms | median ms | max ms | target %.0f ms |"
          % TARGET_MS)
    print("|---|---|---|---|---|")
    print(row("Metrics on the socket (OpenMetrics)", out["socket_om"]))
    print(row("Metrics on the socket (prometheus)", out["socket_prom"]))
    print(row("`jobctl metrics` (process)", out["jobctl"]))
    print(row("`jobctl metrics --textfile DIR` (process)",
              out["textfile"]))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default="build-m")
    ap.add_argument("--jobs", type=int, default=10000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--dir", default="/var/tmp")
    ap.add_argument("--keep", action="store_true")
    a = ap.parse_args()
    d = Path(tempfile.mkdtemp(prefix="jobd-metrics-", dir=a.dir))
    write_config(d, a.jobs)
    sock = d / "jobd.sock"
    log = open(d / "jobd.log", "wb")
    p = subprocess.Popen([str(Path(a.build) / "jobd"), "--config",
                          str(d / "jobd.conf"), "--socket", str(sock),
                          "--state-dir", str(d / "state")],
                         stdin=subprocess.DEVNULL, stdout=log, stderr=log)
    try:
        def up():
            try:
                v = Varlink(str(sock))
                n = v.call("Daemon")["jobs"]
                v.close()
                return n == a.jobs
            except (OSError, RuntimeError, ValueError):
                return False
        poll(up, 120, "jobd to answer with %d jobs" % a.jobs)
        v = Varlink(str(sock))
        say("giving %d runs to half of %d jobs" % (a.runs, a.jobs))
        nruns = give_runs(v, a.jobs, a.runs)
        poll(lambda: settled(v), 600, "every run to be in the ledger")
        v.close()
        say("measuring")
        out = measure(a, d, sock)
    finally:
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(60)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
        log.close()
        if not a.keep:
            shutil.rmtree(d, ignore_errors=True)
    report(a, out, nruns)


if __name__ == "__main__":
    main()
