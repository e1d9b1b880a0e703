"""What real daemons under jobd run into in their first hour (issue 15):
sd_notify from a service that is not root, a runtime directory that does
not exist yet, start --wait of a start that fails, ready_after=, a live
notify socket that belongs to someone else, a clean run environment,
orphans that rewrote their environment, and the smaller service defects."""
import os
import socket
import time

from conftest import (Daemon, child, history, notify_child, service,
                      start_units, wait_for, wait_service, write_units)


def reachable(workdir):
    """Services as another user must reach the sockets in workdir."""
    os.chmod(workdir, 0o755)


def test_notify_from_a_service_that_is_not_root(jobd, workdir):
    """The notify socket was 0755 root: systemd-notify from user=nobody
    got EACCES and the service looped on its start timeout."""
    reachable(workdir)
    d = start_units(jobd, services={
        "sdn": {"command": "sh -c 'systemd-notify --ready; exec sleep 60'",
                "user": "nobody", "ready": "notify", "start_timeout": "5s"},
        "dog": {"command": notify_child("watchdog", 1000), "user": "nobody",
                "ready": "notify", "watchdog_sec": "400ms"}})
    wait_service(d, "sdn", "ready", timeout=10)
    svc = wait_service(d, "dog", "ready", timeout=10)
    run = svc["run"]
    # Three watchdog periods later, still the same process.
    deadline = time.monotonic() + 1.2
    while time.monotonic() < deadline:
        s = service(d, "dog")
        assert s["state"] == "ready" and s["run"] == run, s
        time.sleep(0.05)


def test_runtime_directory_is_made_before_any_socket(jobd, workdir):
    """With no socket directory yet (a fresh /run), the notify socket
    failed and every ready=notify service looped."""
    d = Daemon(workdir / "fresh")
    d.sock = workdir / "run" / "a" / "b" / "jobd.sock"
    write_units(d, services={"tick": {
        "command": notify_child("ready", 10), "ready": "notify",
        "start_timeout": "5s"}})
    assert not (workdir / "run").exists()
    d.start()
    try:
        wait_service(d, "tick", "ready", timeout=10)
        assert (workdir / "run" / "a" / "b" / "notify").is_socket()
    finally:
        assert d.stop() == 0


def test_start_wait_returns_when_the_attempt_fails(jobd):
    """start --wait waited through every restart for ever; now it returns
    on the first failed attempt with its cause, exit status 1."""
    d = start_units(jobd, services={
        "never": {"command": "sleep 1000", "ready": "notify",
                  "start_timeout": "2s", "autostart": "no"},
        "typo": {"command": "/usr/bin/pyhton3 -m http.server",
                 "autostart": "no"},
        "dies": {"command": child("exit", 4), "ready_after": "1s",
                 "autostart": "no"}})
    cases = {
        "never": "not ready within start_timeout=2s",
        "typo": "exec: '/usr/bin/pyhton3': No such file or directory",
        "dies": "exited with status 4 before it was ready",
    }
    for name, cause in cases.items():
        t0 = time.monotonic()
        rc, out, err = d.jobctl("start", name, "--wait", timeout=10)
        took = time.monotonic() - t0
        assert rc == 1, (name, rc, out, err)
        assert "jobctl: service '%s' did not start: %s" % (name, cause) \
            in err, (name, err)
        assert took < (3.0 if name == "never" else 1.0), (name, took)
    # Restarts go on as restart= says.
    wait_for(lambda: service(d, "typo")["restarts"] >= 1, 10, "a restart")


def test_ready_after_makes_a_quick_death_a_failed_start(jobd, workdir):
    """Two servers on one port: the second dies at once; with ready=spawn
    it was ready, rc 0."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen()
    port = s.getsockname()[1]
    try:
        d = start_units(jobd, services={
            "web": {"command": "/usr/bin/python3 -m http.server --bind "
                    "127.0.0.1 %d" % port, "autostart": "no",
                    "restart": "no"},
            "fast": {"command": "sleep 60", "ready_after": "0",
                     "autostart": "no"}})
        rc, out, err = d.jobctl("start", "web", "--wait", timeout=10)
        assert rc == 1, (rc, out, err)
        assert "did not start: exited with status 1 before it was ready" \
            in err or "failed: exited with status 1" in err, err
        # ready_after=0: ready as soon as it runs.
        t0 = time.monotonic()
        rc, out, err = d.jobctl("start", "fast", "--wait")
        assert rc == 0 and time.monotonic() - t0 < 0.5, (rc, err)
    finally:
        s.close()


def test_ready_after_default_is_one_second(jobd):
    d = start_units(jobd, services={"svc": {"command": "sleep 60",
                                            "autostart": "no"}})
    t0 = time.monotonic()
    rc, out, err = d.jobctl("start", "svc", "--wait")
    took = time.monotonic() - t0
    assert rc == 0, err
    assert 0.9 <= took < 2.0, took


def test_live_notify_socket_is_not_replaced(jobd, workdir):
    """Another process listening at <socket dir>/notify: jobd leaves it
    alone, says so, and ready=notify services fail at once with why."""
    d = jobd(start=False)
    write_units(d, services={"n": {"command": notify_child("ready", 10),
                                   "ready": "notify"}})
    other = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    other.bind(str(d.dir / "notify"))
    try:
        d.start()
        svc = wait_service(d, "n", "failed", timeout=5)
        assert svc["reason"] == "ready=notify needs the notify socket " \
            "'%s', which jobd could not open: another process listens " \
            "on it" % (d.dir / "notify"), svc
        assert "another process is listening on the notify socket" \
            in d.log_text()
        # Still the other process's socket.
        probe = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        probe.sendto(b"hello", str(d.dir / "notify"))
        probe.close()
        assert other.recv(16) == b"hello"
    finally:
        d.stop()
        other.close()


BASE_NAMES = {"PATH", "HOME", "USER", "LOGNAME", "SHELL", "JOBD_JOB",
              "JOBD_RUN", "JOBD_TRIGGER", "JOBD_INSTANCE"}


def env_of(d, job):
    """The environment a run of job saw (it runs `env -0`), and its pwd."""
    run = d.wait_run(d.start_run(job))
    assert run["result"] == "success", run
    out = d.jobctl("logs", job)[1]
    lines = out.splitlines()
    cwd = lines[0]
    env = dict(l.split("=", 1) for l in lines[1:] if "=" in l)
    return env, cwd


def test_runs_get_a_clean_environment(jobd, monkeypatch):
    """A user= run got jobd's whole environment (root's PATH, PWD, TERM,
    anything of its parent's) and jobd's working directory."""
    monkeypatch.setenv("JDA_SECRET_OF_JOBD", "do-not-pass")
    monkeypatch.setenv("TERM", "xterm-jobd")
    monkeypatch.setenv("PATH", "/root/bin:" + os.environ["PATH"])
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.setenv("JDA_PASSED", "by-job")
    d = start_units(jobd, jobs={
        "nob": {"command": "sh -c 'pwd; env'", "user": "nobody"},
        "rootjob": {"command": "sh -c 'pwd; env'",
                    "pass_environment": "JDA_PASSED"}})
    env, cwd = env_of(d, "nob")
    assert cwd == "/"
    # conftest passes JOBD_TEST_TOKEN and the sanitizer options (set by
    # tests/run) with pass_environment=.
    extra = set(env) - BASE_NAMES - {"LANG", "JOBD_TEST_TOKEN", "PWD",
                                     "SHLVL", "_", "ASAN_OPTIONS",
                                     "UBSAN_OPTIONS"}
    assert extra == set(), env
    assert env["PATH"] == "/usr/local/sbin:/usr/local/bin:/usr/sbin:" \
        "/usr/bin:/sbin:/bin"
    assert (env["USER"], env["LOGNAME"]) == ("nobody", "nobody")
    assert env["HOME"] == "/nonexistent" and env["LANG"] == "C.UTF-8"
    assert env["JOBD_TEST_TOKEN"] == d.token    # [jobd] pass_environment=
    env, cwd = env_of(d, "rootjob")
    assert cwd == "/" and env["JDA_PASSED"] == "by-job"
    assert env["USER"] == "root" and env["HOME"] == "/root"
    assert "JDA_SECRET_OF_JOBD" not in env and "TERM" not in env


def test_working_directory_home(jobd):
    d = start_units(jobd, jobs={
        "nob": {"command": "sh -c 'pwd; env'", "user": "nobody",
                "working_directory": "~", "environment": "HOME=/tmp"},
        "me": {"command": "sh -c 'pwd; env'", "working_directory": "~"}})
    # nobody's home does not exist: the run says so.
    run = d.wait_run(d.start_run("nob"))
    assert run["result"] == "failed", run
    assert run["reason"] == "exec: working directory '/nonexistent': No " \
        "such file or directory", run
    env, cwd = env_of(d, "me")
    assert cwd == "/root"


def test_pass_environment_refuses_the_managers_variables(jobd):
    d = jobd(start=False)
    d.write_config(jobs={"j": {"command": "true",
                               "pass_environment": "NOTIFY_SOCKET"}})
    rc, out, err = run_check(d)
    assert rc == 2, (rc, out, err)
    assert "'NOTIFY_SOCKET' belongs to jobd's own service manager" in err


def run_check(d):
    from conftest import JOBD, run_cmd
    return run_cmd([JOBD, "--check", "--config", str(d.conf)])


# ------------------------------------------------------------ smaller ones

def test_status_text_goes_with_its_process(jobd):
    d = start_units(jobd, services={"s": {
        "command": "sh -c 'systemd-notify --ready --status=serving; "
                   "sleep 0.3; exit 3'", "ready": "notify",
        "restart": "no"}})
    wait_service(d, "s", "ready", pred=lambda s: s.get("status_text"))
    svc = wait_service(d, "s", "failed")
    assert "status_text" not in svc, svc
    assert "status:" not in d.jobctl("status", "s")[1]


def test_uptime_survives_a_service_reload(jobd, workdir):
    hup = workdir / "hups"
    d = start_units(jobd, services={"s": {
        "command": notify_child("--hup-file", hup, "ready", 0),
        "ready": "notify"}})
    wait_service(d, "s", "ready",
                 pred=lambda s: s.get("uptime_usec", 0) > 300000)
    rc, out, err = d.jobctl("reload", "s")
    assert rc == 0, err
    wait_for(lambda: hup.exists() and "hup" in hup.read_text(), 10, "HUP")
    svc = wait_service(d, "s", "ready")
    assert svc["uptime_usec"] > 300000, svc


def test_reload_neither_starts_nor_revives(jobd):
    """A changed exec context restarts only what is up: before, a
    stopped service was listed as restarted and a failed one started."""
    units = {
        "off": {"command": "sleep 60", "autostart": "no"},
        "dead": {"command": child("exit", 3), "start_limit_burst": 1,
                 "ready_after": "1s"},
        "up": {"command": "sleep 60", "ready_after": "0"}}
    d = start_units(jobd, services=units)
    wait_service(d, "dead", "failed")
    wait_service(d, "up", "ready")
    for u in units.values():
        u["environment"] = "CHANGED=1"
    write_units(d, services=units)
    reply = d.jobctl_json("reload")
    assert reply["restarted"] == ["up"], reply
    assert sorted(reply["updated"]) == ["dead", "off"], reply
    rc, out, err = d.jobctl("reload")
    assert service(d, "off")["state"] == "stopped"
    assert service(d, "dead")["state"] == "failed"


def test_stop_keeps_the_failure_reason(jobd):
    d = start_units(jobd, services={"dead": {
        "command": child("exit", 3), "start_limit_burst": 1}})
    reason = wait_service(d, "dead", "failed")["reason"]
    rc, out, err = d.jobctl("stop", "dead")
    assert service(d, "dead")["reason"] == reason


def test_cancel_refuses_services(jobd):
    d = start_units(jobd, services={"web": {"command": "sleep 60",
                                            "ready_after": "0"}})
    svc = wait_service(d, "web", "ready")
    for target in ("web", str(svc["run"])):
        rc, out, err = d.jobctl("cancel", target)
        assert rc == 1, (target, rc, out, err)
        assert "'web' is a service: stop it with 'jobctl stop' or " \
            "'jobctl restart'" in err, err
    assert service(d, "web")["state"] == "ready"
    assert service(d, "web")["restarts"] == 0


def test_list_shows_the_running_process_of_a_service(jobd, workdir):
    flag = workdir / "once"
    d = start_units(jobd, services={"web": {
        "command": "sh -c 'if [ -e %s ]; then exec sleep 60; fi; touch %s;"
                   " exit 3'" % (flag, flag), "ready_after": "0"}})
    svc = wait_service(d, "web", "ready", pred=lambda s: s["restarts"])
    rc, out, err = d.jobctl("list")
    row = [l for l in out.splitlines() if l.startswith("web ")][0]
    assert row.split()[3] == "running", out
    assert row.split()[4] == str(svc["run"]), out
    assert "failed" not in row, out


# ------------------------------------------------------------ orphans

def environ_of(pid):
    with open("/proc/%d/environ" % pid, "rb") as f:
        return f.read()


def test_orphan_that_wiped_its_environment_is_stopped(jobd, workdir):
    """redis, nginx and PostgreSQL rewrite their title over their
    environment: after kill -9 of jobd their JOBD_RUN= was gone, they were
    missed, and the restarted service failed with 'Address already in
    use'.  The ledger's pid and start time find them by session."""
    pidfile = workdir / "svc.pid"
    kidfile = workdir / "kid.pid"
    d = start_units(jobd, services={"redis": {
        "command": child("subchild", 60, "wipe-env", "pidfile", pidfile,
                         "sleep", 60),
        "environment": "TEST_SUBCHILD_PIDFILE=%s" % kidfile,
        "ready_after": "0"}})
    wait_service(d, "redis", "ready")
    pid = int(wait_for(lambda: pidfile.exists() and pidfile.read_text(),
                       10, "pid file"))
    kid = int(wait_for(lambda: kidfile.exists() and kidfile.read_text(),
                       10, "subchild pid file"))
    assert b"JOBD_RUN=" not in environ_of(pid)
    # The row with the pid is on record before the kill.
    wait_for(lambda: d.jobctl_json("status", "--daemon")["ledger"]
             ["queued"] == 0, 10, "the ledger written")
    d.proc.kill()
    d.proc.wait()
    d.spared(pid)
    d.spared(kid)
    pidfile.unlink()
    t0 = time.monotonic()
    d.start()
    wait_for(lambda: not os.path.exists("/proc/%d" % pid) or
             open("/proc/%d/stat" % pid).read().split(")")[1].split()[0]
             in "ZX", 5, "the old service process to be gone")
    assert time.monotonic() - t0 < 3.0
    wait_for(lambda: not os.path.exists("/proc/%d" % kid), 5,
             "its child (same session) to be gone")
    # The new process of the service is up.
    wait_service(d, "redis", "ready")


def test_history_failed_leaves_out_stops_asked_for(jobd):
    d = start_units(jobd, services={"web": {"command": "sleep 60",
                                            "ready_after": "0"}},
                    jobs={"bad": {"command": child("exit", 2)}})
    run = wait_service(d, "web", "ready")["run"]
    assert d.jobctl("stop", "web", "--wait")[0] == 0
    bad = d.wait_run(d.start_run("bad"))["id"]
    wait_for(lambda: {r["id"] for r in history(d)} >= {run, bad}, 10,
             "both runs on record")
    failed = {r["id"] for r in history(d, "--failed")}
    assert bad in failed and run not in failed, failed


def test_stop_reaches_another_process_group_of_the_session(jobd, workdir):
    """kill(-pgid) misses a process that moved to a process group of its
    own in the run's session (as shells with job control do)."""
    script = workdir / "pg.py"
    script.write_text("import os, sys, time\n"
                      "os.setpgid(0, 0)\n"
                      "open(sys.argv[1], 'w').write(str(os.getpid()))\n"
                      "time.sleep(60)\n")
    pidfile = workdir / "pg.pid"
    d = start_units(jobd, services={"svc": {
        "command": "sh -c '/usr/bin/python3 %s %s & exec sleep 60'"
        % (script, pidfile), "ready_after": "0"}})
    wait_service(d, "svc", "ready")
    pid = int(wait_for(lambda: pidfile.exists() and pidfile.read_text(),
                       10, "the pid file"))
    assert os.getpgid(pid) == pid
    t0 = time.monotonic()
    assert d.jobctl("stop", "svc", "--wait")[0] == 0
    wait_for(lambda: not os.path.exists("/proc/%d" % pid), 5,
             "the process in its own group to be stopped")
    assert time.monotonic() - t0 < 3.0
