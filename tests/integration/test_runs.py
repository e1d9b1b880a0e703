"""Runs as futures: start (at once and --wait), gather, wait / wait --any,
cancel by run and by job (the whole process group), SIGKILL after
stop_timeout, timeout=, and the list/status views."""
import json
import os
import re
import time

import pytest

from conftest import child, pid_alive, wait_for, wait_pids_gone


def test_start_prints_run_id_at_once(jobd):
    d = jobd(start=False)
    go = d.path("go")
    d.write_config(jobs={"slow": {"command": child("wait-file", go)}})
    d.start()
    rc, out, err = d.jobctl("start", "slow")
    assert rc == 0, err
    assert re.fullmatch(r"\d+\n", out), repr(out)
    run_id = int(out)
    run = d.wait_running("slow", run_id)
    assert run["job"] == "slow"
    assert isinstance(run["pid"], int) and run["pid"] > 0
    assert run["started_usec"] >= run["queued_usec"]
    go.touch()
    done = d.wait_run(run_id)
    assert done["result"] == "success"
    assert done["exit_code"] == 0
    assert done["exit_status"] == 0
    assert done["ended_usec"] >= done["started_usec"]


@pytest.mark.parametrize("args,status", [
    (("exit", 0), 0),
    (("print", 1, "exit", 3), 3),
    (("kill-self", "KILL"), 128 + 9),
])
def test_start_wait_exit_status(jobd, args, status):
    d = jobd(jobs={"j": {"command": child(*args)}})
    rc, out, err = d.jobctl("start", "j", "--wait")
    assert rc == status, "rc %d stdout %r stderr %r" % (rc, out, err)
    last = d.job_status("j")["job"]["last"]
    assert last["state"] == "finished"
    assert last["exit_status"] == status
    if status == 0:
        assert last["result"] == "success"
    else:
        assert last["result"] == "failed"
    if args[0] == "kill-self":
        assert last["signal"] == 9
        assert last.get("exit_code") is None


def test_start_wait_json_reports_finished_runs(jobd):
    d = jobd(jobs={"j": {"command": child("exit", 5)}})
    rc, out, err = d.jobctl("--json", "start", "j", "--wait")
    assert rc == 5, err
    reply = json.loads(out.strip().splitlines()[-1])
    assert [r["job"] for r in reply["runs"]] == ["j"]
    assert reply["runs"][0]["state"] == "finished"
    assert reply["runs"][0]["exit_code"] == 5


def test_gather_three_jobs(jobd, workdir):
    # a and b each wait for the other's file: both finish only if they
    # run together.
    a_ok, b_ok = workdir / "a.ok", workdir / "b.ok"
    d = jobd(jobs={
        "a": {"command": child("touch", a_ok, "wait-file", b_ok, 10)},
        "b": {"command": child("touch", b_ok, "wait-file", a_ok, 10,
                               "exit", 4)},
        "c": {"command": child("exit", 5)},
    })
    started = time.monotonic()
    rc, out, err = d.jobctl("start", "a", "b", "c", "--wait", timeout=30)
    assert time.monotonic() - started < 10, "runs did not run together"
    # The first non-zero status in the order given.
    assert rc == 4, "rc %d: %s %s" % (rc, out, err)
    # The ids come first, one per line (then a result line per run).
    ids = [int(x) for x in out.splitlines()[:3]]
    assert len(set(ids)) == 3, out
    results = {d.job_status(j)["job"]["last"]["exit_status"]
               for j in ("a", "b", "c")}
    assert results == {0, 4, 5}


def test_wait_and_wait_any(jobd):
    d = jobd(start=False)
    f1, f2 = d.path("f1"), d.path("f2")
    d.write_config(jobs={"one": {"command": child("wait-file", f1)},
                         "two": {"command": child("wait-file", f2,
                                                  "exit", 7)}})
    d.start()
    r1, r2 = d.start_run("one"), d.start_run("two")
    anyp = d.popen_jobctl("--json", "wait", "--any", r1, r2)
    allp = d.popen_jobctl("wait", r1, r2)
    f2.touch()
    out, err = anyp.communicate(timeout=20)
    assert anyp.returncode == 7, err
    reply = json.loads(out.decode().strip().splitlines()[-1])
    finished = [r for r in reply["runs"] if r["state"] == "finished"]
    assert [r["id"] for r in finished] == [r2]
    # wait --any returned while run one still runs, and plain wait waits.
    assert d.run_state("one", r1)["state"] == "running"
    assert allp.poll() is None
    f1.touch()
    out, err = allp.communicate(timeout=20)
    assert allp.returncode == 7, err      # first non-zero in the order given
    rc, out, err = d.jobctl("wait", r1)
    assert rc == 0, err


def test_wait_unknown_run_is_refused(jobd):
    d = jobd(jobs={"j": {"command": child("exit", 0)}})
    rc, out, err = d.jobctl("wait", 999999)
    assert rc == 1, out + err
    assert err.strip()


def _group_job(d, name):
    return {"command": child("subchild", 60, "pidfile",
                             d.pidfile(name + "-parent"), "sleep", 60),
            "environment": "TEST_SUBCHILD_PIDFILE=%s"
            % d.pidfile(name + "-sub"),
            "stop_timeout": "5s"}


def test_cancel_run_kills_process_group(jobd):
    d = jobd(start=False)
    d.write_config(jobs={"grp": _group_job(d, "grp")})
    d.start()
    run_id = d.start_run("grp")
    parent, sub = d.read_pid("grp-parent"), d.read_pid("grp-sub")
    assert pid_alive(parent) and pid_alive(sub)
    reply = d.jobctl_json("cancel", run_id)
    assert [r["id"] for r in reply["runs"]] == [run_id]
    run = d.wait_run(run_id)
    assert run["result"] == "cancelled"
    assert run["signal"] == 15
    assert run["exit_status"] == 128 + 15
    wait_pids_gone([parent, sub])
    # Cancelling a finished run is refused.
    rc, out, err = d.jobctl("cancel", run_id)
    assert rc == 1, out + err


def test_cancel_job_cancels_every_run(jobd):
    d = jobd(start=False)
    # Each run records its own pids: main-PID.pid and sub-PID.pid.
    d.write_config(jobs={
        "pair": {"command": "TEST_SUBCHILD_PIDFILE=sub-$$.pid exec %s "
                 "pidfile main-$$.pid subchild 60 sleep 60" % child(),
                 "shell": "yes", "working_directory": str(d.pids)},
        "other": {"command": child("sleep", 60)}})
    d.start()
    r1, r2 = d.start_run("pair"), d.start_run("pair")
    other = d.start_run("other")
    pidfiles = wait_for(lambda: (lambda f: f if len(f) == 4 else None)(
        sorted(d.pids.glob("*.pid"))), 10, "four pid files")
    pids = [int(f.read_text()) for f in pidfiles]
    mains = {int(f.read_text()) for f in pidfiles if "main" in f.name}
    assert mains == {d.run_state("pair", r)["pid"] for r in (r1, r2)}
    reply = d.jobctl_json("cancel", "pair")
    assert sorted(r["id"] for r in reply["runs"]) == sorted([r1, r2])
    assert d.wait_run(r1)["result"] == "cancelled"
    assert d.wait_run(r2)["result"] == "cancelled"
    wait_pids_gone(pids)
    assert d.run_state("other", other)["state"] == "running"
    # A job with no unfinished run: NoRuns, and nothing is cancelled.
    rc, out, err = d.jobctl("cancel", "pair", "other")
    assert rc == 1, out + err
    assert d.run_state("other", other)["state"] == "running"
    assert d.jobctl("cancel", "other")[0] == 0
    assert d.wait_run(other)["result"] == "cancelled"


def test_cancel_unknown_targets(jobd):
    d = jobd(jobs={"j": {"command": child("exit", 0)}})
    assert d.jobctl("cancel", "nosuchjob")[0] == 1
    assert d.jobctl("cancel", "424242")[0] == 1


def test_sigkill_after_stop_timeout(jobd):
    d = jobd(start=False)
    ready = d.path("ready")
    d.write_config(jobs={"stubborn": {
        "command": child("ignore-term", "pidfile", d.pidfile("stubborn"),
                         "touch", ready, "sleep", 60),
        "stop_timeout": "1s"}})
    d.start()
    run_id = d.start_run("stubborn")
    wait_for(ready.exists, 10, "the job to ignore SIGTERM")
    pid = d.read_pid("stubborn")
    started = time.monotonic()
    assert d.jobctl("cancel", run_id)[0] == 0
    run = d.wait_run(run_id)
    elapsed = time.monotonic() - started
    assert run["result"] == "cancelled"
    assert run["signal"] == 9
    assert run["exit_status"] == 137
    assert elapsed >= 0.9, "killed before stop_timeout (%.2fs)" % elapsed
    assert elapsed < 8, "SIGKILL came late (%.2fs)" % elapsed
    wait_pids_gone([pid])


def test_timeout_result(jobd):
    d = jobd(start=False)
    d.write_config(jobs={"long": {
        "command": child("pidfile", d.pidfile("long"), "sleep", 60),
        "timeout": "1s", "stop_timeout": "2s"}})
    d.start()
    rc, out, err = d.jobctl("start", "long", "--wait", timeout=30)
    last = d.job_status("long")["job"]["last"]
    assert last["result"] == "timeout"
    assert last["signal"] == 15
    assert rc == 143, "rc %d %s" % (rc, err)
    assert 0.9e6 <= last["runtime_usec"] < 10e6
    wait_pids_gone([d.read_pid("long")])


def test_list_and_status_json(jobd):
    d = jobd(jobs={
        "beta": {"command": child("exit", 0), "description": "second"},
        "alpha": {"command": child("print", 2, "exit", 0),
                  "description": "first"},
    })
    listed = d.jobctl_json("list")
    assert [j["name"] for j in listed["jobs"]] == ["alpha", "beta"]
    alpha = listed["jobs"][0]
    assert alpha["description"] == "first"
    assert alpha["state"] == "idle"
    assert alpha["running"] == 0
    assert alpha.get("last") is None
    assert alpha["command"] == [os.environ["JOBD_TEST_CHILD"], "print", "2",
                                "exit", "0"]
    assert d.jobctl("start", "alpha", "--wait")[0] == 0
    status = d.jobctl_json("status")
    names = [js["job"]["name"] for js in status["jobs"]]
    assert names == ["alpha", "beta"]
    alpha = status["jobs"][0]
    assert alpha["runs"] == []
    assert alpha["job"]["last"]["result"] == "success"
    assert alpha["job"]["last"]["trigger"]
    # Human formats exist and mention the jobs.
    rc, out, err = d.jobctl("list")
    assert rc == 0 and "alpha" in out and "beta" in out, out + err
    rc, out, err = d.jobctl("status", "alpha")
    assert rc == 0 and "alpha" in out, out + err


def test_status_of_running_job(jobd):
    d = jobd(start=False)
    go = d.path("go")
    d.write_config(jobs={"w": {"command": child("wait-file", go)}})
    d.start()
    r1, r2 = d.start_run("w"), d.start_run("w")
    d.wait_running("w", r1)
    d.wait_running("w", r2)
    js = d.job_status("w")
    assert js["job"]["state"] == "running"
    assert js["job"]["running"] == 2
    assert sorted(r["id"] for r in js["runs"]) == sorted([r1, r2])
    go.touch()
    d.wait_run(r1)
    d.wait_run(r2)
    js = d.job_status("w")
    assert js["job"]["state"] == "idle" and js["runs"] == []


def test_environment_working_directory_and_shell(jobd, workdir):
    d = jobd(jobs={
        "envy": {"command": child("env", "FOO", "env", "BAR", "env", "NOPE",
                                  "pwd"),
                 "environment": ["FOO=one 'BAR=two words'", "FOO=later"],
                 "working_directory": str(workdir)},
        "sh": {"command": "echo \"$((6 * 7))\"; exit 6", "shell": "yes"},
    })
    assert d.jobctl("start", "envy", "--wait")[0] == 0
    rc, out, err = d.jobctl("logs", "envy")
    assert rc == 0, err
    assert out.splitlines() == ["FOO=later", "BAR=two words", "NOPE unset",
                                os.path.realpath(workdir)]
    assert d.jobctl("start", "sh", "--wait")[0] == 6
    assert d.jobctl("logs", "sh")[1] == "42\n"


def test_unknown_job(jobd):
    d = jobd(jobs={"j": {"command": child("exit", 0)}})
    rc, out, err = d.jobctl("start", "nosuch")
    assert rc == 1, out + err
    assert "nosuch" in err
    assert d.jobctl("status", "nosuch")[0] == 1
    assert d.jobctl("logs", "nosuch")[0] == 1
