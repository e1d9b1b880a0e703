"""jobd-web's HTTP API (web-api.md) against a real jobd: every endpoint
compared with what jobd itself answers on its socket (Varlink) or
`jobctl --json` for the same thing, the error mapping, the token rules,
sessions and CSRF, the Server-Sent Events streams, environment values never
shown, and bad requests (huge bodies, malformed request lines, 1000 idle
connections, slow clients) that leave jobd and jobd-web running.

jobd-web is started by the `web` fixture (web_helpers.py) as root with
--user, a user made for the session that is in jobd's socket_group= and,
unless a test says otherwise, its admin_group=."""
import json
import re
import socket
import threading
import time
import urllib.parse

import pytest

from conftest import child, history, wait_for, wait_service
from web_helpers import (MAX_BODY, ROOT, RSS_GROWTH_KB, assert_both_alive,
                         assert_csp, assert_error, assert_json_type, open_fds,
                         raise_nofile, set_cookie_header, start_jobd,
                         web, web_users)  # noqa: F401 (fixtures)

IFACE = "io.jobd.Manager."
IDLE = 2            # --idle-timeout of the slow-client tests, seconds


# ------------------------------------------------------------ the site

DRIP_LINES = ["drip %d" % i for i in range(1, 11)]
DRIP = ("for i in 1 2 3 4 5 6 7 8 9 10; do echo drip $i; sleep 0.2; done")


def site_jobs(d):
    return {
        "hello": {"command": child("print", 3, "hello")},
        "fails": {"command": child("print", 1, "oops", "exit", 3)},
        "tick": {"command": child("exit", 0), "schedule": "yearly"},
        "secret": {"command": child("print", 1, "done"),
                   "environment": "SECRET=hunter2"},
        "slow": {"command": child("wait-file", d.path("go-slow"), 60)},
        "holder": {"command": child("wait-file", d.path("go-hold"), 60),
                   "lock": "L", "semaphore": "S"},
        "lockwaiter": {"command": child("exit", 0), "lock": "L"},
        "evjob": {"command": child("exit", 0), "wait_event": "go"},
        "onev": {"command": child("exit", 0), "on_event": "go"},
        "drip": {"command": DRIP, "shell": "yes"},
    }


SERVICES = {"svc": {"command": child("sleep", 600), "ready_after": "0",
                    "autostart": "no"}}
SEMAPHORES = {"S": {"limit": 2}}
ALERTS = "[alert page]\ncommand=/bin/true\n"


def make_site(jobd, users, admin=True):
    return start_jobd(jobd, users, jobs=site_jobs, services=SERVICES,
                      semaphores=SEMAPHORES, admin=admin,
                      extra_files={"conf.d/60-alerts.conf": ALERTS})


@pytest.fixture
def site(jobd, web_users, web):  # noqa: F811
    """(daemon, jobd-web) with the jobs above; jobd-web is an admin."""
    d = make_site(jobd, web_users)
    return d, web(d)


def vcall(d, method, params=None):
    """One Varlink call on jobd's socket (as root); the reply's
    parameters."""
    with d.varlink() as c:
        return c.call1(IFACE + method, params)


def verror(d, method, params=None):
    """The Varlink error a call gets: (error, parameters), or None."""
    from varlink_client import VarlinkError
    try:
        vcall(d, method, params)
    except VarlinkError as e:
        return e.error, e.parameters
    return None


def run_and_wait(d, job, n=1):
    """Starts job n times (one Start call), waits until every run is
    finished and in the ledger; returns the Runs (from History)."""
    ids = [r["id"] for r in vcall(d, "Start", {"jobs": [job] * n})["runs"]]
    wait_in_ledger(d, ids, timeout=10 + n)
    return sorted((r for r in history(d, job) if r["id"] in ids),
                  key=lambda r: r["id"])


def wait_in_ledger(d, ids, timeout=10):
    ids = set(ids)
    wait_for(lambda: ids <= {r["id"] for r in history(d)
                             if r["state"] == "finished"},
             timeout, "runs %s in the ledger" % sorted(ids))


def quiet(d):
    """Waits until no run is left and no row waits for the ledger."""
    wait_for(lambda: (lambda x: x["running"] == 0
                      and x["ledger"]["queued"] == 0)(vcall(d, "Daemon")),
             10, "jobd to be idle")


def q(path, **params):
    return path + "?" + urllib.parse.urlencode(params)


# ------------------------------------------------------------ reads

def test_healthz_and_dashboard_files(site):
    d, w = site
    r = w.get("/healthz")
    assert r.status == 200 and r.json()["ok"] is True, r
    assert_json_type(r)
    r = w.get("/")
    assert r.status == 200, r
    assert (r.header("Content-Type") or "").startswith("text/html"), \
        r.headers
    assert b"<script" in r.body and b"app.js" in r.body, r.body[:300]
    for path, ctype in (("/static/app.js", ("application/javascript",
                                            "text/javascript")),
                        ("/static/style.css", ("text/css",))):
        r = w.get(path)
        assert r.status == 200, (path, r)
        assert (r.header("Content-Type") or "").split(";")[0] in ctype, \
            (path, r.headers)
        assert_csp(r, path)
        tree = ROOT / "jobd-web" / "static" / path.split("/")[-1]
        if tree.exists():
            assert r.body == tree.read_bytes(), path
    assert_error(w.get("/static/nope.js"), 404)


def test_every_response_carries_the_csp(site):
    d, w = site
    for method, path, kw in (("GET", "/", {}), ("GET", "/healthz", {}),
                             ("GET", "/api/v1/jobs", {}),
                             ("GET", "/api/v1/nope", {}),
                             ("GET", "/metrics", {}),
                             ("GET", "/static/app.js", {}),
                             ("POST", "/api/v1/jobs/hello/start", {}),
                             ("DELETE", "/api/v1/jobs", {})):
        r = w.request(method, path, **kw)
        assert_csp(r, "%s %s (%d)" % (method, path, r.status))


def test_jobs_is_summary(site):
    d, w = site
    run_and_wait(d, "hello")
    run_and_wait(d, "fails")
    quiet(d)
    got = w.get_json("/api/v1/jobs")
    want = vcall(d, "Summary")
    assert got == want
    assert all("recent" not in j for j in got["jobs"])
    kinds = {j["name"]: j["kind"] for j in got["jobs"]}
    assert kinds["svc"] == "service" and kinds["hello"] == "job"


def recent_of(d, job, n):
    runs = [r for r in history(d, job) if r["state"] == "finished"][:n]
    keys = ("id", "result", "ended_usec", "runtime_usec")
    return [{k: r[k] for k in keys if k in r} for r in reversed(runs)]


def test_jobs_recent(site):
    d, w = site
    ids = [r["id"] for r in run_and_wait(d, "fails", 3)]
    ids += [r["id"] for r in run_and_wait(d, "hello", 33)]
    wait_in_ledger(d, ids)
    quiet(d)
    summary = vcall(d, "Summary")
    for n in (1, 2, 30):
        got = w.get_json(q("/api/v1/jobs", recent=n))
        assert got["sync"] == summary["sync"]
        assert [j["name"] for j in got["jobs"]] == \
            [j["name"] for j in summary["jobs"]]
        for j, s in zip(got["jobs"], summary["jobs"]):
            recent = j.get("recent", [])
            assert recent == recent_of(d, j["name"], n), (n, j["name"])
            assert {k: v for k, v in j.items() if k != "recent"} == s
    got = {j["name"]: j for j in
           w.get_json(q("/api/v1/jobs", recent=30))["jobs"]}
    assert len(got["hello"]["recent"]) == 30
    assert [x["result"] for x in got["fails"]["recent"]] == ["failed"] * 3
    assert got["hello"]["recent"][-1]["id"] == max(ids)
    assert not got["tick"].get("recent")
    for bad in ("31", "-1", "x", "1.5", ""):
        assert_error(w.get("/api/v1/jobs?recent=" + bad), 400)


def test_job_is_status(site):
    d, w = site
    run_and_wait(d, "hello")
    quiet(d)
    for name in ("hello", "tick", "svc", "alert:page"):
        got = w.get_json("/api/v1/jobs/" + urllib.parse.quote(name, safe=""))
        want = vcall(d, "Status", {"job": name})["jobs"][0]
        assert got == want, name
    assert w.get_json("/api/v1/jobs/alert:page") == \
        w.get_json("/api/v1/jobs/alert%3Apage")


def test_job_with_runs_in_flight(site):
    d, w = site
    rid = vcall(d, "Start", {"jobs": ["slow"]})["runs"][0]["id"]
    d.wait_running("slow", rid)
    got = w.get_json("/api/v1/jobs/slow")
    assert [r["id"] for r in got["runs"]] == [rid]
    assert got["runs"][0]["state"] == "running"
    assert got["job"]["state"] == "running"
    d.path("go-slow").touch()
    d.wait_run(rid)


def test_unknown_job_is_404_with_the_varlink_error(site):
    d, w = site
    for name in ("nope", 'x","job":"hello', "\u00e9t\u00e9", "x" * 300):
        path = "/api/v1/jobs/" + urllib.parse.quote(name, safe="")
        r = w.get(path)
        if r.status == 400:       # a name no job can have
            assert_error(r, 400)
            continue
        assert_error(r, 404, IFACE + "NoSuchJob", {"job": name})
    # %2F: a slash in the name, or a path with one more segment
    assert_error(w.get("/api/v1/jobs/a%2Fb"), 404)
    assert_error(w.get("/api/v1/jobs/nope/next"), 404, IFACE + "NoSuchJob",
                 {"job": "nope"})


def test_next(site):
    d, w = site
    assert w.get_json("/api/v1/jobs/tick/next?count=3") == \
        vcall(d, "Next", {"job": "tick", "count": 3})
    assert w.get_json("/api/v1/jobs/tick/next") == \
        vcall(d, "Next", {"job": "tick"})
    assert_error(w.get("/api/v1/jobs/hello/next"), 409,
                 IFACE + "NotPeriodic", {"job": "hello"})
    for bad in ("x", "-1", "1e3"):
        assert_error(w.get("/api/v1/jobs/tick/next?count=" + bad), 400)


def test_services(site):
    d, w = site
    got = w.get_json("/api/v1/services")
    want = [j for j in vcall(d, "Summary")["jobs"] if j["kind"] == "service"]
    assert got == {"services": want}
    assert [s["name"] for s in got["services"]] == ["svc"]


def test_runs_is_history(site):
    d, w = site
    ids = [r["id"] for r in run_and_wait(d, "hello", 3)]
    time.sleep(1.1)             # a second boundary between the batches
    ids += [r["id"] for r in run_and_wait(d, "fails", 2)]
    rid = vcall(d, "Start", {"jobs": ["slow"]})["runs"][0]["id"]
    d.wait_running("slow", rid)
    vcall(d, "Cancel", {"targets": [str(rid)]})
    d.wait_run(rid)
    ids.append(rid)
    wait_in_ledger(d, ids)
    quiet(d)
    allruns = vcall(d, "History", {"limit": 0})["runs"]
    assert w.get_json("/api/v1/runs") == vcall(d, "History")
    assert w.get_json("/api/v1/runs?limit=0") == {"runs": allruns}
    assert w.get_json("/api/v1/runs?limit=2") == \
        vcall(d, "History", {"limit": 2})
    assert w.get_json("/api/v1/runs?limit=10000")["runs"] == allruns
    assert w.get_json("/api/v1/runs?job=fails") == \
        vcall(d, "History", {"job": "fails"})
    assert w.get_json("/api/v1/runs?result=notsuccess&limit=0") == \
        vcall(d, "History", {"failed": True, "limit": 0})
    for result in ("success", "failed", "cancelled", "timeout", "lost"):
        got = w.get_json(q("/api/v1/runs", result=result, limit=0))["runs"]
        assert got == [r for r in allruns if r.get("result") == result], \
            result
    got = w.get_json(q("/api/v1/runs", result="failed", job="fails",
                       limit=1))["runs"]
    assert got == [r for r in allruns if r["job"] == "fails"][:1]
    # since: the second in which the fails runs were queued
    first_fail = min((r for r in allruns if r["job"] == "fails"),
                     key=lambda r: r["id"])
    secs = first_fail["queued_usec"] // 1000000
    want = vcall(d, "History", {"since_usec": secs * 1000000, "limit": 0})
    assert want["runs"] and len(want["runs"]) < len(allruns)
    assert w.get_json(q("/api/v1/runs", since=secs, limit=0)) == want
    rfc = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(secs))
    assert w.get_json(q("/api/v1/runs", since=rfc, limit=0)) == want
    future = int(time.time()) + 3600
    assert w.get_json(q("/api/v1/runs", since=future))["runs"] == []


@pytest.mark.parametrize("query", [
    "result=bogus", "since=yesterday", "since=12abc",
    "since=2026-13-45T99:00:00Z", "limit=-1", "limit=10001", "limit=x",
    "limit=99999999999999999999999"])
def test_runs_bad_query_is_400(site, query):
    d, w = site
    assert_error(w.get("/api/v1/runs?" + query), 400)
    assert_both_alive(w, d)


def test_run_is_show(site):
    d, w = site
    run = run_and_wait(d, "hello")[0]
    wait_in_ledger(d, [run["id"]])
    got = w.get_json("/api/v1/runs/%d" % run["id"])
    assert got == vcall(d, "Show", {"run": run["id"]})
    assert got["run"]["result"] == "success"
    assert_error(w.get("/api/v1/runs/999999"), 404, IFACE + "NoSuchRun",
                 {"run": 999999})
    for bad in ("abc", "-1", "1.5", "99999999999999999999999"):
        r = w.get("/api/v1/runs/" + bad)
        assert r.status in (400, 404), (bad, r)
        assert_error(r, r.status)


def test_run_output_is_logs(site):
    d, w = site
    run = run_and_wait(d, "hello")[0]
    rid = run["id"]
    got = w.get_json("/api/v1/runs/%d/output?lines=2" % rid)
    assert got == vcall(d, "Logs", {"job": "hello", "run": rid, "lines": 2})
    got = w.get_json("/api/v1/runs/%d/output" % rid)
    assert got["run"] == rid and got["finished"] is True
    assert [x["text"] for x in got["lines"]] == \
        ["hello 1", "hello 2", "hello 3"]
    assert all(x["stream"] == "stdout" and isinstance(x["usec"], int)
               for x in got["lines"])
    assert_error(w.get("/api/v1/runs/999999/output"), 404,
                 IFACE + "NoSuchRun", {"run": 999999})
    assert_error(w.get("/api/v1/runs/%d/output?lines=x" % rid), 400)


def test_sync(site):
    d, w = site
    hold = vcall(d, "Start", {"jobs": ["holder"]})["runs"][0]["id"]
    d.wait_running("holder", hold)
    wait = vcall(d, "Start", {"jobs": ["lockwaiter"]})["runs"][0]["id"]
    got = wait_for(lambda: (lambda s: s if s["locks"] and
                            s["locks"][0]["waiters"] else None)(
        w.get_json("/api/v1/sync")), 5, "the waiter on L")
    assert got == vcall(d, "Status")["sync"]
    assert got["locks"] == [{"name": "L", "holder": hold,
                             "waiters": [wait]}]
    sem = [s for s in got["semaphores"] if s["name"] == "S"]
    assert sem and sem[0]["holders"] == [hold] and sem[0]["limit"] == 2
    d.path("go-hold").touch()
    d.wait_run(hold)
    d.wait_run(wait)


def test_alerts(site):
    d, w = site
    vcall(d, "AlertTest", {"name": "page"})
    wait_for(lambda: (lambda a: a["pending"] == 0 and a["attempts"])(
        vcall(d, "Alerts")), 15, "the test alert's attempt")
    quiet(d)
    got = w.get_json("/api/v1/alerts")
    assert got == vcall(d, "Alerts")
    assert got["attempts"][0]["alert"] == "page"
    assert w.get_json("/api/v1/alerts?limit=1") == \
        vcall(d, "Alerts", {"limit": 1})
    assert w.get_json("/api/v1/alerts?failed=1") == \
        vcall(d, "Alerts", {"failed": True})
    assert_error(w.get("/api/v1/alerts?limit=x"), 400)


def test_daemon(site):
    d, w = site
    got = w.get_json("/api/v1/daemon")
    want = vcall(d, "Daemon")
    assert set(got) == set(want)
    for k in ("version", "pid", "started_usec", "config", "socket", "jobs"):
        assert got[k] == want[k], k
    assert set(got["loop_lag"]) == {"current_usec", "p99_usec", "max_usec"}


def test_openapi_is_the_file_in_the_tree(site):
    d, w = site
    got = w.get_json("/api/v1/openapi.json")
    assert got == json.loads((ROOT / "jobd-web" / "openapi.json")
                             .read_text())
    assert str(got.get("openapi", "")).startswith("3.0"), got.get("openapi")
    paths = {}
    for p, ops in got["paths"].items():
        norm = re.sub(r"\{[^}]*\}", "{}", p)
        if norm.startswith("/api/v1"):
            norm = norm[len("/api/v1"):]
        paths[norm] = {m.lower() for m in ops}
    reads = ["/jobs", "/jobs/{}", "/jobs/{}/next", "/services", "/runs",
             "/runs/{}", "/runs/{}/output", "/sync", "/alerts", "/daemon",
             "/events", "/session"]
    posts = ["/jobs/{}/start", "/jobs/{}/pause", "/jobs/{}/resume",
             "/jobs/{}/skip", "/runs/{}/cancel", "/services/{}/start",
             "/services/{}/stop", "/services/{}/restart", "/events/{}/set",
             "/events/{}/clear", "/session"]
    for p in reads:
        assert "get" in paths.get(p, ()), "GET %s not in openapi.json" % p
    for p in posts:
        assert "post" in paths.get(p, ()), "POST %s not in openapi.json" % p


def metric_shape(text):
    """(HELP and TYPE lines, set of series names with their labels),
    without values and timestamps."""
    meta = [line for line in text.splitlines() if line.startswith("#")]
    series = set()
    for line in text.splitlines():
        if line and not line.startswith("#"):
            m = re.match(r"([a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})?) ", line)
            assert m, "not a sample line: %r" % line
            series.add(m.group(1))
    return meta, series


def test_metrics_are_jobctl_metrics(site):
    d, w = site
    run_and_wait(d, "hello")
    run_and_wait(d, "fails")
    quiet(d)
    r = w.get("/metrics")
    assert r.status == 200, r
    ct = r.header("Content-Type") or ""
    assert ct.startswith("text/plain") and "version=0.0.4" in ct, ct
    rc, out, err = d.jobctl("metrics", "--format", "prometheus")
    assert rc == 0, err
    got_meta, got_series = metric_shape(r.body.decode())
    want_meta, want_series = metric_shape(out)
    assert got_meta == want_meta
    assert got_series == want_series
    assert "# EOF" not in r.body.decode()
    r = w.get("/metrics", headers={
        "Accept": "application/openmetrics-text; version=1.0.0"})
    assert r.status == 200, r
    assert (r.header("Content-Type") or "").startswith(
        "application/openmetrics-text"), r.headers
    assert r.body.decode().rstrip("\n").endswith("# EOF")
    rc, out, err = d.jobctl("metrics")
    assert metric_shape(r.body.decode())[0] == metric_shape(out)[0]


def test_healthz_503_while_jobd_is_down(site):
    d, w = site
    assert d.stop() == 0
    r = w.get("/healthz")
    assert r.status == 503, r
    body = r.json()
    assert body["ok"] is False and isinstance(body["error"], str), body
    assert_error(w.get("/api/v1/jobs"), 503)
    assert_error(w.post("/api/v1/jobs/hello/start"), 503)
    assert w.alive()
    d.start()
    wait_for(lambda: w.get("/healthz").status == 200, 10,
             "/healthz to answer 200 again")
    assert [j["name"] for j in w.get_json("/api/v1/jobs")["jobs"]] == \
        [j["name"] for j in vcall(d, "Summary")["jobs"]]


# ------------------------------------------------------------ writes

def test_start(site):
    d, w = site
    got = w.post_json("/api/v1/jobs/hello/start")
    assert len(got["runs"]) == 1 and got["runs"][0]["job"] == "hello"
    assert d.wait_run(got["runs"][0]["id"])["result"] == "success"
    got = w.post_json("/api/v1/jobs/hello/start", {})
    assert d.wait_run(got["runs"][0]["id"])["result"] == "success"
    got = w.post_json("/api/v1/jobs/hello/start", "{}", headers={
        "Content-Type": "application/json; charset=utf-8"})
    assert d.wait_run(got["runs"][0]["id"])["result"] == "success"
    assert_error(w.post("/api/v1/jobs/nope/start"), 404,
                 IFACE + "NoSuchJob", {"job": "nope"})


def test_pause_resume_skip(site):
    d, w = site
    until = (int(time.time()) + 3600) * 1000000
    got = w.post_json("/api/v1/jobs/tick/pause", {"until_usec": until})
    assert got == {"job": "tick", "paused_until_usec": until,
                   "skips_pending": 0}
    assert d.job_status("tick")["job"]["paused_until_usec"] == until
    got = w.post_json("/api/v1/jobs/tick/resume")
    assert got["job"] == "tick" and "paused_until_usec" not in got, got
    assert "paused_until_usec" not in d.job_status("tick")["job"]
    got = w.post_json("/api/v1/jobs/tick/pause")
    assert got["paused_until_usec"] == 2 ** 63 - 1, got
    w.post_json("/api/v1/jobs/tick/resume", {})
    got = w.post_json("/api/v1/jobs/tick/skip", {"count": 2})
    assert got == {"job": "tick", "skips_pending": 2}, got
    got = w.post_json("/api/v1/jobs/tick/skip")
    assert got["skips_pending"] == 3, got
    for verb in ("pause", "resume", "skip"):
        assert_error(w.post("/api/v1/jobs/hello/" + verb), 409,
                     IFACE + "NotPeriodic", {"job": "hello"})
        assert_error(w.post("/api/v1/jobs/nope/" + verb), 404,
                     IFACE + "NoSuchJob", {"job": "nope"})


def test_cancel(site):
    d, w = site
    rid = w.post_json("/api/v1/jobs/slow/start")["runs"][0]["id"]
    d.wait_running("slow", rid)
    got = w.post_json("/api/v1/runs/%d/cancel" % rid)
    assert [r["id"] for r in got["runs"]] == [rid]
    assert d.wait_run(rid)["result"] == "cancelled"
    assert_error(w.post("/api/v1/runs/%d/cancel" % rid), 409,
                 IFACE + "RunFinished", {"run": rid})
    assert_error(w.post("/api/v1/runs/999999/cancel"), 404,
                 IFACE + "NoSuchRun", {"run": 999999})


def test_services_start_stop_restart(site):
    d, w = site
    got = w.post_json("/api/v1/services/svc/start")
    assert got["runs"] == [] and [s["name"] for s in got["services"]] \
        == ["svc"], got
    pid = wait_service(d, "svc", "ready")["pid"]
    got = w.post_json("/api/v1/services/svc/restart")
    assert [s["name"] for s in got["services"]] == ["svc"], got
    svc = wait_service(d, "svc", "ready", pred=lambda s: s["pid"] != pid)
    assert_error(w.post("/api/v1/runs/%d/cancel" % svc["run"]), 409,
                 IFACE + "IsService", {"service": "svc"})
    got = w.post_json("/api/v1/services/svc/stop")
    assert [s["name"] for s in got["services"]] == ["svc"], got
    wait_service(d, "svc", "stopped")
    assert_error(w.post("/api/v1/services/hello/stop"), 404,
                 IFACE + "NotService", {"unit": "hello"})
    r = w.post("/api/v1/services/nope/start")
    assert_error(r, 404)
    assert r.json().get("varlink_error") in (
        IFACE + "NoSuchJob", IFACE + "NotService"), r


def test_events_set_clear(site):
    d, w = site
    rid = vcall(d, "Start", {"jobs": ["evjob"]})["runs"][0]["id"]
    wait_for(lambda: (d.run_state("evjob", rid) or {}).get("waiting_for"),
             5, "evjob to wait for its event")
    got = w.post_json("/api/v1/events/go/set")
    assert got["name"] == "go" and got["set"] is True \
        and got["changed"] is True, got
    assert len(got["runs"]) == 1, got           # onev's run (on_event=go)
    assert d.wait_run(got["runs"][0])["job"] == "onev"
    assert d.wait_run(rid)["result"] == "success"
    got = w.post_json("/api/v1/events/go/set")
    assert got == {"name": "go", "set": True, "changed": False, "runs": []}
    ev = {e["name"]: e["set"] for e in vcall(d, "EventList")["events"]}
    assert ev["go"] is True
    got = w.post_json("/api/v1/events/go/clear")
    assert got == {"name": "go", "set": False, "changed": True, "runs": []}
    got = w.post_json("/api/v1/events/go/clear")
    assert got["changed"] is False
    assert {e["name"]: e["set"] for e in
            vcall(d, "EventList")["events"]}["go"] is False
    assert_error(w.post("/api/v1/events/bad%20name/set"), 400,
                 "org.varlink.service.InvalidParameter", {"parameter": "name"})


# ------------------------------------------------------------ errors

@pytest.mark.parametrize("method,path", [
    ("GET", "/api/v1/jobs/hello/start"), ("POST", "/api/v1/jobs"),
    ("PUT", "/api/v1/jobs/hello"), ("DELETE", "/api/v1/runs/1"),
    ("POST", "/api/v1/sync"), ("POST", "/healthz"),
    ("PATCH", "/api/v1/jobs/hello/pause"), ("GET", "/api/v1/runs/1/cancel"),
    ("GET", "/api/v1/events/go/set")])
def test_wrong_method_is_405(site, method, path):
    d, w = site
    assert_error(w.request(method, path, token=w.token), 405)


@pytest.mark.parametrize("method,path", [
    ("GET", "/api/v1/nope"), ("GET", "/api/v2/jobs"), ("GET", "/nope"),
    ("GET", "/api/v1/jobs/hello/nope"), ("GET", "/api/v1/runs/1/nope"),
    ("GET", "/api/v1"), ("GET", "/api/v1/jobs/hello/next/x"),
    ("POST", "/api/v1/jobs/hello/explode"), ("POST", "/api/v1/nope"),
    ("GET", "/static/../../../../etc/passwd"),
    ("GET", "/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd")])
def test_unknown_path_is_404(site, method, path):
    d, w = site
    r = w.request(method, path, token=w.token)
    assert b"root:x:0" not in r.body
    assert_error(r, 404)


@pytest.mark.parametrize("path,body", [
    ("/api/v1/jobs/tick/pause", b"{"),
    ("/api/v1/jobs/tick/pause", b"[1, 2]"),
    ("/api/v1/jobs/tick/pause", b'"until"'),
    ("/api/v1/jobs/tick/pause", b'{"until_usec": "soon"}'),
    ("/api/v1/jobs/tick/pause", b'{"until_usec": 1.5}'),
    ("/api/v1/jobs/tick/skip", b'{"count": "two"}'),
    ("/api/v1/jobs/tick/skip", b'{"count": 1} trailing'),
    ("/api/v1/jobs/hello/start", b"\xff\xfe{}"),
    ("/api/v1/jobs/hello/start", b'{"a": "\xc3"}'),
    ("/api/v1/session", b"{not json")])
def test_bad_json_is_400(site, path, body):
    d, w = site
    r = w.post(path, body, headers={"Content-Type": "application/json"})
    assert_error(r, 400)
    assert_both_alive(w, d)
    assert "paused_until_usec" not in d.job_status("tick")["job"]


def test_body_limit_is_64k(site):
    d, w = site
    body = b'{"count": 1}'
    exact = body + b" " * (MAX_BODY - len(body))
    assert len(exact) == MAX_BODY
    got = w.post_json("/api/v1/jobs/tick/skip", exact)
    assert got["skips_pending"] == 1
    assert_error(w.post("/api/v1/jobs/tick/skip", exact + b" "), 413)
    assert vcall(d, "Resume", {"job": "tick"})["skips_pending"] == 1
    assert_both_alive(w, d)


def send_huge(w, head, chunks):
    """Sends head then the chunks until the server answers or closes;
    returns (bytes sent, the answer)."""
    s = socket.create_connection((w.host, w.port), timeout=10)
    sent = 0
    got = b""
    try:
        s.sendall(head)
        s.setblocking(False)
        for c in chunks:
            view = memoryview(c)
            while view:
                try:
                    n = s.send(view)
                    view = view[n:]
                    sent += n
                except BlockingIOError:
                    try:
                        more = s.recv(65536)
                        if not more:
                            return sent, got
                        got += more
                    except BlockingIOError:
                        time.sleep(0.005)
                except (BrokenPipeError, ConnectionResetError):
                    return sent, got + drain(s)
            if got:
                break
        return sent, got + drain(s)
    finally:
        s.close()


def drain(s, timeout=5):
    s.setblocking(True)
    s.settimeout(timeout)
    got = b""
    try:
        while True:
            c = s.recv(65536)
            if not c:
                break
            got += c
    except OSError:
        pass
    return got


@pytest.mark.parametrize("chunked", [False, True])
def test_10mb_body_is_413_without_growing(site, chunked):
    d, w = site
    w.get_json("/api/v1/jobs")
    before = w.rss_kb()
    size = 10 * 1024 * 1024
    piece = b" " * 65536
    if chunked:
        head = (b"POST /api/v1/jobs/hello/start HTTP/1.1\r\nHost: x\r\n"
                b"Authorization: Bearer %s\r\nContent-Type: application/json"
                b"\r\nTransfer-Encoding: chunked\r\n\r\n" % w.token.encode())
        chunks = [b"10000\r\n" + piece + b"\r\n"] * (size // 65536) \
            + [b"0\r\n\r\n"]
    else:
        head = (b"POST /api/v1/jobs/hello/start HTTP/1.1\r\nHost: x\r\n"
                b"Authorization: Bearer %s\r\nContent-Type: application/json"
                b"\r\nContent-Length: %d\r\n\r\n" % (w.token.encode(), size))
        chunks = [piece] * (size // 65536)
    sent, got = send_huge(w, head, chunks)
    assert got.startswith(b"HTTP/1.1 413"), (sent, got[:300])
    after = w.rss_kb()
    assert after - before < 4096, \
        "jobd-web grew from %d to %d KiB on a 10 MB body" % (before, after)
    assert_both_alive(w, d)
    assert not history(d, "hello"), "the refused start reached jobd"


def test_post_needs_the_token(site):
    d, w = site
    p = "/api/v1/jobs/hello/start"
    assert_error(w.post(p, auth=False), 401)
    assert_error(w.post(p, token="wrong" + w.token), 401)
    assert_error(w.post(p, token=w.token[:-1]), 401)
    assert_error(w.post(p, token=""), 401)
    for h in ("Basic " + w.token, "Bearer", "bearer  " + w.token + " x",
              w.token):
        assert_error(w.post(p, auth=False, headers={"Authorization": h}),
                     401)
    assert_error(w.post("/api/v1/runs/1/cancel", auth=False), 401)
    assert not history(d, "hello")
    got = w.post_json(p)
    assert d.wait_run(got["runs"][0]["id"])["result"] == "success"


def test_permission_denied_is_403(jobd, web_users, web):  # noqa: F811
    """jobd-web's user is not in admin_group=: jobd refuses its changes
    (PermissionDenied, passed through as 403) but allows its reads, and
    Start of a job whose allow_start= names it."""
    jobs = {"hello": {"command": child("print", 1, "hi")},
            "tick": {"command": child("exit", 0), "schedule": "yearly"},
            "starter": {"command": child("exit", 0),
                        "allow_start": web_users.user}}
    d = start_jobd(jobd, web_users, jobs=jobs, admin=False)
    w = web(d)
    assert w.get_json("/api/v1/jobs")["jobs"]
    for path in ("/api/v1/jobs/hello/start", "/api/v1/jobs/tick/pause",
                 "/api/v1/events/x/set"):
        body = assert_error(w.post(path), 403,
                            "org.varlink.service.PermissionDenied")
        assert body["error"]
    got = w.post_json("/api/v1/jobs/starter/start")
    assert d.wait_run(got["runs"][0]["id"])["result"] == "success"
    # jobd logs the refusal with jobd-web's uid (a job's Start by its
    # short name).
    line = re.compile(r"control: refused (%s)?Start to uid %d " % (
        re.escape(IFACE), web_users.uid))
    wait_for(lambda: line.search(d.log_text()), 5,
             "jobd's log line %r" % line.pattern)


def test_no_token_file_refuses_every_post(jobd, web_users, web):  # noqa
    d = start_jobd(jobd, web_users,
                   jobs={"hello": {"command": child("exit", 0)}})
    w = web(d, token=False)
    s = w.get_json("/api/v1/session")
    assert s["write_enabled"] is False and s["authenticated"] is False, s
    assert_error(w.post("/api/v1/jobs/hello/start",
                        headers={"Authorization": "Bearer x"}), 403)
    assert_error(w.post("/api/v1/jobs/hello/start", auth=False), 403)
    assert not history(d, "hello")


# ------------------------------------------------------------ read token

def test_read_token(jobd, web_users, web):  # noqa: F811
    d = start_jobd(jobd, web_users,
                   jobs={"hello": {"command": child("exit", 0)}})
    w = web(d, read_token=True)
    for path in ("/api/v1/jobs", "/api/v1/jobs/hello", "/api/v1/runs",
                 "/api/v1/sync", "/api/v1/daemon", "/metrics",
                 "/api/v1/services", "/api/v1/events"):
        assert_error(w.get(path), 401)
        assert_error(w.get(path, token="wrong"), 401)
    assert w.get("/api/v1/jobs", token=w.read_token).status == 200
    assert w.get("/api/v1/jobs", token=w.token).status == 200
    assert w.get("/metrics", token=w.read_token).status == 200
    for path in ("/healthz", "/", "/static/app.js", "/static/style.css"):
        assert w.get(path).status == 200, path
    s = w.get("/api/v1/session").json()
    assert s["read_token_required"] is True and s["authenticated"] is False
    # The read token does not write.
    r = w.post("/api/v1/jobs/hello/start", token=w.read_token)
    assert r.status in (401, 403), r
    assert_error(r, r.status)
    assert not history(d, "hello")
    # A read-only session.
    r, cookie = w.login(w.read_token)
    assert r.status == 200 and cookie, r
    assert r.json()["write"] is False
    csrf = r.json()["csrf"]
    assert w.get("/api/v1/jobs", cookie=cookie).status == 200
    r = w.post("/api/v1/jobs/hello/start", cookie=cookie, csrf=csrf)
    assert_error(r, 403)
    assert not history(d, "hello")


# ------------------------------------------------------------ sessions

def test_session_login_csrf_logout(site):
    d, w = site
    p = "/api/v1/jobs/hello/start"
    s = w.get_json("/api/v1/session")
    assert s["authenticated"] is False and s["write_enabled"] is True \
        and s["read_token_required"] is False, s
    r, cookie = w.login("wrong")
    assert_error(r, 401)
    assert cookie is None
    r, cookie = w.login()
    assert r.status == 200 and cookie, r
    body = r.json()
    assert body["write"] is True and isinstance(body["csrf"], str) \
        and len(body["csrf"]) >= 16, body
    assert body["expires_usec"] > time.time() * 1e6, body
    sc = set_cookie_header(r)
    attrs = [a.strip().lower() for a in sc.split(";")]
    assert "httponly" in attrs and "samesite=strict" in attrs \
        and "path=/" in attrs, sc
    assert cookie not in (w.token, body["csrf"])
    csrf = body["csrf"]
    s = w.get_json("/api/v1/session", cookie=cookie)
    assert s["authenticated"] is True and s["write"] is True \
        and s["csrf"] == csrf, s
    # The cookie alone, or with a wrong CSRF token, does not write.
    assert_error(w.post(p, cookie=cookie), 403)
    assert_error(w.post(p, cookie=cookie, csrf="x" + csrf), 403)
    assert_error(w.post(p, cookie=cookie, csrf=""), 403)
    assert_error(w.post(p, cookie=cookie + "x", csrf=csrf), 401)
    assert not history(d, "hello")
    got = w.post_json(p, cookie=cookie, csrf=csrf)
    assert d.wait_run(got["runs"][0]["id"])["result"] == "success"
    # Another session has another CSRF token; they do not mix.
    r2, cookie2 = w.login()
    assert cookie2 and cookie2 != cookie and r2.json()["csrf"] != csrf
    assert_error(w.post(p, cookie=cookie2, csrf=csrf), 403)
    # Logout ends the session.
    r = w.request("DELETE", "/api/v1/session", cookie=cookie, csrf=csrf)
    assert r.status in (200, 204), r
    s = w.get_json("/api/v1/session", cookie=cookie)
    assert s["authenticated"] is False, s
    r = w.post(p, cookie=cookie, csrf=csrf)
    assert r.status in (401, 403), r
    assert_error(r, r.status)
    got = w.post_json(p, cookie=cookie2, csrf=r2.json()["csrf"])
    d.wait_run(got["runs"][0]["id"])


def test_session_refuses_cross_origin(site):
    d, w = site
    for origin in ("http://evil.example", "null",
                   "http://127.0.0.1:%d" % (w.port + 1),
                   "https://127.0.0.1:%d" % w.port):
        r, cookie = w.login(origin=origin)
        assert r.status == 403, (origin, r)
        assert_error(r, 403)
        assert cookie is None and set_cookie_header(r) is None, origin
    r, cookie = w.login(origin=w.origin)
    assert r.status == 200 and cookie, r


def test_session_cookie_is_not_a_bearer_token(site):
    """A session's cookie value does not authorize as a bearer token, nor
    a CSRF token as one."""
    d, w = site
    r, cookie = w.login()
    csrf = r.json()["csrf"]
    assert_error(w.post("/api/v1/jobs/hello/start", token=cookie), 401)
    assert_error(w.post("/api/v1/jobs/hello/start", token=csrf), 401)
    assert not history(d, "hello")


# ------------------------------------------------------------ SSE

def test_events_stream(site):
    d, w = site
    ev = w.sse("/api/v1/events")
    assert ev.status == 200
    assert (ev.headers.get("Content-Type") or "").startswith(
        "text/event-stream"), ev.headers
    ev.until(lambda e, x: e == "subscribed", what="subscribed")
    rid = w.post_json("/api/v1/jobs/hello/start")["runs"][0]["id"]
    seen = ev.until(lambda e, x: e == "run-finished"
                    and x["run"]["id"] == rid, what="run-finished")
    types = [e for e, x in seen if x.get("run", {}).get("id") == rid]
    assert "run-started" in types and types.index("run-started") < \
        types.index("run-finished"), seen
    for e, x in seen:
        assert x["type"] == e, (e, x)
    fin = [x for e, x in seen if e == "run-finished"][-1]
    assert fin["run"]["result"] == "success"
    w.post_json("/api/v1/events/go/set")
    ev.until(lambda e, x: e == "event-set" and x["name"] == "go",
             what="event-set")
    ev.close()


@pytest.mark.timeout(60)
def test_events_keepalive(site):
    d, w = site
    ev = w.sse("/api/v1/events", timeout=25)
    ev.until(lambda e, x: e == "subscribed", what="subscribed")
    t0 = time.monotonic()
    while "keepalive" not in ev.comments:
        left = 20 - (time.monotonic() - t0)
        try:
            assert ev.next(timeout=left) is not None, "the stream ended"
        except TimeoutError:
            raise AssertionError("no `: keepalive` comment within 20 s")
    assert time.monotonic() - t0 < 17
    ev.close()


def test_output_follow_streams_in_order(site):
    d, w = site
    rid = w.post_json("/api/v1/jobs/drip/start")["runs"][0]["id"]
    s = w.sse("/api/v1/runs/%d/output?follow=1&lines=1000" % rid)
    assert s.status == 200
    assert (s.headers.get("Content-Type") or "").startswith(
        "text/event-stream")
    texts, batches, end = [], 0, None
    while True:
        e, x = s.next_json(timeout=15)
        assert e is not None, "stream closed without `event: end`"
        if e == "lines":
            batches += 1
            texts += [line["text"] for line in x["lines"]]
            assert all(line["stream"] == "stdout" for line in x["lines"])
        elif e == "end":
            end = x
            break
        else:
            raise AssertionError("unexpected event %r: %r" % (e, x))
    assert end == {"finished": True}
    assert texts == DRIP_LINES
    assert batches >= 2, "all lines came in one batch: not streamed"
    try:
        assert s.next(timeout=5) is None, "more after `event: end`"
    except TimeoutError:
        raise AssertionError("the stream did not close after `event: end`")
    assert d.run_state("drip", rid)["state"] == "finished"
    # A finished run: its lines, then end at once.
    s = w.sse("/api/v1/runs/%d/output?follow=1&lines=1000" % rid)
    seen = s.until(lambda e, x: e == "end", timeout=10, what="end")
    assert [t["text"] for e, x in seen if e == "lines"
            for t in x["lines"]] == DRIP_LINES
    s.close()
    assert_error(w.get("/api/v1/runs/999999/output?follow=1"), 404,
                 IFACE + "NoSuchRun", {"run": 999999})


def follow_texts(s, timeout=30):
    """Every line's text a follow=1 stream delivers until `event: end`."""
    seen = s.until(lambda e, x: e == "end", timeout=timeout, what="end")
    return [t.get("text") for e, x in seen if e == "lines"
            for t in x["lines"]]


def start_fast(d, w, n):
    """Adds job `fast` (n lines as fast as it can once the file go-fast
    exists) and starts it through the API: its run id, running."""
    d.write_config(settings={"socket_group": w.users.sock,
                             "admin_group": w.users.admin},
                   files={"conf.d/50-units.conf": __import__(
                       "conftest").units_text({"fast": {"command": child(
                           "wait-file", d.path("go-fast"), 30, "print",
                           n, "n")}})})
    vcall(d, "Reload")
    rid = w.post_json("/api/v1/jobs/fast/start")["runs"][0]["id"]
    d.wait_running("fast", rid)
    return rid


@pytest.mark.parametrize("lines,clients,n", [("0", 5, 20000),
                                             ("1000", 5, 20000),
                                             ("0", 100, 2000)])
def test_output_follow_of_a_fast_job_loses_nothing(site, lines, clients, n):
    """A job printing n lines as fast as it can (20000: about 1.2 MB of
    events at once), followed from before its first line by 5 or 100
    clients reading all the time: each gets every line once, in order."""
    d, w = site
    rid = start_fast(d, w, n)
    streams = [w.sse("/api/v1/runs/%d/output?follow=1&lines=%s"
                     % (rid, lines), timeout=30) for _ in range(clients)]
    results = [None] * len(streams)

    def follow(i, s):
        try:
            results[i] = follow_texts(s)
        except AssertionError as e:
            results[i] = str(e)[:300]
    threads = [threading.Thread(target=follow, args=(i, s))
               for i, s in enumerate(streams)]
    for t in threads:
        t.start()
    # Each stream's answer came with jobd's first reply to its Logs call
    # (api-stream.c), so every follower is subscribed by now.
    d.path("go-fast").touch()
    for t in threads:
        t.join(40)
    for s in streams:
        s.close()
    want = ["n %d" % i for i in range(1, n + 1)]
    for i, got in enumerate(results):
        if isinstance(got, list) and got != want:
            missing = sorted(set(want) - set(got), key=lambda x: int(
                x.split()[1]))
            raise AssertionError(
                "follower %d: %d lines of %d, missing %d (first %r), "
                "in order: %s" % (i, len(got), n, len(missing), missing[:5],
                                  got == sorted(got, key=lambda x: int(
                                      x.split()[1]))))
        assert got == want, "follower %d: %r" % (i, got)


@pytest.mark.parametrize("n", [50000, 500000])
def test_a_stalled_follower_does_not_stop_the_others(site, n):
    """One client asks for a run's output and never reads (a small receive
    buffer); another follows the same run: it gets every line (50000) and
    the end, and jobd-web does not keep what the stalled one did not read.
    500000 lines in a third of a second (about 40 MB of events) is more
    than jobd-web relays (jobd drops a follower 4 MiB behind, as it does
    jobctl's): the reader then gets the lines in order, without a gap or a
    repeat, and an `error` event that says so, never a silent end."""
    d, w = site
    rid = start_fast(d, w, n)
    before = w.rss_kb()
    path = "/api/v1/runs/%d/output?follow=1&lines=0" % rid
    stalled = socket.socket()
    stalled.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    stalled.connect((w.host, w.port))
    stalled.sendall(("GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % path)
                    .encode())
    reader = w.sse(path, timeout=30)
    # the stalled client's stream is open too once its first bytes wait
    stalled.settimeout(10)
    assert stalled.recv(12, socket.MSG_PEEK).startswith(b"HTTP/1.1 200")
    d.path("go-fast").touch()
    try:
        seen = reader.until(lambda e, x: e in ("end", "error"), timeout=40,
                            what="end or error")
        grown = w.rss_kb() - before
    finally:
        reader.close()
        stalled.close()
    got = [t.get("text") for e, x in seen if e == "lines"
           for t in x["lines"]]
    if n <= 50000 or seen[-1][0] == "end":
        assert seen[-1][0] == "end", seen[-1]
        assert got == ["n %d" % i for i in range(1, n + 1)], \
            "%d lines, the last %r" % (len(got), got[-1:])
    else:
        assert "jobd closed" in seen[-1][1].get("reason", ""), seen[-1]
        assert got == ["n %d" % i for i in range(1, len(got) + 1)], \
            "%d lines, the last %r" % (len(got), got[-1:])
    assert RSS_GROWTH_KB is None or grown < RSS_GROWTH_KB, \
        "jobd-web grew by %d KiB" % grown
    assert_both_alive(w, d)


def test_many_followers(jobd, web_users, web):  # noqa: F811
    """40 clients follow one run's output through a jobd-web that is not
    an administrator in jobd (so jobd allows its uid 32 connections):
    each gets every line and the end."""
    d = start_jobd(jobd, web_users, admin=False, jobs={
        "drip": {"command": DRIP, "shell": "yes"}})
    w = web(d)
    rid = vcall(d, "Start", {"jobs": ["drip"]})["runs"][0]["id"]
    streams = [w.sse("/api/v1/runs/%d/output?follow=1&lines=1000" % rid,
                     timeout=30) for _ in range(40)]
    results = [None] * len(streams)

    def follow(i, s):
        if s.status != 200:
            results[i] = "HTTP %d" % s.status
            return
        try:
            seen = s.until(lambda e, x: e == "end", timeout=25, what="end")
        except AssertionError as e:
            results[i] = str(e)
            return
        results[i] = [t["text"] for e, x in seen if e == "lines"
                      for t in x["lines"]]
    threads = [threading.Thread(target=follow, args=(i, s))
               for i, s in enumerate(streams)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    for s in streams:
        s.close()
    bad = [i for i, r in enumerate(results) if r != DRIP_LINES]
    assert not bad, "%d followers of 40 (%s) got %r" % (
        len(bad), bad, [results[i] for i in bad[:3]])
    assert_both_alive(w, d)


# ------------------------------------------------------------ secrets

def test_environment_never_shown(site):
    d, w = site
    ev = w.sse("/api/v1/events")
    ev.until(lambda e, x: e == "subscribed", what="subscribed")
    rid = w.post_json("/api/v1/jobs/secret/start")["runs"][0]["id"]
    ev.until(lambda e, x: e == "run-finished" and x["run"]["id"] == rid,
             what="run-finished")
    ev.close()
    assert b"hunter2" not in ev.raw
    wait_in_ledger(d, [rid])
    # jobd's own view holds it nowhere either...
    for method, params in (("Status", {"job": "secret"}),
                           ("Show", {"run": rid})):
        assert "hunter2" not in json.dumps(vcall(d, method, params))
    # ...and no endpoint adds it.
    paths = ["/api/v1/jobs", "/api/v1/jobs?recent=30", "/api/v1/jobs/secret",
             "/api/v1/jobs/secret/next", "/api/v1/services", "/api/v1/runs",
             "/api/v1/runs?job=secret&limit=0", "/api/v1/runs/%d" % rid,
             "/api/v1/runs/%d/output" % rid, "/api/v1/sync",
             "/api/v1/alerts", "/api/v1/daemon", "/api/v1/openapi.json",
             "/api/v1/session", "/metrics", "/", "/static/app.js"]
    for path in paths:
        r = w.get(path)
        assert b"hunter2" not in r.body, path
        assert b"SECRET" not in r.body, path
    s = w.sse("/api/v1/runs/%d/output?follow=1" % rid)
    s.until(lambda e, x: e == "end", what="end")
    assert b"hunter2" not in s.raw
    s.close()


# ------------------------------------------------------------ bad requests

@pytest.mark.parametrize("data", [
    b"GARBAGE\r\n\r\n",
    b"GET\r\n\r\n",
    b"GET /api/v1/jobs HTTP/9.9\r\nHost: x\r\n\r\n",
    b"GET /api/v1/jobs\r\n\r\n",
    b"\x00\xff\xfe\xfd binary \x01\x02\r\n\r\n",
    b"GET /api/v1/jobs HTTP/1.1\r\nHost: x\r\nBroken header line\r\n\r\n",
    b"GET /api/v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
    b"POST /api/v1/jobs/hello/start HTTP/1.1\r\nHost: x\r\n"
    b"Content-Length: 5\r\nContent-Length: 7\r\n\r\n{}",
    b"POST /api/v1/jobs/hello/start HTTP/1.1\r\nHost: x\r\n"
    b"Transfer-Encoding: chunked\r\n\r\nzz\r\n",
    b"GET /" + b"a" * 100000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /api/v1/jobs HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 1000000
    + b"\r\n\r\n",
    b"GET /api/v1/jobs/%00hello HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /api/v1/jobs/%zz HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET http://evil.example/api/v1/jobs HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /api/v1/jobs HTTP/1.1\r\n" + b"X-H: v\r\n" * 5000 + b"\r\n",
], ids=lambda b: repr(b[:24]))
def test_malformed_requests(site, data):
    d, w = site
    got = w.raw(data, timeout=10)
    if got:
        m = re.match(rb"HTTP/1\.[01] (\d{3}) ", got)
        assert m, "not an HTTP answer: %r" % got[:200]
        assert 400 <= int(m.group(1)) < 600 and int(m.group(1)) != 500, \
            got[:300]
    assert b"root:x:0" not in got
    assert_both_alive(w, d)
    assert not history(d, "hello"), "a malformed request started a run"


def test_1000_idle_connections(site):
    d, w = site
    soft = raise_nofile(1000 + 256)
    assert soft >= 1000 + 64, "RLIMIT_NOFILE soft limit %d too low" % soft
    w.get_json("/api/v1/jobs")
    before = w.rss_kb()
    socks = []
    try:
        for _ in range(1000):
            s = socket.socket()
            s.settimeout(10)
            s.connect((w.host, w.port))
            socks.append(s)
        t0 = time.monotonic()
        r = w.get("/healthz", timeout=5)
        took = time.monotonic() - t0
        assert r.status == 200 and took < 5, (r, took)
        assert w.get_json("/api/v1/jobs")["jobs"]
        during = w.rss_kb()
        fds = open_fds(w.pid)
        assert during - before < 64 * 1024, \
            "RSS %d -> %d KiB with 1000 idle connections" % (before, during)
        print("jobd-web RSS %d KiB idle, %d KiB with 1000 idle connections;"
              " %d fds" % (before, during, fds))
        # A request on some of them still works (or they were cut off).
        for s in socks[:5]:
            try:
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                got = s.recv(200)
            except OSError:
                got = b""
            assert got == b"" or got.startswith(b"HTTP/1.1 200"), got
    finally:
        for s in socks:
            s.close()
    assert_both_alive(w, d)
    wait_for(lambda: open_fds(w.pid) < 200, 10,
             "jobd-web to close the connections")


def connect_raw(w):
    s = socket.create_connection((w.host, w.port), timeout=30)
    return s


def closed_within(s, timeout):
    """Seconds until the server closed s (reads EOF or a reset), or None
    if it is still open after timeout."""
    t0 = time.monotonic()
    s.settimeout(timeout)
    try:
        while True:
            c = s.recv(4096)
            if not c:
                return time.monotonic() - t0
    except ConnectionResetError:
        return time.monotonic() - t0
    except socket.timeout:
        return None


def test_silent_client_is_cut_off(jobd, web_users, web):  # noqa: F811
    """--idle-timeout (a test option; the default is 30 s): a connection
    that sends half a request then nothing is closed after it."""
    d = start_jobd(jobd, web_users,
                   jobs={"hello": {"command": child("exit", 0)}})
    w = web(d, idle_timeout=IDLE)
    s = connect_raw(w)
    s.sendall(b"GET /api/v1/jobs HTTP/1.1\r\nHost: x\r\n")
    took = closed_within(s, IDLE + 5)
    s.close()
    assert took is not None, "still open %ds after the request stopped" \
        % (IDLE + 5)
    assert took >= IDLE - 0.5, "closed after %.1fs, before the timeout" \
        % took
    s = connect_raw(w)
    took = closed_within(s, IDLE + 5)
    s.close()
    assert took is not None and took >= IDLE - 0.5, took
    assert_both_alive(w, d)


def test_slow_client_is_cut_off(jobd, web_users, web):  # noqa: F811
    """A client sending its headers a byte at a time, each byte well
    within the idle timeout, is cut off: the request must be complete
    within the timeout, and other clients are served meanwhile."""
    d = start_jobd(jobd, web_users,
                   jobs={"hello": {"command": child("exit", 0)}})
    w = web(d, idle_timeout=IDLE)
    s = connect_raw(w)
    data = b"GET /api/v1/jobs HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"s" * 1000
    t0 = time.monotonic()
    cut = None
    for i, b in enumerate(data):
        try:
            s.sendall(bytes([b]))
        except (BrokenPipeError, ConnectionResetError):
            cut = time.monotonic() - t0
            break
        if i % 8 == 0:
            assert w.get("/healthz", timeout=3).status == 200
        s.settimeout(IDLE / 8)
        try:
            if s.recv(4096) == b"":
                cut = time.monotonic() - t0
                break
        except socket.timeout:
            pass
        except ConnectionResetError:
            cut = time.monotonic() - t0
            break
        if time.monotonic() - t0 > 3 * IDLE + 2:
            break
    s.close()
    assert cut is not None, "a client trickling its headers was still " \
        "connected after %.1fs (idle timeout %ds)" % (
            time.monotonic() - t0, IDLE)
    assert_both_alive(w, d)


@pytest.mark.timeout(90)
def test_output_follow_of_a_flood_ends(site):
    """A job writing 200 MB of lines as fast as it can, faster than this
    client reads: the stream ends within a deadline, with `event: end`
    (every line came) or with an `event: error` (not in web-api.md: the
    client did not keep up) after which the connection closes at once,
    not at the idle timeout; jobd-web stays small."""
    d, w = site
    d.write_config(settings={"socket_group": w.users.sock,
                             "admin_group": w.users.admin},
                   files={"conf.d/50-units.conf": __import__(
                       "conftest").units_text({"flood": {
                           "command": child("wait-file", d.path("go-flood"),
                                            30, "flood", 200000000),
                           "output": "file",
                           "output_file": d.path("flood.out")}})})
    vcall(d, "Reload")
    rid = w.post_json("/api/v1/jobs/flood/start")["runs"][0]["id"]
    d.wait_running("flood", rid)
    before = w.rss_kb()
    s = w.sse("/api/v1/runs/%d/output?follow=1&lines=0" % rid, timeout=60)
    d.path("go-flood").touch()
    t0 = time.monotonic()
    batches, last = 0, None
    while True:
        try:
            e, x = s.next_json(timeout=max(1, 40 - (time.monotonic() - t0)))
        except TimeoutError:
            raise AssertionError("no end, error or data for 40 s (%d "
                                 "batches before)" % batches)
        assert e is not None, "the stream closed without `event: end` " \
            "or `event: error` after %d batches" % batches
        if e == "lines":
            batches += 1
            continue
        last = (e, x)
        break
    if last[0] == "error":
        t1 = time.monotonic()
        try:
            after = s.next(timeout=5)
        except TimeoutError:
            raise AssertionError("still open 5 s after %r" % (last,))
        assert after is None, "more after %r: %r" % (last, after)
        print("cut off after %d batches, closed %.2f s after the error"
              % (batches, time.monotonic() - t1))
    else:
        assert last == ("end", {"finished": True}), last
    s.close()
    d.wait_run(rid, timeout=60)
    assert RSS_GROWTH_KB is None or w.rss_kb() - before < 2 * RSS_GROWTH_KB
    assert_both_alive(w, d)
