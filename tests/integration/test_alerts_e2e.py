"""Alerts from end to end (issue 17): a job's runs, the alert policy's
decisions and the delivery to a real HTTP receiver, through a restart of
jobd.  A webhook delivery starts in the order decided, so a test that
must show that nothing was sent sends `jobctl alert test` after it as a
barrier: the next request the receiver gets is the test, not a second
`failed`.  The metrics count what was delivered."""
import json
import re

import pytest

from alert_helpers import alert_test, alerts_conf, attempts, wait_attempts
from conftest import child, wait_for

SPAN = 2                        # expect_success_within=, seconds


def start_with(jobd, r, jobs, hook=None, settings=None):
    d = jobd(start=False)
    d.write_config(jobs=jobs, settings=settings, files={
        "conf.d/60-alerts.conf": alerts_conf(
            {"hook": hook or {"webhook": r.url()}})})
    return d.start()


def events(r, n=None):
    """The receiver's requests so far (at least n), as documents."""
    reqs = r.wait(n) if n else r.requests
    return [json.loads(q["body"]) for q in reqs]


def barrier(d, r, since):
    """Everything decided before now has reached r: the events after the
    first `since` ones and before the test event that closes them."""
    alert_test(d, "hook")
    docs = wait_for(lambda: (lambda x: x if x and x[-1]["event"] == "test"
                             else None)(events(r)), 15.0, "the test event")
    return docs[since:-1]


def flag_job(d, **keys):
    """A job that prints a line and fails until d/ok exists."""
    job = {"command": "echo checking %s; test -e %s" % (d.path("ok"),
                                                        d.path("ok")),
           "shell": "yes", "alert": "hook"}
    job.update(keys)
    return job


def run(d, job):
    return d.wait_run(d.start_run(job))


def test_failed_once_across_a_restart_then_recovered(jobd, receiver):
    r = receiver()
    d = jobd(start=False)
    d.write_config(jobs={"j": flag_job(d)}, files={
        "conf.d/60-alerts.conf": alerts_conf({"hook": {"webhook":
                                                       r.url()}})})
    d.start()
    first = run(d, "j")
    doc = events(r, 1)[0]
    assert doc["event"] == "failed" and doc["job"] == "j"
    assert doc["run"] == first["id"] and doc["result"] == "failed"
    assert doc["exit_status"] == 1 and doc["trigger"] == "manual"
    assert doc["service"] is False
    assert doc["output_tail"] == ["checking %s" % d.path("ok")]
    assert doc["summary"].endswith("j failed (exit 1)"), doc["summary"]
    # Change-only: the second failure sends nothing, nor one after a
    # restart (the state is in the ledger).
    run(d, "j")
    assert barrier(d, r, 1) == []
    d.stop()
    d.start()
    run(d, "j")
    assert barrier(d, r, 2) == []
    d.path("ok").touch()
    ok = run(d, "j")
    rec = wait_for(lambda: [e for e in events(r)
                            if e["event"] == "recovered"], 10.0,
                   "recovered")[0]
    assert rec["run"] == ok["id"] and rec["result"] == "success"
    sent = wait_attempts(d, lambda a: len(a) >= 4, "4 attempts")
    assert [(x["event"], x["status"]) for x in sent] == [
        ("recovered", "sent"), ("test", "sent"), ("test", "sent"),
        ("failed", "sent")], sent


def test_alert_repeat_and_always(jobd, receiver):
    r = receiver()
    d = jobd(start=False)
    d.write_config(jobs={
        "rep": flag_job(d, alert_repeat="yes"),
        "all": {"command": child("exit", 0), "alert": "hook",
                "alert_on": "always"}}, files={
        "conf.d/60-alerts.conf": alerts_conf({"hook": {"webhook":
                                                       r.url()}})})
    d.start()
    a, b = run(d, "rep"), run(d, "rep")
    c = run(d, "all")
    docs = barrier(d, r, 0)
    got = sorted((e["job"], e["event"], e["run"]) for e in docs)
    assert got == sorted([("rep", "failed", a["id"]),
                          ("rep", "failed", b["id"]),
                          ("all", "finished", c["id"])]), got


def test_overdue_within_span_then_recovered(jobd, receiver):
    r = receiver()
    d = jobd(start=False)
    d.write_config(jobs={"dead": flag_job(
        d, expect_success_within="%ds" % SPAN)}, files={
        "conf.d/60-alerts.conf": alerts_conf({"hook": {"webhook":
                                                       r.url()}})})
    d.start()
    doc = events(r, 1)[0]
    assert doc["event"] == "overdue" and doc["job"] == "dead", doc
    assert doc["run"] is None
    assert re.search(r"no success", doc["reason"] or ""), doc
    text = d.jobctl("metrics")[1]
    assert 'jobd_job_overdue{job="dead"} 1' in text
    d.path("ok").touch()
    ok = run(d, "dead")
    rec = wait_for(lambda: [e for e in events(r)
                            if e["event"] == "recovered"], 10.0,
                   "recovered")[0]
    assert rec["run"] == ok["id"]
    text = d.jobctl("metrics")[1]
    assert 'jobd_job_overdue{job="dead"} 0' in text


@pytest.mark.timeout(60)
def test_missed_slot_sends_missed(jobd, receiver):
    r = receiver()
    start_with(jobd, r, {"busy": {
        "command": child("sleep", 30), "every": "1s", "overlap": "skip",
        "alert": "hook", "alert_on": "missed"}})
    doc = wait_for(lambda: [e for e in events(r)
                            if e["event"] == "missed"], 15.0,
                   "a missed slot")[0]
    assert doc["job"] == "busy" and doc["result"] == "skipped"
    assert "overlap=skip" in (doc["reason"] or ""), doc
    assert doc["scheduled_at"], doc


def test_alert_counts_in_metrics_and_after_a_restart(jobd, receiver):
    r = receiver(statuses=(500,))
    d = start_with(jobd, r, {"j": {"command": child("exit", 0)}})
    alert_test(d, "hook")
    wait_attempts(d, lambda a: [x["status"] for x in a] ==
                  ["sent", "failed"], "a failure, then sent")

    def count(status):
        m = re.search(r'^jobd_alerts_total\{alert="hook",sink="webhook",'
                      r'status="%s"\} (\d+)$' % status,
                      d.jobctl("metrics")[1], re.M)
        return int(m.group(1)) if m else 0
    assert (count("sent"), count("failed")) == (1, 1)
    d.stop()
    d.start()
    assert (count("sent"), count("failed")) == (1, 1)
    assert len(attempts(d)) == 2
