"""output=file's rotated files (issue 21): output_file_compress=yes gzips
them off the loop, output_file_keep= counts the .gz files too, and
output_file_max_age= deletes rotated files older than it; a compression
that fails keeps the plain file and says why in jobd's log."""
import gzip
import os
import re
import time

from conftest import child, run_cmd, wait_for

LINE = "x" * 100
# What one run of logged_job writes: the test child numbers its lines.
OUTPUT = "".join("%s %d\n" % (LINE, i) for i in range(1, 41))


def logged_job(path, **keys):
    job = {"command": child("print", 40, LINE), "output": "file",
           "output_file": str(path), "output_file_max": "1K"}
    job.update(keys)
    return job


def names(directory):
    return sorted(p.name for p in directory.iterdir())


def run_times(d, job, n):
    for _ in range(n):
        rc, out, err = d.jobctl("start", "--wait", job)
        assert rc == 0, (rc, out, err)


def test_compressed_rotation_keeps_keep_files(jobd, workdir):
    logs = workdir / "logs"
    d = jobd(jobs={"talk": logged_job(logs / "talk.log",
                                      output_file_keep=3,
                                      output_file_compress="yes")})
    run_times(d, "talk", 5)
    want = ["talk.log", "talk.log.1.gz", "talk.log.2.gz", "talk.log.3.gz"]
    wait_for(lambda: names(logs) == want, 10.0,
             "three compressed files (have %s)" % names(logs))
    # Lines come in one write or several (a slow build): each rotated
    # file is the run's lines from where the last one ended, 1K or more.
    for gz in want[1:]:
        with gzip.open(logs / gz, "rt") as f:
            text = f.read()
        assert re.fullmatch(r"(%s \d+\n)+" % LINE, text), (gz, text[:300])
        assert len(text) >= 1024, gz
    # The compressed file has the plain one's owner and mode.
    st = os.stat(logs / "talk.log.1.gz")
    assert (st.st_mode & 0o777, st.st_uid) == (0o640, os.geteuid())


def test_max_age_deletes_old_rotated_files(jobd, workdir):
    logs = workdir / "logs"
    logs.mkdir(mode=0o750)
    old = time.time() - 3 * 86400
    for name in ("talk.log.2.gz", "talk.log.3", "talk.log.1"):
        (logs / name).write_text("old\n")
    for name in ("talk.log.2.gz", "talk.log.3"):
        os.utime(logs / name, (old, old))
    d = jobd(jobs={"talk": logged_job(logs / "talk.log",
                                      command=child("print", 1, "short"),
                                      output_file_keep=5,
                                      output_file_max_age="2d")})
    run_times(d, "talk", 1)
    # Checked when the run opened its file: the fresh one stays.
    wait_for(lambda: names(logs) == ["talk.log", "talk.log.1"], 10.0,
             "the old files gone (have %s)" % names(logs))


def test_failed_compression_keeps_the_plain_file(jobd, workdir):
    logs = workdir / "logs"
    logs.mkdir(mode=0o750)
    # The .gz name is taken by a directory: the rename cannot replace it.
    (logs / "talk.log.1.gz").mkdir()
    (logs / "talk.log.1.gz" / "keep").write_text("")
    d = jobd(jobs={"talk": logged_job(logs / "talk.log",
                                      output_file_keep=1,
                                      output_file_compress="yes")})
    run_times(d, "talk", 1)
    msg = ("log file '%s': cannot compress 'talk.log.1': Is a directory; "
           "it stays uncompressed" % (logs / "talk.log"))
    wait_for(lambda: msg in d.log_text(), 10.0, "the warning")
    assert (logs / "talk.log.1").read_text() == OUTPUT
    assert not [n for n in names(logs) if ".tmp" in n], names(logs)
    # jobd goes on: the next run writes and rotates as before.
    run_times(d, "talk", 1)
    assert (logs / "talk.log.1").stat().st_size == len(OUTPUT)


def test_bad_values_name_file_and_line(jobd):
    d = jobd(jobs={"talk": {"command": child("exit", 0),
                            "output_file_max_age": "soon",
                            "output_file_compress": "gzip"}}, start=False)
    rc, out, err = run_cmd(d.argv("--check"))
    assert rc == 2
    assert re.search(r"50-jobs\.conf:3: output_file_max_age: invalid time "
                     r"span 'soon'", err), err
    assert re.search(r"50-jobs\.conf:4: output_file_compress: ", err), err
