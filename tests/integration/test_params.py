"""Parameters (param=NAME[=DEFAULT], jobctl start JOB --param NAME=VALUE),
appended arguments (args=append, jobctl start JOB -- ARG...), and the record
of who asked: in the run's environment, the ledger, show and history
--json; refused when unknown, malformed, repeated, missing or not taken;
jobd-web passes them with whom it acts for."""
import json

import pytest

from conftest import history, wait_for
from varlink_client import VarlinkError
from web_helpers import start_jobd, web, web_users  # noqa: F401

IFACE = "io.jobd.Manager."
ECHO = ("/bin/sh -c 'echo \"who=$JOBD_PARAM_WHO place=$JOBD_PARAM_PLACE "
        "args=$*\"' greet")


def greet_jobs(extra=None):
    keys = {"command": ECHO, "param": ["WHO", "PLACE=home"],
            "args": "append"}
    keys.update(extra or {})
    return {"greet": keys,
            "plain": {"command": "/bin/true"},
            "ev": {"command": ECHO, "param": ["WHO", "PLACE=home"],
                   "on_event": "go"}}


def output(d, run_id):
    rc, out, err = d.jobctl("logs", "--run", run_id)
    assert rc == 0, err
    return out.strip()


def start(d, *args):
    rc, out, err = d.jobctl("start", "--wait", *args)
    assert rc == 0, (args, out, err)
    return int(out.split()[0])


def vcall(d, method, params):
    with d.varlink() as c:
        return c.call1(IFACE + method, params)


def verror(d, method, params):
    try:
        vcall(d, method, params)
    except VarlinkError as e:
        return e.error, e.parameters
    raise AssertionError("%s %r was not refused" % (method, params))


def test_params_and_args_reach_the_run_and_the_record(jobd):
    d = jobd(jobs=greet_jobs())
    run_id = start(d, "greet", "--param", "WHO=bob", "--", "x", "y z")
    assert output(d, run_id) == "who=bob place=home args=x y z"
    run_id2 = start(d, "greet", "--param", "WHO=a b=c", "--param",
                    "PLACE=")
    assert output(d, run_id2) == "who=a b=c place= args="
    show = d.jobctl_json("show", run_id)["run"]
    assert show["params"] == {"WHO": "bob", "PLACE": "home"}, show
    assert show["args"] == ["x", "y z"]
    assert show["requested_by"] == {"uid": 0, "user": "root"}
    rc, out, _ = d.jobctl("show", run_id)
    assert "param        WHO=bob" in out and "args         x y z" in out, out
    runs = {r["id"]: r for r in history(d, "greet")}
    assert runs[run_id2]["params"] == {"WHO": "a b=c", "PLACE": ""}
    assert "args" not in runs[run_id2]
    assert runs[run_id]["requested_by"]["user"] == "root"


def test_triggered_runs_get_defaults(jobd):
    d = jobd(jobs=greet_jobs())
    assert d.jobctl("event", "set", "go")[0] == 0
    wait_for(lambda: [r for r in history(d, "ev")
                      if r.get("result") == "success"], 10, "a run of ev")
    r = history(d, "ev")[0]
    assert output(d, r["id"]) == "who= place=home args="
    assert r["params"] == {"WHO": "", "PLACE": "home"}
    assert r["trigger"] == "event" and "requested_by" not in r


def test_param_wins_over_environment(jobd):
    d = jobd(jobs=greet_jobs({"environment": "JOBD_PARAM_WHO=file"}))
    run_id = start(d, "greet", "--param", "WHO=caller")
    assert output(d, run_id).startswith("who=caller ")


@pytest.mark.parametrize("args,code,message", [
    (["greet", "--param", "WHAT=x", "--param", "WHO=a"], 1,
     "unknown parameter 'WHAT': the job declares others (param=)"),
    (["plain", "--param", "WHO=x"], 1,
     "unknown parameter 'WHO': the job declares none"),
    (["greet"], 1,
     "missing parameter 'WHO': the job declares it without a default"),
    (["greet", "--param", "WHO=a", "--param", "WHO=b"], 1,
     "parameter 'WHO' given twice"),
    (["greet", "--param", "W-HO=a"], 1, "invalid parameter name 'W-HO'"),
    (["greet", "--param", "WHO"], 2, "invalid --param 'WHO'"),
    (["plain", "--", "x"], 1, "the job takes no arguments (args=append)"),
    (["greet", "plain", "--param", "WHO=x"], 2, "need exactly one job"),
    (["greet", "--param", "WHO=" + "v" * 4097], 1, "longer than 4096"),
])
def test_bad_parameters_refused(jobd, args, code, message):
    d = jobd(jobs=greet_jobs())
    rc, out, err = d.jobctl("start", *args)
    assert rc == code and message in err, (rc, out, err)
    assert history(d) == []


def test_bad_parameters_over_varlink(jobd):
    d = jobd(jobs=greet_jobs())
    err = verror(d, "Start", {"jobs": ["greet"], "params": ["WHO"]})
    assert err == (IFACE + "BadParameters", {
        "job": "greet",
        "reason": "malformed parameter 'WHO': expected NAME=VALUE"}), err
    err = verror(d, "Start", {"jobs": ["greet"], "params": ["WHO=x"],
                              "args": ["a"] * 1025})
    assert err[0] == "org.varlink.service.InvalidParameter" and \
        err[1] == {"parameter": "args", "limit": 1024}, err
    err = verror(d, "Start", {"jobs": ["greet", "greet"],
                              "params": ["WHO=x"]})
    assert err == ("org.varlink.service.InvalidParameter",
                   {"parameter": "params"}), err
    err = verror(d, "Start", {"jobs": ["plain"], "on_behalf_of": "a\nb"})
    assert err == ("org.varlink.service.InvalidParameter",
                   {"parameter": "on_behalf_of"}), err
    assert history(d) == []


def test_on_behalf_of_is_recorded_as_a_claim(jobd):
    d = jobd(jobs=greet_jobs({"command": "/bin/sleep 30"}))
    run = vcall(d, "Start", {"jobs": ["greet"], "params": ["WHO=x"],
                             "on_behalf_of": "alice"})["runs"][0]
    assert run["requested_by"] == {"uid": 0, "user": "root",
                                   "on_behalf_of": "alice"}, run
    vcall(d, "Cancel", {"targets": [str(run["id"])],
                        "on_behalf_of": "carol"})
    r = d.wait_run(run["id"])
    assert r["cancelled_by"] == {"uid": 0, "user": "root",
                                 "on_behalf_of": "carol"}, r
    show = d.jobctl_json("show", run["id"])["run"]
    assert show["requested_by"]["on_behalf_of"] == "alice"
    assert show["cancelled_by"]["on_behalf_of"] == "carol"
    rc, out, _ = d.jobctl("show", run["id"])
    assert "cancelled by uid 0 (root), for carol (as the client says)" \
        in out, out


def test_skip_and_pause_name_who_asked(jobd):
    d = jobd(jobs={"tick": {"command": "/bin/true", "schedule": "*:*:*"}})
    vcall(d, "Skip", {"job": "tick", "on_behalf_of": "dave"})
    wait_for(lambda: [r for r in history(d, "tick")
                      if r.get("result") == "skipped"], 10, "a skipped slot")
    r = [r for r in history(d, "tick") if r.get("result") == "skipped"][0]
    assert r["requested_by"] == {"uid": 0, "user": "root",
                                 "on_behalf_of": "dave"}, r
    assert d.jobctl("pause", "tick")[0] == 0
    wait_for(lambda: "job 'tick': paused by uid 0 (root)" in d.log_text(),
             5, "the pause's log line")


def test_web_start_passes_params_and_its_user(jobd, web_users, web):  # noqa
    d = start_jobd(jobd, web_users, jobs=greet_jobs())
    w = web(d)
    got = w.post_json("/api/v1/jobs/greet/start",
                      {"params": {"WHO": "web"}, "args": ["1"]},
                      headers={"X-Remote-User": "alice"})
    run_id = got["runs"][0]["id"]
    d.wait_run(run_id)
    assert output(d, run_id) == "who=web place=home args=1"
    show = d.jobctl_json("show", run_id)["run"]
    assert show["requested_by"] == {
        "uid": web_users.uid, "user": web_users.user,
        "on_behalf_of": "jobd-web user alice (X-Remote-User)"}, show
    r = w.post("/api/v1/jobs/greet/start", {"params": {"NOPE": "x"}})
    assert r.status == 400, r
    assert "unknown parameter 'NOPE'" in json.dumps(r.json()), r.json()
    r = w.post("/api/v1/jobs/greet/start", {"params": ["WHO=x"]})
    assert r.status == 400, r
    got = w.post_json("/api/v1/jobs/greet/start", {"params": {"WHO": "t"}})
    assert got["runs"][0]["requested_by"]["on_behalf_of"] == \
        "jobd-web (bearer token)", got
