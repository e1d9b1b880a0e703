"""Hooks chain: a hook's run starts its own on_success=/on_failure= jobs,
in order, each with JOBD_TRIGGER_* of the run before it and JOBD_CHAIN_*
of the chain's first run; the chain is in `show RUN` and the history; a
cycle is refused by --check and by a reload, naming it; a chain deeper
than 16 hooks (a long one, or a cycle made by reloads between its links)
stops with a skipped run that says why; retries and hooks keep their
rules (a retried run's hooks once at the end, no retry of a hook)."""
import re

from conftest import JOBD, history, run_cmd, start_units, wait_for, \
    write_units

BOUND = 16


def finished_runs(d, job, n, timeout=20.0):
    """The job's first n recorded runs (oldest first), all finished."""
    def get():
        runs = sorted(history(d, job), key=lambda r: r["id"])
        if len(runs) >= n and all(r["state"] == "finished"
                                  for r in runs[:n]):
            return runs
        return None
    return wait_for(get, timeout, "%d finished runs of %s" % (n, job))


def idle(d, *jobs):
    return all(not d.job_status(j)["runs"] for j in jobs)


def env_of(path):
    """The JOBD_TRIGGER_*/JOBD_CHAIN_* lines a hook wrote, as a dict."""
    return dict(line.split("=", 1) for line in
                path.read_text().splitlines())


def recorder(workdir, name, then=""):
    """A command that appends NAME to workdir/order, writes its JOBD_
    TRIGGER_* and JOBD_CHAIN_* to workdir/NAME.env, then runs `then`."""
    return ("echo %s >> %s/order; env | grep -E '^JOBD_(TRIGGER|CHAIN)_' "
            "| sort > %s/%s.env; %s" % (name, workdir, workdir, name,
                                        then or "true"))


def test_success_chain_runs_in_order_with_its_environment(jobd, workdir):
    d = start_units(jobd, jobs={
        "a": {"command": recorder(workdir, "a", "echo from-a"),
              "shell": "yes", "on_success": "b"},
        "b": {"command": recorder(workdir, "b", "cat"), "shell": "yes",
              "on_success": "c"},
        "c": {"command": recorder(workdir, "c"), "shell": "yes",
              "on_failure": "never"},
        "never": {"command": "true"}})
    aid = d.start_run("a")
    c = finished_runs(d, "c", 1)[0]
    b = finished_runs(d, "b", 1)[0]
    assert (workdir / "order").read_text().split() == ["a", "b", "c"]
    assert b["result"] == c["result"] == "success"
    assert aid < b["id"] < c["id"]
    eb, ec = env_of(workdir / "b.env"), env_of(workdir / "c.env")
    assert eb == {"JOBD_TRIGGER_RUN": str(aid), "JOBD_TRIGGER_JOB": "a",
                  "JOBD_TRIGGER_RESULT": "success",
                  "JOBD_TRIGGER_EXIT_STATUS": "0",
                  "JOBD_CHAIN_FIRST_RUN": str(aid),
                  "JOBD_CHAIN_FIRST_JOB": "a", "JOBD_CHAIN_DEPTH": "1"}
    assert ec == {"JOBD_TRIGGER_RUN": str(b["id"]), "JOBD_TRIGGER_JOB": "b",
                  "JOBD_TRIGGER_RESULT": "success",
                  "JOBD_TRIGGER_EXIT_STATUS": "0",
                  "JOBD_CHAIN_FIRST_RUN": str(aid),
                  "JOBD_CHAIN_FIRST_JOB": "a", "JOBD_CHAIN_DEPTH": "2"}
    # The chain's first run is no hook's and has no JOBD_ variables.
    assert (workdir / "a.env").read_text() == ""
    # Each hook still gets the output of the run before it on stdin.
    assert d.jobctl("logs", "--run", b["id"], "b")[1] == "from-a\n"
    # The ledger (history, show) and the runs in memory say the same.
    assert c["hook_of"] == b["id"] and c["hook_of_job"] == "b"
    assert c["chain_first"] == aid and c["chain_first_job"] == "a"
    assert c["chain_depth"] == 2 and b["chain_depth"] == 1
    assert c["trigger"] == "dependency"
    assert not any(k in history(d, "a")[0] for k in
                   ("hook_of", "chain_first", "chain_depth"))
    live = d.wait_run(c["id"])
    assert (live["hook_of"], live["chain_first"], live["chain_depth"]) == \
        (b["id"], aid, 2)
    shown = d.jobctl_json("show", c["id"])["run"]
    assert shown["hook_of_job"] == "b" and shown["chain_depth"] == 2
    rc, out, err = d.jobctl("show", c["id"])
    assert rc == 0, err
    assert "hook of      run %d of b\n" % b["id"] in out, out
    assert "chain        run %d of a, 2 hooks deep\n" % aid in out, out
    rc, out, err = d.jobctl("show", aid)
    assert rc == 0 and "hook of" not in out and "chain" not in out, out
    wait_for(lambda: idle(d, "a", "b", "c"), what="the chain idle")
    assert history(d, "never") == []


def test_failure_chain_and_a_hook_is_not_retried(jobd, workdir):
    d = start_units(jobd, jobs={
        "x": {"command": "sh -c 'exit 3'", "on_failure": "h1",
              "retry": 1, "retry_sec": "50ms"},
        "h1": {"command": recorder(workdir, "h1", "exit 2"), "shell": "yes",
               "on_failure": "h2", "on_success": "never", "retry": 2,
               "retry_sec": "50ms"},
        "h2": {"command": recorder(workdir, "h2"), "shell": "yes"},
        "never": {"command": "true"}})
    xid = d.start_run("x")
    h2 = finished_runs(d, "h2", 1)[0]
    xs = finished_runs(d, "x", 2)
    h1 = finished_runs(d, "h1", 1)[0]
    # x's hooks wait for its last attempt, and start once.
    assert [r["result"] for r in xs] == ["failed", "failed"]
    assert xs[1]["retry_of"] == xid
    assert h1["result"] == "failed" and h1["exit_status"] == 2
    assert h1["hook_of"] == xs[1]["id"] and h1["chain_first"] == xs[1]["id"]
    assert h2["hook_of"] == h1["id"] and h2["chain_depth"] == 2
    assert env_of(workdir / "h2.env") == {
        "JOBD_TRIGGER_RUN": str(h1["id"]), "JOBD_TRIGGER_JOB": "h1",
        "JOBD_TRIGGER_RESULT": "failed", "JOBD_TRIGGER_EXIT_STATUS": "2",
        "JOBD_CHAIN_FIRST_RUN": str(xs[1]["id"]),
        "JOBD_CHAIN_FIRST_JOB": "x", "JOBD_CHAIN_DEPTH": "2"}
    wait_for(lambda: idle(d, "x", "h1", "h2"), what="the chain idle")
    # One run of each: no retry of the hook h1, no third x, no on_success.
    assert (workdir / "order").read_text().split() == ["h1", "h2"]
    assert len(history(d, "x")) == 2 and len(history(d, "h1")) == 1
    assert history(d, "never") == []


def chain_jobs(n, workdir):
    """j00 -> j01 -> ... -> j(n-1) by on_success=, each writing its depth."""
    jobs = {}
    for i in range(n):
        jobs["j%02d" % i] = {
            "command": "echo ${JOBD_CHAIN_DEPTH:-0} > %s/j%02d.depth"
                       % (workdir, i), "shell": "yes"}
        if i + 1 < n:
            jobs["j%02d" % i]["on_success"] = "j%02d" % (i + 1)
    return jobs


def test_a_chain_past_the_bound_stops_with_a_skipped_run(jobd, workdir):
    # No cycle: --check lets it pass, and the bound stops it at run time.
    last = "j%02d" % (BOUND + 1)
    d = start_units(jobd, jobs=chain_jobs(BOUND + 2, workdir))
    first = d.start_run("j00")
    skipped = finished_runs(d, last, 1)[0]
    deepest = finished_runs(d, "j%02d" % BOUND, 1)[0]
    assert deepest["result"] == "success" and deepest["chain_depth"] == BOUND
    assert (workdir / ("j%02d.depth" % BOUND)).read_text() == "%d\n" % BOUND
    assert not (workdir / (last + ".depth")).exists()
    assert skipped["result"] == "skipped", skipped
    assert skipped["hook_of"] == deepest["id"]
    assert skipped["chain_first"] == first
    assert skipped["chain_depth"] == BOUND + 1
    assert "past the bound of %d" % BOUND in skipped["reason"], skipped
    assert "on_success= of run %d of 'j%02d'" % (deepest["id"], BOUND) \
        in skipped["reason"], skipped
    rc, out, err = d.jobctl("show", skipped["id"])
    assert rc == 0 and "result       skipped" in out, out
    assert re.search(r"job '%s' run %d: not started: .*17 hooks deep"
                     % (last, skipped["id"]), d.log_text()), d.log_text(20)
    wait_for(lambda: idle(d, *chain_jobs(BOUND + 2, workdir)),
             what="the chain idle")
    assert len(history(d, last)) == 1


def test_a_cycle_made_by_reloads_is_bounded(jobd, workdir):
    """Each config alone is acyclic (a -> b, then b -> a); reloading
    between the links makes an endless chain, which the bound stops."""
    slow = "sleep 0.3; echo ${JOBD_CHAIN_DEPTH:-0} >> %s/depths" % workdir
    ab = {"a": {"command": slow, "shell": "yes", "on_success": "b"},
          "b": {"command": slow, "shell": "yes"}}
    ba = {"a": {"command": slow, "shell": "yes"},
          "b": {"command": slow, "shell": "yes", "on_success": "a"}}
    d = start_units(jobd, jobs=ab)
    d.start_run("a")
    depths = workdir / "depths"

    def running(job):
        return any(r["state"] == "running"
                   for r in d.job_status(job)["runs"])
    for depth in range(BOUND + 1):
        job, cfg = ("a", ab) if depth % 2 == 0 else ("b", ba)
        wait_for(lambda: running(job), what="run %d, of %s" % (depth, job))
        write_units(d, jobs=cfg)
        rc, out, err = d.jobctl("reload")
        assert rc == 0, err
        wait_for(lambda: depths.exists() and
                 len(depths.read_text().split()) > depth,
                 what="depth %d done" % depth)
    skipped = wait_for(lambda: [r for r in history(d, "b")
                                if r["result"] == "skipped"],
                       what="b skipped past the bound")
    assert len(skipped) == 1
    assert skipped[0]["chain_depth"] == BOUND + 1
    assert "past the bound of %d" % BOUND in skipped[0]["reason"]
    wait_for(lambda: idle(d, "a", "b"), what="a and b idle")
    assert depths.read_text().split() == [str(i) for i in range(BOUND + 1)]


CYCLE = {"a": {"command": "true", "on_success": "b"},
         "b": {"command": "true", "on_failure": "c"},
         "c": {"command": "true", "on_success": "a"}}
CYCLE_TEXT = ("job 'a': on_success/on_failure: a -on_success-> b "
              "-on_failure-> c -on_success-> a forms a cycle")


def test_check_and_reload_refuse_a_cycle(jobd):
    d = start_units(jobd, jobs=CYCLE, start=False)
    rc, out, err = run_cmd([JOBD, "--check", "--config", str(d.conf)])
    assert rc != 0
    assert "50-units.conf:1: " + CYCLE_TEXT in err, err
    # A running jobd refuses it too, and keeps what it had.
    write_units(d, jobs={"a": {"command": "true", "on_success": "b"},
                         "b": {"command": "true"}})
    d.start()
    write_units(d, jobs=CYCLE)
    rc, out, err = d.jobctl("reload")
    assert rc != 0 and CYCLE_TEXT in err, (out, err)
    d.start_run("a")
    assert finished_runs(d, "b", 1)[0]["result"] == "success"
    wait_for(lambda: idle(d, "a", "b"), what="a and b idle")
    assert len(history(d, "a")) == 1
