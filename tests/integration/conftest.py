"""Integration test harness: start the real jobd in a temporary directory,
drive it with the real jobctl, and check at teardown that it stops cleanly
(SIGTERM, exit status 0) and leaves no process behind.

Binaries come from the environment (meson and tests/run set them):
JOBD, JOBCTL, JOBD_TEST_CHILD.  Nothing is skipped when they are missing:
every test fails with a message saying so.

Tests import the helpers below with `from conftest import ...`.
"""
import json
import os
import shlex
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import pytest

from varlink_client import Client, VarlinkError

JOBD = os.environ.get("JOBD", "")
JOBCTL = os.environ.get("JOBCTL", "")
CHILD = os.environ.get("JOBD_TEST_CHILD", "")

DEFAULT_TIMEOUT = 60            # seconds per test (pytest-timeout)
START_DEADLINE = 15.0           # until the socket answers
STOP_DEADLINE = 20.0            # from SIGTERM until jobd has exited
INI_MAX_LINE = 200              # inih's line bound on Debian 12


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "timeout(seconds): per-test timeout (pytest-timeout)")
    if not config.pluginmanager.hasplugin("timeout"):
        raise pytest.UsageError(
            "pytest-timeout is required (Debian: python3-pytest-timeout)")


def pytest_collection_modifyitems(items):
    for item in items:
        if item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(DEFAULT_TIMEOUT))


@pytest.fixture(autouse=True)
def _binaries():
    missing = [name for name, value in (("JOBD", JOBD), ("JOBCTL", JOBCTL),
               ("JOBD_TEST_CHILD", CHILD)) if not value]
    if missing:
        pytest.fail("environment variable(s) %s not set: run the tests "
                    "with tests/run or meson test" % ", ".join(missing))
    for path in (JOBD, JOBCTL, CHILD):
        if not os.access(path, os.X_OK):
            pytest.fail("%s is not an executable file" % path)


# ---------------------------------------------------------------- helpers

def wait_for(pred, timeout=10.0, what=None, interval=0.02):
    """Polls pred() until it returns something truthy and returns that;
    fails the test after timeout seconds."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        last = pred()
        if last:
            return last
        if time.monotonic() >= deadline:
            raise AssertionError("timed out after %.1fs waiting for %s "
                                 "(last value: %r)"
                                 % (timeout, what or pred, last))
        time.sleep(interval)


def child(*args):
    """A job's command= value running the test child with args."""
    return shlex.join([CHILD] + [str(a) for a in args])


def pid_alive(pid):
    """True while pid exists and is not a zombie."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            stat = f.read()
    except (FileNotFoundError, ProcessLookupError):
        return False
    # The state follows the parenthesised command name.
    return stat[stat.rindex(")") + 2] not in "ZX"


def cmdline(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return "?"


def wait_pids_gone(pids, timeout=10.0):
    pids = list(pids)
    wait_for(lambda: not [p for p in pids if pid_alive(p)], timeout,
             "processes %s to be gone (alive: %s)"
             % (pids, [p for p in pids if pid_alive(p)]))


def read_file_when_there(path, timeout=10.0):
    """The content of path once it exists and is not empty."""
    def content():
        try:
            return Path(path).read_text()
        except FileNotFoundError:
            return None
    return wait_for(content, timeout, "file %s" % path)


def run_cmd(argv, timeout=30, env=None, raw=False, input=None):
    """Runs argv; returns (rc, stdout, stderr), str unless raw."""
    p = subprocess.run(argv, capture_output=True, timeout=timeout,
                       env=env, input=input, stdin=None if input
                       else subprocess.DEVNULL)
    if raw:
        return p.returncode, p.stdout, p.stderr
    dec = lambda b: b.decode("utf-8", "surrogateescape")    # noqa: E731
    return p.returncode, dec(p.stdout), dec(p.stderr)


def jobctl_at(sock, *args, timeout=30, raw=False):
    """Runs `jobctl -s SOCK ARGS...`; returns (rc, stdout, stderr)."""
    return run_cmd([JOBCTL, "-s", str(sock)] + [str(a) for a in args],
                   timeout=timeout, raw=raw)


def format_section(header, keys):
    lines = ["[%s]" % header]
    for key, value in keys.items():
        values = value if isinstance(value, (list, tuple)) else [value]
        for v in values:
            lines.append("%s=%s" % (key, v))
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- daemon

class Daemon:
    """One jobd in its own directory:
    DIR/jobd.conf (main file), DIR/conf.d/*.conf, DIR/jobd.sock,
    DIR/state, DIR/pids (pid files checked at teardown), DIR/jobd.log."""

    def __init__(self, directory):
        self.dir = Path(directory)
        self.conf = self.dir / "jobd.conf"
        self.confd = self.dir / "conf.d"
        self.sock = self.dir / "jobd.sock"
        self.state = self.dir / "state"
        self.pids = self.dir / "pids"
        self.log = self.dir / "jobd.log"
        self.token = uuid.uuid4().hex
        self.proc = None
        self.exit_checked = False
        self.surviving = set()      # pids a test knowingly leaves alive
        self.confd.mkdir(parents=True, exist_ok=True)
        self.pids.mkdir(exist_ok=True)

    # -- configuration

    def path(self, name):
        """A path inside the daemon's directory (for touch/wait-file)."""
        return self.dir / name

    def pidfile(self, name):
        """A pid file path whose pid teardown checks is gone."""
        return self.pids / (name + ".pid")

    def write_config(self, jobs=None, settings=None, files=None,
                     main_jobs=None):
        """jobs: {name: {key: value or [values]}} -> conf.d/50-jobs.conf;
        settings: extra [jobd] keys; files: {relative path: raw text}
        written as is (replacing every other conf.d file); main_jobs: job
        sections kept in the main file."""
        for old in self.confd.glob("*.conf"):
            old.unlink()
        # Runs get nothing of jobd's environment but what this names: the
        # token lets teardown find what a test's runs left behind, and a
        # sanitized build's children keep the sanitizer options (under
        # strace, LeakSanitizer must be off in them too).
        main = {"include_dir": "conf.d", "pass_environment":
                "JOBD_TEST_TOKEN ASAN_OPTIONS UBSAN_OPTIONS"}
        main.update(settings or {})
        text = format_section("jobd", main)
        for name, keys in (main_jobs or {}).items():
            text += "\n" + format_section("job " + name, keys)
        self._write(self.conf, text)
        if jobs:
            text = "\n".join(format_section("job " + name, keys)
                             for name, keys in jobs.items())
            self._write(self.confd / "50-jobs.conf", text)
        for rel, raw in (files or {}).items():
            self._write(self.dir / rel, raw)

    @staticmethod
    def _write(path, text):
        for line in text.splitlines():
            assert len(line) < INI_MAX_LINE, \
                "config line over inih's %d bytes: %s" % (INI_MAX_LINE, line)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(text)
        tmp.rename(path)

    # -- process

    def argv(self, *extra):
        return [JOBD, "--foreground", "--config", str(self.conf),
                "--socket", str(self.sock), "--state-dir", str(self.state)] \
            + list(extra)

    def start(self):
        env = dict(os.environ, JOBD_TEST_TOKEN=self.token)
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(self.argv(), stdin=subprocess.DEVNULL,
                                         stdout=log, stderr=log, env=env)
        deadline = time.monotonic() + START_DEADLINE
        while True:
            if self.proc.poll() is not None:
                raise AssertionError("jobd exited with %d at start:\n%s"
                                     % (self.proc.returncode,
                                        self.log_text(limit=60)))
            if self.answers():
                return self
            if time.monotonic() >= deadline:
                raise AssertionError("jobd did not answer on %s within %ss:"
                                     "\n%s" % (self.sock, START_DEADLINE,
                                               self.log_text(60)))
            time.sleep(0.02)

    def answers(self):
        try:
            with Client(str(self.sock), timeout=2.0) as c:
                c.call1("org.varlink.service.GetInfo")
            return True
        except (OSError, ValueError, VarlinkError):
            return False

    def send_signal(self, sig):
        self.proc.send_signal(sig)

    def stop(self, sig=signal.SIGTERM, timeout=STOP_DEADLINE):
        """Signals jobd and returns its exit status; fails if it does not
        exit within timeout seconds (it is then killed)."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("jobd did not exit within %ss of signal %d"
                                 % (timeout, sig))

    def log_text(self, limit=None):
        """jobd's output; with limit, only its last limit lines."""
        try:
            data = self.log.read_bytes()
        except FileNotFoundError:
            return "(no log)"
        text = data.decode("utf-8", "replace")
        if limit is not None:
            lines = text.splitlines()
            if len(lines) > limit:
                text = "[... %d lines ...]\n" % (len(lines) - limit) \
                    + "\n".join(lines[-limit:])
        return text

    # -- clients

    def jobctl(self, *args, timeout=30, raw=False):
        return jobctl_at(self.sock, *args, timeout=timeout, raw=raw)

    def jobctl_json(self, *args, timeout=30):
        """Runs `jobctl --json ARGS` expecting exit 0; returns the parsed
        object (the last line when several are printed)."""
        rc, out, err = self.jobctl("--json", *args, timeout=timeout)
        assert rc == 0, "jobctl --json %s: rc %d\nstdout: %s\nstderr: %s" \
            % (" ".join(map(str, args)), rc, out, err)
        lines = out.strip().splitlines()
        assert lines, "jobctl --json %s printed nothing" % (args,)
        return json.loads(lines[-1])

    def popen_jobctl(self, *args):
        return subprocess.Popen([JOBCTL, "-s", str(self.sock)]
                                + [str(a) for a in args],
                                stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)

    def varlink(self, timeout=10.0):
        return Client(str(self.sock), timeout=timeout)

    def start_run(self, job):
        """`jobctl start JOB`; returns the run id (int)."""
        rc, out, err = self.jobctl("start", job)
        assert rc == 0, "jobctl start %s: rc %d: %s" % (job, rc, err)
        return int(out.strip())

    def job_status(self, job):
        """The JobStatus of job ({job: Job, runs: [Run]})."""
        reply = self.jobctl_json("status", job)
        for js in reply["jobs"]:
            if js["job"]["name"] == job:
                return js
        raise AssertionError("status %s: job missing in %r" % (job, reply))

    def run_state(self, job, run_id):
        """The Run with run_id: from the unfinished runs, else job.last."""
        js = self.job_status(job)
        for r in js["runs"]:
            if r["id"] == run_id:
                return r
        last = js["job"].get("last")
        if last and last["id"] == run_id:
            return last
        return None

    def wait_running(self, job, run_id, timeout=10.0):
        return wait_for(lambda: (lambda r: r if r and r["state"] == "running"
                                 else None)(self.run_state(job, run_id)),
                        timeout, "run %d of %s to be running" % (run_id, job))

    def wait_run(self, run_id, timeout=20.0):
        """`jobctl --json wait RUN`; returns the finished Run."""
        # jobctl wait exits with the run's exit status: any rc will do.
        rc, out, err = self.jobctl("--json", "wait", run_id, timeout=timeout)
        assert out.strip(), "jobctl wait %d: rc %d, no output: %s" \
            % (run_id, rc, err)
        reply = json.loads(out.strip().splitlines()[-1])
        runs = [r for r in reply["runs"] if r["id"] == run_id]
        assert runs, "wait %d: run missing in %r" % (run_id, reply)
        assert runs[0]["state"] == "finished", runs[0]
        return runs[0]

    def read_pid(self, name, timeout=10.0):
        return int(read_file_when_there(self.pidfile(name), timeout))

    def spared(self, pid):
        """A test killed this pid itself or leaves it alive knowingly."""
        self.surviving.add(pid)

    # -- teardown checks

    def recorded_pids(self):
        pids = []
        for f in self.pids.glob("*.pid"):
            try:
                pids.append(int(f.read_text()))
            except ValueError:
                pass
        return [p for p in pids if p not in self.surviving]

    def token_pids(self):
        """Processes that inherited this daemon's JOBD_TEST_TOKEN."""
        needle = ("JOBD_TEST_TOKEN=%s" % self.token).encode()
        found = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            pid = int(entry)
            try:
                with open("/proc/%d/environ" % pid, "rb") as f:
                    env = f.read().split(b"\0")
            except OSError:
                continue
            if needle in env and pid_alive(pid) and pid not in self.surviving:
                found.append(pid)
        return found

    def teardown(self):
        if self.proc is None:
            return
        try:
            if self.proc.poll() is None or not self.exit_checked:
                rc = self.stop()
                assert rc == 0, "jobd exited with %d at teardown" % rc
        finally:
            print("---- jobd log (%s) ----\n%s"
                  % (self.log, self.log_text(limit=60)))
        deadline = time.monotonic() + 10.0
        while True:
            left = set(p for p in self.recorded_pids() if pid_alive(p))
            left.update(self.token_pids())
            if not left or time.monotonic() >= deadline:
                break
            time.sleep(0.02)
        if left:
            described = ["%d (%s)" % (p, cmdline(p)) for p in sorted(left)]
            for p in left:          # so later tests start clean
                try:
                    os.kill(p, signal.SIGKILL)
                except OSError:
                    pass
            raise AssertionError("processes started by jobd are left: %s"
                                 % ", ".join(described))


@pytest.fixture
def workdir():
    """A short temporary directory (Unix socket paths are bounded)."""
    d = tempfile.mkdtemp(prefix="jd-", dir="/tmp")
    yield Path(d)
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture
def jobd(workdir):
    """Factory: jobd(jobs=..., settings=..., files=...) writes the config,
    starts jobd and returns the Daemon (call again for another daemon)."""
    made = []

    def make(jobs=None, settings=None, files=None, main_jobs=None,
             start=True):
        d = Daemon(workdir / ("d%d" % len(made)))
        made.append(d)
        d.write_config(jobs=jobs, settings=settings, files=files,
                       main_jobs=main_jobs)
        return d.start() if start else d

    yield make
    errors = []
    for d in made:
        try:
            d.teardown()
        except AssertionError as e:
            errors.append(str(e))
    if errors:
        pytest.fail("teardown: " + "\n".join(errors))


# ---------------------------------------------------------------- ledger
# Helpers for the run ledger tests (test_ledger.py, test_loop_thread.py).

def history(d, *args, limit=0):
    """`jobctl --json history -n LIMIT ARGS`: the Runs, newest first
    (limit 0: every run on record)."""
    return d.jobctl_json("history", "-n", limit, *args)["runs"]


def daemon_info(d):
    """`jobctl --json status --daemon`: the Daemon method's reply."""
    return d.jobctl_json("status", "--daemon")


def process_groups():
    """{pgid: [pid, ...]} of every live process."""
    groups = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if fields[0] in "ZX":
            continue
        groups.setdefault(int(fields[2]), []).append(int(entry))
    return groups


class PrivateTmpfs:
    """A small tmpfs on a daemon's state directory, visible only inside a
    private mount namespace that a holder process (`sleep`) keeps alive.
    jobd is started inside it through nsenter (which execs, so the pid
    Daemon.proc knows is jobd's); run() runs other commands there.
    Skips the test when not root or when the namespace cannot be made."""

    def __init__(self, daemon, size="512k"):
        self.daemon = daemon
        self.dir = daemon.state
        self.holder = None
        if os.geteuid() != 0:
            pytest.skip("needs root to mount a tmpfs in a private mount "
                        "namespace")
        for tool in ("unshare", "nsenter", "mount"):
            if not shutil.which(tool):
                pytest.skip("%s(1) is not installed" % tool)
        self.dir.mkdir(parents=True, exist_ok=True)
        script = ('mount -t tmpfs -o size="$1",mode=0755 tmpfs "$2" '
                  '|| exit 1; echo ready; exec sleep 100000')
        self.holder = subprocess.Popen(
            ["unshare", "--mount", "--propagation", "private", "sh", "-c",
             script, "sh", size, str(self.dir)],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE)
        if self.holder.stdout.readline().strip() != b"ready":
            err = self.holder.stderr.read().decode(errors="replace")
            self.holder.wait()
            self.holder = None
            pytest.skip("cannot mount a tmpfs in a private mount "
                        "namespace: %s" % err.strip())
        prefix = ["nsenter", "-t", str(self.holder.pid), "-m", "--"]
        plain = daemon.argv
        daemon.argv = lambda *extra: prefix + plain(*extra)

    def run(self, *argv, timeout=30):
        """Runs argv inside the namespace; returns (rc, stdout, stderr)."""
        return run_cmd(["nsenter", "-t", str(self.holder.pid), "-m", "--"]
                       + [str(a) for a in argv], timeout=timeout)

    def check(self, *argv):
        rc, out, err = self.run(*argv)
        assert rc == 0, "%s in the namespace: rc %d: %s" % (argv, rc, err)
        return out

    def fill(self):
        """Fills the tmpfs until ENOSPC with DIR/filler."""
        filler = self.dir / "filler"
        rc, out, err = self.run("dd", "if=/dev/zero", "of=%s" % filler,
                                "bs=4k")
        assert "No space left" in err, \
            "dd did not fill %s: rc %d: %s" % (self.dir, rc, err)
        return filler

    def close(self):
        if self.holder is not None:
            self.holder.kill()
            self.holder.wait()
            self.holder = None


@pytest.fixture
def private_tmpfs():
    """Factory: private_tmpfs(daemon, size) before daemon.start()."""
    made = []

    def make(daemon, size="512k"):
        m = PrivateTmpfs(daemon, size)
        made.append(m)
        return m

    yield make
    for m in made:
        m.close()


# ---------------------------------------------------------------- services
# Helpers for services, sync, hooks and exec context (test_services.py,
# test_sync.py, test_hooks.py, test_exec_context.py).

NOTIFY_CHILD = os.environ.get("JOBD_NOTIFY_CHILD") or (
    str(Path(JOBD).parent / "jobd-notify-child") if JOBD else "")


def notify_child(*args):
    """A command= value running the sd_notify test service with args."""
    if not os.access(NOTIFY_CHILD, os.X_OK):
        pytest.fail("jobd-notify-child not found (JOBD_NOTIFY_CHILD=%r)"
                    % NOTIFY_CHILD)
    return shlex.join([NOTIFY_CHILD] + [str(a) for a in args])


def units_text(jobs=None, services=None, semaphores=None):
    """[job], [service] and [semaphore] sections as one file's text."""
    parts = []
    for kind, units in (("semaphore", semaphores), ("service", services),
                        ("job", jobs)):
        for name, keys in (units or {}).items():
            parts.append(format_section("%s %s" % (kind, name), keys))
    return "\n".join(parts)


def write_units(d, jobs=None, services=None, semaphores=None,
                settings=None):
    """Writes the daemon's config with services and semaphores too
    (conf.d/50-units.conf); the daemon is not started or reloaded."""
    d.write_config(settings=settings, files={
        "conf.d/50-units.conf": units_text(jobs, services, semaphores)})


def start_units(jobd, jobs=None, services=None, semaphores=None,
                settings=None, start=True):
    """Like the jobd fixture, with services and semaphores."""
    d = jobd(start=False)
    write_units(d, jobs, services, semaphores, settings)
    return d.start() if start else d


def service(d, name):
    """The Service object of a service, from `jobctl --json status`."""
    js = d.job_status(name)
    svc = js["job"].get("service")
    assert svc, "%s is not a service: %r" % (name, js["job"])
    return svc


def wait_service(d, name, states, timeout=10.0, pred=None):
    """Polls until the service is in one of states (and pred(svc) holds);
    returns the Service."""
    if isinstance(states, str):
        states = (states,)

    def check():
        svc = service(d, name)
        if svc["state"] in states and (pred is None or pred(svc)):
            return svc
        return None
    return wait_for(check, timeout, "service %s to be %s" % (name, states))


def runs_of(d, job):
    """Every recorded run of job, oldest first (from the ledger, which is
    written in batches: poll for what you need)."""
    return sorted(history(d, job), key=lambda r: r["id"])


class EventStream:
    """`jobctl --json events` in the background; events() is every event
    seen so far, wait(pred) polls for one."""

    def __init__(self, d):
        import threading
        self.proc = d.popen_jobctl("--json", "events")
        self.lines = []
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()
        self.wait(lambda e: e["type"] == "subscribed", what="subscribed")

    def _read(self):
        for line in self.proc.stdout:
            with self.lock:
                self.lines.append(json.loads(line))

    def events(self):
        with self.lock:
            return list(self.lines)

    def wait(self, pred, timeout=10.0, what=None):
        return wait_for(lambda: next((e for e in self.events() if pred(e)),
                                     None), timeout, what or "an event")

    def close(self):
        if self.proc.poll() is None:
            self.proc.terminate()
        self.proc.wait(10)
        self.thread.join(5)
        self.proc.stdout.close()
        self.proc.stderr.close()


@pytest.fixture
def event_stream():
    """Factory: event_stream(daemon) -> EventStream, closed at the end."""
    made = []

    def make(d):
        s = EventStream(d)
        made.append(s)
        return s
    yield make
    for s in made:
        s.close()


# ---------------------------------------------------------------- attacker

class Attacker:
    """A throwaway unprivileged user (useradd) with its own group and a
    home directory it owns in /tmp: the job's user, or a socket-group
    member, as an attack runs it.  run() executes argv as that user."""

    def __init__(self):
        tag = uuid.uuid4().hex[:8]
        self.name = "jda" + tag
        self.home = Path("/tmp") / ("jda-home-" + tag)

    def create(self):
        subprocess.run(["useradd", "-M", "-U", "-d", str(self.home),
                        "-s", "/bin/sh", self.name], check=True,
                       capture_output=True)
        import pwd
        pw = pwd.getpwnam(self.name)
        self.uid, self.gid = pw.pw_uid, pw.pw_gid
        self.home.mkdir(mode=0o755)
        os.chown(self.home, self.uid, self.gid)
        return self

    def remove(self):
        subprocess.run(["userdel", self.name], capture_output=True)
        subprocess.run(["groupdel", self.name], capture_output=True)
        shutil.rmtree(self.home, ignore_errors=True)

    def _drop(self):
        os.setgroups([])
        os.setgid(self.gid)
        os.setuid(self.uid)

    def run(self, argv, timeout=30, input=None):
        """Runs argv as the user; returns (rc, stdout, stderr) as str."""
        p = subprocess.run([str(a) for a in argv], capture_output=True,
                           timeout=timeout, input=input,
                           preexec_fn=self._drop, cwd=str(self.home),
                           env={"PATH": "/usr/bin:/bin", "HOME":
                                str(self.home)},
                           stdin=None if input else subprocess.DEVNULL)
        dec = lambda b: b.decode("utf-8", "replace")    # noqa: E731
        return p.returncode, dec(p.stdout), dec(p.stderr)

    def popen(self, argv, **kw):
        """subprocess.Popen of argv as the user (caller stops it)."""
        return subprocess.Popen([str(a) for a in argv],
                                preexec_fn=self._drop, cwd=str(self.home),
                                **kw)

    def write(self, path, data, mode=0o644):
        """Creates path (str or bytes) owned by the user."""
        path = Path(path)
        if isinstance(data, str):
            data = data.encode()
        path.write_bytes(data)
        os.chown(path, self.uid, self.gid)
        os.chmod(path, mode)


@pytest.fixture
def attacker():
    """An unprivileged user for attack tests (needs root and useradd)."""
    if os.geteuid() != 0 or not shutil.which("useradd"):
        pytest.fail("attack tests need root and useradd")
    a = Attacker().create()
    yield a
    a.remove()


@pytest.fixture
def attacker_dir(workdir, attacker):
    """A directory the attacker owns, reachable from /: workdir is made
    0755 so that the attacker (and its jobs) can walk into it."""
    os.chmod(workdir, 0o755)
    d = workdir / "attacker"
    d.mkdir(mode=0o755)
    os.chown(d, attacker.uid, attacker.gid)
    return d


# ------------------------------------------------------------- alerts

@pytest.fixture
def receiver():
    """Factory: receiver(statuses=(500,), hang=False) starts an HTTP
    receiver on a free loopback port (alert_helpers.Receiver); all are
    closed at teardown."""
    from alert_helpers import Receiver
    made = []

    def make(**kw):
        r = Receiver(**kw)
        made.append(r)
        return r
    yield make
    for r in made:
        r.close()
