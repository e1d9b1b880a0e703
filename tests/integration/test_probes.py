"""Health probes (probe=): readiness on the first check that passes
(ready=probe) and after= waiting for it, a restart after probe_failures=
failures in a row with the check's words as the reason, the last result in
`jobctl status` and the JSON, and the bad cases: a URL that never answers
(a timeout, and jobd answers meanwhile), a TCP probe to a closed port, an
exec probe that never exits (killed at probe_timeout=), bad probe= values
at --check.  The HTTP server and the TCP listener run in the test, on
loopback."""
import http.server
import os
import socket
import threading
import time

import pytest

from conftest import run_cmd, runs_of, service, start_units, wait_for


class Health:
    """A little HTTP server on 127.0.0.1: GET answers `status` with
    `body`; counts the requests."""

    def __init__(self, status=200, body=b"ok"):
        self.status, self.body, self.hits = status, body, 0
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                outer.hits += 1
                self.send_response(outer.status)
                self.send_header("Content-Length", str(len(outer.body)))
                self.end_headers()
                self.wfile.write(outer.body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                                      Handler)
        self.server.daemon_threads = True
        self.url = "http://127.0.0.1:%d/health" % self.server.server_port
        threading.Thread(target=self.server.serve_forever,
                         daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def health():
    made = []

    def make(**kw):
        h = Health(**kw)
        made.append(h)
        return h
    yield make
    for h in made:
        h.close()


def probe(d, name):
    return service(d, name).get("probe")


def wait_probe(d, name, pred, timeout=10.0):
    def check():
        p = probe(d, name)
        return p if p and "at_usec" in p and pred(p) else None
    return wait_for(check, timeout, "probe of %s" % name)


def closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


SLEEP = "/bin/sleep 3600"


def test_ready_on_first_pass_and_after_waits(jobd, health):
    h = health(status=503, body=b"warming up")
    d = start_units(jobd, services={"web": {
        "command": SLEEP, "ready": "probe", "probe": "http:" + h.url,
        "probe_interval": "100ms"}},
        jobs={"client": {"command": "/bin/true", "after": "web"}})
    p = wait_probe(d, "web", lambda p: p["detail"] == "HTTP 503: warming up")
    assert p["ok"] is False and p["kind"] == "http" and p["target"] == h.url
    assert service(d, "web")["state"] == "starting"
    rc, out, err = d.jobctl("start", "client")
    assert rc == 0, (out, err)
    # Several checks fail meanwhile: neither ready nor the job started.
    wait_for(lambda: h.hits >= 3, 10, "three checks")
    assert service(d, "web")["state"] == "starting"
    runs = d.job_status("client")["runs"]
    assert runs and runs[0]["state"] == "pending", runs
    h.status, h.body = 200, b"fine"
    wait_for(lambda: service(d, "web")["state"] == "ready", 10, "ready")
    wait_for(lambda: [r for r in runs_of(d, "client")
                      if r["result"] == "success"], 10, "client ran")
    rc, out, err = d.jobctl("status", "web")
    assert rc == 0
    line = [x for x in out.splitlines() if "probe:" in x]
    assert line and ("probe: http %s, passed at " % h.url) in line[0], out
    assert line[0].endswith(": HTTP 200"), out


def test_restart_after_failures_with_reason(jobd, health):
    h = health()
    d = start_units(jobd, services={"api": {
        "command": SLEEP, "ready": "probe", "probe": "http:" + h.url,
        "probe_interval": "100ms", "probe_failures": 3,
        "restart_sec": "3s"}})
    first = wait_for(lambda: service(d, "api")["state"] == "ready" and
                     service(d, "api"), 10, "ready")
    h.status, h.body = 500, b"database gone\nmore"
    svc = wait_for(lambda: service(d, "api")["state"] == "backoff" and
                   service(d, "api"), 10, "backoff")
    want = "health probe failed 3 times in a row: HTTP 500: database gone"
    assert svc["reason"] == want, svc
    assert svc["restarts"] == first["restarts"] + 1
    assert "pid" not in svc
    run = wait_for(lambda: [r for r in runs_of(d, "api")
                            if r.get("result") == "failed"], 10, "run")[0]
    assert run["reason"] == want, run
    rc, out, err = d.jobctl("status", "api")
    assert "reason: " + want in out, out
    # Healthy again: it comes back, and stays.
    h.status = 200
    wait_for(lambda: service(d, "api")["state"] == "ready", 15, "again")


def test_start_period_and_failures_before_ready_do_not_count(jobd, health):
    h = health(status=500, body=b"no")
    d = start_units(jobd, services={"s": {
        "command": SLEEP, "probe": "http:" + h.url, "ready": "spawn",
        "ready_after": "0", "probe_interval": "50ms", "probe_failures": 2,
        "probe_start_period": "1h"}})
    wait_for(lambda: h.hits >= 6, 10, "checks")
    svc = service(d, "s")
    assert svc["state"] == "ready" and svc["restarts"] == 0, svc
    assert svc["probe"]["ok"] is False and svc["probe"]["failures"] == 0


def test_tcp_probe_ready_and_closed_port(jobd):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    port = listener.getsockname()[1]
    dead = closed_port()
    try:
        d = start_units(jobd, services={
            "db": {"command": SLEEP, "ready": "probe",
                   "probe": "tcp:127.0.0.1:%d" % port},
            "gone": {"command": SLEEP, "ready": "probe",
                     "probe": "tcp:localhost:%d" % dead,
                     "start_timeout": "1500ms", "restart": "no"}})
        wait_for(lambda: service(d, "db")["state"] == "ready", 10, "db")
        assert probe(d, "db")["detail"] == "connected"
        p = wait_probe(d, "gone", lambda p: True)
        assert p["ok"] is False
        assert p["detail"] == "cannot connect: connection refused", p
        svc = wait_for(lambda: service(d, "gone")["state"] == "failed" and
                       service(d, "gone"), 10, "failed")
        assert "not ready within start_timeout" in svc["reason"], svc
    finally:
        listener.close()


def test_hanging_url_times_out_and_blocks_nothing(jobd):
    # Accepted by the kernel (the backlog), never answered.
    mute = socket.socket()
    mute.bind(("127.0.0.1", 0))
    mute.listen(64)
    url = "http://127.0.0.1:%d/" % mute.getsockname()[1]
    try:
        d = start_units(jobd, services={"slow": {
            "command": SLEEP, "ready": "probe", "probe": "http:" + url,
            "probe_timeout": "300ms", "probe_interval": "100ms"}})
        p = wait_probe(d, "slow", lambda p: True)
        assert p["ok"] is False
        assert "timed out" in p["detail"].lower(), p
        # jobd answers while checks hang.
        for _ in range(10):
            t0 = time.monotonic()
            rc, out, err = d.jobctl("status", "slow")
            assert rc == 0
            assert time.monotonic() - t0 < 2.0
        assert service(d, "slow")["state"] == "starting"
    finally:
        mute.close()


def sleepers(tag):
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                if tag.encode() in f.read():
                    found.append(int(pid))
        except OSError:
            pass
    return found


def test_exec_probe_killed_at_timeout(jobd):
    tag = "3599.%d" % os.getpid()
    d = start_units(jobd, services={"x": {
        "command": SLEEP, "probe": "exec:exec /bin/sleep " + tag,
        "probe_timeout": "300ms", "probe_interval": "100ms",
        "ready": "probe"}})
    p = wait_probe(d, "x", lambda p: True)
    assert p["ok"] is False and p["detail"] == "timed out after 300ms", p
    # Each check is killed at its timeout: never more than one alive.
    for _ in range(20):
        assert len(sleepers(tag)) <= 2
        time.sleep(0.05)
    rc, out, err = d.jobctl("stop", "x")
    wait_for(lambda: not sleepers(tag), 10, "probe killed")


def test_exec_probe_output_and_readiness(jobd):
    d = start_units(jobd, services={"w": {
        "command": SLEEP, "ready": "probe", "probe_interval": "100ms",
        "environment": "FLAG=%s" % "/tmp/jd-probe-%d" % os.getpid(),
        "probe": "exec:test -e \"$FLAG\" || { echo not yet: $FLAG; "
                 "exit 3; }"}})
    flag = "/tmp/jd-probe-%d" % os.getpid()
    try:
        p = wait_probe(d, "w", lambda p: True)
        assert p["detail"] == "exit status 3: not yet: " + flag, p
        assert service(d, "w")["state"] == "starting"
        open(flag, "w").close()
        wait_for(lambda: service(d, "w")["state"] == "ready", 10, "ready")
        assert probe(d, "w")["detail"] == "exit status 0"
    finally:
        if os.path.exists(flag):
            os.unlink(flag)


@pytest.mark.parametrize("section,keys,want", [
    ("service", {"probe": "ping:1"},
     "probe: invalid probe 'ping:1': expected exec:CMD, http:URL or "
     "tcp:HOST:PORT"),
    ("service", {"probe": "tcp:db.local:5432"},
     "the host must be an IPv4 address, [IPv6] or localhost"),
    ("service", {"probe": "http:gopher://x/"},
     "expected http:URL, the URL http:// or https://"),
    ("service", {"ready": "probe"}, "ready=probe needs probe="),
    ("service", {"probe_timeout": "1s"},
     "probe_interval=, probe_timeout=, probe_failures= and "
     "probe_start_period= need probe="),
    ("job", {"probe": "tcp:127.0.0.1:1"},
     "key 'probe' is for [service NAME] sections only, not [job u]"),
])
def test_bad_probe_config_at_check(jobd, section, keys, want):
    d = jobd(start=False)
    text = "[%s u]\ncommand=/bin/true\n" % section + "".join(
        "%s=%s\n" % kv for kv in keys.items())
    d.write_config(files={"conf.d/u.conf": text})
    rc, out, err = run_cmd(d.argv("--check"))
    assert rc == 2, (out, err)
    assert "u.conf:3: " in err and want in err, err
