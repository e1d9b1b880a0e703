"""The real thing: Debian's prometheus-node-exporter reads the file that
`jobctl metrics --textfile DIR` wrote (its textfile collector, every
other collector off), a real prometheus scrapes it every second, and a
query through Prometheus's HTTP API returns the last-success time of the
job that just succeeded, as `jobctl --json history` has it.  The same
Prometheus also scrapes the OpenMetrics text straight from a small HTTP
server in the test (Content-Type application/openmetrics-text), so that
its own OpenMetrics parser reads jobctl metrics' text too.  Everything
listens on loopback ports found free by binding port 0, and is started
and stopped by its pid."""
import http.server
import json
import shutil
import signal
import socket
import subprocess
import threading
import time
import urllib.parse
import urllib.request

import pytest

from conftest import child, history, wait_for

NODE_EXPORTER = shutil.which("prometheus-node-exporter")
PROMETHEUS = shutil.which("prometheus")

pytestmark = pytest.mark.skipif(
    not NODE_EXPORTER or not PROMETHEUS,
    reason="prometheus-node-exporter or prometheus is not installed "
    "(Debian packages prometheus-node-exporter and prometheus)")


def free_port():
    """A loopback port nothing listens on now (the kernel's pick)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Proc:
    """A process started by the test, stopped by its pid."""

    def __init__(self, argv, log):
        self.log = log
        with open(log, "wb") as f:
            self.p = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                      stdout=f, stderr=f)

    def alive(self):
        return self.p.poll() is None

    def stop(self):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
            try:
                self.p.wait(20)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()

    def tail(self):
        try:
            return self.log.read_text(errors="replace")[-3000:]
        except OSError:
            return "(no log)"


class OpenMetricsServer:
    """GET / answers with `jobctl metrics` (OpenMetrics) of the daemon."""

    def __init__(self, daemon):
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                rc, out, err = daemon.jobctl("metrics")
                body = out.encode()
                self.send_response(200 if rc == 0 else 500)
                self.send_header("Content-Type", "application/"
                                 "openmetrics-text; version=1.0.0; "
                                 "charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       daemon=True)
        self.thread.start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def get_json(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return json.loads(r.read())


def query(port, expr):
    """The instant vector of expr: [(labels, value float)], [] on any
    error (Prometheus not up yet)."""
    url = "http://127.0.0.1:%d/api/v1/query?%s" % (
        port, urllib.parse.urlencode({"query": expr}))
    try:
        reply = get_json(url)
    except (OSError, ValueError):
        return []
    if reply.get("status") != "success":
        return []
    return [(r["metric"], float(r["value"][1]))
            for r in reply["data"]["result"]]


PROM_CONFIG = """global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: node
    honor_labels: true
    static_configs:
      - targets: ['127.0.0.1:%(node)d']
        labels: {via: textfile}
  - job_name: jobd-openmetrics
    honor_labels: true
    static_configs:
      - targets: ['127.0.0.1:%(om)d']
        labels: {via: openmetrics}
"""


@pytest.mark.timeout(180)
def test_prometheus_queries_last_success_through_node_exporter(jobd):
    d = jobd(jobs={"x": {"command": child("exit", 0)},
                   "y": {"command": child("exit", 1)}})
    d.wait_run(d.start_run("x"))
    d.wait_run(d.start_run("y"))
    textdir = d.path("textfile")
    textdir.mkdir()
    rc, out, err = d.jobctl("metrics", "--textfile", textdir)
    assert rc == 0, err
    ended = history(d, "x")[0]["ended_usec"]

    node_port, prom_port = free_port(), free_port()
    om = OpenMetricsServer(d)
    d.path("prom.yml").write_text(PROM_CONFIG % {"node": node_port,
                                                 "om": om.port})
    procs = []
    try:
        node = Proc([NODE_EXPORTER,
                     "--web.listen-address=127.0.0.1:%d" % node_port,
                     "--collector.disable-defaults", "--collector.textfile",
                     "--collector.textfile.directory=%s" % textdir],
                    d.path("node_exporter.log"))
        procs.append(node)
        prom = Proc([PROMETHEUS, "--config.file=%s" % d.path("prom.yml"),
                     "--storage.tsdb.path=%s" % d.path("prom-data"),
                     "--web.listen-address=127.0.0.1:%d" % prom_port],
                    d.path("prometheus.log"))
        procs.append(prom)

        def last_success(via):
            for p in procs:
                assert p.alive(), "%s exited:\n%s" % (p.p.args[0],
                                                      p.tail())
            got = query(prom_port, 'jobd_job_last_success_timestamp_seconds'
                        '{job="x",via="%s"}' % via)
            return got[0][1] if got else None

        for via in ("textfile", "openmetrics"):
            v = wait_for(lambda: last_success(via), 90,
                         "Prometheus to return x's last success via %s"
                         % via, interval=0.5)
            assert abs(v - ended / 1e6) < 2e-6, (via, v, ended)

        # The textfile collector read the file without an error, and
        # the rest came along: y failed, and its counter says so.
        err = query(prom_port, "node_textfile_scrape_error")
        assert err and err[0][1] == 0, err
        for via in ("textfile", "openmetrics"):
            got = query(prom_port, 'jobd_job_last_run_success{job="y",'
                        'via="%s"}' % via)
            assert got and got[0][1] == 0, (via, got)
            got = query(prom_port, 'jobd_job_runs_total{job="y",'
                        'result="failed",via="%s"}' % via)
            assert got and got[0][1] == 1, (via, got)
        up = query(prom_port, 'up{job="jobd-openmetrics"}')
        assert up and up[0][1] == 1, up
    finally:
        for p in reversed(procs):
            p.stop()
        om.stop()
