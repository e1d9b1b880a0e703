#!/usr/bin/python3
"""web-bench: jobd-web beside supervisord's web UI (issue 18's targets:
GET /api/v1/jobs with 1000 jobs under 50 ms; jobd's loop lag p99 under
2 ms while 100 clients follow a flooding job's output; jobd-web's RSS).

1. Starts BUILD/jobd in a temporary directory under --dir with --jobs
   jobs (a third periodic, every fourth failing, output=null), gives
   every other job --runs runs (Start calls of 64 names) and waits until
   every row is in the ledger; then BUILD/jobd-web/jobd-web on a free
   loopback port.  Times --repeat requests each, on one keep-alive
   connection: GET /api/v1/jobs, GET /api/v1/jobs?recent=30, the
   dashboard's first view (GET / then /api/v1/jobs?recent=30), and the
   Summary call on jobd's socket for reference.  jobd-web's RSS
   (VmRSS) idle and after the requests.
2. supervisord (Debian's supervisor, installed with apt-get when missing
   unless --no-install) with --jobs programs (`sleep 3600`, numprocs) and
   [inet_http_server] on a free loopback port: GET / (its status page of
   every program) and the XML-RPC getAllProcessInfo over HTTP, --repeat
   times each once all are RUNNING; its RSS.
3. A fresh jobd and jobd-web with one job writing --flood-rate MiB/s of
   100-byte lines (0: as fast as it can) for --flood-secs seconds, to
   output=file (after a second's sleep, while the followers connect).
   Once with no follower, once with --clients clients
   following GET /api/v1/runs/ID/output?follow=1 (Server-Sent Events,
   read as fast as this process can in one selector loop).  jobd's
   loop lag (Daemon: p99 and max over the last minute, so over the
   whole flood) when the run has ended, jobd-web's RSS sampled every
   second, how many followers got to `event: end`, and how much each
   received.

Prints one Markdown table: case | unit | jobd-web | supervisord | target.
Run it as root on an idle machine (jobd-web, started as root, switches
to --user; by default a user made for the run with useradd and removed
at the end).  Every process is started and stopped by its pid (benchlib's
tracker).  Usage:

    tests/bench/web-bench.py --build build-m [--jobs 1000] [--repeat 200]
"""
import argparse
import datetime
import http.client
import json
import os
import platform
import resource
import pwd
import selectors
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import xmlrpc.client
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib as bl  # noqa: E402
import peers  # noqa: E402
from benchlib import TRACKER, fmt, poll, say  # noqa: E402

TARGET_JOBS_MS = 50.0
TARGET_LAG_MS = 2.0
MIB = 1 << 20

FLOOD_PY = r"""
import os, sys, time
rate = float(sys.argv[1]) * 1048576
secs = float(sys.argv[2])
line = b"jobd-web bench flood: " + b"y" * 77 + b"\n"
chunk = line * 40
time.sleep(1)               # the followers connect meanwhile
t0 = time.monotonic()
sent = 0
while True:
    now = time.monotonic() - t0
    if now >= secs:
        break
    if rate > 0 and sent > rate * now:
        time.sleep(0.002)
        continue
    os.write(1, chunk)
    sent += len(chunk)
"""


def pct(v, p):
    v = sorted(v)
    k = min(len(v) - 1, max(0, int(round(p / 100 * (len(v) - 1)))))
    return v[k]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def which(exe):
    for d in os.environ.get("PATH", "").split(":") + ["/usr/sbin", "/sbin"]:
        if d and os.access(os.path.join(d, exe), os.X_OK):
            return os.path.join(d, exe)
    return None


class Table:
    """Rows of case | unit | jobd-web | supervisord | target."""

    def __init__(self):
        self.rows = []

    def add(self, case, unit, web, sup="-", target="-"):
        self.rows.append((case, unit, web, sup, target))
        say("  %s: %s %s | supervisord %s" % (case, web, unit, sup))

    def text(self):
        out = ["| case | unit | jobd-web | supervisord | target |",
               "|---|---|---:|---:|---|"]
        for r in self.rows:
            out.append("| %s |" % " | ".join(str(x) for x in r))
        return "\n".join(out)


def verdict(v, target):
    if v is None:
        return "-"
    return "< %g (%s)" % (target, "under" if v < target else "OVER")


# --- the user jobd-web runs as

class WebUser:
    """A user and group made for the run (jobd's socket_group= and
    admin_group=), or an existing user given with --user."""

    def __init__(self, name=None):
        self.made = False
        if os.geteuid() != 0:
            self.name = None          # jobd-web runs as ourselves
            self.group = None
            return
        if name:
            self.name = name
            self.group = _primary_group(name)
            return
        self.name = "jdwbench" + uuid.uuid4().hex[:6]
        subprocess.run(["useradd", "--no-create-home", "--shell",
                        "/usr/sbin/nologin", "--user-group", self.name],
                       check=True, capture_output=True)
        self.group = self.name
        self.made = True

    def remove(self):
        if self.made:
            subprocess.run(["userdel", self.name], capture_output=True)
            subprocess.run(["groupdel", self.name], capture_output=True)


def _primary_group(user):
    import grp
    return grp.getgrgid(pwd.getpwnam(user).pw_gid).gr_name


# --- jobd and jobd-web

class B:
    def __init__(self, build):
        self.jobd = str(Path(build) / "jobd")
        self.jobctl = str(Path(build) / "jobctl")
        self.web = str(Path(build) / "jobd-web" / "jobd-web")


def jobd_conf(user, body):
    head = ["[jobd]", "max_running=64"]
    if user.group:
        head += ["socket_group=%s" % user.group,
                 "admin_group=%s" % user.group]
    return "\n".join(head) + "\n\n" + body


def many_jobs(n):
    out = []
    for i in range(n):
        out.append("[job j%05d]" % i)
        out.append("command=%s" % ("/bin/false" if i % 4 == 1
                                   else "/bin/true"))
        out.append("output=null")
        if i % 3 == 0:
            out.append("schedule=hourly")
        out.append("")
    return "\n".join(out)


def open_dirs(j):
    """jobd-web's user must reach the socket (mkdtemp makes 0700)."""
    os.chmod(j.dir, 0o755)


class Web:
    """jobd-web on a free port, started and stopped by its pid."""

    def __init__(self, b, j, user):
        self.port = free_port()
        self.token = uuid.uuid4().hex
        tok = j.dir / "web-token"
        tok.write_text(self.token + "\n")
        if user.name:
            os.chown(tok, 0, pwd.getpwnam(user.name).pw_gid)
        os.chmod(tok, 0o640)
        argv = [b.web, "--listen", "127.0.0.1:%d" % self.port,
                "--socket", j.sock, "--token-file", tok]
        if user.name:
            argv += ["--user", user.name]
        self.logf = open(j.dir / "jobd-web.log", "wb")
        self.proc = TRACKER.popen(argv, stdout=self.logf, stderr=self.logf)
        self.pid = self.proc.pid
        self.logpath = j.dir / "jobd-web.log"

        def up():
            if self.proc.poll() is not None:
                raise RuntimeError("jobd-web exited with %d: %s" % (
                    self.proc.returncode, self.logpath.read_text()[-2000:]))
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port,
                                               timeout=2)
                c.request("GET", "/healthz")
                ok = c.getresponse().status == 200
                c.close()
                return ok
            except OSError:
                return False
        poll(up, 30, "jobd-web to answer 200 on /healthz")

    def conn(self, timeout=60):
        return http.client.HTTPConnection("127.0.0.1", self.port,
                                          timeout=timeout)

    def rss_mib(self):
        return bl.rss_kb(self.pid) / 1024

    def stop(self):
        rc = TRACKER.stop(self.proc, timeout=30)
        self.logf.close()
        return rc


def timed_gets(conn, paths, repeat):
    """Times `repeat` rounds of GETs of paths (one round: each path in
    order) on one keep-alive connection; returns (ms list, bytes of the
    last round)."""
    out = []
    size = 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        size = 0
        for p in paths:
            conn.request("GET", p)
            r = conn.getresponse()
            body = r.read()
            if r.status != 200:
                try:
                    why = json.loads(body)["error"]
                except (ValueError, KeyError, TypeError):
                    why = body[:80].decode(errors="replace")
                raise RuntimeError("GET %s: %d, %s" % (p, r.status, why))
            if p.startswith("/api/"):
                json.loads(body)
            size += len(body)
        out.append((time.perf_counter() - t0) * 1000)
    return out, size


def timed_varlink(j, method, repeat):
    c = bl.Varlink(j.sock, 60)
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        c.call(bl.IFACE + "." + method)
        out.append((time.perf_counter() - t0) * 1000)
    c.close()
    return out


def settled(j):
    d = j.call("Daemon")
    return d["running"] == 0 and d["ledger"]["queued"] == 0 \
        and d["executor"]["queued"] == 0


def case_gets(a, b, user, q):
    say("=== jobd with %d jobs, %d runs each for half of them"
        % (a.jobs, a.runs))
    j = peers.Jobd(b, a.dir, jobd_conf(user, many_jobs(a.jobs)))
    w = None
    try:
        open_dirs(j)
        j.wait_answer(120)
        poll(lambda: j.call("Daemon")["jobs"] == a.jobs, 120, "all jobs")
        names = ["j%05d" % i for i in range(0, a.jobs, 2)]
        for _ in range(a.runs):
            for k in range(0, len(names), 64):
                j.call("Start", {"jobs": names[k:k + 64]})
        poll(lambda: settled(j), 600, "every run in the ledger", 0.05)
        w = Web(b, j, user)
        time.sleep(1)
        rss_idle = w.rss_mib()
        res = dict(rss_idle=rss_idle)
        for key, paths in (("jobs", ["/api/v1/jobs"]),
                           ("rec", ["/api/v1/jobs?recent=30"]),
                           ("page", ["/", "/api/v1/jobs?recent=30"])):
            c = w.conn()
            try:
                timed_gets(c, paths, 1)         # warm up
                q.wait()
                res[key], res[key + "_size"] = timed_gets(c, paths,
                                                          a.repeat)
            except (RuntimeError, OSError, ValueError) as e:
                say("%s: %s" % (" + ".join(paths), e))
                res[key] = None
                res[key + "_err"] = str(e)[:120]
            finally:
                c.close()
        q.wait()
        res["summary"] = timed_varlink(j, "Summary", a.repeat)
        res["rss_after"] = w.rss_mib()
    finally:
        if w:
            w.stop()
        j.stop(keep=a.keep)
    return res


# --- supervisord

def ensure_supervisord(a):
    if which("supervisord"):
        return None
    if a.no_install:
        return "supervisord not installed (--no-install)"
    if os.geteuid() != 0:
        return "supervisord not installed and not root to install it"
    say("installing supervisor from Debian")
    pol = Path("/usr/sbin/policy-rc.d")
    made = not pol.exists()
    if made:
        pol.write_text("#!/bin/sh\nexit 101\n")
        pol.chmod(0o755)
    try:
        p = subprocess.run(["apt-get", "install", "-y", "-q", "supervisor"],
                           env=dict(os.environ,
                                    DEBIAN_FRONTEND="noninteractive"),
                           capture_output=True, text=True)
    finally:
        if made:
            pol.unlink()
    if not which("supervisord"):
        return "apt-get install supervisor failed: %s" % (
            (p.stderr or p.stdout).strip().splitlines() or ["?"])[-1]
    return None


def case_supervisord(a, q):
    why = ensure_supervisord(a)
    if why:
        say("supervisord: n/a: " + why)
        return {"na": why}
    port = free_port()
    progs = ("[inet_http_server]\nport=127.0.0.1:%d\n\n"
             "[program:p]\ncommand=sleep 3600\nnumprocs=%d\n"
             "process_name=%%(program_name)s_%%(process_num)04d\n"
             "startsecs=0\nautorestart=false\nstdout_logfile=NONE\n"
             "stderr_logfile=NONE\n" % (port, a.jobs))
    say("=== supervisord with %d programs, web UI on port %d"
        % (a.jobs, port))
    s = peers.Supervisord(a.dir, progs, minfds=max(1024, 4 * a.jobs + 64))
    try:
        s.wait_answer(120)

        def all_running():
            info = s.rpc.getAllProcessInfo()
            return len(info) == a.jobs and all(
                p["statename"] == "RUNNING" for p in info)
        poll(all_running, 600, "every program RUNNING", 0.5)
        time.sleep(1)
        rss = bl.rss_kb(s.pid) / 1024
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        n = max(1, a.sup_repeat)
        timed_gets(c, ["/"], 1)
        q.wait()
        page_ms, page_size = timed_gets(c, ["/"], n)
        c.close()
        proxy = xmlrpc.client.ServerProxy("http://127.0.0.1:%d/RPC2" % port)
        proxy.supervisor.getAllProcessInfo()
        q.wait()
        rpc_ms = []
        for _ in range(n):
            t0 = time.perf_counter()
            proxy.supervisor.getAllProcessInfo()
            rpc_ms.append((time.perf_counter() - t0) * 1000)
        return dict(page=page_ms, page_size=page_size, rpc=rpc_ms, rss=rss)
    finally:
        s.stop()


# --- 100 followers of a flooding job

class Follower:
    """One raw HTTP/1.1 connection reading an SSE stream (chunked or not):
    counts the body's bytes and LogLines (each has one "usec") and
    watches for `event: end`."""

    def __init__(self, port, path):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.s.sendall(("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        "Accept: text/event-stream\r\n\r\n" % path).encode())
        self.s.setblocking(False)
        self.bytes = 0
        self.lines = 0
        self.tail = b""
        self.buf = b""
        self.head = None            # the response head, once read
        self.chunked = False
        self.chunk_left = 0
        self.ended = False
        self.errored = None         # when `event: error` came
        self.closed = None          # when the server closed
        self.t0 = time.monotonic()

    def read(self):
        try:
            data = self.s.recv(1 << 18)
        except BlockingIOError:
            return
        except ConnectionResetError:
            data = b""
        if not data:
            self.closed = time.monotonic()
            return
        self.buf += data
        if self.head is None:
            i = self.buf.find(b"\r\n\r\n")
            if i < 0:
                return
            self.head = self.buf[:i]
            self.chunked = b"transfer-encoding: chunked" in \
                self.head.lower()
            self.buf = self.buf[i + 4:]
        if not self.chunked:
            self.body(self.buf)
            self.buf = b""
            return
        while self.buf:
            if self.chunk_left == 0:
                i = self.buf.find(b"\r\n")
                if i < 0:
                    return
                line, self.buf = self.buf[:i], self.buf[i + 2:]
                if not line:            # the CRLF after a chunk's data
                    continue
                self.chunk_left = int(line.split(b";")[0], 16)
                if self.chunk_left == 0:
                    # The last chunk: the response is over (the HTTP/1.1
                    # connection itself may stay open for another one).
                    self.closed = time.monotonic()
                    self.buf = b""
                    return
            take = self.buf[:self.chunk_left]
            self.buf = self.buf[len(take):]
            self.chunk_left -= len(take)
            self.body(take)

    def body(self, data):
        self.bytes += len(data)
        # The tail is shorter than the needles: nothing in it alone
        # matches, so nothing is counted twice.
        buf = self.tail + data
        self.lines += buf.count(b'"usec"') - self.tail.count(b'"usec"')
        if b"event: end" in buf:
            self.ended = True
        if b"event: error" in buf and self.errored is None:
            self.errored = time.monotonic()
        self.tail = buf[-11:]

    def status(self):
        parts = (self.head or b"").split(b" ", 2)
        return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() \
            else None


class Sampler(threading.Thread):
    def __init__(self, j, w):
        super().__init__(daemon=True)
        self.j, self.w = j, w
        self.stop_ev = threading.Event()
        self.rss = []
        self.lag = []
        self.c = bl.Varlink(j.sock, 30)

    def run(self):
        while not self.stop_ev.wait(1.0):
            self.rss.append(self.w.rss_mib())
            try:
                d = self.c.call(bl.IFACE + ".Daemon")
                self.lag.append(d["loop_lag"])
            except (OSError, RuntimeError):
                pass

    def finish(self):
        self.stop_ev.set()
        self.join(5)
        self.c.close()


def flood_once(a, b, user, clients, q):
    script = Path(tempfile.mkdtemp(prefix="web-bench-", dir=a.dir))
    (script / "flood.py").write_text(FLOOD_PY)
    os.chmod(script, 0o755)
    conf = jobd_conf(user, "[job flood]\ncommand=%s %s %g %g\n"
                     "output=file\noutput_file=%s\n" % (
                         sys.executable, script / "flood.py",
                         a.flood_rate, a.flood_secs, script / "flood.out"))
    j = peers.Jobd(b, a.dir, conf)
    w = None
    followers = []
    try:
        open_dirs(j)
        j.wait_answer(60)
        w = Web(b, j, user)
        q.wait()
        rss0 = w.rss_mib()
        ticks0 = bl.cpu_ticks([w.pid]), bl.cpu_ticks([j.pid])
        t0 = time.monotonic()
        run = j.call("Start", {"jobs": ["flood"]})["runs"][0]["id"]
        sampler = Sampler(j, w)
        sampler.start()
        path = "/api/v1/runs/%d/output?follow=1&lines=0" % run
        sel = selectors.DefaultSelector()
        for _ in range(clients):
            f = Follower(w.port, path)
            followers.append(f)
            sel.register(f.s, selectors.EVENT_READ, f)
        deadline = t0 + a.flood_secs + 60
        while time.monotonic() < deadline:
            if not clients or all(f.closed or f.ended for f in followers):
                break
            if all(f.closed or f.ended or f.errored for f in followers) \
                    and settled(j):
                break
            for key, _ in sel.select(0.5):
                f = key.data
                f.read()
                if f.closed:
                    sel.unregister(f.s)
        poll(lambda: settled(j), 120, "the flood run to end")
        secs = time.monotonic() - t0
        # Followers cut off: how long until jobd-web closes them (at most
        # its idle timeout, 30 s, and 5 more).
        cut = [f for f in followers if f.errored and not f.closed]
        end_cut = time.monotonic() + 35
        while cut and time.monotonic() < end_cut:
            for key, _ in sel.select(0.5):
                f = key.data
                f.read()
                if f.closed:
                    sel.unregister(f.s)
            cut = [f for f in cut if not f.closed]
        sampler.finish()
        d = j.call("Daemon")
        ticks1 = bl.cpu_ticks([w.pid]), bl.cpu_ticks([j.pid])
        out_bytes = (script / "flood.out").stat().st_size
        res = dict(
            p99=d["loop_lag"]["p99_usec"] / 1000,
            max=d["loop_lag"]["max_usec"] / 1000,
            rss0=rss0, rss_max=max(sampler.rss or [w.rss_mib()]),
            ended=sum(1 for f in followers if f.ended),
            errored=sum(1 for f in followers if f.errored),
            err_close=max([f.closed - f.errored for f in followers
                           if f.errored and f.closed] or [0]),
            err_open=sum(1 for f in followers
                         if f.errored and not f.closed),
            statuses=sorted({f.status() for f in followers},
                            key=lambda x: x or 0),
            mib_s=(statistics.median([f.bytes for f in followers]) / MIB
                   / (secs - 1)) if followers else 0,
            lines=statistics.median([f.lines for f in followers])
            if followers else 0,
            lines_min=min([f.lines for f in followers] or [0]),
            lines_max=max([f.lines for f in followers] or [0]),
            out_lines=out_bytes // 100, secs=secs,
            web_cpu=(ticks1[0] - ticks0[0]) / bl.TICK / secs * 100,
            jobd_cpu=(ticks1[1] - ticks0[1]) / bl.TICK / secs * 100)
    finally:
        for f in followers:
            f.s.close()
        if w:
            w.stop()
        j.stop(keep=a.keep)
        shutil.rmtree(script, ignore_errors=True)
    return res


# --- main

def machine(a, secs):
    model = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        git = subprocess.run(["git", "-C", str(bl.ROOT), "rev-parse",
                              "--short", "HEAD"], capture_output=True,
                             text=True).stdout.strip() or "?"
    except OSError:
        git = "?"
    sup = subprocess.run(["dpkg-query", "-W", "-f", "${Version}",
                          "supervisor"], capture_output=True,
                         text=True).stdout or "not installed"
    try:
        opts = json.loads(subprocess.run(
            ["meson", "introspect", "--buildoptions", a.build],
            capture_output=True, text=True).stdout)
        btype = [o["value"] for o in opts if o["name"] == "buildtype"][0]
    except (OSError, ValueError, IndexError):
        btype = "?"
    return ("- machine: %d CPUs (%s), Linux %s; %s; bench took %.1f min\n"
            "- jobd %s, build %s (%s); supervisor %s\n- options: %s" % (
                os.cpu_count(), model, platform.release(),
                datetime.datetime.now(datetime.timezone.utc).strftime(
                    "%Y-%m-%d %H:%M UTC"), secs / 60, git, a.build, btype, sup,
                " ".join(sys.argv[1:]) or "(defaults)"))


def main():
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n".join(__doc__.split("\n")[2:]))
    ap.add_argument("--build", default=str(bl.ROOT / "build-m"))
    ap.add_argument("--dir", default="/var/tmp")
    ap.add_argument("--jobs", type=int, default=1000,
                    help="jobs of jobd, programs of supervisord")
    ap.add_argument("--runs", type=int, default=3,
                    help="runs of every other job before the GETs")
    ap.add_argument("--repeat", type=int, default=200,
                    help="timed requests per GET case")
    ap.add_argument("--sup-repeat", type=int, default=50,
                    help="timed requests per supervisord case")
    ap.add_argument("--clients", type=int, default=100,
                    help="SSE followers of the flooding job")
    ap.add_argument("--flood-rate", type=float, default=1.0,
                    help="MiB/s of output the job writes (0: all it can)")
    ap.add_argument("--flood-secs", type=float, default=20)
    ap.add_argument("--user", help="existing user jobd-web switches to "
                    "(default: one made for the run)")
    ap.add_argument("--quiet-idle", type=float, default=0.85)
    ap.add_argument("--quiet-timeout", type=float, default=10)
    ap.add_argument("--cases", default="gets,supervisord,sse")
    ap.add_argument("--no-install", action="store_true")
    ap.add_argument("--keep", action="store_true")
    a = ap.parse_args()
    b = B(a.build)
    for exe in (b.jobd, b.jobctl, b.web):
        if not os.access(exe, os.X_OK):
            ap.error("%s is not executable (build first, or --build)" % exe)
    cases = set(a.cases.split(","))
    signal.signal(signal.SIGTERM, lambda s, f: sys.exit(130))
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    q = bl.Quiet(a.quiet_idle, a.quiet_timeout)
    t = Table()
    user = WebUser(a.user)
    t_start = time.monotonic()
    try:
        g = case_gets(a, b, user, q) if "gets" in cases else None
        s = case_supervisord(a, q) if "supervisord" in cases else None
        f0 = f1 = None
        if "sse" in cases:
            say("=== flood, no follower")
            f0 = flood_once(a, b, user, 0, q)
            say("=== flood, %d followers" % a.clients)
            f1 = flood_once(a, b, user, a.clients, q)
    finally:
        TRACKER.cleanup()
        user.remove()
    n = a.jobs
    na = "n/a (%s)" % s["na"] if s and "na" in s else "-"
    sok = s and "na" not in s
    if g:
        def med(k):
            return statistics.median(g[k]) if g[k] else None

        def p95(k):
            return pct(g[k], 95) if g[k] else None

        def cell(k, v):
            return fmt(v) if g[k] else "n/a (%s)" % g[k + "_err"]

        def size(k):
            return fmt(g[k + "_size"] / 1024) if g[k] else "n/a"
        t.add("GET /api/v1/jobs, %d jobs: median" % n, "ms",
              cell("jobs", med("jobs")),
              "%s (XML-RPC getAllProcessInfo)" % fmt(statistics.median(
                  s["rpc"])) if sok else na,
              verdict(med("jobs"), TARGET_JOBS_MS))
        t.add("GET /api/v1/jobs, %d jobs: p95" % n, "ms",
              cell("jobs", p95("jobs")),
              fmt(pct(s["rpc"], 95)) if sok else na,
              verdict(p95("jobs"), TARGET_JOBS_MS))
        t.add("GET /api/v1/jobs?recent=30: median", "ms",
              cell("rec", med("rec")), "-",
              verdict(med("rec"), TARGET_JOBS_MS))
        t.add("GET /api/v1/jobs?recent=30: p95", "ms",
              cell("rec", p95("rec")), "-",
              verdict(p95("rec"), TARGET_JOBS_MS))
        t.add("status page of %d (jobd-web: / then jobs?recent=30; "
              "supervisord: GET /): median" % n, "ms",
              cell("page", med("page")),
              fmt(statistics.median(s["page"])) if sok else na)
        t.add("status page of %d: p95" % n, "ms",
              cell("page", p95("page")),
              fmt(pct(s["page"], 95)) if sok else na)
        t.add("size: /api/v1/jobs, jobs?recent=30 / supervisord's page",
              "KiB", "%s, %s" % (size("jobs"), size("rec")),
              fmt(s["page_size"] / 1024) if sok else na)
        t.add("Summary on jobd's socket (what jobd-web calls): median",
              "ms", fmt(statistics.median(g["summary"])))
        t.add("RSS idle, %d jobs / programs" % n, "MiB",
              fmt(g["rss_idle"]), fmt(s["rss"]) if sok else na)
        t.add("RSS after the timed GETs", "MiB", fmt(g["rss_after"]))
    if f0 and f1:
        t.add("jobd loop lag p99, flood of %g MiB/s, no follower" %
              a.flood_rate, "ms", fmt(f0["p99"]), "-",
              verdict(f0["p99"], TARGET_LAG_MS))
        t.add("jobd loop lag p99, flood + %d SSE followers" % a.clients,
              "ms", fmt(f1["p99"]), "-", verdict(f1["p99"], TARGET_LAG_MS))
        t.add("jobd loop lag max, flood + %d SSE followers" % a.clients,
              "ms", fmt(f1["max"]))
        t.add("followers that reached `event: end` (HTTP status %s)"
              % ",".join(str(x) for x in f1["statuses"]), "of %d"
              % a.clients, f1["ended"])
        if f1["errored"]:
            t.add("followers cut off with `event: error` (did not keep "
                  "up): closed within (max, after the error) / still open "
                  "35 s after the run ended", "of %d" % a.clients,
                  "%d: %.1f s / %d" % (
                      f1["errored"], f1["err_close"], f1["err_open"]))
        t.add("lines per follower (min / median / max) / lines written",
              "lines", "%d / %d / %d / %d" % (
                  f1["lines_min"], f1["lines"], f1["lines_max"],
                  f1["out_lines"]))
        t.add("SSE data per follower (median)", "MiB/s", fmt(f1["mib_s"]))
        t.add("RSS with %d SSE followers: before / max" % a.clients, "MiB",
              "%s / %s" % (fmt(f1["rss0"]), fmt(f1["rss_max"])))
        t.add("CPU during the flood + followers: jobd-web / jobd",
              "% of a CPU", "%s / %s" % (fmt(f1["web_cpu"]),
                                         fmt(f1["jobd_cpu"])))
    secs = time.monotonic() - t_start
    print("web-bench: jobd-web beside supervisord's web UI\n")
    print(t.text())
    print()
    print(machine(a, secs))
    if q.gave_up:
        print("- the machine was not quiet before %d measurements" %
              q.gave_up)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        TRACKER.cleanup()
        sys.exit(130)
