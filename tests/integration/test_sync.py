"""Locks, semaphores, running limits and events: what runs when, checked
from inside the children (times they wrote) and from jobd's own records
(history, status with its sync section, the events stream)."""
import re

from conftest import history, start_units, wait_for


def stamp_script(log, seconds):
    """A shell command that logs 'start RUN TIME' and 'end RUN TIME'."""
    return ('echo "start $JOBD_RUN $(date +%%s.%%N)" >> %s; sleep %s; '
            'echo "end $JOBD_RUN $(date +%%s.%%N)" >> %s'
            % (log, seconds, log))


def read_stamps(path):
    """[(kind, run, time)] in file order."""
    out = []
    for line in path.read_text().splitlines():
        kind, run, t = line.split()
        out.append((kind, int(run), float(t)))
    return out


def max_concurrent(stamps):
    n = top = 0
    for kind, _, _ in sorted(stamps, key=lambda s: (s[2], s[0] == "start")):
        n += 1 if kind == "start" else -1
        top = max(top, n)
    return top


def finished_runs(d, job, n, timeout=30.0):
    """The job's n recorded runs, once all have finished."""
    return wait_for(lambda: (lambda r: r if len(r) >= n and all(
        x["state"] == "finished" for x in r) else None)(
        history(d, job)), timeout, "%d finished runs of %s" % (n, job))


def start_many(d, *jobs):
    """`jobctl start`, 64 names (jobd's bound per call) at a time; the
    run ids in order."""
    ids = []
    for i in range(0, len(jobs), 64):
        rc, out, err = d.jobctl("start", *jobs[i:i + 64])
        assert rc == 0, err
        ids += [int(x) for x in out.split()]
    return ids


def sync_of(d):
    return d.jobctl_json("status")["sync"]


def test_one_lock_never_overlaps_across_100_runs(jobd, workdir):
    log = workdir / "stamps"
    cmd = stamp_script(log, "0.01")
    d = start_units(jobd, jobs={
        "a": {"command": cmd, "shell": "yes", "lock": "L"},
        "b": {"command": cmd, "shell": "yes", "lock": "L"}})
    ids = start_many(d, *(["a", "b"] * 50))
    assert len(ids) == 100
    runs = finished_runs(d, "a", 50, 60) + finished_runs(d, "b", 50, 60)
    assert all(r["result"] == "success" for r in runs)
    stamps = read_stamps(log)
    assert len(stamps) == 200
    # Each run's start and end are next to each other in the file.
    for i in range(0, 200, 2):
        assert (stamps[i][0], stamps[i + 1][0]) == ("start", "end"), \
            stamps[i:i + 2]
        assert stamps[i][1] == stamps[i + 1][1]
    assert max_concurrent(stamps) == 1
    # FIFO: admitted in the order queued.
    assert [s[1] for s in stamps[::2]] == sorted(ids)


def test_semaphore_of_3_with_10_runs_fifo(jobd, workdir):
    log = workdir / "stamps"
    d = start_units(jobd, semaphores={"S": {"limit": 3}}, jobs={
        "w": {"command": stamp_script(log, "0.4"), "shell": "yes",
              "semaphore": "S"}})
    ids = start_many(d, *["w"] * 10)
    sem = sync_of(d)["semaphores"][0]
    assert sem["name"] == "S" and sem["limit"] == 3
    assert len(sem["holders"]) <= 3
    assert sem["holders"] + sem["waiters"] == ids[:len(sem["holders"]) +
                                                  len(sem["waiters"])]
    rc, out, err = d.jobctl("status", "w")
    assert re.search(r"^semaphore S: [0-3] of 3 held", out, re.M), out
    assert "waiting for semaphore 'S'" in out, out
    runs = finished_runs(d, "w", 10)
    stamps = read_stamps(log)
    assert max_concurrent(stamps) == 3
    by_id = sorted(runs, key=lambda r: r["id"])
    started = [r["started_usec"] for r in by_id]
    # FIFO: in the order queued, the first three together.
    assert started == sorted(started), by_id
    assert started[3] >= min(r["ended_usec"] for r in by_id[:3]) - 50000


def test_max_running_of_jobd(jobd, workdir):
    log = workdir / "stamps"
    d = start_units(jobd, settings={"max_running": 2}, jobs={
        "x": {"command": stamp_script(log, "0.3"), "shell": "yes"},
        "y": {"command": stamp_script(log, "0.3"), "shell": "yes"}})
    ids = start_many(d, "x", "y", "x", "y", "x")
    st = d.jobctl_json("status")
    assert st["sync"]["running"] <= 2
    # Admitted runs whose process is being started say "spawn".
    pending = [r for js in st["jobs"] for r in js["runs"]
               if r["state"] == "pending" and r["waiting_for"] != "spawn"]
    assert pending and all(r["waiting_for"] == "max_running=2 of jobd"
                           for r in pending), pending
    finished_runs(d, "x", 3)
    finished_runs(d, "y", 2)
    stamps = read_stamps(log)
    assert len(stamps) == 10 and max_concurrent(stamps) == 2
    assert sorted(s[1] for s in stamps if s[0] == "start") == sorted(ids)


def test_max_running_per_job(jobd, workdir):
    log = workdir / "stamps"
    d = start_units(jobd, jobs={"x": {
        "command": stamp_script(log, "0.2"), "shell": "yes",
        "max_running": 1}})
    start_many(d, "x", "x", "x")
    finished_runs(d, "x", 3)
    assert max_concurrent(read_stamps(log)) == 1


def test_event_wakes_exactly_the_waiting_jobs(jobd, workdir):
    d = start_units(jobd, jobs={
        "w1": {"command": "true", "wait_event": "go"},
        "w2": {"command": "true", "wait_event": "go"},
        "other": {"command": "true", "wait_event": "other"},
        "free": {"command": "true"}})
    ids = dict(zip(["w1", "w2", "other", "free"],
                   start_many(d, "w1", "w2", "other", "free")))
    assert d.wait_run(ids["free"])["result"] == "success"
    for name in ("w1", "w2", "other"):
        run = d.run_state(name, ids[name])
        assert run["state"] == "pending", run
        assert run["waiting_for"] == "event '%s'" % (
            "other" if name == "other" else "go")
    rc, out, err = d.jobctl("status", "w1")
    assert "waiting for event 'go'" in out, out
    rc, out, err = d.jobctl("event", "set", "go")
    assert (rc, out.strip()) == (0, "event go: set"), (out, err)
    assert d.wait_run(ids["w1"])["result"] == "success"
    assert d.wait_run(ids["w2"])["result"] == "success"
    assert d.run_state("other", ids["other"])["state"] == "pending"
    events = {e["name"]: e["set"] for e in
              d.jobctl_json("event", "list")["events"]}
    assert events["go"] is True and events["other"] is False
    rc, out, err = d.jobctl("event", "list")
    assert "go set" in out.splitlines() and "other clear" in out.splitlines()
    # A pending run is cancelled like a running one.
    rc, out, err = d.jobctl("cancel", ids["other"])
    assert rc == 0, err
    run = d.wait_run(ids["other"])
    assert run["result"] == "cancelled" and run.get("started_usec") is None
    # The event stays set: later runs do not wait.
    rid = d.start_run("w1")
    assert d.wait_run(rid)["result"] == "success"


def test_on_event_runs_on_clear_to_set_only(jobd, event_stream):
    d = start_units(jobd, jobs={"oe": {"command": "true",
                                       "on_event": "flag"}})
    ev = event_stream(d)
    first = d.jobctl_json("event", "set", "flag")
    assert first["changed"] is True and len(first["runs"]) == 1
    again = d.jobctl_json("event", "set", "flag")
    assert again["changed"] is False and again["runs"] == []
    rc, out, err = d.jobctl("event", "set", "flag")
    assert out.strip() == "event flag: set (already)"
    d.jobctl_json("event", "clear", "flag")
    d.jobctl_json("event", "clear", "flag")
    rc, out, err = d.jobctl("event", "set", "flag")
    m = re.match(r"^event flag: set, started runs (\d+)$", out.strip())
    assert rc == 0 and m, out
    for rid in (first["runs"][0], int(m.group(1))):
        assert d.wait_run(rid)["trigger"] == "event"
    assert len(finished_runs(d, "oe", 2)) == 2
    kinds = [(e["type"], e.get("name")) for e in ev.events()
             if e["type"].startswith("event-")]
    assert kinds == [("event-set", "flag"), ("event-clear", "flag"),
                     ("event-set", "flag")], kinds


def test_pending_timeout_records_skipped_with_reason(jobd):
    d = start_units(jobd, jobs={"p": {"command": "true",
                                      "wait_event": "never",
                                      "pending_timeout": "300ms"}})
    rid = d.start_run("p")
    run = d.wait_run(rid)
    assert run["result"] == "skipped", run
    assert run["reason"] == \
        "waited longer than pending_timeout=300ms for event 'never'", run
    assert run.get("started_usec") is None


def test_lock_waiter_shows_in_status_and_events(jobd, event_stream, workdir):
    gate = workdir / "gate"
    d = start_units(jobd, jobs={
        "holder": {"command": "sh -c 'while [ ! -e %s ]; do sleep 0.02; "
                   "done'" % gate, "lock": "L"},
        "waiter": {"command": "true", "lock": "L"}})
    ev = event_stream(d)
    h = d.start_run("holder")
    d.wait_running("holder", h)
    w = d.start_run("waiter")
    locks = sync_of(d)["locks"]
    assert locks == [{"name": "L", "holder": h, "waiters": [w]}], locks
    rc, out, err = d.jobctl("status")
    assert "lock L: held by run %d, waiting: %d" % (h, w) in out, out
    assert "run %d: pending" % w in out and "waiting for lock 'L'" in out
    gate.touch()
    assert d.wait_run(w)["result"] == "success"
    ev.wait(lambda e: e["type"] == "acquired" and e["run_id"] == w)
    types = [(e["type"], e["run_id"] if "run_id" in e
              else e.get("run", {}).get("id")) for e in ev.events()]
    assert types.index(("released", h)) < types.index(("acquired", w))


def test_events_human_lines(jobd):
    d = start_units(jobd, jobs={"j": {"command": "true"}})
    p = d.popen_jobctl("events")
    try:
        assert re.match(r"^\d\d:\d\d:\d\d\.\d{3} subscribed$",
                        p.stdout.readline().decode().strip())
        d.jobctl("event", "set", "e1")
        rid = d.start_run("j")
        lines = [p.stdout.readline().decode().strip() for _ in range(4)]
    finally:
        p.terminate()
        p.communicate(timeout=10)
    body = [line.split(" ", 1)[1] for line in lines]
    assert body == ["event-set e1", "run-queued run %d j pending" % rid,
                    "run-started run %d j running" % rid,
                    "run-finished run %d j success" % rid], lines


def test_opposite_lock_orders_cannot_deadlock(jobd, workdir):
    # ab takes a then b, ba takes b then a: with locks taken one by one
    # this deadlocks; taken all at once or none, every run finishes, and
    # no two of them ever overlap (they share both locks).
    log = workdir / "stamps"
    d = jobd(jobs={
        "ab": {"command": stamp_script(log, "0.01"), "shell": "yes",
               "lock": "a b"},
        "ba": {"command": stamp_script(log, "0.01"), "shell": "yes",
               "lock": ["b", "a"]},
    })
    ids = []
    for _ in range(20):
        ids += start_many(d, "ab", "ba", "ba", "ab")
    runs = [d.wait_run(i, timeout=60) for i in ids]
    assert all(r["result"] == "success" for r in runs)
    assert max_concurrent(read_stamps(log)) == 1
