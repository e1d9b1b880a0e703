"""peers: jobd, supervisord, s6-svscan, cron and a standalone journald,
each started by tests/bench/run in its own temporary directory with its
own configuration and socket, and stopped by the pid it was started with.

Nothing here touches the system's own instances: supervisord gets its
own config and socket; s6-svscan its own scan directory; cron and
journald run in a private mount namespace (unshare --mount) whose
/etc/crontab, /run and journal directories are tmpfs or bind mounts.
"""
import datetime
import os
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import time
import xmlrpc.client
from pathlib import Path

from benchlib import (IFACE, TRACKER, Varlink, alive, children_named, poll,
                      say)

JOURNAL_SETUP = r"""
set -e
mount -t tmpfs tmpfs /run/systemd
mkdir -p /run/log /var/log/journal
mount -t tmpfs tmpfs /run/log
mount -t tmpfs tmpfs /var/log/journal
printf '[Journal]\nStorage=volatile\nReadKMsg=no\nForwardToSyslog=no\n\
ForwardToWall=no\nRateLimitBurst=0\nRuntimeMaxUse=8G\n\
RuntimeKeepFree=1G\n' > /run/systemd/jd.conf
mount --bind /run/systemd/jd.conf /etc/systemd/journald.conf
/lib/systemd/systemd-journald </dev/null >"$DIR/journald.log" 2>&1 &
echo $! > "$DIR/journald.pid"
for i in $(seq 100); do
	[ -S /run/systemd/journal/socket ] && break
	sleep 0.05
done
exec "$@"
"""

CRON_SETUP = r"""
set -e
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /etc/cron.d
mount -t tmpfs tmpfs /var/spool/cron/crontabs
mount --bind "$DIR/crontab" /etc/crontab
exec cron -f -L 0
"""


class Jobd:
    """jobd with a config of our own; wrapper (argv) goes in front, e.g.
    unshare + the journald setup, which execs jobd in the same pid."""

    def __init__(self, b, base, conf, wrapper=None, env=None):
        self.b = b
        self.dir = Path(tempfile.mkdtemp(prefix="jobd-", dir=base))
        self.sock = str(self.dir / "jobd.sock")
        self.conf = self.dir / "jobd.conf"
        self.conf.write_text(conf)
        self.logf = open(self.dir / "jobd.log", "wb")
        argv = [b.jobd, "--config", self.conf, "--socket", self.sock,
                "--state-dir", self.dir / "state", "--log=stderr"]
        e = dict(os.environ, DIR=str(self.dir), **(env or {}))
        self.t0 = time.time()
        self.m0 = time.monotonic()
        self.proc = TRACKER.popen((wrapper or []) + argv, stdout=self.logf,
                                  stderr=self.logf, env=e)
        self.pid = self.proc.pid
        self.c = None

    def answers(self):
        if self.proc.poll() is not None:
            raise RuntimeError("jobd exited with %d; see %s/jobd.log"
                               % (self.proc.returncode, self.dir))
        try:
            c = Varlink(self.sock, 60)
            c.call("org.varlink.service.GetInfo")
        except OSError:
            return False
        self.c = c
        return True

    def wait_answer(self, timeout=60):
        poll(self.answers, timeout, "jobd to answer on " + self.sock,
             interval=0.005)
        return time.monotonic() - self.m0

    def call(self, method, params=None):
        return self.c.call(IFACE + "." + method, params)

    def wait_idle(self, timeout=600, interval=0.01):
        """Until no run is left and the ledger queue is empty."""
        def idle():
            d = self.call("Daemon")
            return d["running"] == 0
        poll(idle, timeout, "jobd's runs to finish", interval)

    def jobctl(self, *args, **kw):
        return subprocess.run([self.b.jobctl, "-s", self.sock] +
                              [str(a) for a in args], **kw)

    def stop(self, keep=False, note=True):
        """SIGTERM; returns (seconds until exit, exit status)."""
        if self.c:
            self.c.close()
            self.c = None
        t = time.monotonic()
        rc = TRACKER.stop(self.proc, timeout=300, note=note)
        dt = time.monotonic() - t
        self.logf.close()
        if rc not in (0, None) or keep:
            say("jobd exited with %s; kept %s" % (rc, self.dir))
        else:
            shutil.rmtree(self.dir, ignore_errors=True)
        return dt, rc


SUP_HEAD = """[unix_http_server]
file={dir}/sup.sock
[supervisord]
logfile={dir}/supervisord.log
pidfile={dir}/supervisord.pid
childlogdir={dir}
nodaemon=true
user=root
minfds={minfds}
[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface
[supervisorctl]
serverurl=unix://{dir}/sup.sock
"""


class Supervisord:
    def __init__(self, base, programs, minfds=1024):
        self.dir = Path(tempfile.mkdtemp(prefix="supervisord-", dir=base))
        self.sock = str(self.dir / "sup.sock")
        self.conf = self.dir / "supervisord.conf"
        self.conf.write_text(SUP_HEAD.format(dir=self.dir, minfds=minfds)
                             + programs)
        self.logf = open(self.dir / "out.log", "wb")
        self.t0 = time.time()
        self.m0 = time.monotonic()
        self.proc = TRACKER.popen(["supervisord", "-n", "-c", self.conf],
                                  stdout=self.logf, stderr=self.logf)
        self.pid = self.proc.pid
        self.rpc = None

    def proxy(self):
        from supervisor.xmlrpc import SupervisorTransport
        t = SupervisorTransport(None, None, "unix://" + self.sock)
        return xmlrpc.client.ServerProxy("http://127.0.0.1", transport=t)

    def answers(self):
        if self.proc.poll() is not None:
            raise RuntimeError("supervisord exited with %d; see %s"
                               % (self.proc.returncode, self.dir))
        try:
            p = self.proxy()
            p.supervisor.getState()
        except (OSError, xmlrpc.client.Fault):
            return False
        self.rpc = p.supervisor
        return True

    def wait_answer(self, timeout=120):
        poll(self.answers, timeout, "supervisord to answer", 0.02)

    def running_times(self):
        """Unix times of the 'entered RUNNING state' lines of its log."""
        out = []
        try:
            text = (self.dir / "supervisord.log").read_text()
        except OSError:
            return out
        for line in text.split("\n"):
            if "entered RUNNING state" in line:
                ts = datetime.datetime.strptime(line[:23],
                                                "%Y-%m-%d %H:%M:%S,%f")
                out.append(ts.timestamp())
        return out

    def ctl(self, *args, **kw):
        return subprocess.run(["supervisorctl", "-c", self.conf] +
                              list(args), **kw)

    def stop(self, note=True):
        t = time.monotonic()
        rc = TRACKER.stop(self.proc, timeout=600, note=note)
        dt = time.monotonic() - t
        self.logf.close()
        shutil.rmtree(self.dir, ignore_errors=True)
        return dt, rc


class S6:
    """s6-svscan on a scan directory of n services, each a run script."""

    def __init__(self, base, services):
        self.dir = Path(tempfile.mkdtemp(prefix="s6-", dir=base))
        self.scan = self.dir / "scan"
        self.scan.mkdir()
        self.names = []
        for name, run in services:
            d = self.scan / name
            d.mkdir()
            (d / "run").write_text(run)
            os.chmod(d / "run", 0o755)
            self.names.append(name)
        self.logf = open(self.dir / "out.log", "wb")
        self.t0 = time.time()
        self.m0 = time.monotonic()
        self.proc = TRACKER.popen(
            ["s6-svscan", "-c", str(len(services) + 100), self.scan],
            stdout=self.logf, stderr=self.logf)
        self.pid = self.proc.pid

    def status(self, name):
        """(pid, up since in Unix seconds) from supervise/status: 35 bytes
        in s6 2.11, a TAI64N stamp, the ready stamp, then the pid as 8
        bytes big-endian.  TAI - UTC is 10 s or 37 s depending on how
        skalibs was built: taken as the whole seconds between the stamp
        and the file's mtime."""
        path = self.scan / name / "supervise" / "status"
        try:
            with open(path, "rb") as f:
                b = f.read()
            mtime = os.stat(path).st_mtime
        except OSError:
            return 0, None
        if len(b) < 32:
            return 0, None
        secs, nano = struct.unpack(">QI", b[0:12])
        pid = struct.unpack(">Q", b[24:32])[0]
        t = secs - (1 << 62) + nano / 1e9
        return pid, t - round(t - mtime)

    def supervisors(self):
        return [self.pid] + children_named(self.pid, "s6-supervise")

    def stop(self, note=True):
        t = time.monotonic()
        rc = TRACKER.stop(self.proc, timeout=600, note=note)
        dt = time.monotonic() - t
        self.logf.close()
        shutil.rmtree(self.dir, ignore_errors=True)
        return dt, rc


class Cron:
    """Debian's cron in a private mount namespace, with our /etc/crontab
    and an empty cron.d and spool, so the system's crontabs never run."""

    def __init__(self, base, crontab):
        self.dir = Path(tempfile.mkdtemp(prefix="cron-", dir=base))
        (self.dir / "crontab").write_text(crontab)
        os.chmod(self.dir / "crontab", 0o644)
        self.logf = open(self.dir / "out.log", "wb")
        self.proc = TRACKER.popen(
            ["unshare", "--mount", "--propagation", "private", "bash", "-c",
             CRON_SETUP], stdout=self.logf, stderr=self.logf,
            env=dict(os.environ, DIR=str(self.dir)))

    def stop(self):
        TRACKER.stop(self.proc, timeout=30)
        self.logf.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def journal_wrapper():
    """argv that runs jobd in a private mount namespace beside a
    journald of its own (see systemd-and-oracles.md §2)."""
    return ["unshare", "--mount", "--propagation", "private", "bash", "-c",
            JOURNAL_SETUP, "journal-setup"]


def journald_stop(j):
    """Stops the journald started by journal_wrapper() for jobd j, by the
    pid it wrote."""
    try:
        pid = int((j.dir / "journald.pid").read_text())
    except (OSError, ValueError):
        return
    st = alive(pid)
    if st:
        os.kill(pid, signal.SIGTERM)
        try:
            poll(lambda: not alive(pid), 20, "journald to exit")
        except TimeoutError:
            os.kill(pid, signal.SIGKILL)


def echo_server(helpers, base):
    d = Path(tempfile.mkdtemp(prefix="echo-", dir=base))
    path = str(d / "echo.sock")
    p = TRACKER.popen([helpers["echo"], "serve", path])

    def ready():
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(path)
            return True
        except OSError:
            return False
        finally:
            s.close()
    poll(ready, 10, "the echo server")
    return p, path, d
