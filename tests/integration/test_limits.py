"""cgroup limits (memory_max=, cpu_quota=, tasks_max=, ...; issue 21).

Without per-run cgroups a configuration that sets limits is refused, at
`jobd --check` (an error where jobd could never have them, a warning where
the cgroup --check runs in is only not delegated), at start and at reload,
each with file:line and how to get delegation.  With a cgroup v2 directory
made for the test and marked delegated (trusted.delegate, as systemd's
Delegate=yes does), a run gets its limits, or, where the kernel gives that
directory no memory controller (a host whose memory controller is bound to
cgroup v1), fails without running and says which controller is missing.
Under a real systemd with Delegate=yes, tests/systemd/checks runs a job
past memory_max= to the result oom."""
import os
import re
import subprocess
import uuid
from pathlib import Path

import pytest

from conftest import (child, history, run_cmd, wait_for)

ADVICE = ("cgroup limits need a cgroup v2 directory delegated to jobd: run "
          "it as a systemd service with Delegate=yes (the shipped "
          "jobd.service has it) and cgroups=auto or yes in [jobd], or "
          "remove the limits")

LIMITED = {"command": child("exit", 0), "memory_max": "64M",
           "tasks_max": "32"}


def cgroup2_root():
    """Where jobd looks for its cgroup v2 directory (cgroup.c), or None."""
    with open("/proc/self/mounts") as f:
        v2 = {line.split()[1] for line in f if line.split()[2] == "cgroup2"}
    for m in ("/sys/fs/cgroup", "/sys/fs/cgroup/unified"):
        if m in v2:
            return Path(m)
    return None


def limit_error(d, name="lim", line=3):
    return re.compile(r"(^|/)50-jobs\.conf:%d: job '%s': memory_max=, "
                      r"tasks_max=: jobd has no per-run cgroups \((.*)\); "
                      r"%s$" % (line, name, re.escape(ADVICE)), re.M)


def test_check_refuses_limits_with_cgroups_no(jobd):
    d = jobd(jobs={"lim": LIMITED}, settings={"cgroups": "no"}, start=False)
    rc, out, err = run_cmd(d.argv("--check"))
    assert rc == 2, (rc, out, err)
    m = limit_error(d).search(err)
    assert m and m.group(2) == "cgroups=no", err
    assert "configuration OK" not in out


def test_check_warns_where_its_own_cgroup_is_not_delegated(jobd):
    """--check runs in its caller's cgroup, not the service's: a cgroup
    that is merely not delegated is a warning; no cgroup v2 is an error."""
    d = jobd(jobs={"lim": LIMITED}, start=False)
    rc, out, err = run_cmd(d.argv("--check"))
    root = cgroup2_root()
    own = open("/proc/self/cgroup").read()
    if root is None:
        assert rc == 2, (rc, out, err)
        assert limit_error(d).search(err).group(2) == \
            "no cgroup v2 hierarchy", err
        return
    if _delegated(root, own):
        pytest.skip("this test's own cgroup is delegated")
    assert rc == 0, (rc, out, err)
    assert out == "configuration OK\n"
    lines = err.splitlines()
    assert lines[0].startswith("warning: ") and \
        limit_error(d).search(lines[0][len("warning: "):]), err
    assert "is not delegated to jobd" in lines[0]
    assert lines[1] == ("warning: jobd --check judged the cgroup it runs "
                        "in, not the service's; \"jobctl reload --dry-run\" "
                        "asks the running jobd")


def _delegated(root, proc_cgroup):
    path = [line[3:] for line in proc_cgroup.splitlines()
            if line.startswith("0::")][0]
    try:
        return os.getxattr(str(root) + path.rstrip("/"),
                           "trusted.delegate") == b"1"
    except OSError:
        return False


def test_start_refuses_limits_without_per_run_cgroups(jobd):
    d = jobd(jobs={"lim": LIMITED, "plain": {"command": child("exit", 0)}},
             settings={"cgroups": "no"}, start=False)
    p = subprocess.run(d.argv(), capture_output=True, text=True, timeout=30,
                       stdin=subprocess.DEVNULL)
    assert p.returncode == 2, (p.returncode, p.stderr)
    assert limit_error(d).search(p.stderr), p.stderr
    assert "is invalid; not starting" in p.stderr


def test_reload_refuses_limits_and_keeps_the_old_config(jobd):
    d = jobd(jobs={"plain": {"command": child("exit", 0)}},
             settings={"cgroups": "no"})
    d.write_config(jobs={"plain": {"command": child("exit", 0)},
                         "lim": LIMITED}, settings={"cgroups": "no"})
    for dry in (["--dry-run"], []):
        rc, out, err = d.jobctl("reload", *dry)
        assert rc == 1, (rc, out, err)
        m = limit_error(d, line=6).search(err)
        assert m and m.group(2) == "cgroups=no", err
    rc, out, err = d.jobctl("start", "lim")
    assert rc != 0 and "lim" in err
    assert d.jobctl("start", "--wait", "plain")[0] == 0


def test_bad_limit_values_name_file_and_line(jobd):
    d = jobd(jobs={"lim": {"command": child("exit", 0),
                           "cpu_quota": "50", "memory_max": "lots"}},
             start=False)
    rc, out, err = run_cmd(d.argv("--check"))
    assert rc == 2
    assert re.search(r"50-jobs\.conf:3: cpu_quota: invalid CPU quota '50': "
                     r"expected a percentage of one CPU, 1% to 100000%$",
                     err, re.M), err
    assert re.search(r"50-jobs\.conf:4: memory_max: invalid size 'lots': "
                     r"expected bytes with an optional K, M, G or T, or "
                     r"infinity$", err, re.M), err


# ------------------------------------------------ a delegated cgroup

@pytest.fixture
def delegated_cgroup():
    """A cgroup v2 directory of the test's own, marked delegated."""
    if os.geteuid() != 0:
        pytest.skip("needs root to create a cgroup")
    root = cgroup2_root()
    if root is None:
        pytest.skip("no cgroup v2 hierarchy where jobd looks for one")
    path = root / ("jobd-lim-" + uuid.uuid4().hex[:8])
    try:
        path.mkdir()
        os.setxattr(str(path), "trusted.delegate", b"1")
    except OSError as e:
        if path.exists():
            path.rmdir()
        pytest.skip("cannot make a delegated cgroup under %s: %s"
                    % (root, e))
    yield path
    wait_for(lambda: _rm_cgroup(path), 10.0, "rmdir %s" % path)


def _rm_cgroup(path):
    try:
        for sub in sorted(path.iterdir(), reverse=True):
            if sub.is_dir():
                sub.rmdir()
        path.rmdir()
    except OSError:
        return False
    return True


def start_in(d, cg):
    """jobd starts inside cg (sh moves itself, then execs jobd)."""
    plain = d.argv
    d.argv = lambda *extra: ["sh", "-c", 'echo $$ > "$0/cgroup.procs" && '
                             'exec "$@"', str(cg)] + plain(*extra)
    return d.start()


def test_delegated_run_gets_limits_or_says_what_is_missing(
        delegated_cgroup, jobd):
    cg = delegated_cgroup
    d = jobd(jobs={"hog": {
        "command": "/usr/bin/python3 -c \"b = b'x' * (256 << 20); "
                   "print(len(b))\"",
        "memory_max": "32M"}}, start=False)
    start_in(d, cg)
    assert "per-run cgroups under '%s'" % cg in d.log_text()
    assert (cg / "daemon").is_dir()
    rc, out, err = d.jobctl("start", "--wait", "hog")
    run = history(d, "hog")[0]
    controllers = (cg / "cgroup.controllers").read_text().split()
    if "memory" in controllers:
        # The kernel gives jobd's cgroup a memory controller: the run
        # is killed at memory_max= and recorded as an oom.
        assert run["result"] == "oom", run
        assert re.fullmatch(r"killed by the OOM killer at memory_max="
                            r"32\.0M; peak memory \d+\.\dM",
                            run["reason"]), run
        assert "oom" in err or rc != 0
    else:
        # Here the memory controller is cgroup v1's: the run fails
        # without running and says why.
        assert run["result"] == "failed", run
        assert run["reason"] == (
            "memory_max=: no memory.max in the run's cgroup: the memory "
            "controller is not available to jobd's cgroup (its parent "
            "must enable it)"), run
        assert "pid" not in run or not run.get("pid"), run
    assert rc != 0
    # The run's cgroup is gone once it ended.
    wait_for(lambda: not [p for p in cg.iterdir() if
                          p.name.startswith("run-")], 10.0,
             "the run's cgroup removed")
