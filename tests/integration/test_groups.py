"""[group NAME] units=: a name jobctl's verbs take for several units, as
supervisorctl takes a [group:x]'s name; jobd --check refuses a group that
names no unit, shares a unit's name or is defined twice."""
import json
import re

from conftest import child, run_cmd, start_units, units_text, wait_service


def services(*names):
    return {n: {"command": child("sleep", 300)} for n in names}


def start_grouped(jobd, groups, jobs=None, svcs=("web-a", "web-b", "db")):
    d = jobd(start=False)
    text = units_text(jobs=jobs, services=services(*svcs))
    for name, units in groups.items():
        text += "\n[group %s]\nunits=%s\n" % (name, units)
    d.write_config(files={"conf.d/50-units.conf": text})
    return d.start()


def names(out):
    return sorted(j["job"]["name"] for j in json.loads(out)["jobs"])


def test_stop_and_start_a_group(jobd):
    d = start_grouped(jobd, {"web": "web-a web-b"})
    for name in ("web-a", "web-b", "db"):
        wait_service(d, name, ["ready"])
    rc, out, err = d.jobctl("stop", "web", "--wait")
    assert rc == 0, err
    for name in ("web-a", "web-b"):
        assert wait_service(d, name, ["stopped"])
    # Only the group's services: db is still up.
    assert wait_service(d, "db", ["ready"])
    rc, out, err = d.jobctl("start", "web", "--wait")
    assert rc == 0, err
    for name in ("web-a", "web-b"):
        wait_service(d, name, ["ready"])
    rc, out, err = d.jobctl("restart", "web", "--wait")
    assert rc == 0, err
    assert "web-a" in out and "web-b" in out and "db" not in out, out


def test_status_of_a_group_and_its_field(jobd):
    d = start_grouped(jobd, {"web": "web-a web-b", "all-db": "db web-a"},
                      jobs={"report": {"command": child("exit", 0)}})
    rc, out, err = d.jobctl("--json", "status", "web")
    assert rc == 0, err
    assert names(out) == ["web-a", "web-b"]
    # A group and a unit together; a unit named twice is shown once.
    rc, out, err = d.jobctl("--json", "status", "web", "report", "web-a")
    assert rc == 0, err
    assert names(out) == ["report", "web-a", "web-b"]
    # Summary names each unit's groups, in the order they are defined.
    rc, out, err = d.jobctl("--json", "list")
    by = {j["name"]: j for j in json.loads(out)["jobs"]}
    assert by["web-a"]["groups"] == ["web", "all-db"]
    assert by["db"]["groups"] == ["all-db"]
    assert "groups" not in by["report"]
    rc, out, err = d.jobctl("status", "web-a")
    assert rc == 0 and "\n  groups: web, all-db\n" in out, out
    rc, out, err = d.jobctl("status", "db")
    assert "\n  group: all-db\n" in out, out


def test_a_group_of_jobs_runs_them_and_has_no_service(jobd):
    d = start_grouped(jobd, {"nightly": "rep-a rep-b"}, svcs=(), jobs={
        "rep-a": {"command": child("exit", 0)},
        "rep-b": {"command": child("exit", 0)}})
    rc, out, err = d.jobctl("start", "nightly", "--wait")
    assert rc == 0, err
    assert len(out.split()) >= 2, out
    for job in ("rep-a", "rep-b"):
        assert d.jobctl_json("history", job)["runs"], job
    rc, out, err = d.jobctl("stop", "nightly")
    assert rc == 1 and "group 'nightly' has no service" in err, out + err
    # A job named twice still runs twice.
    rc, out, err = d.jobctl("start", "rep-a", "rep-a")
    assert rc == 0 and len(out.split()) == 2, out + err


def test_unit_name_wins_and_unknown_names_still_fail(jobd):
    d = start_grouped(jobd, {"web": "web-a"})
    rc, out, err = d.jobctl("stop", "nosuch")
    assert rc == 1, out + err
    rc, out, err = d.jobctl("status", "web", "nosuch")
    assert rc == 1 and "no such job or service: nosuch" in err, err


def test_reload_changes_a_units_groups(jobd):
    d = start_grouped(jobd, {"web": "web-a"})
    text = units_text(services=services("web-a", "web-b", "db"))
    text += "\n[group web]\nunits=web-a web-b\n"
    d.write_config(files={"conf.d/50-units.conf": text})
    rc, out, err = d.jobctl("--json", "reload")
    assert rc == 0, out + err
    plan = json.loads(out)
    # Membership is part of the unit: web-b changed (updated, not
    # restarted: it runs the same process), web-a and db did not.
    assert plan["changed"] == ["web-b"], plan
    assert plan["updated"] == ["web-b"], plan
    assert sorted(plan["unchanged"]) == ["db", "web-a"], plan
    by = {j["name"]: j for j in d.jobctl_json("list")["jobs"]}
    assert by["web-b"]["groups"] == ["web"]
    rc, out, err = d.jobctl("--json", "status", "web")
    assert names(out) == ["web-a", "web-b"]


def check_errors(jobd, text, main=""):
    d = jobd(start=False)
    d.write_config(files={"conf.d/10-a.conf": text})
    if main:
        d.conf.write_text(d.conf.read_text() + main)
    rc, out, err = run_cmd(d.argv("--check"))
    assert rc == 2, out + err
    return out + err


def test_check_refuses_bad_groups(jobd):
    text = ("[service web]\n"                   # 1
            "command=%s\n"                      # 2
            "\n"                                # 3
            "[group web]\n"                     # 4: a unit's name
            "units=web\n"                       # 5
            "\n"                                # 6
            "[group g]\n"                       # 7
            "units=web nope\n"                  # 8: unknown unit
            "\n"                                # 9
            "[group g]\n"                       # 10: duplicate
            "units=web\n"                       # 11
            "\n"                                # 12
            "[group empty]\n"                   # 13: no units=
            "\n"                                # 14
            "[group nest]\n"                    # 15
            "units=g\n"                         # 16: a group
            "\n"                                # 17
            "[group bad]\n"                     # 18
            "unit=web\n"                        # 19: unknown key
            "units=web\n"                       # 20
            ) % child("sleep", 1)
    both = check_errors(jobd, text)
    want = [
        r"10-a\.conf:4: group 'web': a service has that name "
        r"\(\S*10-a\.conf:1\)",
        r"10-a\.conf:8: group 'g': units: unknown unit 'nope'",
        r"10-a\.conf:10: group 'g' already defined at \S*10-a\.conf:7",
        r"10-a\.conf:13: group 'empty' has no units=",
        r"10-a\.conf:16: group 'nest': units: 'g' is a group, not a unit",
        r"10-a\.conf:19: unknown key 'unit' in \[group bad\]",
    ]
    for w in want:
        assert re.search(w, both), "%s not in:\n%s" % (w, both)
    assert len(both.strip().splitlines()) == len(want), both


def test_check_group_in_main_file_names_conf_d_units(jobd):
    d = jobd(start=False)
    d.write_config(files={"conf.d/10-a.conf": units_text(
        services=services("web-a", "web-b"))})
    d.conf.write_text(d.conf.read_text() +
                      "\n[group web]\nunits=web-a\n  web-b\n")
    rc, out, err = run_cmd(d.argv("--check"))
    assert rc == 0, out + err
    assert "configuration OK" in out
