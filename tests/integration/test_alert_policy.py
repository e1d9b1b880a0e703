"""The alert policy in the real jobd: the dead man's switch shown by
jobctl list and status (and --json) within SPAN + 1 s and cleared by a
success; the alert state, overdue and notify_on=change surviving a
restart; set events surviving a restart (set again silently); and the
decisions wired to the scheduler's skipped slots, the ledger's lost runs
and services.  No [alert NAME] section can be written on this branch, so
what the policy decides is read from jobd's debug log ("job 'x': failed,
not sent (no alert=)") and from the failing/overdue fields."""
import json
import time

from conftest import child, wait_for

SPAN = 2                        # expect_success_within=, seconds


def verbose(d):
    """Starts d (made with start=False) with the debug log on."""
    plain = d.argv
    d.argv = lambda *extra: plain("-v", *extra)
    return d.start()


def decided(d, unit, kind, service=False):
    """How many times the log says the policy decided kind for unit."""
    needle = "%s '%s': %s, not sent" % ("service" if service else "job",
                                       unit, kind)
    return d.log_text().count(needle)


def listed(d, name):
    for j in d.jobctl_json("list")["jobs"]:
        if j["name"] == name:
            return j
    raise AssertionError("%s not in list" % name)


def list_state(d, name):
    rc, out, err = d.jobctl("list")
    assert rc == 0, err
    for line in out.splitlines()[1:]:
        cells = line.split()
        if cells and cells[0] == name:
            return cells[1]
    raise AssertionError("%s not in:\n%s" % (name, out))


def flag_job(flag, **keys):
    """A job that fails until flag exists."""
    job = {"command": "test -e %s" % flag, "shell": "yes"}
    job.update(keys)
    return job


def run_to_end(d, job):
    return d.wait_run(d.start_run(job))


def test_overdue_shown_then_cleared_by_a_success(jobd):
    d = jobd(start=False)
    flag = d.path("ok")
    d.write_config(jobs={
        "dms": flag_job(flag, expect_success_within="%ds" % SPAN),
        "plain": {"command": child("exit", 0)}})
    t0 = time.monotonic()
    verbose(d)
    # Armed: due SPAN after jobd first saw it.
    j = listed(d, "dms")
    assert j["overdue"] is False, j
    assert j["expect_success_within_usec"] == SPAN * 1000000
    assert "expect_success_by_usec" in j and "overdue_since_usec" not in j
    assert "overdue" not in listed(d, "plain")
    assert list_state(d, "dms") == "idle"
    assert run_to_end(d, "dms")["result"] == "failed"
    wait_for(lambda: list_state(d, "dms") == "overdue", SPAN + 1.0,
             "dms overdue in jobctl list")
    assert time.monotonic() - t0 >= SPAN - 0.1
    j = listed(d, "dms")
    assert j["overdue"] is True and j["state"] == "idle", j
    since = j["overdue_since_usec"]
    assert "expect_success_by_usec" not in j
    st = d.job_status("dms")["job"]
    assert st["overdue"] is True and st["overdue_since_usec"] == since
    assert st["failing"] is True
    rc, out, err = d.jobctl("status", "dms")
    assert rc == 0 and "overdue since " in out, out
    assert "(expect_success_within=2s)" in out and "alerts: failing" in out
    assert list_state(d, "plain") == "idle"
    assert decided(d, "dms", "overdue") == 1

    flag.touch()
    assert run_to_end(d, "dms")["result"] == "success"
    j = listed(d, "dms")
    assert j["overdue"] is False and "failing" not in j, j
    assert j["expect_success_by_usec"] > since
    assert list_state(d, "dms") == "idle"
    rc, out, err = d.jobctl("status", "dms")
    assert "success due by " in out and "overdue" not in out, out
    # Recovered once, overdue never again meanwhile.
    assert decided(d, "dms", "overdue") == 1


def test_alert_state_and_overdue_survive_a_restart(jobd):
    d = jobd(start=False)
    d.write_config(jobs={
        "flaky": {"command": child("exit", 3)},
        "dms": {"command": child("exit", 0),
                "expect_success_within": "%ds" % SPAN}})
    verbose(d)
    assert run_to_end(d, "flaky")["result"] == "failed"
    assert d.job_status("flaky")["job"]["failing"] is True
    assert decided(d, "flaky", "failed") == 1
    wait_for(lambda: listed(d, "dms")["overdue"], SPAN + 1.0, "dms overdue")
    since = listed(d, "dms")["overdue_since_usec"]
    assert d.stop() == 0

    verbose(d)
    # From the ledger, before anything ran.
    assert d.job_status("flaky")["job"]["failing"] is True
    j = listed(d, "dms")
    assert j["overdue"] is True and j["overdue_since_usec"] == since, j
    assert list_state(d, "dms") == "overdue"
    # Failing again is no news: no second "failed" across the restart.
    assert run_to_end(d, "flaky")["result"] == "failed"
    assert decided(d, "flaky", "failed") == 1
    assert decided(d, "dms", "overdue") == 1
    d.write_config(jobs={
        "flaky": {"command": child("exit", 0)},
        "dms": {"command": child("exit", 0),
                "expect_success_within": "%ds" % SPAN}})
    rc, out, err = d.jobctl("reload")
    assert rc == 0, err
    assert run_to_end(d, "flaky")["result"] == "success"
    assert run_to_end(d, "dms")["result"] == "success"
    assert decided(d, "flaky", "recovered") == 1
    assert decided(d, "dms", "recovered") == 1
    assert "failing" not in d.job_status("flaky")["job"]
    assert listed(d, "dms")["overdue"] is False


def test_notify_on_change_survives_a_restart(jobd):
    d = jobd(start=False)
    d.write_config(jobs={
        "flaky": {"command": child("exit", 3), "notify_on": "change",
                  "on_failure": "told", "on_success": "told"},
        "told": {"command": child("exit", 0)}})
    d.start()
    assert run_to_end(d, "flaky")["result"] == "failed"
    wait_for(lambda: d.job_status("told")["job"].get("last"), 10.0,
             "the hook's run")
    assert d.stop() == 0

    d.start()
    assert run_to_end(d, "flaky")["result"] == "failed"
    # The hook would be queued as the run ended: none in this daemon.
    told = d.job_status("told")
    assert told["runs"] == [] and "last" not in told["job"], told
    rows = d.jobctl_json("history", "-n", 0, "told")["runs"]
    assert len(rows) == 1, rows
    # A change still runs it.
    d.write_config(jobs={
        "flaky": {"command": child("exit", 0), "notify_on": "change",
                  "on_failure": "told", "on_success": "told"},
        "told": {"command": child("exit", 0)}})
    rc, out, err = d.jobctl("reload")
    assert rc == 0, err
    assert run_to_end(d, "flaky")["result"] == "success"
    wait_for(lambda: d.job_status("told")["job"].get("last"), 10.0,
             "the hook's run on success")


def event_set(d, name):
    for e in d.jobctl_json("event", "list")["events"]:
        if e["name"] == name:
            return e["set"]
    return False


def test_events_survive_a_restart_silently(jobd):
    d = jobd(start=False)
    d.write_config(jobs={
        "waiter": {"command": child("exit", 0), "wait_event": "go"},
        "fired": {"command": child("exit", 0), "on_event": "go"}})
    verbose(d)
    rc, out, err = d.jobctl("event", "set", "go")
    assert rc == 0, err
    wait_for(lambda: len(d.jobctl_json("history", "-n", 0, "fired")["runs"])
             == 1, 10.0, "fired's run")
    assert d.stop() == 0

    verbose(d)
    assert event_set(d, "go") is True
    assert "1 event set before the restart, set again" in d.log_text()
    # A waiter runs at once: it never waits for the event.
    run = d.start_run("waiter")
    assert d.wait_run(run, timeout=10)["result"] == "success"
    # The on_event job did not run again for it.
    assert d.job_status("fired")["runs"] == []
    assert "last" not in d.job_status("fired")["job"]
    assert len(d.jobctl_json("history", "-n", 0, "fired")["runs"]) == 1
    # Cleared, it stays clear across a restart.
    rc, out, err = d.jobctl("event", "clear", "go")
    assert rc == 0, err
    assert d.stop() == 0
    d.start()
    assert event_set(d, "go") is False
    run = d.start_run("waiter")
    r = wait_for(lambda: d.run_state("waiter", run), 10.0, "waiter's run")
    assert r["state"] == "pending" and r["waiting_for"] == "event 'go'", r
    rc, out, err = d.jobctl("event", "set", "go")
    assert rc == 0 and json.loads(
        d.jobctl("--json", "event", "list")[1])["events"], err
    assert d.wait_run(run)["result"] == "success"


def test_missed_from_skipped_slots_and_lost_runs(jobd):
    d = jobd(start=False)
    go = d.path("go")
    d.write_config(jobs={
        "slow": {"command": child("sleep", 2.5), "every": "1s"},
        "held": {"command": child("wait-file", go, 120)}})
    verbose(d)
    wait_for(lambda: decided(d, "slow", "missed") >= 1, 10.0,
             "a slot of slow skipped by overlap=skip")
    assert "overlap=skip" in d.log_text()
    run = d.start_run("held")
    d.wait_running("held", run)
    wait_for(lambda: any(r["id"] == run and r["state"] == "running"
                         for r in d.jobctl_json("history", "-n", 0,
                                                "held")["runs"]),
             10.0, "held's row on disk")
    d.proc.kill()
    d.proc.wait()
    go.touch()
    verbose(d)
    assert decided(d, "held", "missed") == 1
    assert decided(d, "slow", "failed") == 0


def test_service_failed_then_recovered(jobd):
    d = jobd(start=False)
    flag = d.path("ok")
    d.write_config(files={"conf.d/50-s.conf": (
        "[service crash]\nshell=yes\n"
        "command=test -e %s || exit 4; exec %s\n"
        "restart_sec=50ms\nstart_limit_burst=2\n"
        "start_limit_interval=1min\nready_after=100ms\n"
        % (flag, child("sleep", 100)))})
    verbose(d)
    wait_for(lambda: decided(d, "crash", "failed", service=True) == 1,
             10.0, "crash failed")
    assert listed(d, "crash")["failing"] is True
    flag.touch()
    rc, out, err = d.jobctl("restart", "crash")
    assert rc == 0, err
    wait_for(lambda: decided(d, "crash", "recovered", service=True) == 1,
             10.0, "crash recovered")
    assert "failing" not in listed(d, "crash")
    assert decided(d, "crash", "failed", service=True) == 1
