"""Retries with backoff and on_failure=/on_success= hooks: attempts are
their own runs linked to the first, notify_on=change fires on transitions
only, a hook is never retried (its own hooks run: see test_hook_chains.py),
and a hook gets the outcome in its environment and the output tail on
stdin."""
from conftest import history, start_units, wait_for

MS = 1000


def runs_of(d, job, n, timeout=20.0):
    """The job's first n recorded runs (oldest first), all finished."""
    def get():
        runs = sorted(history(d, job), key=lambda r: r["id"])
        if len(runs) >= n and all(r["state"] == "finished"
                                  for r in runs[:n]):
            return runs
        return None
    return wait_for(get, timeout, "%d finished runs of %s" % (n, job))


def idle(d, job):
    return not d.job_status(job)["runs"]


def test_retries_follow_the_backoff(jobd):
    d = start_units(jobd, jobs={"f": {
        "command": "sh -c 'exit 4'", "retry": 3, "retry_sec": "200ms",
        "retry_max_sec": "500ms"}})
    rid = d.start_run("f")
    runs = runs_of(d, "f", 4)
    assert len(runs) == 4
    assert runs[0]["id"] == rid and runs[0]["trigger"] == "manual"
    assert all(r["exit_status"] == 4 and r["result"] == "failed"
               for r in runs)
    for r in runs[1:]:
        assert r["trigger"] == "retry" and r["retry_of"] == rid, r
    # The ledger keeps no attempt number (History has none); the retries
    # still in memory do, counting the first run as attempt 1.
    assert [d.wait_run(r["id"]).get("attempt") for r in runs] == \
        [None, 2, 3, 4]
    expected = [200, 400, 500]
    got = [(b["queued_usec"] - a["ended_usec"]) / MS
           for a, b in zip(runs, runs[1:])]
    for g, want in zip(got, expected):
        assert want - 20 <= g <= want + 250, (got, expected)
    wait_for(lambda: idle(d, "f"), what="no run of f left")
    assert len(history(d, "f")) == 4


def test_retry_stops_at_success(jobd, workdir):
    count = workdir / "count"
    d = start_units(jobd, jobs={"f": {
        "command": "n=$(cat %s 2>/dev/null || echo 0); n=$((n+1)); "
                   "echo $n > %s; [ $n -ge 2 ]" % (count, count),
        "shell": "yes", "retry": 5, "retry_sec": "50ms"}})
    rid = d.start_run("f")
    runs = runs_of(d, "f", 2)
    assert [r["result"] for r in runs] == ["failed", "success"]
    assert runs[1]["retry_of"] == rid
    wait_for(lambda: idle(d, "f"), what="no run of f left")
    # A third run would have come 100 ms later: let a newer run pass.
    assert d.wait_run(d.start_run("f"))["result"] == "success"
    assert len(history(d, "f")) == 3


def test_retry_on_timeout_only(jobd):
    d = start_units(jobd, jobs={
        "f": {"command": "false", "retry": 2, "retry_sec": "50ms",
              "retry_on": "timeout", "on_failure": "h"},
        "t": {"command": "sleep 5", "timeout": "200ms", "retry": 1,
              "retry_sec": "50ms", "retry_on": "timeout"},
        "h": {"command": "true"}})
    fid = d.start_run("f")
    assert d.wait_run(fid)["result"] == "failed"
    # No retry: the hook ran at once for the only attempt.
    hook = runs_of(d, "h", 1)[0]
    assert hook["trigger"] != "retry"
    tid = d.start_run("t")
    runs = runs_of(d, "t", 2)
    assert [r["result"] for r in runs] == ["timeout", "timeout"]
    assert runs[1]["retry_of"] == tid
    assert len(history(d, "f")) == 1


def test_notify_on_change_fires_on_transitions_only(jobd, workdir):
    code, log = workdir / "code", workdir / "hooks"
    d = start_units(jobd, jobs={
        "t": {"command": "exit $(cat %s)" % code, "shell": "yes",
              "on_failure": "hf", "on_success": "hs",
              "notify_on": "change"},
        "hf": {"command": 'echo "fail $JOBD_TRIGGER_RUN" >> %s' % log,
               "shell": "yes"},
        "hs": {"command": 'echo "ok $JOBD_TRIGGER_RUN" >> %s' % log,
               "shell": "yes"}})
    ids = []
    for c in (1, 1, 0, 0, 1):
        code.write_text("%d\n" % c)
        rid = d.start_run("t")
        assert d.wait_run(rid)["exit_status"] == c
        ids.append(rid)
    want = ["fail %d" % ids[0], "ok %d" % ids[2], "fail %d" % ids[4]]
    wait_for(lambda: log.exists() and len(log.read_text().split("\n")) > 3,
             what="three hook runs")
    wait_for(lambda: idle(d, "hf") and idle(d, "hs"), what="hooks idle")
    assert log.read_text().splitlines() == want


def test_a_failing_hook_chains_and_is_not_retried(jobd):
    d = start_units(jobd, jobs={
        "x": {"command": "sh -c 'sleep 0.3; exit 1'", "on_failure": "h1"},
        "h1": {"command": "false", "on_failure": "h2", "retry": 2,
               "retry_sec": "50ms"},
        "h2": {"command": "true"}})
    for n in (1, 2):
        assert d.wait_run(d.start_run("x"))["result"] == "failed"
        runs = runs_of(d, "h1", n)
        assert all(r["result"] == "failed" for r in runs)
        # Hooks chain (test_hook_chains.py): h1's on_failure= runs.
        assert runs_of(d, "h2", n)[n - 1]["hook_of"] == runs[n - 1]["id"]
    # Two x runs, two h1 runs (no retries of a hook), two h2 runs.
    wait_for(lambda: idle(d, "h1") and idle(d, "h2"), what="hooks idle")
    assert len(history(d, "h1")) == 2
    assert len(history(d, "h2")) == 2


def test_hook_environment_and_stdin(jobd, workdir):
    out = workdir / "hook"
    d = start_units(jobd, jobs={
        "x": {"command": "sh -c 'echo line one; echo line two >&2; exit 3'",
              "on_failure": "h"},
        "ok": {"command": "echo fine", "on_success": "h"},
        "h": {"command": "env | grep ^JOBD_TRIGGER_ | sort > %s.$$.env; "
              "cat > %s.$$.in" % (out, out), "shell": "yes"}})
    xid = d.start_run("x")
    assert d.wait_run(xid)["exit_status"] == 3
    hid = runs_of(d, "h", 1)[0]["id"]
    hook = d.wait_run(hid)
    assert hook["result"] == "success", hook

    def files(suffix):
        return sorted(workdir.glob("hook.*." + suffix))
    wait_for(lambda: len(files("in")) == 1, what="the hook's files")
    env = files("env")[0].read_text().splitlines()
    assert env == ["JOBD_TRIGGER_EXIT_STATUS=3", "JOBD_TRIGGER_JOB=x",
                   "JOBD_TRIGGER_RESULT=failed", "JOBD_TRIGGER_RUN=%d" % xid]
    assert files("in")[0].read_text() == "line one\nline two\n"
    for f in files("env") + files("in"):
        f.unlink()
    oid = d.start_run("ok")
    d.wait_run(oid)
    wait_for(lambda: len(files("in")) == 1 and idle(d, "h"),
             what="the second hook's files")
    env = files("env")[0].read_text().splitlines()
    assert env == ["JOBD_TRIGGER_EXIT_STATUS=0", "JOBD_TRIGGER_JOB=ok",
                   "JOBD_TRIGGER_RESULT=success", "JOBD_TRIGGER_RUN=%d" % oid]
    assert files("in")[0].read_text() == "fine\n"
