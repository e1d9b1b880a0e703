"""Issue 14, the ledger's part: attacks on the run ledger, run ids, the
orphan sweep and the state directory.

- A burst of starts and kill -9: every id a client got is on record after
  the restart, no process of those runs is left, no id is handed out twice.
- Local users cannot read the ledger or list the state directory, fresh or
  left open by an older jobd.
- History answers while a job's file work holds every thread of libuv's
  pool.
- The orphan sweep stops only this jobd's runs, never another instance's
  run with the same id.
- On a full disk History says rows are missing, and a warning that repeats
  for every run is logged once with a count.
- A lost run has no end and no duration (jobd was not there to see it)."""
import json
import os
import re
import signal
import stat
import threading
import time
from pathlib import Path

import pytest

from conftest import (child, daemon_info, history, pid_alive, wait_for,
                      wait_pids_gone)


def environ_of(pid):
    """{name: value} of a live process's environment, {} if gone."""
    try:
        with open("/proc/%d/environ" % pid, "rb") as f:
            raw = f.read()
    except OSError:
        return {}
    env = {}
    for item in raw.split(b"\0"):
        k, sep, v = item.partition(b"=")
        if sep:
            env[k.decode(errors="replace")] = v.decode(errors="replace")
    return env


def run_processes(d):
    """{run id: [pid, ...]} of the live processes of d's runs."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        pid = int(entry)
        env = environ_of(pid)
        if env.get("JOBD_TEST_TOKEN") == d.token and "JOBD_RUN" in env \
                and pid_alive(pid):
            found.setdefault(int(env["JOBD_RUN"]), []).append(pid)
    return found


# ------------------------------------------------------- 1. ids and kill -9

@pytest.mark.timeout(180)
def test_kill9_in_a_burst_of_starts_forgets_no_run_and_reuses_no_id(jobd):
    """200 `jobctl start` of a sleeping job from 8 clients; jobd is killed
    with SIGKILL once about half have their id.  After the restart every
    id a client got is on record (lost), none of the runs' processes is
    left, and the next id is above every id handed out."""
    d = jobd(jobs={"s": {"command": child("sleep", 300)}})
    ids, lock = [], threading.Lock()
    half = threading.Event()

    def client(k):
        for _ in range(25):
            rc, out, err = d.jobctl("start", "s", timeout=30)
            if rc != 0:
                return          # jobd is gone
            with lock:
                ids.append(int(out.strip()))
                if len(ids) >= 100:
                    half.set()
    threads = [threading.Thread(target=client, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    assert half.wait(60), "100 runs did not start within 60 s"
    d.proc.kill()
    d.proc.wait()
    for t in threads:
        t.join()
    handed = sorted(set(ids))
    assert len(handed) == len(ids), "an id was handed out twice"
    running = run_processes(d)
    pids = [p for ps in running.values() for p in ps]
    assert running, "no run process was alive at the kill"

    d.start()
    wait_pids_gone(pids, timeout=15.0)
    rows = {r["id"]: r for r in history(d, "s")}
    missing = [i for i in running if i not in rows]
    assert not missing, "runs with a process but no row: %s" % missing
    for i in running:
        assert rows[i]["result"] == "lost", rows[i]
        assert rows[i].get("reason"), rows[i]
    # The reply to Start waits for the run's row: every id is on record.
    unrecorded = [i for i in handed if i not in rows]
    assert not unrecorded, "ids handed out, not on record: %s" % unrecorded
    assert all(r["state"] == "finished" for r in rows.values())
    assert not set(run_processes(d)) & set(handed), "a run survived"
    new = d.start_run("s")
    assert new > max(handed), (new, max(handed))
    assert d.jobctl("cancel", new)[0] == 0
    d.wait_run(new)


def test_runs_not_yet_on_record_are_stopped_and_recorded_lost(
        jobd, attacker, attacker_dir):
    """A run whose row had not reached the disk (its row removed here, as
    if the write was still queued) is found by its JOBD_INSTANCE= and
    JOBD_RUN=, stopped and recorded lost.  A process of the job's user
    that forges those variables to claim a root job's run is stopped (it
    is the user's own) but puts no row into that job's history."""
    import sqlite3
    d = jobd(jobs={"root": {"command": child("sleep", 300)},
                   "mine": {"command": child("sleep", 300),
                            "user": attacker.name}})
    r_root, r_mine = d.start_run("root"), d.start_run("mine")
    p_root = d.wait_running("root", r_root)["pid"]
    p_mine = d.wait_running("mine", r_mine)["pid"]
    wait_for(lambda: len(history(d)) == 2 and all(
        r["state"] == "running" for r in history(d)), 10.0, "rows on disk")
    instance = environ_of(p_root).get("JOBD_INSTANCE", "none")
    forged = {}
    for rid, job in ((r_mine + 1, "root"), (r_mine + 2, "mine")):
        forged[rid] = attacker.popen(["sleep", "300"], env={
            "PATH": "/usr/bin:/bin", "JOBD_INSTANCE": instance,
            "JOBD_RUN": str(rid), "JOBD_JOB": job,
            "JOBD_TEST_TOKEN": d.token})
    d.proc.kill()
    d.proc.wait()
    db = sqlite3.connect(str(d.state / "ledger.db"))
    db.execute("DELETE FROM runs WHERE id = ?", (r_root,))
    db.commit()
    db.close()

    d.start()
    wait_pids_gone([p_root, p_mine] + [p.pid for p in forged.values()],
                   timeout=15.0)
    for p in forged.values():
        p.wait(10)
    rows = {r["id"]: r for r in history(d)}
    assert rows[r_root]["result"] == "lost", rows
    assert rows[r_root]["job"] == "root"
    assert "before the run was recorded" in rows[r_root]["reason"]
    assert "ended_usec" not in rows[r_root]
    assert rows[r_mine]["result"] == "lost"
    # The user may speak for its own job's runs, not for root's.
    assert r_mine + 1 not in rows, rows[r_mine + 1]
    assert rows[r_mine + 2]["job"] == "mine"
    assert re.search(r"carried run id %d .* job 'root'.*not recorded"
                     % (r_mine + 1), d.log_text())
    assert d.start_run("root") > r_mine + 2


def test_helper_killed_before_it_execs_is_found_by_its_run_id(
        jobd, attacker, workdir, monkeypatch):
    """jobd is killed while jobd-exec is still setting the run up (here:
    stopped before it execs) and the run's row has not reached the disk.
    jobd-exec's own environment (PATH, and the run's JOBD_INSTANCE=,
    JOBD_RUN=, JOBD_JOB=; never the rest of the run's environment) lets
    the sweep after the restart find it, stop it and record the run
    lost; without them it would exec the command afterwards, a run
    nobody supervises."""
    import sqlite3
    real = os.environ.get("JOBD_EXEC") or str(
        Path(os.environ["JOBD"]).parent / "jobd-exec")
    pidfile = workdir / "helper.pid"
    wrapper = workdir / "stopping-jobd-exec"
    wrapper.write_text("#!/bin/sh\necho $$ > %s\nkill -STOP $$\n"
                       "exec %s \"$@\"\n" % (pidfile, real))
    wrapper.chmod(0o755)
    monkeypatch.setenv("JOBD_EXEC", str(wrapper))
    d = jobd(jobs={"mine": {"command": child("sleep", 300),
                            "user": attacker.name,
                            "environment": "SECRET=not-for-the-helper"}})
    rid = d.start_run("mine")
    pid = wait_for(lambda: pidfile.exists() and pidfile.read_text().strip()
                   and int(pidfile.read_text()), 10.0, "the helper's pid")
    try:
        wait_for(lambda: open("/proc/%d/stat" % pid).read()
                 .rsplit(")", 1)[1].split()[0] == "T", 10.0,
                 "the helper to stop")
        env = environ_of(pid)
        assert env.get("JOBD_RUN") == str(rid), env
        assert env.get("JOBD_JOB") == "mine", env
        assert "SECRET" not in env and "JOBD_TEST_TOKEN" not in env, env
        d.proc.kill()
        d.proc.wait()
        db = sqlite3.connect(str(d.state / "ledger.db"))
        db.execute("DELETE FROM runs WHERE id = ?", (rid,))
        db.commit()
        db.close()
        d.start()
        wait_pids_gone([pid], timeout=15.0)
    finally:
        if pid_alive(pid):
            os.kill(pid, signal.SIGKILL)
    rows = {r["id"]: r for r in history(d)}
    assert rows[rid]["result"] == "lost", rows
    assert "before the run was recorded" in rows[rid]["reason"]


# ------------------------------------------- 2. a private state directory

def attacker_open(attacker, path):
    """What open(path) gives the attacker: 'ok' or the errno name."""
    rc, out, err = attacker.run(["/usr/bin/python3", "-c", (
        "import errno, os, sys\n"
        "try:\n"
        "    p = sys.argv[1]\n"
        "    os.listdir(p) if os.path.isdir(p) else open(p, 'rb').read(1)\n"
        "    print('ok')\n"
        "except OSError as e:\n"
        "    print(errno.errorcode[e.errno])\n"), str(path)])
    assert rc == 0, err
    return out.strip()


def assert_private(d, attacker):
    for name in ("ledger.db", "ledger.db-wal", "ledger.db-shm"):
        p = d.state / name
        if p.exists():
            mode = stat.S_IMODE(p.stat().st_mode)
            assert mode & 0o077 == 0, "%s is %04o" % (p, mode)
    mode = stat.S_IMODE(d.state.stat().st_mode)
    assert mode & 0o007 == 0, "state directory is %04o" % mode
    assert attacker_open(attacker, d.state) == "EACCES"
    assert attacker_open(attacker, d.state / "ledger.db") == "EACCES"


def test_fresh_state_dir_and_ledger_are_private(jobd, attacker,
                                                attacker_dir):
    d = jobd(jobs={"j": {"command": child("print", 1, "secret-output")}})
    d.wait_run(d.start_run("j"))
    wait_for(lambda: daemon_info(d)["ledger"]["queued"] == 0, 10.0,
             "the row written")
    assert stat.S_IMODE(d.state.stat().st_mode) == 0o700
    assert stat.S_IMODE((d.state / "ledger.db").stat().st_mode) == 0o600
    assert_private(d, attacker)


def test_state_dir_left_open_is_made_private(jobd, attacker, attacker_dir):
    d = jobd(jobs={"j": {"command": child("print", 1, "secret-output"),
                         "output": "file"}})
    d.wait_run(d.start_run("j"))
    assert d.stop() == 0
    # As an older jobd left it, or an operator.
    os.chmod(d.state, 0o755)
    for name in ("ledger.db", "ledger.db-wal", "ledger.db-shm"):
        if (d.state / name).exists():
            os.chmod(d.state / name, 0o644)
    os.chmod(d.state / "logs", 0o755)
    assert attacker_open(attacker, d.state / "ledger.db") == "ok"

    d.start()
    assert_private(d, attacker)
    assert stat.S_IMODE((d.state / "logs").stat().st_mode) & 0o007 == 0
    assert re.search(r"state directory: '%s' was mode 0755"
                     % re.escape(str(d.state)), d.log_text())
    # The history is all there.
    assert len(history(d, "j")) == 1


# ------------------------------------------- 3. the ledger's own thread

def test_history_answers_while_the_thread_pool_is_blocked(jobd, workdir):
    """Six runs whose condition_command= waits for a file hold every
    thread of libuv's pool (4) and queue two more; History answers from
    the ledger's own thread all the same.  (condition_command= blocks a
    pool thread by design, up to 30 s; an environment_file= FIFO did the
    same before it was refused.)"""
    go = workdir / "go"
    d = jobd(jobs={
        "blocked": {"command": child("exit", 0),
                    "condition_command": child("wait-file", go, 30)},
        "ok": {"command": child("exit", 0)},
    })
    done = d.start_run("ok")
    d.wait_run(done)
    blocked = [d.start_run("blocked") for _ in range(6)]
    try:
        wait_for(lambda: daemon_info(d)["executor"]["queued"] >= 6, 10.0,
                 "six calls on the thread pool")
        t0 = time.monotonic()
        rc, out, err = d.jobctl("--json", "history", timeout=10)
        took = time.monotonic() - t0
        assert rc == 0, err
        assert done in [r["id"] for r in json.loads(out)["runs"]]
        assert took < 5, "history took %.1fs" % took
        # The pool is still held: the answer did not wait for it.
        info = daemon_info(d)
        assert info["executor"]["queued"] >= 6, info
        assert info["ledger_thread"]["completed"] > 0, info
    finally:
        go.touch()
    for i in blocked:
        assert d.wait_run(i)["result"] == "success"


# ------------------------------------------- 4. one instance's orphans

def test_orphan_sweep_spares_another_instances_run(jobd):
    """Two jobd with their own state directories both have a run 1; the
    first is killed and restarted: its run 1 is stopped and recorded lost,
    the other's run 1 goes on."""
    a = jobd(jobs={"s": {"command": child("sleep", 300)}})
    b = jobd(jobs={"s": {"command": child("sleep", 300)}})
    ra, rb = a.start_run("s"), b.start_run("s")
    assert ra == rb, (ra, rb)
    pa = a.wait_running("s", ra)["pid"]
    pb = b.wait_running("s", rb)["pid"]
    wait_for(lambda: [r for r in history(a, "s") if r["id"] == ra], 10.0,
             "a's row on disk")
    ia, ib = (environ_of(pa).get("JOBD_INSTANCE"),
              environ_of(pb).get("JOBD_INSTANCE"))
    a.proc.kill()
    a.proc.wait()

    a.start()
    wait_pids_gone([pa])
    assert history(a, "s")[0]["result"] == "lost"
    assert pid_alive(pb), "the other jobd's run was killed"
    assert b.run_state("s", rb)["state"] == "running"
    assert ia and ib and ia != ib, (ia, ib)
    assert b.jobctl("cancel", rb)[0] == 0
    b.wait_run(rb)


# ------------------------------------------- 5. a full disk

@pytest.mark.timeout(120)
def test_full_disk_history_warns_and_repeats_are_counted(jobd,
                                                         private_tmpfs):
    line = "x" * 120
    d = jobd(start=False)
    d.write_config(jobs={"j": {"command": child("print", 100, line),
                               "output": "file"}})
    ns = private_tmpfs(d, "1m")
    d.start()
    first = d.start_run("j")
    d.wait_run(first)
    wait_for(lambda: daemon_info(d)["ledger"]["queued"] == 0, 10.0,
             "the first row written")
    filler = ns.fill()
    during = []
    for _ in range(30):
        during.append(d.start_run("j"))
        d.wait_run(during[-1])
    wait_for(lambda: not daemon_info(d)["ledger"]["ok"], 15.0,
             "the ledger to report the full disk")

    rc, out, err = d.jobctl("history", "j", "-n", 0)
    assert rc == 0, err
    m = re.search(r"jobctl: warning: (\d+) runs not yet written to the "
                  r"ledger \((.*)\); this list may be incomplete", err)
    assert m, "no warning on stderr: %r" % err
    assert int(m.group(1)) >= 30, err
    assert "full" in m.group(2), err
    reply = d.jobctl_json("history", "j", "-n", 0)
    assert reply.get("pending_writes", 0) >= 30, reply.keys()
    assert reply.get("ledger_error"), reply.keys()
    rc, out, err = d.jobctl("show", first)
    assert rc == 0 and "not yet written to the ledger" in err, (rc, err)

    # Every run failed to write its log file: one line, counted later.
    full = "log file '%s': No space left on device" \
        % (d.state / "logs" / "j.log")
    assert d.log_text().count(full) == 1, d.log_text(limit=40)
    ns.check("rm", "-f", filler)
    wait_for(lambda: (lambda i: i["ok"] and i["queued"] == 0)
             (daemon_info(d)["ledger"]), 40.0, "rows written again")
    rc, out, err = d.jobctl("history", "j", "-n", 0)
    assert rc == 0 and "warning" not in err, err
    assert len(out.splitlines()) == 1 + 1 + len(during)
    assert d.stop() == 0
    d.exit_checked = True
    m = re.search(re.escape(full) + r".*\(repeated (\d+) more times in",
                  d.log_text())
    assert m and int(m.group(1)) >= 1, d.log_text(limit=20)


# ------------------------------------------- 6. a lost run's end

def test_lost_run_has_no_end_and_no_duration(jobd):
    d = jobd(jobs={"s": {"command": child("sleep", 300)}})
    run = d.start_run("s")
    pid = d.wait_running("s", run)["pid"]
    wait_for(lambda: [r for r in history(d, "s") if r["id"] == run], 10.0,
             "the row on disk")
    d.proc.kill()
    d.proc.wait()
    d.start()
    wait_pids_gone([pid])
    r = history(d, "s")[0]
    assert r["id"] == run and r["result"] == "lost", r
    assert "ended_usec" not in r and "runtime_usec" not in r, r
    shown = d.jobctl_json("show", run)["run"]
    assert "ended_usec" not in shown and "runtime_usec" not in shown
    rc, out, err = d.jobctl("history", "s")
    assert rc == 0, err
    assert re.search(r"^%d\s+s\s+manual\s+lost\s+-\s+\S+ \S+\s+-$" % run,
                     out, re.M), out
    rc, out, err = d.jobctl("show", run)
    assert rc == 0 and "ended" not in out and "duration" not in out, out
