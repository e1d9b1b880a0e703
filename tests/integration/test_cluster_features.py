"""What a cluster offers besides each slot once (issue 20): jobctl nodes,
one history with its NODE column (and this node's own when the database
does not answer), runs for any node (start --anywhere, run_on=any: taken
by one node, waited for from another, back in the queue when their node
dies), cluster-wide locks and semaphores (never more holders than the
limit, across nodes), the node label on metrics, services on the nodes
run_on= names.  A private PostgreSQL 15 for the module, a database per
test, nodes with lease=3s (pg_helpers)."""
import os
import re
import time

import pytest

from conftest import service, wait_for, wait_service
from pg_helpers import (Postgres, add_cluster, joined, kill_node, pg_missing,
                        start_nodes)


@pytest.fixture(scope="module")
def pg():
    why = pg_missing()
    if why:
        pytest.skip(why)
    p = Postgres().start()
    yield p
    p.close()


def nodes_up(jobd, pg, jobs, names=("a", "b", "c"), **kw):
    db = pg.new_database()
    nodes = start_nodes(jobd, pg.conninfo(db), jobs, names=names, **kw)
    for d in nodes.values():
        joined(d)
    return db, nodes


def test_nodes_lists_every_node(jobd, pg):
    db, n = nodes_up(jobd, pg, {"t": {"command": "true"}}, names=("a", "b"))
    rc, out, err = n["a"].jobctl("nodes")
    assert rc == 0, err
    assert out.startswith("cluster default, this node a\n")
    rows = {line.split()[0]: line.split() for line in
            out.splitlines()[2:]}
    assert set(rows) == {"a", "b"}
    assert rows["a"][1] == "alive" and rows["a"][2] == "in"
    assert rows["b"][6] == "same"
    got = n["b"].jobctl_json("nodes")
    assert got["node"] == "b"
    me = [x for x in got["nodes"] if x["this"]]
    assert [x["name"] for x in me] == ["b"]
    assert all(x["lease_expires_usec"] > time.time() * 1e6 for x in
               got["nodes"])
    # A clean stop gives the lease back: "left" at once.
    n["b"].stop()
    wait_for(lambda: "b\tleft" in "\n".join("\t".join(r) for r in pg.psql(
        "SELECT name, state FROM jobd_nodes", db)), 10, "b to leave")
    rc, out, _ = n["a"].jobctl("nodes")
    assert re.search(r"^b +left +- ", out, re.M), out


def test_nodes_without_cluster_and_other_definitions(jobd, pg):
    d = jobd(jobs={"t": {"command": "true"}})
    rc, out, err = d.jobctl("nodes")
    assert rc == 1 and "NotInCluster" in err
    db, n = nodes_up(jobd, pg, {"t": {"command": "true"}},
                     names=("a", "b"), per_node_jobs={
                         "b": {"t": {"command": "false"}}})
    rc, out, _ = n["a"].jobctl("nodes")
    assert re.search(r"^b +alive .* DIFFERENT ", out, re.M), out
    # A reload that makes them equal: the hash follows.
    n["b"].write_config(jobs={"t": {"command": "true"}})
    add_cluster(n["b"], pg.conninfo(db), "b")
    assert n["b"].jobctl("reload")[0] == 0
    wait_for(lambda: re.search(r"^b +alive .* same ", n["a"].jobctl(
        "nodes")[1], re.M), 10, "b's definitions to match")


def test_history_is_every_nodes(jobd, pg):
    db, n = nodes_up(jobd, pg, {"t": {"command": "echo hi"}},
                     names=("a", "b"))
    for name in ("a", "b"):
        assert n[name].jobctl("start", "t", "--wait")[0] == 0
    rc, out, err = n["a"].jobctl("history")
    assert rc == 0, err
    lines = out.splitlines()
    assert lines[0].split()[:2] == ["NODE", "RUN"]
    assert sorted(line.split()[0] for line in lines[1:]) == ["a", "b"]
    h = n["b"].jobctl_json("history")
    assert sorted(r["node"] for r in h["runs"]) == ["a", "b"]
    assert all(r["result"] == "success" for r in h["runs"])
    # --local: this node's own ledger, without NODE.
    rc, out, _ = n["a"].jobctl("history", "--local")
    assert out.splitlines()[0].split()[0] == "RUN"
    assert len(out.splitlines()) == 2
    # Without the database: this node's runs, and why.
    pg.stop()
    try:
        wait_for(lambda: "database unreachable" in n["a"].log_text(), 20,
                 "a to notice")
        rc, out, err = n["a"].jobctl("history")
        assert rc == 0
        assert "this node's runs only" in err or "holds no lease" in err \
            or "did not answer" in err, err
        assert out.splitlines()[0].split()[0] == "RUN"
    finally:
        pg.start()


def test_anywhere(jobd, pg, workdir):
    mark = workdir / "ran"
    jobs = {"adhoc": {"command": "/bin/sh -c 'echo $$ >> %s; exit 3'"
                      % mark, "run_on": "any"},
            "plain": {"command": "true"}}
    db, n = nodes_up(jobd, pg, jobs)
    rc, out, err = n["a"].jobctl("start", "plain", "--anywhere", "--wait")
    assert rc == 0, err
    assert re.match(r"queued plain as q\d+ \(the first node with room "
                    r"runs it\)\n[abc]:\d+ plain success 0\n$", out), out
    # run_on=any on an on-demand job: queued without --anywhere; the exit
    # status is the run's.
    rc, out, err = n["b"].jobctl("start", "adhoc", "adhoc", "--wait")
    assert rc == 3, (out, err)
    assert out.count("queued adhoc as q") == 2
    assert len(re.findall(r"^[abc]:\d+ adhoc failed 3$", out, re.M)) == 2
    assert len(mark.read_text().split()) == 2
    rows = pg.psql("SELECT state, node FROM jobd_queue", db)
    assert sorted(r[0] for r in rows) == ["done"] * 3


def test_anywhere_run_of_a_dead_node_goes_back(jobd, pg, workdir):
    mark = workdir / "slow"
    jobs = {"slow": {"command": "/bin/sh -c 'echo $$ >> %s; exec sleep 30'"
                     % mark}}
    db, n = nodes_up(jobd, pg, jobs, names=("a", "b"))
    rc, out, _ = n["a"].jobctl("start", "slow", "--anywhere")
    assert rc == 0 and "queued slow as q" in out
    wait_for(lambda: pg.psql("SELECT node FROM jobd_queue WHERE state = "
                             "'taken' AND run IS NOT NULL", db), 10,
             "a node to take it")
    taker = pg.value("SELECT node FROM jobd_queue", db)
    other = "b" if taker == "a" else "a"
    wait_for(lambda: mark.exists() and mark.read_text().split(), 10)
    first_pid = int(mark.read_text().split()[0])
    kill_node(n[taker])
    try:
        wait_for(lambda: pg.psql("SELECT 1 FROM jobd_queue WHERE node = "
                                 "'%s' AND state = 'taken'" % other, db),
                 3 + 5, "the run to go back to the queue and to %s" % other)
        lost = pg.psql("SELECT result, reason FROM jobd_runs WHERE node = "
                       "'%s'" % taker, db)
        assert lost == [["lost", "node %s stopped renewing its lease"
                         % taker]], lost
    finally:
        os.kill(first_pid, 9)
        n[other].jobctl("cancel", "slow")


def overlaps(path):
    """The most runs between their start and end lines at once."""
    ev = []
    for line in path.read_text().splitlines():
        kind, t = line.split()[:2]
        ev.append((float(t), 0 if kind == "end" else 1))
    held = most = 0
    for _, start in sorted(ev):
        held += 1 if start else -1
        most = max(most, held)
    return most, sum(1 for _, s in ev if s)


def witness(path, node):
    return ("/bin/sh -c 'echo start $(date +%%s.%%N) %s >> %s; sleep 0.3; "
            "echo end $(date +%%s.%%N) %s >> %s'" % (node, path, node, path))


def test_cluster_lock_never_two_holders(jobd, pg, workdir):
    w = workdir / "lock.log"
    per_node = {name: {"locked": {
        "command": witness(w, name), "schedule": "*:*:*", "run_on": "all",
        "lock": "db", "lock_scope": "cluster", "overlap": "allow"}}
        for name in ("a", "b", "c")}
    db, n = nodes_up(jobd, pg, per_node["a"], per_node_jobs=per_node)
    wait_for(lambda: w.exists() and overlaps(w)[1] >= 12, 40,
             "twelve runs under the lock")
    most, runs = overlaps(w)
    assert most == 1, w.read_text()
    nodes = {line.split()[2] for line in w.read_text().splitlines()}
    assert len(nodes) >= 2, nodes


def test_cluster_semaphore_limit(jobd, pg, workdir):
    w = workdir / "sem.log"
    jobs = {"s": {"command": witness(w, "x"), "schedule": "*:*:*",
                  "run_on": "all", "semaphore": "db2", "overlap": "allow"}}
    db = pg.new_database()
    n = start_nodes(jobd, pg.conninfo(db), jobs, start=False)
    for d in n.values():
        (d.confd / "sem.conf").write_text("[semaphore db2]\nlimit=2\n"
                                          "scope=cluster\n")
        d.start()
    wait_for(lambda: w.exists() and overlaps(w)[1] >= 12, 40,
             "twelve runs under the semaphore")
    most, _ = overlaps(w)
    assert most == 2, w.read_text()


def test_metrics_carry_the_node(jobd, pg):
    db, n = nodes_up(jobd, pg, {"t": {"command": "true"}}, names=("a",))
    rc, out, _ = n["a"].jobctl("metrics")
    samples = [line for line in out.splitlines() if line and
               not line.startswith("#")]
    assert samples and all('node="a"' in s for s in samples), samples[:5]


def test_services_run_on_their_nodes(jobd, pg):
    db, n = nodes_up(jobd, pg, {}, names=("a", "b"))
    for d in n.values():
        d.write_config(files={"conf.d/svc.conf":
                              "[service web]\ncommand=sleep 300\n"
                              "run_on=b\n"})
        add_cluster(d, pg.conninfo(db), d.node)
        assert d.jobctl("reload")[0] == 0
    wait_service(n["b"], "web", ("ready",))
    # On a, not started by itself; a jobctl start there is still obeyed.
    assert service(n["a"], "web")["state"] == "stopped"


def test_cancel_across_nodes(jobd, pg):
    jobs = {"slow": {"command": "sleep 60"},
            "elsewhere": {"command": "sleep 60", "run_on": "z"}}
    db, n = nodes_up(jobd, pg, jobs, names=("a", "b"))
    rc, out, _ = n["a"].jobctl("start", "slow")
    run = int(out.split()[0])
    # From b, by NODE:RUN: a cancels it within a second (its next tick).
    rc, out, err = n["b"].jobctl("cancel", "a:%d" % run)
    assert rc == 0, err
    assert out == "a:%d: cancel asked of node a\n" % run
    r = n["a"].wait_run(run)
    assert r["result"] == "cancelled", r
    assert "cancelled as uid 0 on b asked" in n["a"].log_text()
    # This node's own run by NODE:RUN is its run RUN.
    rc, out, _ = n["a"].jobctl("start", "slow")
    run = int(out.split()[0])
    rc, out, err = n["a"].jobctl("cancel", "a:%d" % run)
    assert rc == 0 and out == "%d\n" % run, (out, err)
    # A queued run no node may take (run_on=z): cancelled in the queue.
    rc, out, _ = n["b"].jobctl("start", "elsewhere", "--anywhere")
    q = re.search(r"as (q\d+)", out).group(1)
    rc, out, err = n["a"].jobctl("cancel", q)
    assert rc == 0 and out == "%s cancelled (no node had taken it)\n" % q
    assert pg.value("SELECT state FROM jobd_queue WHERE qid = %s" % q[1:],
                    db) == "cancelled"
    # Unknown and finished targets: nothing to ask.
    rc, out, err = n["a"].jobctl("cancel", "b:999999")
    assert rc == 0 and out == ""
    # Mixed with a local target: refused.
    rc, out, err = n["a"].jobctl("cancel", "b:1", "slow")
    assert rc == 1 and "targets" in err


def test_logs_of_another_nodes_run(jobd, pg):
    jobs = {"say": {"command": "/bin/sh -c 'echo one; echo two >&2; "
                               "printf \"\\\\377bin\\\\n\"'"}}
    db, n = nodes_up(jobd, pg, jobs, names=("a", "b"))
    rc, out, _ = n["a"].jobctl("start", "say", "--wait")
    run = int(out.split()[0])
    # From b: the tail a kept when the run finished.
    wait_for(lambda: pg.psql("SELECT 1 FROM jobd_runs WHERE node = 'a' AND "
                             "output IS NOT NULL", db), 10, "a's row")
    rc, out, err = n["b"].jobctl("logs", "--run", "a:%d" % run, raw=True)
    assert rc == 0, err
    assert sorted(out.split(b"\n")[:3]) == sorted([b"one", b"two",
                                                   b"\xffbin"])
    rc, out, _ = n["b"].jobctl("logs", "--run", "a:%d" % run, "-n", "1",
                               raw=True)
    assert rc == 0 and len(out.split(b"\n")) == 2, out
    # A run a does not have; a node that is not in the cluster.
    rc, out, err = n["b"].jobctl("logs", "--run", "a:999999")
    assert rc == 1 and "no such run" in err, err
    rc, out, err = n["b"].jobctl("logs", "--run", "zz:1")
    assert rc == 1 and "no such run" in err, err
    # Its own node by name: as --run alone.
    rc, out, _ = n["a"].jobctl("logs", "--run", "a:%d" % run)
    assert rc == 0 and "one" in out
