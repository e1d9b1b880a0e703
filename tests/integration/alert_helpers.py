"""Helpers of the alert tests (test_alerts.py, test_alerts_e2e.py): an HTTP
receiver on a free loopback port in a thread of the test, a fake
sendmail, [alert NAME] sections written into a daemon's conf.d, and the
alert log read through jobctl.  The `receiver` fixture is conftest's."""
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from conftest import child, wait_for


# ------------------------------------------------------------ receivers

class Receiver:
    """An HTTP server on a free loopback port.  statuses: what the next
    requests are answered (then 200); hang: requests get no answer until
    close()."""

    def __init__(self, statuses=(), hang=False):
        self.requests = []
        self.statuses = list(statuses)
        self.hang = hang
        self.release = threading.Event()
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                n = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(n)
                with outer.lock:
                    outer.requests.append({
                        "path": self.path, "headers": dict(self.headers),
                        "body": body})
                    status = outer.statuses.pop(0) if outer.statuses \
                        else 200
                if outer.hang:
                    outer.release.wait(60)
                    return
                reply = b"oops, not now" if status >= 400 else b"ok"
                self.send_response(status)
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       daemon=True)
        self.thread.start()

    def url(self, path="/hook"):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def count(self):
        with self.lock:
            return len(self.requests)

    def wait(self, n, timeout=15.0):
        wait_for(lambda: self.count() >= n, timeout,
                 "%d requests at the receiver" % n)
        with self.lock:
            return list(self.requests)

    def close(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def fake_sendmail(d, exit_code=0):
    """A sendmail that writes its arguments and stdin to d/mail.N (whole:
    written beside it, then renamed, so that a reader never sees half a
    mail)."""
    path = d.path("sendmail")
    path.write_text("#!/bin/sh\n"
                    "n=$(ls %s/mail.* 2>/dev/null | wc -l)\n"
                    "{ echo \"ARGS: $*\"; cat; } > %s/.mail.$n.part\n"
                    "mv %s/.mail.$n.part %s/mail.$n\n"
                    "echo 'sendmail: cannot deliver today' >&2\n"
                    "exit %d\n" % (d.dir, d.dir, d.dir, d.dir, exit_code))
    path.chmod(0o755)
    return str(path)


def alerts_conf(alerts):
    """{name: {key: value or [values]}} as [alert NAME] sections."""
    text = ""
    for name, keys in alerts.items():
        text += "[alert %s]\n" % name
        for k, v in keys.items():
            for one in (v if isinstance(v, list) else [v]):
                text += "%s = %s\n" % (k, one)
        text += "\n"
    return text


def start(jobd, alerts, jobs=None, settings=None):
    d = jobd(start=False)
    d.write_config(jobs=jobs or {"j": {"command": child("exit", 0)}},
                   settings=settings,
                   files={"conf.d/60-alerts.conf": alerts_conf(alerts)})
    return d.start()


def attempts(d, *args):
    return d.jobctl_json("alerts", "-n", 0, *args)["attempts"]


def wait_attempts(d, pred, what, timeout=15.0):
    return wait_for(lambda: (lambda a: a if pred(a) else None)(
        attempts(d)), timeout, what)


def alert_test(d, name):
    rc, out, err = d.jobctl("alert", "test", name)
    assert rc == 0, (rc, out, err)
    return out


# ------------------------------------------------------------ webhooks

