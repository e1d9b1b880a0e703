"""Helpers of the jobd-web tests (test_web_api.py): the real jobd-web
binary started against the real jobd of conftest's `jobd` fixture, an HTTP
client (http.client, nothing else), a Server-Sent Events reader and raw
sockets for malformed requests.

jobd-web runs as root in the tests and, as it does then, switches to the
user given with --user: `web_users` makes one (useradd, removed at the end
of the session) in a socket group and an admin group of its own, so that
jobd's access rules decide what it may do (reads for anyone who can
connect, changes for root and admin_group=, Start also for allow_start=).

Tests import the fixtures: `from web_helpers import web, web_users`.
"""
import grp
import http.client
import json
import os
import pwd
import re
import resource
import shutil
import signal
import socket
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from conftest import JOBD, units_text

WEB = os.environ.get("JOBD_WEB") or (
    str(Path(JOBD).parent / "jobd-web" / "jobd-web") if JOBD else "")
ROOT = Path(__file__).resolve().parent.parent.parent


def web_sanitized():
    """Whether jobd-web is an ASan build: its RSS then holds ASan's
    quarantine and shadow memory, and bounds on it are looser."""
    try:
        return b"__asan_init" in Path(WEB).read_bytes()
    except OSError:
        return False


# What jobd-web may grow by while a test streams through it; None under
# ASan, whose allocator keeps freed memory (40 MB of events streamed left
# it 130 MiB larger), so its RSS says nothing about what jobd-web keeps.
RSS_GROWTH_KB = None if web_sanitized() else 16 * 1024

START_DEADLINE = 15.0       # until /healthz answers 200
STOP_DEADLINE = 15.0        # from SIGTERM until jobd-web has exited
MAX_BODY = 64 * 1024        # web-api.md: a body over 64 KiB is 413
# web-api.md: every response carries at least these directives.
CSP = {"default-src": "'self'", "img-src": "'self' data:",
       "frame-ancestors": "'none'"}


def free_port():
    """A loopback port nothing listens on now (the kernel's pick)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kb(pid):
    """VmRSS of pid in KiB."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS for pid %d" % pid)


def open_fds(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def raise_nofile(want):
    """Raises this process's soft RLIMIT_NOFILE towards want (up to the
    hard limit); returns the soft limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < want:
        new = want if hard == resource.RLIM_INFINITY else min(want, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (new, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


# ------------------------------------------------------------ users

class WebUsers:
    """Group sock (may connect to the test jobd), group admin (its
    admin_group= when a test wants jobd-web to be an administrator) and
    the user jobd-web switches to, a member of both."""

    def __init__(self):
        tag = uuid.uuid4().hex[:6]
        self.sock = "jdwsock" + tag
        self.admin = "jdwadm" + tag
        self.other = "jdwoth" + tag     # an admin group jobd-web is not in
        self.user = "jobdweb-" + tag

    def create(self):
        for g in (self.sock, self.admin, self.other):
            subprocess.run(["groupadd", g], check=True, capture_output=True)
        subprocess.run(["useradd", "--no-create-home", "--shell",
                        "/usr/sbin/nologin", "--user-group", "-G",
                        "%s,%s" % (self.sock, self.admin), self.user],
                       check=True, capture_output=True)
        pw = pwd.getpwnam(self.user)
        self.uid, self.gid = pw.pw_uid, pw.pw_gid
        return self

    def remove(self):
        subprocess.run(["userdel", self.user], capture_output=True)
        for g in (self.user, self.sock, self.admin, self.other):
            subprocess.run(["groupdel", g], capture_output=True)


@pytest.fixture(scope="session")
def web_users():
    if os.geteuid() != 0 or not shutil.which("useradd") \
            or not shutil.which("groupadd"):
        pytest.fail("the jobd-web tests need root and useradd/groupadd "
                    "(jobd-web switches to a user of its own)")
    u = WebUsers()
    try:
        u.create()
    except subprocess.CalledProcessError as e:
        u.remove()
        pytest.fail("cannot make the jobd-web test user: %s"
                    % e.stderr.decode())
    yield u
    u.remove()


def start_jobd(jobd, users, jobs=None, services=None, semaphores=None,
               settings=None, extra_files=None, admin=True, start=True):
    """A jobd whose socket jobd-web's user can reach: socket_group= its
    group, admin_group= its admin group (admin=False: a group it is not
    in, so every change is PermissionDenied unless allow_start= names
    it); the directories above the socket are made 0755.  jobs may be a
    function of the Daemon (for paths inside its directory)."""
    d = jobd(start=False)
    conf = {"socket_group": users.sock,
            "admin_group": users.admin if admin else users.other}
    conf.update(settings or {})
    if callable(jobs):
        jobs = jobs(d)
    files = {"conf.d/50-units.conf": units_text(jobs, services, semaphores)}
    files.update(extra_files or {})
    d.write_config(settings=conf, files=files)
    os.chmod(d.dir.parent, 0o755)
    os.chmod(d.dir, 0o755)
    return d.start() if start else d


# ------------------------------------------------------------ HTTP

class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def header(self, name):
        return self.headers.get(name)

    def json(self):
        try:
            return json.loads(self.body)
        except ValueError:
            raise AssertionError("not JSON (status %d): %r"
                                 % (self.status, self.body[:500]))

    def __repr__(self):
        return "<HTTP %d %r>" % (self.status, self.body[:300])


class Server:
    """One jobd-web process: argv built from the daemon it serves;
    started by start(), stopped by its pid with stop()."""

    def __init__(self, daemon, users, token=True, read_token=None,
                 idle_timeout=None, extra=(), user=True):
        if not os.access(WEB, os.X_OK):
            pytest.fail("jobd-web not built: %s is not an executable file"
                        % WEB)
        self.daemon = daemon
        self.users = users
        self.dir = daemon.dir / "web"
        self.dir.mkdir(exist_ok=True)
        os.chmod(self.dir, 0o755)
        self.port = free_port()
        self.host = "127.0.0.1"
        self.origin = "http://%s:%d" % (self.host, self.port)
        self.log = self.dir / ("jobd-web-%d.log" % self.port)
        self.token = uuid.uuid4().hex if token else None
        self.read_token = (uuid.uuid4().hex if read_token is True
                           else read_token)
        self.argv = [WEB, "--listen", "%s:%d" % (self.host, self.port),
                     "--socket", str(daemon.sock)]
        if self.token:
            self.argv += ["--token-file", self.secret_file("token",
                                                           self.token)]
        if self.read_token:
            self.argv += ["--read-token-file",
                          self.secret_file("read-token", self.read_token)]
        if user:
            self.argv += ["--user", users.user]
        if idle_timeout is not None:
            # Not in web-api.md: a test option the lead was asked for.
            self.argv += ["--idle-timeout", str(idle_timeout)]
        self.argv += [str(a) for a in extra]
        self.proc = None

    def secret_file(self, name, value):
        """A token file, root's and readable by jobd-web's user's group
        (as packaging makes it: root:jobd 0640)."""
        path = self.dir / name
        path.write_text(value + "\n")
        os.chown(path, 0, self.users.gid)
        os.chmod(path, 0o640)
        return str(path)

    # -- process

    def start(self, deadline=START_DEADLINE):
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL,
                                         stdout=log, stderr=log)
        end = time.monotonic() + deadline
        last = None
        while True:
            if self.proc.poll() is not None:
                raise AssertionError("jobd-web exited with %d at start:\n%s"
                                     % (self.proc.returncode,
                                        self.log_text()))
            try:
                last = self.request("GET", "/healthz", timeout=2)
                if last.status == 200:
                    return self
            except OSError as e:
                last = e
            if time.monotonic() >= end:
                raise AssertionError(
                    "jobd-web did not answer 200 on /healthz within %ss "
                    "(last: %r):\n%s" % (deadline, last, self.log_text()))
            time.sleep(0.05)

    @property
    def pid(self):
        return self.proc.pid

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout=STOP_DEADLINE):
        """SIGTERM; returns the exit status (fails if jobd-web does not
        exit in time: it is then killed)."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("jobd-web did not exit within %ss of "
                                 "SIGTERM" % timeout)

    def log_text(self, limit=60):
        try:
            lines = self.log.read_text(errors="replace").splitlines()
        except FileNotFoundError:
            return "(no log)"
        return "\n".join(lines[-limit:])

    def rss_kb(self):
        return rss_kb(self.pid)

    # -- requests

    def connection(self, timeout=10):
        return http.client.HTTPConnection(self.host, self.port,
                                          timeout=timeout)

    def request(self, method, path, body=None, headers=None, token=None,
                cookie=None, csrf=None, timeout=10):
        """One request on a new connection.  body: bytes, str, or an
        object sent as JSON; token: sent as a bearer token; cookie: the
        session cookie's value; csrf: X-CSRF-Token."""
        h = dict(headers or {})
        if token is not None:
            h["Authorization"] = "Bearer " + token
        if cookie is not None:
            h["Cookie"] = "jobd_web_session=" + cookie
        if csrf is not None:
            h["X-CSRF-Token"] = csrf
        if body is not None and not isinstance(body, (bytes, str)):
            body = json.dumps(body)
            h.setdefault("Content-Type", "application/json")
        if isinstance(body, str):
            body = body.encode()
        c = self.connection(timeout)
        try:
            c.request(method, path, body=body, headers=h)
            r = c.getresponse()
            data = r.read()
            return Response(r.status, r.headers, data)
        finally:
            c.close()

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, auth=True, **kw):
        """POST with the write token unless auth=False (or a token=)."""
        if auth and "token" not in kw and "cookie" not in kw:
            kw["token"] = self.token
        return self.request("POST", path, body=body, **kw)

    def get_json(self, path, **kw):
        """GET expecting 200 and JSON; returns the parsed body."""
        if self.read_token and "token" not in kw and "cookie" not in kw:
            kw["token"] = self.read_token
        r = self.get(path, **kw)
        assert r.status == 200, "GET %s: %r" % (path, r)
        assert_json_type(r)
        return r.json()

    def post_json(self, path, body=None, **kw):
        r = self.post(path, body, **kw)
        assert r.status == 200, "POST %s: %r" % (path, r)
        assert_json_type(r)
        return r.json()

    def sse(self, path, timeout=15, **kw):
        if self.read_token and "token" not in kw:
            kw["token"] = self.read_token
        return SSE(self, path, timeout=timeout, **kw)

    def raw(self, data, timeout=10):
        """Sends bytes on a new connection and returns what comes back
        until the server closes it (or timeout); never raises for a
        reset."""
        s = socket.create_connection((self.host, self.port), timeout=timeout)
        got = b""
        try:
            try:
                s.sendall(data)
            except (BrokenPipeError, ConnectionResetError):
                pass
            end = time.monotonic() + timeout
            while time.monotonic() < end:
                try:
                    chunk = s.recv(65536)
                except ConnectionResetError:
                    break
                except socket.timeout:
                    break
                if not chunk:
                    break
                got += chunk
        finally:
            s.close()
        return got

    # -- sessions

    def login(self, token=None, origin=None):
        """POST /api/v1/session; returns (Response, cookie value or
        None)."""
        h = {}
        if origin is not None:
            h["Origin"] = origin
        r = self.request("POST", "/api/v1/session",
                         body={"token": token or self.token}, headers=h)
        return r, session_cookie(r)


def assert_csp(r, what=""):
    """The Content-Security-Policy header holds web-api.md's directives
    with exactly their values (more directives may follow)."""
    h = r.header("Content-Security-Policy")
    assert h, "no Content-Security-Policy %s" % what
    got = {}
    for part in h.split(";"):
        words = part.split()
        if words:
            got[words[0].lower()] = " ".join(words[1:])
    for k, v in CSP.items():
        assert got.get(k) == v, "CSP %s: %s is %r, not %r (header %r)" % (
            what, k, got.get(k), v, h)
    assert "'unsafe-inline'" not in h and "'unsafe-eval'" not in h, h


def assert_json_type(r):
    ct = r.header("Content-Type") or ""
    assert ct.split(";")[0].strip() == "application/json", \
        "Content-Type %r, not application/json" % ct


def session_cookie(r):
    """The jobd_web_session value a response sets, or None."""
    for name, value in r.headers.items():
        if name.lower() != "set-cookie":
            continue
        m = re.match(r"\s*jobd_web_session=([^;]*)", value)
        if m and m.group(1):
            return m.group(1)
    return None


def set_cookie_header(r):
    for name, value in r.headers.items():
        if name.lower() == "set-cookie" and "jobd_web_session=" in value:
            return value
    return None


def assert_error(r, status, varlink_error=None, parameters=None):
    """An error reply as web-api.md has it: status, JSON body with a
    message, and the Varlink error (with its parameters) when it came
    from jobd."""
    assert r.status == status, "expected %d, got %r" % (status, r)
    assert_json_type(r)
    body = r.json()
    assert isinstance(body.get("error"), str) and body["error"], body
    if varlink_error is not None:
        assert body.get("varlink_error") == varlink_error, body
    if parameters is not None:
        assert body.get("parameters") == parameters, body
    return body


# ------------------------------------------------------------ SSE

def summary(seen):
    """What a stream brought, short: events other than lines in full,
    lines counted (with the last line's text)."""
    lines = [x for e, x in seen if e == "lines"]
    texts = [t.get("text") for x in lines for t in x.get("lines", [])]
    return "saw %d `lines` events (%d lines, the last %r), then %r" % (
        len(lines), len(texts), texts[-1:],
        [(e, x) for e, x in seen if e != "lines"][-5:])


class SSE:
    """A Server-Sent Events stream read with http.client: next() is the
    next event as {"event", "data" (str), "comments": [...]}, None once
    the server closed the stream."""

    def __init__(self, server, path, timeout=15, token=None, headers=None):
        self.path = path
        h = {"Accept": "text/event-stream"}
        h.update(headers or {})
        if token is not None:
            h["Authorization"] = "Bearer " + token
        self.conn = server.connection(timeout)
        self.conn.request("GET", path, headers=h)
        self.resp = self.conn.getresponse()
        self.status = self.resp.status
        self.headers = self.resp.headers
        self.buf = b""
        self.eof = False
        self.comments = []          # every comment line seen
        self.raw = b""              # every byte of the body seen

    def _fill(self, deadline):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("no SSE data on %s in time" % self.path)
        self.conn.sock.settimeout(remaining)
        try:
            chunk = self.resp.read1(65536)
        except socket.timeout:
            raise TimeoutError("no SSE data on %s in time" % self.path)
        except (http.client.IncompleteRead, ConnectionResetError):
            chunk = b""
        if not chunk:
            self.eof = True
        self.raw += chunk
        self.buf += chunk.replace(b"\r\n", b"\n")

    def next(self, timeout=15):
        """The next block: {"event", "data", "comments"}; event is None
        for a block of comment lines only (`: keepalive`)."""
        deadline = time.monotonic() + timeout
        while True:
            ev = self._parse_one()
            if ev is not None:
                return ev
            if self.eof:
                return None
            self._fill(deadline)

    def _parse_one(self):
        while b"\n\n" in self.buf:
            block, self.buf = self.buf.split(b"\n\n", 1)
            ev = {"event": "message", "data": None, "comments": []}
            data = []
            for line in block.decode("utf-8").split("\n"):
                if line.startswith(":"):
                    ev["comments"].append(line[1:].strip())
                    self.comments.append(line[1:].strip())
                    continue
                field, _, value = line.partition(":")
                if value.startswith(" "):
                    value = value[1:]
                if field == "event":
                    ev["event"] = value
                elif field == "data":
                    data.append(value)
            if data:
                ev["data"] = "\n".join(data)
                return ev
            if ev["event"] == "message":
                ev["event"] = None      # a block of comments only
            return ev
        return None

    def next_json(self, timeout=15):
        """The next event with data, its data parsed: (event, object);
        (None, None) at the end of the stream."""
        while True:
            ev = self.next(timeout)
            if ev is None:
                return None, None
            if ev["event"] is None:
                continue
            return ev["event"], (json.loads(ev["data"])
                                 if ev["data"] is not None else None)

    def until(self, pred, timeout=15, what="an event"):
        """Reads events until pred(event, data) holds; returns every
        (event, data) read, the matching one last."""
        seen = []
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            try:
                if left <= 0:
                    raise TimeoutError()
                ev, data = self.next_json(left)
            except TimeoutError:
                raise AssertionError("timed out waiting for %s on %s; %s"
                                     % (what, self.path, summary(seen)))
            if ev is None:
                raise AssertionError("stream %s ended before %s; %s"
                                     % (self.path, what, summary(seen)))
            seen.append((ev, data))
            if pred(ev, data):
                return seen

    def close(self):
        self.conn.close()


# ------------------------------------------------------------ fixture

@pytest.fixture
def web(jobd, web_users):
    """Factory: web(daemon, token=True, read_token=None, idle_timeout=None,
    extra=(), start=True) -> Server.  Each is stopped by its pid at the
    end of the test and must exit 0 then (before the jobd fixture's own
    teardown, which this fixture depends on)."""
    made = []

    def make(daemon, start=True, **kw):
        s = Server(daemon, web_users, **kw)
        made.append(s)
        return s.start() if start else s
    yield make
    errors = []
    for s in made:
        try:
            rc = s.stop()
            if rc not in (None, 0):
                errors.append("jobd-web (port %d) exited with %d at "
                              "teardown" % (s.port, rc))
        except AssertionError as e:
            errors.append(str(e))
        print("---- jobd-web log (%s) ----\n%s" % (s.log, s.log_text()))
    if errors:
        pytest.fail("teardown: " + "\n".join(errors))


def assert_both_alive(srv, d):
    """jobd-web and jobd both still run and answer."""
    assert srv.alive(), "jobd-web exited with %s:\n%s" % (
        srv.proc.returncode, srv.log_text())
    assert d.proc.poll() is None, "jobd exited with %s" % d.proc.returncode
    assert d.answers(), "jobd does not answer"
    r = srv.get("/healthz", timeout=5)
    assert r.status == 200, r


def group_gid(name):
    return grp.getgrnam(name).gr_gid
