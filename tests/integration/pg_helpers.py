"""A private PostgreSQL 15 for the cluster tests, and jobd nodes sharing it.

Postgres: initdb and pg_ctl (Debian's postgresql-15) in a temporary
directory, run as the postgres user; the server listens on a Unix socket
in that directory only (listen_addresses empty: no TCP).  It is stopped by
the postmaster's pid (SIGINT: fast shutdown), never by name.  psql()
queries it; restart() is `pg_ctl restart`; terminate_jobd() cuts every
jobd connection (application_name jobd-NODE).

Nodes: start_nodes() starts jobd nodes through the conftest jobd fixture,
each with its own socket, state directory and node name, the same conf.d
and a [cluster] section in the main file (no password in database=, so the
file's mode does not matter).

Postgres and ReplyCutter need nothing of conftest (tests/bench/
cluster-bench.py uses them too); the node helpers import it when called.
"""
import os
import selectors
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from pathlib import Path

PG_BIN = Path("/usr/lib/postgresql/15/bin")
PG_USER = "postgres"
START_DEADLINE = 30.0           # pg_ctl -w waits this long at most
STOP_DEADLINE = 30.0


def pg_missing():
    """Why PostgreSQL cannot run here (None when it can)."""
    for tool in ("initdb", "pg_ctl", "postgres"):
        if not os.access(PG_BIN / tool, os.X_OK):
            return "%s not found: install postgresql-15" % (PG_BIN / tool)
    if not shutil.which("psql"):
        return "psql not found: install postgresql-client-15"
    if os.geteuid() != 0:
        return "the PostgreSQL fixture runs the server as %s: needs root" \
            % PG_USER
    return None


def pid_alive(pid):
    """True while pid exists and is not a zombie."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            stat = f.read()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] not in "ZX"


def _as_postgres(argv, timeout=60, check=True):
    p = subprocess.run([str(a) for a in argv], user=PG_USER, group=PG_USER,
                       extra_groups=[], capture_output=True, text=True,
                       timeout=timeout, stdin=subprocess.DEVNULL,
                       cwd="/")
    if check and p.returncode != 0:
        raise AssertionError("%s: rc %d\n%s%s" % (" ".join(map(str, argv)),
                             p.returncode, p.stdout, p.stderr))
    return p


class Postgres:
    """One server: TOP/pg is its socket directory (owned by postgres),
    TOP/pg/data its data directory, TOP/pg/server.log its log."""

    def __init__(self, base="/tmp", fsync=False):
        self.top = Path(tempfile.mkdtemp(prefix="jd-pg-", dir=base))
        self.fsync = fsync
        # postgres must be able to walk into it (mkdtemp makes 0700).
        os.chmod(self.top, 0o755)
        self.dir = self.top / "pg"
        self.dir.mkdir()
        shutil.chown(self.dir, PG_USER, PG_USER)
        self.data = self.dir / "data"
        self.logfile = self.dir / "server.log"
        self.pid = None
        _as_postgres([PG_BIN / "initdb", "-D", self.data, "-A", "trust",
                      "-U", PG_USER, "--no-sync", "-E", "UTF8"])

    def conninfo(self, dbname="postgres"):
        """A libpq connection string for dbname (no password: trust)."""
        return "host=%s user=%s dbname=%s" % (self.dir, PG_USER, dbname)

    def _pg_ctl(self, *args):
        # fsync off for the tests: they crash jobd, never the machine.
        return _as_postgres([PG_BIN / "pg_ctl", "-D", self.data, "-w",
                             "-t", int(START_DEADLINE), "-l", self.logfile,
                             "-o", "-k %s -c listen_addresses= -c fsync=%s "
                             "-c max_connections=200" % (
                                 self.dir, "on" if self.fsync else "off")] +
                            list(args), timeout=START_DEADLINE + 10)

    def _read_pid(self):
        with open(self.data / "postmaster.pid") as f:
            return int(f.readline())

    def start(self):
        self._pg_ctl("start")
        self.pid = self._read_pid()
        return self

    def restart(self):
        """`pg_ctl restart` (fast: sessions are cut); returns once the new
        server accepts connections."""
        old = self.pid
        self._pg_ctl("-m", "fast", "restart")
        self.pid = self._read_pid()
        assert self.pid != old, "pg_ctl restart kept pid %d" % old
        return self

    def running(self):
        return self.pid is not None and pid_alive(self.pid)

    def stop(self):
        """SIGINT to the postmaster (fast shutdown), then waits for it."""
        if not self.running():
            self.pid = None
            return
        os.kill(self.pid, signal.SIGINT)
        deadline = time.monotonic() + STOP_DEADLINE
        while pid_alive(self.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if pid_alive(self.pid):
            os.kill(self.pid, signal.SIGQUIT)   # immediate shutdown
            deadline = time.monotonic() + 10
            while pid_alive(self.pid):
                if time.monotonic() >= deadline:
                    raise AssertionError("postmaster %d did not exit"
                                         % self.pid)
                time.sleep(0.05)
        self.pid = None

    def close(self):
        try:
            self.stop()
        finally:
            shutil.rmtree(self.top, ignore_errors=True)

    def log_text(self, limit=40):
        try:
            lines = self.logfile.read_text(errors="replace").splitlines()
        except OSError:
            return "(no server log)"
        return "\n".join(lines[-limit:])

    # -- queries

    def psql(self, sql, dbname="postgres", timeout=30):
        """Runs sql; returns its rows as lists of str ('' for NULL)."""
        p = subprocess.run(["psql", "-h", str(self.dir), "-U", PG_USER,
                            "-d", dbname, "-X", "-q", "-A", "-t", "-F",
                            "\t", "-v", "ON_ERROR_STOP=1", "-c", sql],
                           capture_output=True, text=True, timeout=timeout,
                           stdin=subprocess.DEVNULL)
        if p.returncode != 0:
            raise AssertionError("psql %r: rc %d: %s" % (sql, p.returncode,
                                                         p.stderr))
        return [line.split("\t") for line in p.stdout.splitlines()]

    def value(self, sql, dbname="postgres"):
        rows = self.psql(sql, dbname)
        assert len(rows) == 1 and len(rows[0]) == 1, \
            "%r: expected one value, got %r" % (sql, rows)
        return rows[0][0]

    def new_database(self):
        """A fresh database (each test its own); returns its name."""
        name = "t_" + uuid.uuid4().hex[:12]
        self.psql("CREATE DATABASE %s" % name)
        return name

    def jobd_backends(self, dbname):
        """pids of the server processes serving jobd nodes on dbname."""
        return [int(r[0]) for r in self.psql(
            "SELECT pid FROM pg_stat_activity WHERE application_name "
            "LIKE 'jobd-%%' AND datname = '%s'" % dbname)]

    def terminate_jobd(self, dbname):
        """pg_terminate_backend of every jobd connection to dbname;
        returns how many were cut."""
        rows = self.psql(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
            "application_name LIKE 'jobd-%%' AND datname = '%s'" % dbname)
        return sum(1 for r in rows if r[0] == "t")


def bind_params(data):
    """The text parameters of the first Bind message in a chunk of the
    frontend protocol (libpq's PQsendQueryParams sends Parse, Bind,
    Describe, Execute, Sync together); [] when there is none."""
    i = 0
    while i + 5 <= len(data):
        kind, size = data[i:i + 1], int.from_bytes(data[i + 1:i + 5], "big")
        body = data[i + 5:i + 1 + size]
        i += 1 + size
        if kind != b"B":
            continue
        j = body.index(b"\0") + 1              # portal
        j = body.index(b"\0", j) + 1           # statement
        nfmt = int.from_bytes(body[j:j + 2], "big")
        j += 2 + 2 * nfmt
        n = int.from_bytes(body[j:j + 2], "big")
        j += 2
        out = []
        for _ in range(n):
            ln = int.from_bytes(body[j:j + 4], "big", signed=True)
            j += 4
            if ln < 0:
                out.append(None)
            else:
                out.append(body[j:j + ln].decode())
                j += ln
        return out
    return []


class ReplyCutter:
    """A Unix-socket proxy in front of a Postgres: clients connect to
    host=DIR (DIR/.s.PGSQL.5432), each connection is relayed to the
    server's socket.  cut(n, marker): the next n statements whose text
    holds marker are executed by the server, but their reply never
    reaches the client: the proxy closes both sides when the reply comes.
    What a network failure after the commit does; pg_terminate_backend
    cannot (it ends a statement before its commit, or an idle session)."""

    def __init__(self, pg):
        self.upstream = str(pg.dir / ".s.PGSQL.5432")
        self.dir = Path(tempfile.mkdtemp(prefix="jd-px-", dir="/tmp"))
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(str(self.dir / ".s.PGSQL.5432"))
        self.listener.listen(64)
        self.lock = threading.Lock()
        self.marker = None
        self.budget = 0
        self.done = 0           # replies cut so far
        self.cut_params = []    # each cut statement's parameters
        self.closing = False
        self.threads = []
        t = threading.Thread(target=self._accept, daemon=True)
        t.start()
        self.threads.append(t)

    def conninfo(self, dbname):
        return "host=%s user=%s dbname=%s" % (self.dir, PG_USER, dbname)

    def cut(self, n, marker):
        with self.lock:
            self.budget, self.marker, self.done = n, marker.encode(), 0

    def cut_done(self):
        with self.lock:
            return self.done

    def _accept(self):
        while not self.closing:
            try:
                c, _ = self.listener.accept()
            except OSError:
                return
            u = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                u.connect(self.upstream)
            except OSError:
                c.close()
                u.close()
                continue
            t = threading.Thread(target=self._relay, args=(c, u),
                                 daemon=True)
            t.start()
            self.threads.append(t)

    def cut_statements(self):
        """The text parameters of every statement whose reply was cut."""
        with self.lock:
            return list(self.cut_params)

    def _take(self, data):
        """Whether this client data is a statement whose reply goes."""
        with self.lock:
            if self.budget > 0 and self.marker and self.marker in data:
                self.budget -= 1
                self.cut_params.append(bind_params(data))
                return True
        return False

    def _relay(self, c, u):
        sel = selectors.DefaultSelector()
        sel.register(c, selectors.EVENT_READ, u)
        sel.register(u, selectors.EVENT_READ, c)
        doomed = False          # the reply to come is cut
        try:
            while not self.closing:
                for key, _ in sel.select(0.2):
                    src, dst = key.fileobj, key.data
                    data = src.recv(1 << 16)
                    if not data:
                        return
                    if src is c and not doomed and self._take(data):
                        doomed = True
                    elif src is u and doomed:
                        with self.lock:
                            self.done += 1
                        return
                    dst.sendall(data)
        except OSError:
            return
        finally:
            sel.close()
            c.close()
            u.close()

    def close(self):
        self.closing = True
        self.listener.close()
        for t in self.threads:
            t.join(5)
        shutil.rmtree(self.dir, ignore_errors=True)


# ---------------------------------------------------------------- nodes

def cluster_section(database, node, lease="3s", name=None, extra=None):
    from conftest import format_section
    keys = {"database": database, "node": node, "lease": lease}
    if name:
        keys["cluster"] = name
    keys.update(extra or {})
    return format_section("cluster", keys)


def add_cluster(d, database, node, lease="3s", name=None, extra=None):
    """Appends a [cluster] section to daemon d's main file."""
    with open(d.conf, "a") as f:
        f.write("\n" + cluster_section(database, node, lease, name, extra))
    os.chmod(d.conf, 0o644)


def start_nodes(jobd, database, jobs, names=("a", "b", "c"), lease="3s",
                name=None, start=True, settings=None, per_node_jobs=None):
    """Starts one jobd per name (its own socket, state directory and node
    name) with the same jobs (conf.d) and [cluster] database=; returns
    {name: Daemon}.  per_node_jobs: {name: jobs} overrides jobs there."""
    nodes = {}
    for n in names:
        js = (per_node_jobs or {}).get(n, jobs)
        d = jobd(jobs=js, settings=settings, start=False)
        add_cluster(d, database, n, lease, name)
        d.node = n
        nodes[n] = d
    if start:
        for d in nodes.values():
            d.start()
    return nodes


def kill_node(d):
    """kill -9 of a node: its runs' processes are spared by teardown (the
    test kills them) and its exit is not checked."""
    d.proc.send_signal(signal.SIGKILL)
    d.proc.wait(10)
    d.exit_checked = True


def joined(d, timeout=20.0):
    """Waits until node d's log says it joined (the lease is held)."""
    from conftest import wait_for
    return wait_for(lambda: "node %s joined" % d.node in d.log_text(),
                    timeout, "node %s to join the cluster" % d.node)
