"""The control socket and jobctl: reload (apply, dry run, refusal with
every error), bad Varlink input that must close one connection only,
standard errors, introspection, the socket's mode, jobctl's exit codes."""
import json
import re
import socket
import stat
from pathlib import Path

import pytest

from conftest import (JOBCTL, JOBD, child, jobctl_at, run_cmd, start_units,
                      wait_service)
from varlink_client import VarlinkError

IDL = Path(__file__).resolve().parents[2] / "jobd" / "io.jobd.Manager.varlink"


def job_names(d):
    return [j["name"] for j in d.jobctl_json("list")["jobs"]]


def still_serves(d):
    rc, out, err = d.jobctl("--json", "list")
    assert rc == 0, "daemon stopped serving: rc %d %s\n%s" \
        % (rc, err, d.log_text(60))
    assert d.proc.poll() is None


# ---------------------------------------------------------------- reload

def test_reload_keeps_running_run_and_reports_plan(jobd):
    d = jobd(start=False)
    go = d.path("go")
    jobs = {"long": {"command": child("wait-file", go)},
            "same": {"command": child("exit", 0)},
            "gone": {"command": child("exit", 0)}}
    d.write_config(jobs=jobs)
    d.start()
    run_id = d.start_run("long")
    d.wait_running("long", run_id)
    jobs["long"]["description"] = "now described"
    del jobs["gone"]
    jobs["fresh"] = {"command": child("print", 1, "fresh")}
    d.write_config(jobs=jobs)

    plan = d.jobctl_json("reload", "--dry-run")
    assert plan["added"] == ["fresh"]
    assert plan["removed"] == ["gone"]
    assert plan["changed"] == ["long"]
    assert plan["unchanged"] == ["same"]
    assert job_names(d) == ["gone", "long", "same"]

    assert d.jobctl_json("reload") == plan
    assert job_names(d) == ["fresh", "long", "same"]
    run = d.run_state("long", run_id)
    assert run["state"] == "running"
    assert d.jobctl_json("list")["jobs"][1]["description"] == "now described"
    go.touch()
    assert d.wait_run(run_id)["result"] == "success"
    assert d.jobctl("start", "fresh", "--wait")[0] == 0


def test_reload_refuses_invalid_config_with_every_error(jobd):
    d = jobd(jobs={"keep": {"command": child("exit", 0)}})
    d.write_config(
        jobs={"keep": {"command": child("exit", 0)}},
        files={"conf.d/60-bad.conf": "[job one]\n"
                                     "command=%s\n"
                                     "timeout=never\n" % child("exit", 0),
               "conf.d/70-worse.conf": "[job two]\n"
                                       "command=%s\n"
                                       "\n"
                                       "shell=perhaps\n"
                                       "output=nowhere\n"
                                       % child("exit", 0)})
    rc, out, err = d.jobctl("reload")
    assert rc == 1, "rc %d\n%s%s" % (rc, out, err)
    for where in ("60-bad.conf:3", "70-worse.conf:4", "70-worse.conf:5"):
        assert re.search(r"(^|/)%s: \S" % re.escape(where), err, re.M), \
            "%s missing in: %s" % (where, err)
    assert job_names(d) == ["keep"]
    assert d.jobctl("start", "keep", "--wait")[0] == 0
    # The same errors through the protocol, as ConfigInvalid.
    with pytest.raises(VarlinkError) as e:
        d.varlink().call1("io.jobd.Manager.Reload", {})
    assert e.value.error == "io.jobd.Manager.ConfigInvalid"
    assert len(e.value.parameters["errors"]) >= 3


# ---------------------------------------------------------------- protocol

def test_introspection(jobd):
    d = jobd()
    c = d.varlink()
    info = c.call1("org.varlink.service.GetInfo")
    assert "io.jobd.Manager" in info["interfaces"]
    assert "org.varlink.service" in info["interfaces"]
    for key in ("vendor", "product", "version", "url"):
        assert isinstance(info[key], str)
    desc = c.call1("org.varlink.service.GetInterfaceDescription",
                   {"interface": "io.jobd.Manager"})["description"]
    assert "interface io.jobd.Manager" in desc
    for method in re.findall(r"^method (\w+)\(", IDL.read_text(), re.M):
        assert "method %s(" % method in desc
    with pytest.raises(VarlinkError) as e:
        c.call1("org.varlink.service.GetInterfaceDescription",
                {"interface": "com.example.Nope"})
    assert e.value.error == "org.varlink.service.InterfaceNotFound"


def test_unknown_method(jobd):
    d = jobd()
    c = d.varlink()
    with pytest.raises(VarlinkError) as e:
        c.call1("io.jobd.Manager.Frobnicate", {})
    assert e.value.error == "org.varlink.service.MethodNotFound"
    assert e.value.parameters.get("method") == "io.jobd.Manager.Frobnicate"
    # An error reply leaves the connection usable.
    assert "jobs" in c.call1("io.jobd.Manager.List")
    still_serves(d)


def debug_methods_built():
    """Whether $JOBD's meson build directory has -Ddebug_methods=true;
    None when $JOBD is not in one."""
    info = Path(JOBD).parent / "meson-info" / "intro-buildoptions.json"
    try:
        options = json.loads(info.read_text())
    except (OSError, ValueError):
        return None
    for o in options:
        if o.get("name") == "debug_methods":
            return o.get("value") is True
    return None


def test_debug_methods_only_in_test_builds(jobd):
    """io.jobd.Debug.Stall (it blocks the loop) is built only with
    -Ddebug_methods=true; otherwise it is a method like any unknown one."""
    built = debug_methods_built()
    if built is None:
        pytest.skip("$JOBD is not in a meson build directory")
    d = jobd()
    c = d.varlink()
    if built:
        assert c.call1("io.jobd.Debug.Stall", {"seconds": 0}) == {}
    else:
        with pytest.raises(VarlinkError) as e:
            c.call1("io.jobd.Debug.Stall", {"seconds": 0})
        assert e.value.error == "org.varlink.service.MethodNotFound"
        assert e.value.parameters.get("method") == "io.jobd.Debug.Stall"
    still_serves(d)


@pytest.mark.parametrize("method,params,bad", [
    ("io.jobd.Manager.Start", {"jobs": "j"}, "jobs"),
    ("io.jobd.Manager.Start", {"jobs": [1, 2]}, "jobs"),
    ("io.jobd.Manager.Start", {}, "jobs"),
    ("io.jobd.Manager.Start", {"jobs": ["j"], "wait": "yes"}, "wait"),
    ("io.jobd.Manager.Wait", {"runs": ["one"]}, "runs"),
    ("io.jobd.Manager.Logs", {"job": 5}, "job"),
    ("io.jobd.Manager.Logs", {"job": "j", "lines": "ten"}, "lines"),
    ("io.jobd.Manager.Status", {"job": ["j"]}, "job"),
    ("io.jobd.Manager.List", {"bogus": 1}, "bogus"),
])
def test_invalid_parameter(jobd, method, params, bad):
    d = jobd(jobs={"j": {"command": child("exit", 0)}})
    c = d.varlink()
    with pytest.raises(VarlinkError) as e:
        c.call1(method, params)
    assert e.value.error == "org.varlink.service.InvalidParameter"
    assert e.value.parameters.get("parameter") == bad
    assert "jobs" in c.call1("io.jobd.Manager.List")
    # Nothing was started by the refused calls.
    assert d.job_status("j")["job"].get("last") is None


def read_until_closed(c):
    """Every message until the daemon closes the connection."""
    msgs = []
    while True:
        try:
            m = c.recv_or_eof()
        except ValueError:
            continue
        if m is None:
            return msgs
        msgs.append(m)


@pytest.mark.parametrize("data", [
    b"{not json\0",
    b"[1, 2, 3]\0",
    b'{"parameters": {}}\0',
    b'{"method": "io.jobd.Manager.List", "more": "yes"}\0',
    b"\xff\xfe\0",
], ids=["malformed", "array", "no-method", "bad-flag", "not-utf8"])
def test_bad_message_closes_that_connection(jobd, data):
    d = jobd()
    c = d.varlink(timeout=10)
    c.send_raw(data)
    msgs = read_until_closed(c)
    assert all("error" in m for m in msgs), msgs
    still_serves(d)


def test_message_without_nul_then_close(jobd):
    d = jobd()
    c = d.varlink(timeout=10)
    c.send_raw(b'{"method": "org.varlink.service.GetInfo"}')
    c.shutdown_write()
    assert read_until_closed(c) == []
    still_serves(d)


def test_oversized_message_closes_connection(jobd):
    d = jobd()
    c = d.varlink(timeout=10)
    big = b'{"method": "io.jobd.Manager.List", "parameters": {"x": "' \
        + b"a" * (70 * 1024) + b'"}}\0'
    try:
        c.send_raw(big)
    except (BrokenPipeError, ConnectionResetError):
        pass            # closed while we were still sending: fine
    msgs = read_until_closed(c)
    assert all("error" in m for m in msgs), msgs
    still_serves(d)


def test_pipelined_calls_and_oneway(jobd):
    d = jobd(jobs={"j": {"command": child("exit", 0)}})
    c = d.varlink()
    c.send_raw(json.dumps({"method": "io.jobd.Manager.List"}).encode()
               + b"\0"
               + json.dumps({"method": "io.jobd.Manager.List",
                             "oneway": True}).encode() + b"\0"
               + json.dumps({"method": "org.varlink.service.GetInfo"})
               .encode() + b"\0")
    first, second = c.recv(), c.recv()
    assert "jobs" in first["parameters"]
    assert "interfaces" in second["parameters"]


def test_many_bad_clients_then_a_good_one(jobd):
    d = jobd()
    clients = [d.varlink() for _ in range(20)]
    for i, c in enumerate(clients):
        c.send_raw(b'{"method": "io.jobd.Manager.Li' if i % 2 else b"}}}\0")
    for c in clients:
        c.close()
    still_serves(d)


def test_socket_mode_0660(jobd):
    d = jobd()
    st = d.sock.stat()
    assert stat.S_ISSOCK(st.st_mode)
    assert stat.S_IMODE(st.st_mode) == 0o660


# ---------------------------------------------------------------- jobctl

@pytest.mark.parametrize("args", [
    ["-n", "3"],
    ["frobnicate"],
    ["start"],
    ["wait"],
    ["wait", "notanumber"],
    ["cancel"],
    ["logs", "a", "b", "--run", "3"],
    ["logs", "j", "-n", "many"],
    ["--no-such-option", "list"],
])
def test_jobctl_usage_errors_exit_2(workdir, args):
    # Usage is checked before connecting: no daemon needed.
    rc, out, err = jobctl_at(workdir / "none.sock", *args)
    assert rc == 2, "jobctl %s: rc %d %s%s" % (args, rc, out, err)
    assert err.strip()


def test_jobctl_alone_is_the_overview(jobd):
    """As systemctl and supervisorctl status: jobctl with no verb lists."""
    d = jobd(jobs={"j": {"command": child("exit", 0)}})
    rc, out, err = jobctl_at(d.sock)
    assert rc == 0, err
    rc2, listed, err = jobctl_at(d.sock, "list")
    assert out == listed and "j" in out
    rc, out, err = jobctl_at(d.sock, "--json")
    assert rc == 0 and [j["name"] for j in json.loads(out)["jobs"]] == ["j"]


def test_jobctl_globs_and_all(jobd):
    """supervisorctl habits: 'web*' and all stand for the units they
    match ("all" is every service for start and stop, every unit for
    status); a pattern that matches nothing is an error, exit 1."""
    d = start_units(jobd, jobs={"web-report": {"command": child("exit", 0)},
                                "other": {"command": child("exit", 0)}},
                    services={"web-a": {"command": child("sleep", 300)},
                              "web-b": {"command": child("sleep", 300)},
                              "db": {"command": child("sleep", 300)}})
    rc, out, err = d.jobctl("start", "all", "--wait")
    assert rc == 0, err
    for name in ("web-a", "web-b", "db"):
        wait_service(d, name, ["ready"])
    # "all" starts services, not a run of every job.
    assert d.jobctl_json("history", "web-report")["runs"] == []
    rc, out, err = d.jobctl("stop", "web*", "--wait")
    assert rc == 0, err
    assert "web-a" in out and "web-b" in out and "db" not in out
    wait_service(d, "db", ["ready"])
    rc, out, err = d.jobctl("--json", "status", "web*")
    assert rc == 0, err
    assert sorted(j["job"]["name"] for j in json.loads(out)["jobs"]) == \
        ["web-a", "web-b", "web-report"]
    rc, out, err = d.jobctl("--json", "status", "db", "other")
    assert sorted(j["job"]["name"] for j in json.loads(out)["jobs"]) == \
        ["db", "other"]
    rc, out, err = d.jobctl("status", "db", "nope")
    assert rc == 1 and "no such job or service: nope" in err
    rc, out, err = d.jobctl("stop", "zz*")
    assert rc == 1 and "no service matches 'zz*'" in err
    rc, out, err = d.jobctl("start", "web-r*")      # a glob starts jobs too
    assert rc == 0 and out.strip().isdigit(), out + err
    rc, out, err = d.jobctl("stop", "all", "--wait")
    assert rc == 0, err
    for name in ("web-a", "web-b", "db"):
        wait_service(d, name, ["stopped"])


def test_jobctl_a_job_named_all_is_meant_by_its_name(jobd):
    d = jobd(jobs={"all": {"command": child("exit", 0)},
                   "other": {"command": child("exit", 0)}})
    rid = d.start_run("all")
    assert d.wait_run(rid)["job"] == "all"
    rc, out, err = d.jobctl("--json", "status", "all", "other")
    assert rc == 0, err
    assert sorted(j["job"]["name"] for j in json.loads(out)["jobs"]) == \
        ["all", "other"]


def test_calendar_cron_lines_follow_cronie_on_dst_days(jobd):
    """jobctl calendar (the Calendar method) reads a cron line's DST as
    cronie does: a fixed time runs at the end of the gap, a wildcard line
    skips it; the systemd syntax skips it as systemd does."""
    d = jobd(jobs={"j": {"command": child("exit", 0)}})
    base = 1774699200 * 10**6          # 2026-03-28 12:00:00 UTC
    with d.varlink() as c:
        def first(expr):
            e = c.call1("io.jobd.Manager.Calendar", {
                "expression": expr, "timezone": "Europe/Berlin",
                "count": 1, "base_usec": base})["elapses"][0]
            return e["utc"], e["gap"]
        # 2026-03-29 01:00 UTC is 03:00 CEST, the end of the gap.
        assert first("30 2 * * *") == ("2026-03-29T01:00:00.000000Z", True)
        assert first("*/30 2 * * *")[0] == "2026-03-30T00:00:00.000000Z"
        assert first("*-*-* 02:30")[0] == "2026-03-30T00:30:00.000000Z"


def test_jobctl_help_and_version(workdir):
    for args in (["--help"], ["-h"], ["help"]):
        rc, out, err = jobctl_at(workdir / "none.sock", *args)
        assert rc == 0, args
        assert "start" in out and "logs" in out
    rc, out, err = run_cmd([JOBCTL, "--version"])
    assert rc == 0 and re.search(r"\d+\.\d+", out), out + err


def test_jobctl_no_daemon_exit_3(workdir):
    rc, out, err = jobctl_at(workdir / "none.sock", "list")
    assert rc == 3, out + err
    assert err.strip()
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(str(workdir / "dead.sock"))
    s.close()
    rc, out, err = jobctl_at(workdir / "dead.sock", "status")
    assert rc == 3, out + err


def test_jobctl_unknown_job_exit_1(jobd):
    d = jobd(jobs={"j": {"command": child("exit", 0)}})
    for args in (["start", "nope"], ["status", "nope"], ["cancel", "nope"],
                 ["logs", "nope"]):
        rc, out, err = d.jobctl(*args)
        assert rc == 1, "%s: rc %d" % (args, rc)
        assert "nope" in err


def test_jobctl_options_after_verb(jobd):
    d = jobd(jobs={"j": {"command": child("exit", 0)}})
    rc, out, err = d.jobctl("list", "--json")
    assert rc == 0, err
    assert [j["name"] for j in json.loads(out)["jobs"]] == ["j"]
    rc, out2, err = jobctl_at(d.sock, "--json", "list")
    assert json.loads(out2) == json.loads(out)
    rc, out, err = run_cmd([JOBCTL, "list", "-s", str(d.sock)])
    assert rc == 0 and "j" in out, err
