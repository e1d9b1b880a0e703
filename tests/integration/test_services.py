"""Services: readiness through sd_notify (libsystemd's own sd_notify, in
jobd-notify-child) and fd:N, start_timeout, the watchdog, restart backoff
and the start limit, dependencies and their order at start and shutdown,
stop of a process tree, jobctl start/stop/restart/reload/signal, and a
configuration reload that restarts only what must be restarted."""
import os
import re
import signal
import time

from conftest import (child, notify_child, pid_alive, read_file_when_there,
                      wait_pids_gone,
                      run_cmd, runs_of, service, start_units, wait_for,
                      wait_service, write_units)

MS = 1000                       # usec per millisecond


def state_times(events, name):
    """[(state, usec)] of a service from an event list."""
    return [(e["state"], e["usec"]) for e in events
            if e["type"] == "service-state" and e.get("service") == name]


def first(events, name, state):
    for st, usec in state_times(events, name):
        if st == state:
            return usec
    raise AssertionError("no %s -> %s in %r" % (name, state, events))


def gaps(runs):
    """Delays between one run's end and the next one's queueing (ms)."""
    return [(b["queued_usec"] - a["ended_usec"]) / MS
            for a, b in zip(runs, runs[1:])]


# ------------------------------------------------------------ readiness

def test_notify_ready_only_after_ready1_with_status(jobd, event_stream):
    d = start_units(jobd, services={"web": {
        "command": notify_child("--status", "serving 42", "ready", 700),
        "ready": "notify", "autostart": "no"}})
    ev = event_stream(d)
    t0 = time.monotonic()
    rc, out, err = d.jobctl("start", "--wait", "web")
    elapsed = time.monotonic() - t0
    assert rc == 0, (out, err)
    assert re.match(r"^web: ready, pid \d+$", out.strip()), out
    assert elapsed >= 0.6, "start --wait returned after %.2fs" % elapsed
    svc = service(d, "web")
    assert svc["state"] == "ready"
    assert svc["status_text"] == "serving 42"
    ev.wait(lambda e: e.get("service") == "web" and e["state"] == "ready")
    starting = first(ev.events(), "web", "starting")
    ready = first(ev.events(), "web", "ready")
    assert ready - starting >= 650 * MS, state_times(ev.events(), "web")
    rc, out, err = d.jobctl("status", "web")
    assert rc == 0
    assert "state: ready, pid %d" % svc["pid"] in out, out
    assert "status: serving 42" in out, out


def test_ready_fd(jobd):
    d = start_units(jobd, services={"s": {
        "command": notify_child("ready-fd", 5, 300), "ready": "fd:5"}})
    svc = wait_service(d, "s", ("starting", "ready"))
    wait_service(d, "s", "ready")
    assert service(d, "s")["pid"] > 0
    assert svc["state"] in ("starting", "ready")


def test_never_ready_is_stopped_at_start_timeout(jobd, event_stream):
    d = start_units(jobd, services={"slow": {
        "command": notify_child("never"), "ready": "notify",
        "start_timeout": "500ms", "restart": "no", "autostart": "no"}})
    ev = event_stream(d)
    rc, out, err = d.jobctl("start", "--wait", "slow")
    assert rc == 1, (out, err)
    assert "not ready within start_timeout=500ms" in out + err
    svc = service(d, "slow")
    assert svc["state"] == "failed", svc
    assert "start_timeout" in svc["reason"]
    # STATUS=starting was that process's; it went with it.
    assert "status_text" not in svc, svc
    # The event stream is another connection: it may lag the reply.
    ev.wait(lambda e: e.get("service") == "slow" and e["state"] == "failed")
    starting = first(ev.events(), "slow", "starting")
    failed = first(ev.events(), "slow", "failed")
    assert "ready" not in [s for s, _ in state_times(ev.events(), "slow")]
    assert failed - starting >= 480 * MS


def test_start_timeout_counts_as_failed_start(jobd):
    d = start_units(jobd, services={"slow": {
        "command": notify_child("never"), "ready": "notify",
        "start_timeout": "300ms", "restart_sec": "50ms",
        "start_limit_burst": 2, "start_limit_interval": "1min"}})
    svc = wait_service(d, "slow", "failed", timeout=15)
    assert svc["reason"].startswith("start limit hit: 2 starts"), svc
    runs = wait_for(lambda: (lambda r: r if len(r) == 2 else None)(
        runs_of(d, "slow")), what="2 recorded runs")
    assert all(r["result"] != "success" for r in runs), runs


def test_watchdog_timeout_aborts_then_restarts(jobd):
    d = start_units(jobd, services={"wd": {
        "command": notify_child("watchdog", 3), "ready": "notify",
        "watchdog_sec": "400ms", "restart": "on-failure",
        "restart_sec": "100ms", "limit_core": 0,
        "start_limit_burst": 1000}})
    first_pid = wait_service(d, "wd", "ready")["pid"]
    svc = wait_service(d, "wd", ("starting", "ready"), timeout=15,
                       pred=lambda s: s["restarts"] >= 1)
    assert svc["last_exit_status"] == 128 + signal.SIGABRT, svc
    assert not pid_alive(first_pid)
    runs = wait_for(lambda: [r for r in runs_of(d, "wd")
                             if r.get("signal") == signal.SIGABRT],
                    what="a run ended by SIGABRT")
    # Pinged 3 times (every 100 ms), then silent for 400 ms.
    assert runs[0]["runtime_usec"] >= 600 * MS, runs[0]


# ------------------------------------------------------------ backoff

def test_crash_loop_backoff_grows_within_bounds(jobd):
    d = start_units(jobd, services={"crash": {
        "command": notify_child("crash", 3), "restart_sec": "200ms",
        "restart_max_sec": "800ms", "start_limit_burst": 1000}})
    svc = wait_service(d, "crash", "backoff",
                       pred=lambda s: "next_restart_usec" in s)
    now = time.time() * 1e6
    assert svc["next_restart_usec"] - now <= 1.1 * 800 * MS
    runs = wait_for(lambda: (lambda r: r if len(r) >= 6 else None)(
        [r for r in runs_of(d, "crash") if r["state"] == "finished"]),
        timeout=20, what="6 finished runs")[:6]
    assert all(r["exit_status"] == 3 for r in runs)
    expected = [200, 400, 800, 800, 800]
    for got, want in zip(gaps(runs), expected):
        assert 0.9 * want - 20 <= got <= 1.1 * want + 250, \
            "delays %s, expected about %s" % (gaps(runs), expected)
    assert service(d, "crash")["restarts"] >= 5


def test_start_limit_fails_then_reset_failed_and_restart_recover(jobd):
    d = start_units(jobd, services={"crash": {
        "command": notify_child("crash", 4), "restart_sec": "50ms",
        "start_limit_burst": 3, "start_limit_interval": "1min"}})
    svc = wait_service(d, "crash", "failed")
    assert svc["reason"] == "start limit hit: 3 starts within 1min; " \
        "last: exited with status 4 before it was ready", svc
    assert svc["last_exit_status"] == 4
    rc, out, err = d.jobctl("status", "crash")
    assert "state: failed" in out and "last exit status 4" in out, out
    rc, out, err = d.jobctl("start", "crash")
    assert rc == 1 and "reset-failed" in err, (rc, out, err)
    n = len(wait_for(lambda: (lambda r: r if len(r) == 3 else None)(
        runs_of(d, "crash")), what="3 runs"))
    rc, out, err = d.jobctl("reset-failed", "crash")
    assert (rc, out.strip()) == (0, "crash: stopped"), (rc, out, err)
    rc, out, err = d.jobctl("start", "crash")
    assert rc == 0, err
    wait_service(d, "crash", "failed")
    assert len(wait_for(lambda: (lambda r: r if len(r) == n + 3 else None)(
        runs_of(d, "crash")), what="3 more runs")) == 6
    rc, out, err = d.jobctl("restart", "crash")
    assert rc == 0, err
    wait_for(lambda: len(runs_of(d, "crash")) > 6, what="a run after restart")


def test_keep_trying_retries_at_the_capped_delay(jobd):
    d = start_units(jobd, services={"crash": {
        "command": notify_child("crash", 1), "restart_sec": "50ms",
        "restart_max_sec": "400ms", "start_limit_burst": 2,
        "start_limit_interval": "1min",
        "start_limit_action": "keep-trying"}})
    runs = wait_for(lambda: (lambda r: r if len(r) >= 6 else None)(
        [r for r in runs_of(d, "crash") if r["state"] == "finished"]),
        timeout=20, what="6 finished runs")[:6]
    assert service(d, "crash")["state"] != "failed"
    # From the second start on the limit is hit: the capped delay, each
    # time (400 ms, no jitter); before it 50 ms.
    g = gaps(runs)
    assert g[0] < 200, g
    for got in g[1:]:
        assert 380 <= got <= 400 + 250, g


def test_quick_clean_exit_is_judged_by_restart(jobd):
    d = start_units(jobd, services={"once": {
        "command": notify_child("crash", 0), "restart": "on-failure"}})
    svc = wait_service(d, "once", "stopped",
                       pred=lambda s: s.get("last_exit_status") == 0)
    assert svc["restarts"] == 0 and "reason" not in svc, svc


# ------------------------------------------------------------ dependencies

def chain():
    """a <- b <- c: each after= and requires= the one before."""
    return {
        "a": {"command": notify_child("ready", 400), "ready": "notify",
              "autostart": "no"},
        "b": {"command": notify_child("ready", 300), "ready": "notify",
              "after": "a", "requires": "a", "autostart": "no"},
        "c": {"command": notify_child("ready", 0), "ready": "notify",
              "after": "b", "requires": "b", "autostart": "no"},
    }


def test_chain_starts_in_order_waiting_for_readiness(jobd, event_stream):
    d = start_units(jobd, services=chain())
    ev = event_stream(d)
    rc, out, err = d.jobctl("start", "--wait", "c")
    assert (rc, out.strip().split(",")[0]) == (0, "c: ready"), (out, err)
    for name in "abc":
        assert service(d, name)["state"] == "ready"
    e = ev.events()
    assert first(e, "b", "starting") >= first(e, "a", "ready")
    assert first(e, "c", "starting") >= first(e, "b", "ready")
    assert first(e, "b", "ready") - first(e, "a", "ready") >= 280 * MS
    # Stopping b stops c, which requires it; a stays.
    rc, out, err = d.jobctl("stop", "--wait", "b")
    assert (rc, out.strip()) == (0, "b: stopped (stopped with jobctl stop)")
    svc = wait_service(d, "c", "stopped")
    assert svc["reason"] == "required unit 'b' stopped", svc
    assert service(d, "a")["state"] == "ready"


def test_shutdown_stops_in_reverse_dependency_order(jobd, event_stream):
    units = {k: dict(v, autostart="yes") for k, v in chain().items()}
    d = start_units(jobd, services=units)
    for name in "abc":
        wait_service(d, name, "ready")
    ev = event_stream(d)
    assert d.stop() == 0
    d.exit_checked = True
    ev.wait(lambda e: e["type"] == "end", what="the end of the stream")
    e = ev.events()
    assert first(e, "b", "stopping") >= first(e, "c", "stopped"), e
    assert first(e, "a", "stopping") >= first(e, "b", "stopped"), e


def test_cycle_is_rejected_naming_it(jobd):
    d = jobd(start=False)
    write_units(d, services={
        "x": {"command": "sleep 1", "after": "y"},
        "y": {"command": "sleep 1", "requires": "z"},
        "z": {"command": "sleep 1", "after": "x"}})
    rc, out, err = run_cmd(d.argv("--check"))
    assert rc == 2, (out, err)
    assert re.search(r"dependency cycle: (x -> y -> z -> x|y -> z -> x -> y|"
                     r"z -> x -> y -> z)", out + err), out + err


def test_requires_unknown_unit_is_rejected(jobd):
    d = jobd(start=False)
    write_units(d, services={"x": {"command": "sleep 1", "requires": "nope"}})
    rc, out, err = run_cmd(d.argv("--check"))
    assert rc == 2 and "requires: unknown unit 'nope'" in out + err


# ------------------------------------------------------------ stop

def test_stop_takes_the_process_group_and_an_escaped_session(jobd):
    """Without a delegated cgroup, a process that left the process group
    with setsid() is still found by its JOBD_RUN= and the pipe it holds,
    and stopped with the run (issue 15: it was left with no word, and
    stop --wait waited the drain timeout)."""
    d = jobd(start=False)
    gc, sub, main = (d.pidfile(n) for n in ("gc", "sub", "main"))
    write_units(d, settings={"drain_timeout": "1s"}, services={"svc": {
        "command": child("pidfile", main, "grandchild", 60, "subchild", 60,
                         "sleep", 60),
        "environment": ["TEST_GRANDCHILD_PIDFILE=%s" % gc,
                        "TEST_SUBCHILD_PIDFILE=%s" % sub]}})
    d.start()
    wait_service(d, "svc", "ready")
    pids = [d.read_pid(n) for n in ("main", "sub", "gc")]
    t0 = time.monotonic()
    rc, out, err = d.jobctl("stop", "--wait", "svc")
    elapsed = time.monotonic() - t0
    assert (rc, out.strip()) == (0, "svc: stopped (stopped with jobctl stop)")
    assert elapsed < 1.0, elapsed
    wait_pids_gone(pids, timeout=5)
    # The sweep signals on the executor and reports on the loop after.
    wait_for(lambda: "which had left the run's process group" in
             d.log_text(), 5.0, "the escaped process in the log")


def test_start_wait_and_stop_wait(jobd):
    d = start_units(jobd, services={"s": {
        "command": notify_child("ready", 500), "ready": "notify",
        "autostart": "no"}})
    rc, out, err = d.jobctl("start", "--wait", "s")
    assert rc == 0 and service(d, "s")["state"] == "ready"
    pid = service(d, "s")["pid"]
    rc, out, err = d.jobctl("stop", "--wait", "s")
    assert rc == 0, err
    assert not pid_alive(pid)
    assert service(d, "s")["state"] == "stopped"
    rc, out, err = d.jobctl("--json", "start", "--wait", "s")
    assert rc == 0 and '"state":"ready"' in out


def test_start_wait_of_a_failing_service_exits_1(jobd):
    d = start_units(jobd, services={"bad": {
        "command": notify_child("crash", 7), "ready": "notify",
        "restart": "no", "autostart": "no"}})
    rc, out, err = d.jobctl("start", "--wait", "bad")
    assert rc == 1, (out, err)
    assert out.startswith("bad: failed"), out
    assert service(d, "bad")["last_exit_status"] == 7


def test_verbs_refuse_jobs_and_unknown_names(jobd):
    d = start_units(jobd, jobs={"j": {"command": "true"}})
    rc, out, err = d.jobctl("stop", "j")
    assert rc == 1 and "'j' is not a service" in err
    rc, out, err = d.jobctl("restart", "nope")
    assert rc == 1 and "no such job or service 'nope'" in err
    rc, out, err = d.jobctl("signal", "j")
    assert rc == 2


def test_reload_service_sends_reload_signal(jobd, workdir):
    hup = workdir / "hups"
    d = start_units(jobd, services={"s": {
        "command": notify_child("--hup-file", hup, "ready", 0),
        "ready": "notify"}})
    pid = wait_service(d, "s", "ready")["pid"]
    rc, out, err = d.jobctl("reload", "s")
    assert rc == 0, err
    assert read_file_when_there(hup) == "hup\n"
    svc = wait_service(d, "s", "ready",
                       pred=lambda s: s.get("status_text") == "reloaded")
    assert svc["pid"] == pid
    rc, out, err = d.jobctl("reload", "--dry-run", "s")
    assert rc == 2


def test_signal_kills_and_restart_policy_applies(jobd):
    d = start_units(jobd, services={"s": {
        "command": notify_child("ready", 0), "ready": "notify",
        "restart": "on-abnormal", "restart_sec": "50ms"}})
    pid = wait_service(d, "s", "ready")["pid"]
    rc, out, err = d.jobctl("signal", "s", "KILL")
    assert rc == 0, err
    svc = wait_service(d, "s", "ready", pred=lambda s: s["pid"] != pid)
    assert svc["restarts"] == 1 and svc["last_exit_status"] == 137
    rc, out, err = d.jobctl("signal", "s", "NOSUCHSIG")
    assert rc == 1 and "signal" in err


def test_config_reload_restarts_only_exec_changes(jobd):
    svcs = {
        "cmd": {"command": notify_child("ready", 0), "ready": "notify"},
        "pol": {"command": notify_child("ready", 0), "ready": "notify"},
    }
    d = start_units(jobd, services=svcs)
    pids = {n: wait_service(d, n, "ready")["pid"] for n in svcs}
    svcs["cmd"]["command"] = notify_child("--status", "new", "ready", 0)
    svcs["pol"]["restart_sec"] = "3s"
    write_units(d, services=svcs)
    rc, out, err = d.jobctl("reload", "--dry-run")
    assert rc == 0, err
    assert "restarted 1: cmd" in out and "updated 1: pol" in out, out
    assert service(d, "cmd")["pid"] == pids["cmd"]
    plan = d.jobctl_json("reload")
    assert (plan["restarted"], plan["updated"]) == (["cmd"], ["pol"]), plan
    svc = wait_service(d, "cmd", "ready",
                       pred=lambda s: s.get("status_text") == "new")
    assert svc["pid"] != pids["cmd"]
    assert not pid_alive(pids["cmd"])
    assert service(d, "pol")["pid"] == pids["pol"]
    assert service(d, "pol")["restarts"] == 0


def test_list_and_status_show_service_state(jobd):
    d = start_units(jobd, services={"s": {"command": notify_child("ready", 0),
                                          "ready": "notify"}})
    wait_service(d, "s", "ready")
    rc, out, err = d.jobctl("list")
    assert re.search(r"^s\s+ready\s", out, re.M), out
    rc, out, err = d.jobctl("status")
    m = re.search(r"^  state: ready, pid (\d+), up \S+, run (\d+)$", out,
                  re.M)
    assert m, out
    assert "  restarts: 0" in out
    # Its process is the run named on the state line, not listed again.
    assert "run %s:" % m.group(2) not in out, out
    full = d.jobctl_json("status", "s")["jobs"][0]
    assert [r["id"] for r in full["runs"]] == [int(m.group(2))]
    assert full["runs"][0]["pid"] == int(m.group(1))
