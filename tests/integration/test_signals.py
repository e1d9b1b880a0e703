"""Signals and the daemon's lifecycle: SIGHUP reload (a running run is
kept, a new job appears, an invalid config is refused), SIGTERM/SIGINT
with runs in flight, a second jobd on the same socket, a stale socket."""
import signal
import socket
import time

from conftest import Daemon, child, run_cmd, wait_for, wait_pids_gone


def job_names(d):
    return [j["name"] for j in d.jobctl_json("list")["jobs"]]


def test_sighup_reload_keeps_running_run_and_adds_job(jobd):
    d = jobd(start=False)
    go = d.path("go")
    old = {"long": {"command": child("wait-file", go)}}
    d.write_config(jobs=old)
    d.start()
    run_id = d.start_run("long")
    d.wait_running("long", run_id)
    new = dict(old, fresh={"command": child("print", 1, "fresh")})
    d.write_config(jobs=new)
    d.send_signal(signal.SIGHUP)
    wait_for(lambda: "fresh" in job_names(d), 10, "job 'fresh' after SIGHUP")
    assert job_names(d) == ["fresh", "long"]
    assert d.run_state("long", run_id)["state"] == "running"
    go.touch()
    assert d.wait_run(run_id)["result"] == "success"
    assert d.jobctl("start", "fresh", "--wait")[0] == 0
    assert d.jobctl("logs", "fresh")[1] == "fresh 1\n"


def test_sighup_with_invalid_config_keeps_old_one(jobd):
    d = jobd(jobs={"keep": {"command": child("exit", 0)}})
    d.write_config(files={"conf.d/bad.conf":
                          "[job broken]\n"
                          "command=%s\n"
                          "timeout=never\n" % child("exit", 0)})
    d.send_signal(signal.SIGHUP)
    # The refusal shows in the daemon's log with the error's position.
    wait_for(lambda: "bad.conf:3" in d.log_text(), 10,
             "the reload error in jobd's log")
    assert d.proc.poll() is None
    assert job_names(d) == ["keep"]
    assert d.jobctl("start", "keep", "--wait")[0] == 0


def _in_flight(d):
    return {
        "sleepy": {"command": child("pidfile", d.pidfile("sleepy"),
                                    "subchild", 60, "sleep", 60),
                   "environment": "TEST_SUBCHILD_PIDFILE=%s"
                   % d.pidfile("sleepy-sub")},
        "stubborn": {"command": child("ignore-term", "pidfile",
                                      d.pidfile("stubborn"), "sleep", 60),
                     "stop_timeout": "1s"},
    }


def _shutdown_with_runs_in_flight(jobd, sig):
    d = jobd(start=False)
    d.write_config(jobs=_in_flight(d))
    d.start()
    rc, out, err = d.jobctl("start", "sleepy", "stubborn")
    assert rc == 0, err
    pids = [d.read_pid(n) for n in ("sleepy", "sleepy-sub", "stubborn")]
    started = time.monotonic()
    rc = d.stop(sig)
    d.exit_checked = True
    assert rc == 0, "jobd exited with %d:\n%s" % (rc, d.log_text(60))
    assert time.monotonic() - started < 10
    wait_pids_gone(pids)


def test_sigterm_stops_runs_and_exits_0(jobd):
    _shutdown_with_runs_in_flight(jobd, signal.SIGTERM)


def test_sigint_stops_runs_and_exits_0(jobd):
    _shutdown_with_runs_in_flight(jobd, signal.SIGINT)


def test_second_daemon_on_same_socket_fails(jobd, workdir):
    first = jobd(jobs={"j": {"command": child("exit", 0)}})
    second = Daemon(workdir / "second")
    second.write_config(jobs={"k": {"command": child("exit", 0)}})
    argv = second.argv()
    argv[argv.index("--socket") + 1] = str(first.sock)
    rc, out, err = run_cmd(argv, timeout=20)
    assert rc != 0, "second jobd exited 0:\n%s%s" % (out, err)
    msg = out + err
    assert str(first.sock) in msg or "in use" in msg or "already" in msg, \
        "unclear message: %r" % msg
    # The first one keeps serving on its socket.
    assert first.sock.exists()
    assert job_names(first) == ["j"]
    assert first.jobctl("start", "j", "--wait")[0] == 0


def test_stale_socket_is_replaced(jobd):
    d = jobd(jobs={"j": {"command": child("exit", 0)}}, start=False)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(str(d.sock))
    s.close()
    assert d.sock.exists()
    rc, out, err = d.jobctl("list")
    assert rc == 3, "rc %d with nobody listening" % rc
    d.start()
    assert job_names(d) == ["j"]


def test_daemon_facts(jobd):
    d = jobd(jobs={"a": {"command": child("exit", 0)},
                   "b": {"command": child("exit", 0)}})
    facts = d.varlink().call1("io.jobd.Manager.Daemon")
    assert facts["pid"] == d.proc.pid
    assert facts["jobs"] == 2
    assert facts["running"] == 0
    assert facts["config"].endswith("jobd.conf")
    assert facts["version"]
    assert facts["started_usec"] > 0
    assert d.state.is_dir()

