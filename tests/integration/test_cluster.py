"""Several jobd nodes sharing a PostgreSQL database (issue 20): each
periodic slot runs exactly once across the nodes whatever happens to a node
(kill -9, SIGSTOP past its lease), to its connection (pg_terminate_backend)
or to the database (a restart, or not there at start); run_on= picks the
nodes; bad [cluster] configurations are refused; a node with other job
definitions is told so.

A private PostgreSQL 15 per module (pg_helpers.Postgres), a database per
test, three nodes a, b, c with lease=3s.  Every slot is seen three ways:
the claim (jobd_slots), the run's row (jobd_runs), and a line that the
run's own process appends to a witness file ("INSTANCE SLOT_USEC"): the
last is what really ran, whatever jobd wrote.
"""
import os
import signal
import sqlite3
import time
from collections import Counter

import pytest

from conftest import run_cmd, wait_for
from pg_helpers import (Postgres, ReplyCutter, add_cluster, joined,
                        kill_node, pg_missing, start_nodes)

LEASE = 3                       # seconds (lease=3s, the shortest)
USEC = 1000000
# The exactly-once window of the first test, in seconds (the 60;
# JOBD_CLUSTER_WINDOW shortens it when working on the tests).
WINDOW = int(os.environ.get("JOBD_CLUSTER_WINDOW", "60"))


@pytest.fixture(scope="module")
def pg():
    why = pg_missing()
    if why:
        pytest.skip(why)
    p = Postgres().start()
    yield p
    p.close()


class Db:
    """One test's database on the module's server."""

    def __init__(self, pg, name=None):
        self.pg = pg
        self.name = name or pg.new_database()
        self.conninfo = pg.conninfo(self.name)

    def q(self, sql):
        return self.pg.psql(sql, self.name)

    def tables(self):
        return self.q("SELECT to_regclass('jobd_runs') IS NOT NULL")[0][0] \
            == "t"

    def slots(self, job):
        """[(slot_usec, node, epoch)] of job's claimed slots, in order."""
        if not self.tables():
            return []
        return [(int(s), n, int(e)) for s, n, e in self.q(
            "SELECT slot, node, epoch FROM jobd_slots WHERE job = '%s' "
            "ORDER BY slot" % job)]

    def runs(self, job):
        """job's rows in jobd_runs as dicts, by slot then node."""
        if not self.tables():
            return []
        cols = ("node", "id", "epoch", "slot", "state", "result", "reason",
                "started", "ended")
        rows = self.q("SELECT node, id, epoch, coalesce(slot, -1), state, "
                      "coalesce(result, ''), coalesce(reason, ''), "
                      "coalesce(started_usec, -1), coalesce(ended_usec, -1) "
                      "FROM jobd_runs WHERE job = '%s' ORDER BY slot, node"
                      % job)
        out = []
        for r in rows:
            d = dict(zip(cols, r))
            for k in ("id", "epoch", "slot", "started", "ended"):
                d[k] = int(d[k])
            out.append(d)
        return out

    def node(self, name):
        """The node's row in jobd_nodes: {state, epoch, config_hash}."""
        rows = self.q("SELECT state, epoch, config_hash, expires > now() "
                      "FROM jobd_nodes WHERE name = '%s'" % name)
        if not rows:
            return None
        s, e, h, valid = rows[0]
        return {"state": s, "epoch": int(e), "config_hash": h,
                "valid": valid == "t"}


@pytest.fixture
def db(pg):
    return Db(pg)


# ---------------------------------------------------------------- witness

def witness_job(path, **keys):
    """A job whose process appends "INSTANCE JOB SLOT_USEC" to path: the
    instance tells the node (instances()), the slot which run it was."""
    job = {"command": 'echo "$JOBD_INSTANCE $JOBD_JOB '
           '$JOBD_SCHEDULED_AT_USEC" >> %s' % path, "shell": "yes",
           "output": "null"}
    job.update(keys)
    return job


def witnessed(path, job=None):
    """[(instance, slot_usec)] of job's runs (every job's without one),
    in the order the runs wrote them."""
    try:
        text = path.read_text()
    except FileNotFoundError:
        return []
    out = []
    for line in text.splitlines():
        inst, name, slot = line.split()
        if job is None or name == job:
            out.append((inst, int(slot)))
    return out


def instances(nodes):
    """{JOBD_INSTANCE: node name}, from each node's own ledger."""
    out = {}
    for name, d in nodes.items():
        con = sqlite3.connect("file:%s?mode=ro" % (d.state / "ledger.db"),
                              uri=True, timeout=10)
        try:
            out[con.execute("SELECT instance FROM jobd_state").fetchone()[0]] \
                = name
        finally:
            con.close()
    return out


def orphans_killed(d):
    """Kills what a killed node's runs left (its sleeps): by pid."""
    for pid in d.token_pids():
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        d.spared(pid)


# ---------------------------------------------------------------- checks

def wait_slots_until(db, job, end_usec, timeout):
    """Waits until job's slots reach end_usec (wall-clock time passes)."""
    return wait_for(lambda: (lambda s: s if s and s[-1][0] >= end_usec
                             else None)(db.slots(job)), timeout,
                    "%s's slots to reach %d" % (job, end_usec),
                    interval=0.5)


def exactly_once(db, path, job, first, last, timeout=20.0):
    """Every whole second in [first, last] (usec) was claimed once, has
    one run row (success, on the claimant) and ran once (the witness); no
    slot anywhere ran twice.  Returns {node: slots won}."""
    want = list(range(first, last + USEC, USEC))

    def window():
        runs = [r for r in db.runs(job) if first <= r["slot"] <= last]
        seen = [s for _, s in witnessed(path, job) if first <= s <= last]
        return runs, seen

    def finished():
        runs, seen = window()
        return len(runs) >= len(want) and len(seen) >= len(want) and all(
            r["state"] == "finished" for r in runs)
    # Once every run of the window ended, or the deadline passed: the
    # assertions below say what is missing.
    deadline = time.monotonic() + timeout
    while not finished() and time.monotonic() < deadline:
        time.sleep(0.5)
    runs, _ = window()
    claims = {s: n for s, n, _ in db.slots(job) if first <= s <= last}
    assert sorted(claims) == want, \
        "%s: claimed slots missing %s, extra %s" % (
            job, sorted(set(want) - set(claims)),
            sorted(set(claims) - set(want)))
    per_slot = Counter(r["slot"] for r in runs)
    assert [s for s, n in per_slot.items() if n != 1] == [], \
        "%s: slots with several run rows: %s" % (job, per_slot)
    assert sorted(per_slot) == want, \
        "%s: claimed slots without a run row: %s" % (
            job, sorted(set(want) - set(per_slot)))
    for r in runs:
        assert r["result"] == "success", "%s: %r" % (job, r)
        assert r["node"] == claims[r["slot"]], \
            "%s: slot %d claimed by %s, run by %s" % (
                job, r["slot"], claims[r["slot"]], r["node"])
    ran = Counter(s for _, s in witnessed(path, job))
    assert [s for s, n in ran.items() if n > 1] == [], \
        "%s: slots that ran twice: %s" % (
            job, sorted(s for s, n in ran.items() if n > 1))
    assert sorted(s for s in ran if first <= s <= last) == want, \
        "%s: slots that never ran: %s" % (
            job, sorted(set(want) - set(ran)))
    return Counter(claims.values())


# ---------------------------------------------------------------- tests

@pytest.mark.timeout(WINDOW + 90)
def test_every_slot_runs_exactly_once_on_three_nodes(jobd, db, workdir):
    """schedule=*:*:* and every=1s on three nodes for WINDOW seconds:
    each slot claimed, recorded and run exactly once, none missing."""
    cal, every = workdir / "cal.txt", workdir / "every.txt"
    jobs = {"cal": witness_job(cal, schedule="*:*:*"),
            "every": witness_job(every, every="1s")}
    nodes = start_nodes(jobd, db.conninfo, jobs)
    for d in nodes.values():
        joined(d)
    first = {}
    for job in jobs:
        first[job] = wait_for(lambda: db.slots(job), 10,
                              "a first slot of %s" % job)[0][0]
    wait_slots_until(db, "cal", first["cal"] + WINDOW * USEC, WINDOW + 20)
    wait_slots_until(db, "every", first["every"] + WINDOW * USEC, 20)
    won = {}
    for job, path in (("cal", cal), ("every", every)):
        won[job] = exactly_once(db, path, job, first[job],
                                first[job] + WINDOW * USEC)
    print("slots won per node over %ds: %s" % (WINDOW, won))
    # The three nodes really competed: more than one of them won slots.
    assert len(won["cal"] + won["every"]) >= 2, won
    ids = instances(nodes)
    for job, path in (("cal", cal), ("every", every)):
        by_slot = {r["slot"]: r["node"] for r in db.runs(job)}
        for inst, slot in witnessed(path):
            if slot in by_slot:
                assert ids[inst] == by_slot[slot], (job, slot)


def after_the_kill(db, nodes, victim, victim_run, killed_at, path):
    """The victim's run recorded lost within lease + 1 s of the kill, the
    4 slots after the kill each run once, on the other nodes."""
    others = [n for n in nodes if n != victim.node]

    def lost():
        rs = [r for r in db.runs("long") if r["node"] == victim.node and
              r["id"] == victim_run["id"]]
        return rs[0] if rs and rs[0]["result"] == "lost" else None
    r = wait_for(lost, LEASE + 5, "run %d on %s recorded lost"
                 % (victim_run["id"], victim.node), interval=0.05)
    assert r["state"] == "finished"
    assert r["reason"] == "node %s stopped renewing its lease" % victim.node
    delay = r["ended"] / USEC - killed_at
    print("recorded lost %.2fs after kill -9 (lease %ds)" % (delay, LEASE))
    assert delay <= LEASE + 1, "lost %.2fs after the kill" % delay
    # Every run the victim had going is lost, none left running.
    assert [x for x in db.runs("long") if x["node"] == victim.node and
            x["state"] != "finished"] == []
    assert db.node(victim.node)["state"] == "dead"
    assert any("node %s stopped renewing its lease: run %d of long "
               "recorded lost" % (victim.node, victim_run["id"])
               in nodes[n].log_text() for n in others)
    # The next slots (every 2 s): each claimed and started by the others.
    after = (int(killed_at) + 1) * USEC
    after += (2 * USEC - after % (2 * USEC)) % (2 * USEC)
    wait_slots_until(db, "long", after + 6 * USEC, 20)

    def started():
        rs = {x["slot"]: x for x in db.runs("long")
              if after <= x["slot"] <= after + 6 * USEC}
        return rs if len(rs) == 4 else None
    rs = wait_for(started, 10, "runs of the 4 slots after the kill")
    assert sorted(rs) == list(range(after, after + 8 * USEC, 2 * USEC))
    assert {x["node"] for x in rs.values()} <= set(others), rs
    ran = Counter(s for _, s in witnessed(path))
    assert [s for s, n in ran.items() if n > 1] == []


@pytest.mark.timeout(120)
def test_kill_9_of_the_node_running_a_job(jobd, db, workdir):
    """kill -9 of the node running a long job: its run is recorded lost
    within lease + 1 s, and the next slots run on the other nodes."""
    path = workdir / "long.txt"
    job = witness_job(path, schedule="*:*:0/2", overlap="allow")
    job["command"] += "; exec sleep 60"
    nodes = start_nodes(jobd, db.conninfo, {"long": job})
    for d in nodes.values():
        joined(d)

    def running():
        rs = [r for r in db.runs("long") if r["state"] == "running"]
        return rs[-1] if rs else None
    victim_run = wait_for(running, 15, "a running run of long")
    victim = nodes[victim_run["node"]]
    killed_at = time.time()
    kill_node(victim)
    try:
        after_the_kill(db, nodes, victim, victim_run, killed_at, path)
    finally:
        orphans_killed(victim)


@pytest.mark.timeout(120)
def test_sigstop_past_the_lease_then_sigcont(jobd, db, workdir):
    """A node stopped for longer than its lease is declared dead; after
    SIGCONT it joins again with a new epoch; no slot runs twice and none
    is missing; it wins slots again."""
    path = workdir / "tick.txt"
    nodes = start_nodes(jobd, db.conninfo,
                        {"tick": witness_job(path, schedule="*:*:*")})
    for d in nodes.values():
        joined(d)
    first = wait_for(lambda: db.slots("tick"), 10, "a first slot")[0][0]
    b = nodes["b"]
    epoch = db.node("b")["epoch"]
    b.send_signal(signal.SIGSTOP)
    stopped_at = time.monotonic()
    try:
        wait_for(lambda: db.node("b")["state"] == "dead", LEASE + 5,
                 "the others to declare b dead", interval=0.1)
        # Past its lease by a second more, whatever the reap took.
        while time.monotonic() < stopped_at + LEASE + 1:
            time.sleep(0.1)
    finally:
        b.send_signal(signal.SIGCONT)
    resumed = time.time()
    wait_for(lambda: "node b lost its lease (epoch %d)" % epoch
             in b.log_text(), 10, "b to see it lost its lease")
    wait_for(lambda: "node b joined (lease epoch %d" % (epoch + 1)
             in b.log_text(), 10, "b to join again with a new epoch")
    n = db.node("b")
    assert n["state"] == "alive" and n["epoch"] == epoch + 1, n
    # b takes part again: it wins a slot under its new epoch.
    wait_for(lambda: [s for s, node, e in db.slots("tick")
                      if node == "b" and e == epoch + 1], 40,
             "b to win a slot again", interval=0.5)
    last = int(resumed + 3) * USEC
    wait_slots_until(db, "tick", last, 10)
    exactly_once(db, path, "tick", first, last)


# Jobs every second during the disturbances: 3 nodes x 10 claims at each
# second boundary, so that a cut finds claims in flight.
LOAD_JOBS = ["t%d" % i for i in range(10)]


def load_nodes(jobd, db, path):
    return start_nodes(jobd, db.conninfo, {
        j: witness_job(path, schedule="*:*:*") for j in LOAD_JOBS})


def at_next_second(offset=0.0):
    """Waits for the wall clock's next whole second (+ offset s): slots
    are claimed then."""
    t = int(time.time()) + 1 + offset
    while time.time() < t:
        time.sleep(min(0.05, max(0.0, t - time.time())))


def disturb_under_load(db, nodes, path, disturb, times=3):
    """LOAD_JOBS every second on three nodes; disturb() `times` times,
    each just after a second began (claims in flight), 2 s apart at
    least; then every slot of every job ran exactly once."""
    for d in nodes.values():
        joined(d)
    first = {j: wait_for(lambda: db.slots(j), 10, "a first slot of %s"
                         % j)[0][0] for j in LOAD_JOBS}
    for i in range(times):
        at_next_second(0.001 + 0.004 * i)
        disturb()
        at_next_second()
    last = (int(time.time()) + 3) * USEC
    won = Counter()
    for j in LOAD_JOBS:
        wait_slots_until(db, j, last, 30)
        won += exactly_once(db, path, j, first[j], last, timeout=30)
    print("slots won per node: %s" % dict(won))
    return won


@pytest.mark.timeout(120)
def test_connections_cut_under_load(jobd, db, workdir, pg):
    """pg_terminate_backend of every node's connection, three times, while
    ten jobs run every second: no slot lost or doubled; the nodes
    reconnect each time."""
    path = workdir / "load.txt"
    nodes = load_nodes(jobd, db, path)

    def cut():
        before = set(pg.jobd_backends(db.name))
        assert len(before) == 3, before
        assert pg.terminate_jobd(db.name) == 3
        wait_for(lambda: (lambda now: len(now) == 3 and not now & before)(
            set(pg.jobd_backends(db.name))), 15,
            "three new jobd connections")
    disturb_under_load(db, nodes, path, cut)
    for d in nodes.values():
        # Connected at start and after each cut (the "unreachable" lines
        # of a second loss are folded into a repeat count).
        assert d.log_text().count("connected to the database") >= 4, d.node


@pytest.mark.timeout(150)
def test_database_restart_under_load(jobd, db, workdir, pg):
    """pg_ctl restart, three times, while ten jobs run every second: no
    slot lost or doubled."""
    path = workdir / "load.txt"
    nodes = load_nodes(jobd, db, path)

    def restart():
        pg.restart()
        wait_for(lambda: len(pg.jobd_backends(db.name)) == 3, 15,
                 "the three nodes to reconnect")
    disturb_under_load(db, nodes, path, restart)


def claims_of(params):
    """[(job, slot, node)] of a claiming statement's parameters: cluster,
    job, slot, node, epoch; job and slot are arrays ({a,b}) when the node
    claims several slots in one statement."""
    _, jobs, slots, node, _ = params
    if jobs.startswith("{"):
        # Names are of A-Za-z0-9_.@- only: no escapes in the literal.
        jobs = [j.strip('"') for j in jobs[1:-1].split(",")]
        slots = slots[1:-1].split(",")
    else:
        jobs, slots = [jobs], [slots]
    return [(j, int(s), node) for j, s in zip(jobs, slots)]


@pytest.fixture
def cutter(pg):
    px = ReplyCutter(pg)
    yield px
    px.close()


@pytest.mark.timeout(150)
def test_claim_reply_lost_after_the_commit(jobd, db, workdir, cutter):
    """The connection drops after the database committed a claim, before
    its reply reached the node (a proxy cuts it there): the claim goes
    again after the reconnect and the node that won it the first time runs
    the slot.  Until three statements that won claims were cut; then every
    slot of every job ran exactly once."""
    path = workdir / "load.txt"
    nodes = start_nodes(jobd, cutter.conninfo(db.name), {
        j: witness_job(path, schedule="*:*:*") for j in LOAD_JOBS})
    for d in nodes.values():
        joined(d)
    first = {j: wait_for(lambda: db.slots(j), 10, "a first slot of %s"
                         % j)[0][0] for j in LOAD_JOBS}

    def holder(job, slot):
        rows = db.q("SELECT node FROM jobd_slots WHERE job = '%s' AND "
                    "slot = %s" % (job, slot))
        return rows[0][0] if rows else None
    # Cut statements until three of them had won a claim for their node
    # (a statement claims every slot its node saw due at once).
    won, wins, lost = set(), 0, 0
    deadline = time.monotonic() + 60
    while wins < 3:
        assert time.monotonic() < deadline, \
            "cut %d losing claims, %d winning statements only" % (lost, wins)
        cutter.cut(1, "INSERT INTO jobd_slots")
        wait_for(lambda: cutter.cut_done() == 1, 10, "a claim's reply cut")
        mine = set()
        for job, slot, node in claims_of(cutter.cut_statements()[-1]):
            if wait_for(lambda: holder(job, slot), 5, "slot %s claimed"
                        % slot) == node:
                mine.add((job, slot, node))
            else:
                lost += 1
        if mine - won:
            wins += 1
        won |= mine
    last = (int(time.time()) + 3) * USEC
    for j in LOAD_JOBS:
        wait_slots_until(db, j, last, 30)
        exactly_once(db, path, j, first[j], last, timeout=30)
    print("cut the replies of winning claims %s and %d losing ones"
          % (sorted(won), lost))
    for job, slot, node in won:
        assert [r["node"] for r in db.runs(job) if r["slot"] == slot] == \
            [node]


@pytest.fixture
def late_pg(pg):
    """A second server, initdb'd but not started (the test starts it)."""
    p = Postgres()
    yield p
    p.close()


@pytest.mark.timeout(120)
def test_database_unreachable_at_start(late_pg, jobd, workdir):
    """A node whose database is not there yet starts, answers jobctl and
    runs nothing periodic; once PostgreSQL comes, it joins and runs the
    slots that came meanwhile (late), and then every slot once."""
    late = late_pg
    path = workdir / "tick.txt"
    nodes = start_nodes(jobd, late.conninfo(), {
        "tick": witness_job(path, schedule="*:*:*")}, names=("a", "b"))
    started = time.time()
    for d in nodes.values():
        wait_for(lambda: "database unreachable" in d.log_text(), 10,
                 "%s to say the database is unreachable" % d.node)
        rc, out, err = d.jobctl("list")
        assert rc == 0 and "tick" in out, (rc, out, err)
    # Slots come and go (wall-clock time): nothing runs.
    while time.time() < started + 3:
        time.sleep(0.1)
    assert witnessed(path) == []
    db_up = time.time()
    late.start()
    for d in nodes.values():
        joined(d)

    def caught_up():
        ran = [s for _, s in witnessed(path)]
        return ran if ran and min(ran) < db_up * USEC else None
    ran = wait_for(caught_up, 20, "slots from before the database "
                   "came to run", interval=0.2)
    first = min(ran)
    assert first <= int(started + 1) * USEC, \
        "the first slot run is %.1fs after the start" % (
            first / USEC - started)
    last = (int(time.time()) + 3) * USEC
    db = Db(late, "postgres")
    wait_slots_until(db, "tick", last, 15)
    exactly_once(db, path, "tick", first, last)


BAD_CLUSTER = [
    ("no database", {"node": "a"}, "[cluster] needs database="),
    ("lease too short", {"database": "host=/tmp", "lease": "1s"},
     "invalid lease '1s': from 3s to 1h"),
    ("lease too long", {"database": "host=/tmp", "lease": "2h"},
     "invalid lease '2h'"),
    ("lease not a span", {"database": "host=/tmp", "lease": "soon"},
     "lease"),
    ("password in a readable file",
     {"database": "host=/tmp user=jobd password=secret"},
     "database: a password in a file others may read (mode 644)"),
    ("password in a URI",
     {"database": "postgresql://jobd:secret@db.example/jobs"},
     "a password in a file others may read"),
]


@pytest.mark.parametrize("what,keys,error", BAD_CLUSTER,
                         ids=[c[0] for c in BAD_CLUSTER])
def test_bad_cluster_section_is_refused(jobd, what, keys, error):
    d = jobd(jobs={"j": {"command": "true", "schedule": "hourly"}},
             start=False)
    text = d.conf.read_text() + "\n[cluster]\n" + "".join(
        "%s=%s\n" % kv for kv in keys.items())
    d.conf.write_text(text)
    os.chmod(d.conf, 0o644)
    rc, out, err = run_cmd(d.argv("--check"))
    assert rc == 2, (rc, out, err)
    assert error in out + err, out + err
    assert "%s:" % d.conf in out + err, out + err


def test_password_in_a_private_file_is_accepted(jobd):
    d = jobd(jobs={"j": {"command": "true", "schedule": "hourly"}},
             start=False)
    add_cluster(d, "host=/tmp user=jobd password=secret", "a")
    os.chmod(d.conf, 0o600)
    rc, out, err = run_cmd(d.argv("--check"))
    assert rc == 0 and "configuration OK" in out + err, (rc, out, err)


BAD_RUN_ON = [
    ("any with a node", "any a", "'any' goes alone, not with node names"),
    ("all with a node", "a all", "'all' goes alone"),
    ("bad node name", "a b/c", "invalid node name 'b/c'"),
    ("empty", "", "run_on"),
]


@pytest.mark.parametrize("what,value,error", BAD_RUN_ON,
                         ids=[c[0] for c in BAD_RUN_ON])
def test_bad_run_on_is_refused(jobd, what, value, error):
    d = jobd(jobs={"j": {"command": "true", "schedule": "hourly",
                         "run_on": value}}, start=False)
    rc, out, err = run_cmd(d.argv("--check"))
    assert rc == 2, (rc, out, err)
    assert error in out + err, out + err
    assert "50-jobs.conf:" in out + err, out + err


@pytest.mark.timeout(90)
def test_run_on_all_and_named_nodes(jobd, db, workdir):
    """run_on=all: every node runs every slot (no claim); run_on=b: only
    b; run_on=a c: each slot once, on a or c, never b."""
    paths = {j: workdir / ("%s.txt" % j) for j in ("all", "b", "ac")}
    nodes = start_nodes(jobd, db.conninfo, {
        "on_all": witness_job(paths["all"], schedule="*:*:*", run_on="all"),
        "on_b": witness_job(paths["b"], schedule="*:*:*", run_on="b"),
        "on_ac": witness_job(paths["ac"], schedule="*:*:*", run_on="a c"),
    })
    for d in nodes.values():
        joined(d)
    ids = instances(nodes)
    # Slots from once every node is in, over 5 seconds.
    first = (int(time.time()) + 2) * USEC
    last = first + 4 * USEC
    want = list(range(first, last + USEC, USEC))

    def done():
        runs = [r for r in db.runs("on_all") + db.runs("on_b") +
                db.runs("on_ac") if first <= r["slot"] <= last and
                r["state"] == "finished"]
        return runs if len(runs) >= 5 * len(want) else None
    wait_for(done, 20, "the runs of 5 slots", interval=0.5)

    ran = {j: Counter((ids[i], s) for i, s in witnessed(p)
                      if first <= s <= last) for j, p in paths.items()}
    assert ran["all"] == Counter({(n, s): 1 for n in nodes for s in want})
    assert ran["b"] == Counter({("b", s): 1 for s in want})
    assert sorted(s for _, s in ran["ac"]) == want
    assert {n for n, _ in ran["ac"]} <= {"a", "c"}
    assert set(ran["ac"].values()) == {1}
    # Only run_on=a c needs a claim.
    assert db.slots("on_all") == [] and db.slots("on_b") == []
    assert {n for s, n, _ in db.slots("on_ac")} <= {"a", "c"}
    rows = Counter((r["node"], r["slot"]) for r in db.runs("on_all")
                   if first <= r["slot"] <= last)
    assert rows == Counter({(n, s): 1 for n in nodes for s in want})


@pytest.mark.timeout(60)
def test_other_job_definitions_are_told(jobd, db, workdir):
    """A node whose conf.d differs from the others' is told so at start,
    naming each node that differs; nodes that agree say nothing."""
    same = {"j": {"command": "true", "schedule": "hourly"}}
    other = {"j": {"command": "false", "schedule": "hourly"}}
    nodes = start_nodes(jobd, db.conninfo, same, start=False,
                        per_node_jobs={"c": other})
    for n in ("a", "b"):
        nodes[n].start()
        joined(nodes[n])
    nodes["c"].start()
    c = nodes["c"]
    for n in ("a", "b"):
        wait_for(lambda: "node %s has other job definitions than this node"
                 % n in c.log_text(), 10, "c's warning about %s" % n)
    assert db.node("a")["config_hash"] == db.node("b")["config_hash"]
    assert db.node("c")["config_hash"] != db.node("a")["config_hash"]
    assert "other job definitions" not in nodes["a"].log_text()
    assert "other job definitions" not in nodes["b"].log_text()
