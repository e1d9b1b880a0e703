"""Ad-hoc and transient runs (jobctl run, jobctl remove): a command no file
declares, run once (trigger adhoc) or on a calendar, recorded with who
asked; logs, wait, cancel, history and show work on its runs as on any.
Refused: a name a unit has, a bad name, user, timeout, schedule or
environment, too many arguments, and anyone but an administrator."""
import json
import os
import pwd
import shutil

import pytest

from conftest import child, history, wait_for
from test_access import Principals, as_user, open_dirs  # noqa: F401


def runs_of_job(d, job):
    return [r for r in history(d) if r["job"] == job]


def listed(d):
    return {j["name"]: j for j in d.jobctl_json("list")["jobs"]}


def test_run_once_records_adhoc_and_who(jobd):
    d = jobd(jobs={"conf": {"command": child("exit", 0)}})
    rc, out, err = d.jobctl("run", "--wait", "--env", "FOO=bar", "--",
                            "/bin/sh", "-c", "echo foo=$FOO; exit 3")
    assert rc == 3, (rc, out, err)
    run_id = int(out.split()[0])
    show = d.jobctl_json("show", run_id)["run"]
    assert show["trigger"] == "adhoc"
    assert show["job"] == "run-%d" % run_id
    assert show["result"] == "failed" and show["exit_status"] == 3
    assert show["requested_by"] == {"uid": 0, "user": "root"}, show
    rc, out, _ = d.jobctl("logs", "--run", run_id)
    assert rc == 0 and "foo=bar" in out, out
    rc, out, _ = d.jobctl("show", run_id)
    assert "started by   uid 0 (root)" in out, out
    assert [r["trigger"] for r in runs_of_job(d, "run-%d" % run_id)] == \
        ["adhoc"]
    # Listed as transient (and the configured job not).
    jobs = listed(d)
    assert jobs["run-%d" % run_id].get("transient") is True
    assert "transient" not in jobs["conf"]
    rc, out, _ = d.jobctl("status", "run-%d" % run_id)
    assert "transient: made by jobctl run" in out, out
    # wait on the finished run still answers (the job stays listed).
    assert d.wait_run(run_id)["exit_status"] == 3


def test_run_named_timeout_lock_and_cancel(jobd):
    d = jobd(jobs={"holder": {"command": child("wait-file", "/nonexistent",
                                                60), "lock": "L"}})
    rc, out, err = d.jobctl("run", "--name", "short", "--timeout", "1s",
                            "--wait", "--", "/bin/sleep", "30")
    assert rc != 0, (out, err)
    r = d.jobctl_json("show", int(out.split()[0]))["run"]
    assert r["result"] == "timeout", r
    holder = d.start_run("holder")
    d.wait_running("holder", holder)
    rc, out, err = d.jobctl("run", "--name", "locked", "--lock", "L", "--",
                            "/bin/true")
    assert rc == 0, err
    locked = int(out)
    wait_for(lambda: (d.run_state("locked", locked) or {}).get(
        "waiting_for") == "lock 'L'", 10, "the run to wait for lock L")
    rc, out, err = d.jobctl("cancel", locked)
    assert rc == 0, err
    show = d.jobctl_json("show", locked)["run"]
    assert show["result"] == "cancelled"
    assert show["cancelled_by"] == {"uid": 0, "user": "root"}, show
    d.jobctl("cancel", holder)


def test_run_as_user(jobd):
    nobody = pwd.getpwnam("nobody")
    d = jobd()
    rc, out, err = d.jobctl("run", "--user", "nobody", "--wait", "--",
                            "/usr/bin/id", "-u")
    assert rc == 0, err
    run_id = int(out.split()[0])
    rc, out, _ = d.jobctl("logs", "--run", run_id)
    assert out.strip() == str(nobody.pw_uid), out


@pytest.mark.parametrize("args,message", [
    (["--name", "conf", "--", "/bin/true"],
     "'conf' is the name of a job or service already"),
    (["--name", "../x", "--", "/bin/true"], "invalid job name '../x'"),
    (["--user", "bad user", "--", "/bin/true"], "invalid user name"),
    (["--timeout", "soon", "--", "/bin/true"], "invalid time span 'soon'"),
    (["--env", "JOBD_RUN=1", "--", "/bin/true"],
     "JOBD_* variables are jobd's to set"),
    (["--env", "NOTIFY_SOCKET=/x", "--", "/bin/true"],
     "the service manager's"),
    (["--lock", "a/b", "--", "/bin/true"], "invalid name 'a/b'"),
    (["--name", "t", "--on-calendar", "0 0 31 2 *", "--", "/bin/true"],
     "never fires"),
    (["--", ""], "empty command"),
])
def test_run_refused(jobd, args, message):
    d = jobd(jobs={"conf": {"command": child("exit", 0)}})
    rc, out, err = d.jobctl("run", *args)
    assert rc == 1, (rc, out, err)
    assert message in err, err
    assert set(listed(d)) == {"conf"}
    assert history(d) == []


def test_run_usage_errors(jobd):
    d = jobd()
    for args, message in (([], "'run' needs a command"),
                          (["--on-calendar", "daily", "--", "x"],
                           "--on-calendar needs --name"),
                          (["--env", "NOEQ", "--", "x"], "invalid --env"),
                          (["word", "--", "x"], "the command goes after --")):
        rc, out, err = d.jobctl("run", *args)
        assert rc == 2 and message in err, (args, rc, err)


def test_too_many_arguments(jobd):
    d = jobd()
    rc, out, err = d.jobctl("run", "--", "/bin/echo", *(["x"] * 1024))
    assert rc == 1, (rc, err)
    assert "invalid parameter 'command': more than 1024 entries" in err, err
    rc, out, err = d.jobctl("run", "--wait", "--", "/bin/echo",
                            *(["x"] * 1023))
    assert rc == 0, err
    big = "y" * 20000
    rc, out, err = d.jobctl("run", "--", "/bin/echo", big, big)
    assert rc == 1 and "too many arguments: at most 1024, 32768 bytes" \
        in err, err


def test_on_calendar_job_reload_remove_restart(jobd):
    d = jobd(jobs={"conf": {"command": child("exit", 0)}})
    rc, out, err = d.jobctl("run", "--on-calendar", "*:*:*", "--name",
                            "tick", "--", "/bin/true")
    assert rc == 0 and out.startswith("transient job tick, next run"), \
        (out, err)
    assert listed(d)["tick"]["transient"] is True
    assert "next_usec" in listed(d)["tick"]
    wait_for(lambda: any(r["trigger"] == "schedule" and
                         r.get("result") == "success"
                         for r in runs_of_job(d, "tick")),
             10, "a scheduled run of tick")
    rc, out, err = d.jobctl("--json", "reload")
    assert rc == 0, err
    assert "tick" not in json.dumps(json.loads(out).get("removed", [])), out
    assert listed(d)["tick"]["transient"] is True
    n = len(runs_of_job(d, "tick"))
    wait_for(lambda: len(runs_of_job(d, "tick")) > n, 10,
             "tick to fire after the reload")
    rc, out, err = d.jobctl("remove", "conf")
    assert rc == 1 and "defined in the configuration files" in err, err
    rc, out, err = d.jobctl("remove", "nope")
    assert rc == 1 and "no such job" in err, err
    rc, out, err = d.jobctl("remove", "tick")
    assert rc == 0, err
    assert "tick" not in listed(d)
    # A new one, and a restart takes it away.
    rc, out, err = d.jobctl("run", "--on-calendar", "yearly", "--name",
                            "later", "--", "/bin/true")
    assert rc == 0, err
    d.stop()
    d.start()
    assert set(listed(d)) == {"conf"}


def test_reload_defining_the_name_wins(jobd):
    d = jobd(jobs={"conf": {"command": child("exit", 0)}})
    assert d.jobctl("run", "--on-calendar", "yearly", "--name", "x", "--",
                    "/bin/true")[0] == 0
    d.write_config(jobs={"conf": {"command": child("exit", 0)},
                         "x": {"command": child("exit", 0)}})
    rc, out, err = d.jobctl("reload")
    assert rc == 0, err
    assert "transient" not in listed(d)["x"]
    wait_for(lambda: "gives way to the job of the same name" in
             d.log_text(), 5, "the log line")


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("useradd"),
                    reason="needs root and useradd to make test users")
def test_only_administrators_run_and_remove(jobd):
    p = Principals()
    try:
        p.create()
        d = jobd(start=False)
        d.write_config(settings={"socket_group": p.groups["sock"],
                                 "admin_group": p.groups["admin"]})
        open_dirs(d)
        d.start()
        for user in ("reader", "starter"):
            rc, out, err, _ = as_user(p, d, user, "run", "--", "/bin/true")
            assert rc == 1 and "permission denied" in err, (user, err)
        assert history(d) == []
        rc, out, err, _ = as_user(p, d, "admin", "run", "--name", "mine",
                                  "--wait", "--", "/usr/bin/id", "-u")
        assert rc == 0, err
        run_id = int(out.split()[0])
        show = d.jobctl_json("show", run_id)["run"]
        assert show["requested_by"] == {"uid": p.uid("admin"),
                                        "user": p.users["admin"]}, show
        # An admin_group= member runs commands as itself, never as root.
        assert d.jobctl("logs", "--run", run_id)[1].strip() == \
            str(p.uid("admin"))
        for user in ("root", "0"):
            rc, out, err, _ = as_user(p, d, "admin", "run", "--user", user,
                                      "--", "/bin/true")
            assert rc == 1 and "permission denied" in err, (user, err)
        rc, out, err, _ = as_user(p, d, "admin", "run", "--user",
                                  p.users["admin"], "--wait", "--",
                                  "/bin/true")
        assert rc == 0, err
        rc, out, err, _ = as_user(p, d, "reader", "remove", "mine")
        assert rc == 1 and "permission denied" in err, err
        assert "mine" in listed(d)
    finally:
        p.remove()
