"""Path triggers and conditions (issue 7): on_directory_not_empty=,
on_path_exists=, on_path_changed= start their job when the file system
says so, including a file that was there before jobd started; conditions
make a due run `skipped` with the condition named."""
from pathlib import Path

from conftest import child, history, wait_for


def drain_job(spool, done):
    # Moves every spooled file out, one line per file in `done`.
    script = ('for f in %s/*; do [ -e "$f" ] || continue; '
              'echo "${f##*/}" >> %s; rm -f "$f"; done' % (spool, done))
    return {"command": script, "shell": "yes",
            "on_directory_not_empty": str(spool)}


def runs_of(d, job):
    return [r for r in history(d, job) if r["job"] == job]


def test_file_dropped_before_start_counts(jobd, workdir):
    spool = workdir / "spool"
    spool.mkdir()
    done = workdir / "done.txt"
    (spool / "early").write_text("x")          # before jobd runs
    d = jobd(jobs={"drain": drain_job(spool, done)})
    wait_for(lambda: done.exists() and "early" in done.read_text(),
             what="the early file drained")
    wait_for(lambda: not any(spool.iterdir()), what="the spool empty")
    wait_for(lambda: runs_of(d, "drain") and all(
        r.get("result") == "success" for r in runs_of(d, "drain")))
    assert [r["trigger"] for r in runs_of(d, "drain")] == ["event"]


def test_file_dropped_later_starts_the_job_once(jobd, workdir):
    spool = workdir / "spool"
    spool.mkdir()
    done = workdir / "done.txt"
    d = jobd(jobs={"drain": drain_job(spool, done)})
    # No run while the directory is empty.
    assert d.jobctl_json("status", "drain")["jobs"][0]["runs"] == []
    (spool / "a").write_text("1")
    wait_for(lambda: done.exists() and "a" in done.read_text(),
             what="file a drained")
    wait_for(lambda: runs_of(d, "drain") and all(
        r.get("result") == "success" for r in runs_of(d, "drain")))
    assert len(runs_of(d, "drain")) == 1
    assert done.read_text().split() == ["a"]


def test_path_exists_and_changed(jobd, workdir):
    flag = workdir / "flag"
    conf = workdir / "app.conf"
    conf.write_text("v1")
    other = workdir / "other"
    d = jobd(jobs={
        "seen": {"command": child("print", "1", "seen"),
                 "on_path_exists": str(flag)},
        "changed": {"command": child("print", "1", "changed"),
                    "on_path_changed": str(conf)},
    })
    assert runs_of(d, "seen") == []
    other.write_text("not the watched file")
    flag.write_text("up")
    wait_for(lambda: runs_of(d, "seen"), what="a run of seen")
    flag.unlink()
    conf.write_text("v2")
    wait_for(lambda: runs_of(d, "changed"), what="a run of changed")
    # The other file in the same directory started nothing by itself.
    wait_for(lambda: all(r.get("result") == "success"
                         for r in runs_of(d, "changed")))
    assert all(r["trigger"] == "event" for r in runs_of(d, "changed"))


def test_false_condition_records_skipped(jobd, workdir):
    d = jobd(jobs={
        "cond": {"command": child("exit", "0"),
                 "condition_path_exists": str(workdir / "nope")},
        "empty": {"command": child("exit", "0"),
                  "condition_directory_not_empty": str(workdir)},
    })
    rid = int(d.jobctl("start", "cond")[1])
    run = d.wait_run(rid)
    assert run["result"] == "skipped"
    assert run["reason"] == ("condition_path_exists=%s is false"
                             % (workdir / "nope"))
    rid = int(d.jobctl("start", "empty")[1])
    assert d.wait_run(rid)["result"] == "success"
