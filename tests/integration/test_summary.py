"""The Summary call behind `jobctl list` and `jobctl status`: its shape
(flat, what the human views print and no more), that it agrees with the
full Status, its errors, and that bytes that are not UTF-8 in what jobd
echoes (a description here) never make a reply invalid JSON."""
import json
import re

import pytest

from conftest import child, notify_child, start_units, wait_for, \
    wait_service
from varlink_client import VarlinkError

SUMMARY = "io.jobd.Manager.Summary"


def by_name(jobs):
    return {j["name"]: j for j in jobs}


def test_summary_shape_and_agreement_with_status(jobd):
    d = start_units(jobd, jobs={
        "described": {"command": child("exit", 0),
                      "description": "With words"},
        "holder": {"command": child("sleep", 30), "lock": "L"},
        "waiter": {"command": child("exit", 0), "lock": "L"},
    }, services={"svc": {"command": notify_child("ready", 0),
                         "ready": "notify"}})
    wait_service(d, "svc", "ready")
    assert d.jobctl("start", "--wait", "described")[0] == 0
    holder = d.start_run("holder")
    d.wait_running("holder", holder)
    waiter = d.start_run("waiter")
    c = d.varlink()
    s = wait_for(lambda: (lambda r: r if by_name(r["jobs"])["waiter"].get(
        "runs") else None)(c.call1(SUMMARY, {})), what="waiter pending")
    jobs = by_name(s["jobs"])
    assert set(jobs) == {"described", "holder", "waiter", "svc"}

    # A service: its fields beside the job's, its process not in runs.
    svc = jobs["svc"]
    assert svc["kind"] == "service" and svc["state"] == "ready"
    assert svc["pid"] > 0 and svc["run"] > 0 and svc["restarts"] == 0
    assert "runs" not in svc and "command" not in svc
    assert "description" not in svc          # absent when empty

    # A job: last run without what the views do not print.
    last = jobs["described"]["last"]
    assert jobs["described"]["description"] == "With words"
    assert last["result"] == "success" and last["exit_status"] == 0
    for key in ("job", "trigger", "exit_code", "queued_usec"):
        assert key not in last, last
    assert jobs["holder"]["runs"][0]["id"] == holder
    assert jobs["holder"]["runs"][0]["state"] == "running"
    pending = jobs["waiter"]["runs"][0]
    assert pending["id"] == waiter and pending["state"] == "pending"
    assert pending["waiting_for"] == "lock 'L'"
    assert "queued_usec" in pending          # not started: when queued
    assert s["sync"]["locks"][0]["holder"] == holder

    # Status says the same, in full.
    full = {js["job"]["name"]: js for js in
            c.call1("io.jobd.Manager.Status", {})["jobs"]}
    assert set(full) == set(jobs)
    assert full["svc"]["job"]["service"]["pid"] == svc["pid"]
    assert [r["id"] for r in full["svc"]["runs"]] == [svc["run"]]
    assert full["waiter"]["runs"][0]["waiting_for"] == "lock 'L'"
    assert full["described"]["job"]["command"][0].endswith("test-child")
    # One job only.
    one = c.call1(SUMMARY, {"job": "svc"})
    assert [j["name"] for j in one["jobs"]] == ["svc"]
    d.jobctl("cancel", "holder")


def test_summary_errors(jobd):
    d = jobd(jobs={"j": {"command": child("exit", 0)}})
    c = d.varlink()
    with pytest.raises(VarlinkError) as e:
        c.call1(SUMMARY, {"job": "nope"})
    assert e.value.error == "io.jobd.Manager.NoSuchJob"
    assert e.value.parameters == {"job": "nope"}
    with pytest.raises(VarlinkError) as e:
        c.call1(SUMMARY, {"job": 3})
    assert e.value.error == "org.varlink.service.InvalidParameter"
    assert e.value.parameters.get("parameter") == "job"
    # The connection still serves.
    assert by_name(c.call1(SUMMARY, {})["jobs"])["j"]["state"] == "idle"


def test_list_and_status_views_from_summary(jobd):
    d = jobd(jobs={"a": {"command": child("exit", 3),
                         "description": "Fails on purpose"},
                   "b": {"command": child("exit", 0)}})
    d.jobctl("start", "--wait", "a")
    rc, out, err = d.jobctl("list")
    assert rc == 0, err
    assert re.search(r"^a\s+idle\s+-\s+failed\s+\d+ \S+ \S+\s+"
                     r"Fails on purpose$", out, re.M), out
    assert re.search(r"^b\s+idle\s+-\s+-\s+-$", out, re.M), out
    rc, out, err = d.jobctl("status", "a")
    assert rc == 0, err
    assert out.startswith("a - Fails on purpose\n  state: idle\n"), out
    assert re.search(r"^  last: run \d+ failed, exit status 3, ended ",
                     out, re.M), out


def test_invalid_utf8_is_replaced_not_dropped(jobd):
    d = jobd(start=False)
    (d.confd / "50-bytes.conf").write_bytes(
        b"[job bytes]\ncommand=true\ndescription=caf\xe9 \xff ok\n")
    d.start()
    want = "caf\ufffd \ufffd ok"
    for method, get in (
            ("io.jobd.Manager.List", lambda r: r["jobs"][0]),
            ("io.jobd.Manager.Status", lambda r: r["jobs"][0]["job"]),
            (SUMMARY, lambda r: r["jobs"][0])):
        reply = d.varlink().call1(method, {})
        assert get(reply)["description"] == want, (method, reply)
    rc, out, err = d.jobctl("--json", "list", raw=True)
    assert rc == 0
    json.loads(out)                          # valid JSON, strict UTF-8
    rc, out, err = d.jobctl("status", "bytes")
    assert rc == 0 and out.startswith("bytes - " + want + "\n"), out
