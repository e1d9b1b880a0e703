"""The exec context of jobs, checked from inside the child: user and
groups (a throwaway account made here, root only), umask, nice, rlimits,
no_new_privileges, stdin, environment_file, clear_environment; a bad user
as a clear run result; condition_* keys making the run skipped."""
import grp
import os
import pwd
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

from conftest import JOBD, start_units

EXEC = os.environ.get("JOBD_EXEC") or str(Path(JOBD).parent / "jobd-exec")


def sanitized():
    """An ASan build's jobd-exec cannot run under RLIMIT_AS: the shadow
    memory it maps is far larger than any sane address space limit."""
    try:
        return b"__asan_init" in Path(EXEC).read_bytes()
    except OSError:
        return False

REPORT = ("id -u; id -g; grep ^Groups: /proc/self/status; umask; nice; "
          "ulimit -n; ulimit -c; ulimit -v; "
          "grep ^NoNewPrivs: /proc/self/status; echo \"stdin=$(cat)\"; "
          "echo \"FROM_FILE=$FROM_FILE\"; echo \"QUOTED=$QUOTED\"; "
          "echo \"token=${JOBD_TEST_TOKEN:-unset}\"")


def sh(*argv):
    p = subprocess.run(argv, capture_output=True, text=True)
    assert p.returncode == 0, "%s: %s" % (" ".join(argv), p.stderr)


@pytest.fixture
def account():
    """A user with its own primary group and one supplementary group."""
    if os.geteuid() != 0:
        pytest.skip("needs root to create a user and change credentials")
    if not shutil.which("useradd") or not shutil.which("groupadd"):
        pytest.skip("useradd/groupadd not installed")
    tag = uuid.uuid4().hex[:8]
    user, primary, extra = "jdc" + tag, "jdcp" + tag, "jdce" + tag
    try:
        sh("groupadd", primary)
        sh("groupadd", extra)
        sh("useradd", "-M", "-N", "-g", primary, "-G", extra, "-d",
           "/nonexistent", "-s", "/bin/sh", user)
        yield {"user": user, "uid": pwd.getpwnam(user).pw_uid,
               "gid": grp.getgrnam(primary).gr_gid,
               "extra_gid": grp.getgrnam(extra).gr_gid}
    finally:
        subprocess.run(["userdel", user], capture_output=True)
        for g in (primary, extra):
            subprocess.run(["groupdel", g], capture_output=True)


def report_script(workdir):
    """The command that prints REPORT, readable by any user."""
    os.chmod(workdir, 0o711)
    script = workdir / "report.sh"
    script.write_text(REPORT + "\n")
    script.chmod(0o644)
    return "/bin/sh %s" % script


def report(d, job):
    """Runs job; returns its output lines as a dict (first word: rest)."""
    run = d.wait_run(d.start_run(job))
    assert run["result"] == "success", (run, d.jobctl("logs", job))
    rc, out, err = d.jobctl("logs", job)
    assert rc == 0, err
    lines = out.splitlines()
    keys = ["uid", "gid", "groups", "umask", "nice", "nofile", "core", "as",
            "nnp"]
    got = dict(zip(keys, lines))
    got.update(line.split("=", 1) for line in lines[len(keys):])
    return got


def test_unprivileged_user_gets_its_context(jobd, workdir, account):
    env_file = workdir / "env"
    env_file.write_text("# comment\nFROM_FILE=from the file\n\n"
                        "QUOTED=\"a b\"\n")
    d = start_units(jobd, jobs={"ctx": {
        "command": report_script(workdir), "user": account["user"],
        "umask": "027", "nice": 7, "limit_nofile": 256, "limit_core": 0,
        "limit_as": "infinity" if sanitized() else 1073741824,
        "no_new_privileges": "yes",
        "stdin": "data:hello there", "environment_file": env_file,
        "clear_environment": "yes"}})
    got = report(d, "ctx")
    assert got["uid"] == str(account["uid"])
    assert got["gid"] == str(account["gid"])
    groups = sorted(map(int, got["groups"].split()[1:]))
    assert groups == sorted({account["gid"], account["extra_gid"]}), got
    assert got["umask"] == "0027"
    assert got["nice"] == "7"
    assert (got["nofile"], got["core"], got["as"]) == \
        ("256", "0", "unlimited" if sanitized() else "1048576"), got
    assert got["nnp"].split() == ["NoNewPrivs:", "1"]
    assert got["stdin"] == "hello there"
    assert got["FROM_FILE"] == "from the file"
    assert got["QUOTED"] == "a b"
    assert got["token"] == "unset"


def test_explicit_supplementary_groups_and_stdin_file(jobd, workdir,
                                                      account):
    data = workdir / "in"
    data.write_text("from a file\n")
    d = start_units(jobd, jobs={"ctx": {
        "command": report_script(workdir), "user": account["user"],
        "supplementary_groups": "daemon", "stdin": "file:%s" % data}})
    got = report(d, "ctx")
    groups = sorted(map(int, got["groups"].split()[1:]))
    assert groups == [grp.getgrnam("daemon").gr_gid], got
    assert got["stdin"] == "from a file"
    assert got["nnp"].split() == ["NoNewPrivs:", "0"]
    # Without clear_environment jobd's own environment is passed on.
    assert got["token"] == d.token


def test_bad_user_is_a_clear_failure(jobd):
    d = start_units(jobd, jobs={"bad": {"command": "true",
                                        "user": "nosuchuserjd"}})
    run = d.wait_run(d.start_run("bad"))
    assert run["result"] == "failed", run
    assert run["reason"] == "exec: no such user 'nosuchuserjd'", run
    assert run.get("exit_status") is None


def test_missing_environment_file_is_a_clear_failure(jobd, workdir):
    missing = workdir / "nope"
    d = start_units(jobd, jobs={"bad": {"command": "true",
                                        "environment_file": missing}})
    run = d.wait_run(d.start_run("bad"))
    assert run["result"] == "failed", run
    assert run["reason"].startswith(
        "exec: environment file '%s'" % missing), run


@pytest.mark.parametrize("key,value,holds", [
    ("condition_path_exists", "{dir}/there", True),
    ("condition_path_exists", "{dir}/missing", False),
    ("condition_directory_not_empty", "{dir}/full", True),
    ("condition_directory_not_empty", "{dir}/empty", False),
    ("condition_command", "test -e {dir}/there", True),
    ("condition_command", "test -e {dir}/missing", False),
])
def test_conditions(jobd, workdir, key, value, holds):
    (workdir / "there").touch()
    (workdir / "empty").mkdir()
    (workdir / "full").mkdir()
    (workdir / "full" / "f").touch()
    value = value.format(dir=workdir)
    d = start_units(jobd, jobs={"c": {"command": "echo ran", key: value}})
    run = d.wait_run(d.start_run("c"))
    if holds:
        assert run["result"] == "success", run
        assert d.jobctl("logs", "c")[1] == "ran\n"
    else:
        assert run["result"] == "skipped", run
        assert run["reason"] == "%s=%s is false" % (key, value), run
        assert run.get("started_usec") is None
