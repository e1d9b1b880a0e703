"""Attacks by a job's own user on the root half of a run (issue 14): files
the user controls (environment_file=, stdin=file:) must be read with the
user's permissions and never reach a root process; conditions run as the
user; what a run is given on stdin is never on a command line."""
import os
import stat
import subprocess
from pathlib import Path

import pytest

from conftest import child, history, start_units, wait_for


PRELOAD_SRC = r"""
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
/* Appends "euid exe" to $JDA_CANARY each time it is loaded. */
__attribute__((constructor)) static void canary(void)
{
	const char *path = getenv("JDA_CANARY");
	char exe[256] = "", line[512];
	ssize_t n;
	int fd;

	if (!path)
		return;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	snprintf(line, sizeof(line), "%d %s\n", (int)geteuid(), exe);
	fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd >= 0) {
		write(fd, line, strlen(line));
		close(fd);
	}
}
"""


@pytest.fixture
def preload_lib(attacker_dir):
    """The attacker's LD_PRELOAD library, built with the system's cc."""
    src = attacker_dir / "canary.c"
    lib = attacker_dir / "canary.so"
    src.write_text(PRELOAD_SRC)
    r = subprocess.run(["cc", "-shared", "-fPIC", "-o", str(lib), str(src)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    os.chmod(lib, 0o755)
    return lib


def canary_file(attacker, attacker_dir):
    canary = attacker_dir / "canary.log"
    attacker.write(canary, "", mode=0o666)
    return canary


def loaded_by(canary):
    """(euid, exe) of every process that loaded the library."""
    out = []
    for line in canary.read_text().splitlines():
        euid, _, exe = line.partition(" ")
        out.append((int(euid), exe))
    return out


def test_environment_file_never_reaches_root(jobd, attacker, attacker_dir,
                                             preload_lib):
    """LD_PRELOAD from an environment_file= the job's user writes: only
    the job itself (as that user) may load it; jobd-exec and the
    condition_command= ran it as root before."""
    canary = canary_file(attacker, attacker_dir)
    env = attacker_dir / "env"
    attacker.write(env, "LD_PRELOAD=%s\nJDA_CANARY=%s\n" % (preload_lib,
                                                          canary))
    # /bin/true, not the test child: a sanitized build's child refuses
    # a library loaded before its runtime.
    d = start_units(jobd, jobs={"victim": {
        "command": "/bin/true", "user": attacker.name,
        "environment_file": env, "condition_command": "true"}})
    run = d.wait_run(d.start_run("victim"))
    assert run["result"] == "success", run
    loads = loaded_by(canary)
    assert [euid for euid, _ in loads if euid == 0] == [], loads
    # The file still applies to the job and its condition, as the user.
    assert (attacker.uid, os.path.realpath("/bin/true")) in loads, loads
    assert all(euid == attacker.uid for euid, _ in loads), loads


def test_condition_command_runs_as_the_user(jobd, attacker, attacker_dir):
    out = attacker_dir / "cond-id"
    d = start_units(jobd, jobs={"c": {
        "command": child("exit", 0), "user": attacker.name,
        "condition_command": "id -u > %s" % out}})
    run = d.wait_run(d.start_run("c"))
    assert run["result"] == "success", run
    assert out.read_text().strip() == str(attacker.uid)
    assert os.stat(out).st_uid == attacker.uid


def test_condition_path_is_checked_as_the_user(jobd, attacker, workdir):
    """A path only root can see does not exist for the job's user."""
    hidden = workdir / "root-only"
    hidden.mkdir(mode=0o700)
    (hidden / "there").touch()
    d = start_units(jobd, jobs={"c": {
        "command": child("exit", 0), "user": attacker.name,
        "condition_path_exists": hidden / "there"}})
    run = d.wait_run(d.start_run("c"))
    assert run["result"] == "skipped", run
    assert run["reason"] == "condition_path_exists=%s is false" \
        % (hidden / "there"), run


def secret_file(workdir, text):
    """A file only root can read, outside the attacker's reach."""
    f = workdir / ("secret-%d" % len(list(workdir.iterdir())))
    f.write_text(text)
    os.chmod(f, 0o600)
    return f


@pytest.mark.parametrize("key", ["stdin", "environment_file"])
def test_symlink_to_a_root_only_file_is_not_read(jobd, attacker,
                                                 attacker_dir, workdir, key):
    secret = secret_file(workdir, "DB_PASSWORD=TOP SECRET\n")
    link = attacker_dir / "link"
    os.symlink(secret, link)
    os.lchown(link, attacker.uid, attacker.gid)
    value = "file:%s" % link if key == "stdin" else str(link)
    d = start_units(jobd, jobs={"leak": {
        "command": "sh -c 'cat; echo \"pw=$DB_PASSWORD\"'",
        "user": attacker.name, key: value}})
    run = d.wait_run(d.start_run("leak"))
    assert run["result"] == "failed", run
    assert "Permission denied" in run["reason"], run
    assert str(link) in run["reason"], run
    rc, out, _ = d.jobctl("logs", "leak")
    assert "TOP SECRET" not in out


def test_environment_file_fifo_is_refused(jobd, attacker, attacker_dir):
    """A FIFO in place of the file: the run fails at once, and other runs
    of the same user are not held up."""
    fifo = attacker_dir / "fifo"
    attacker.run(["mkfifo", fifo])
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    jobs = {"f%d" % i: {"command": child("exit", 0), "user": attacker.name,
                        "environment_file": fifo} for i in range(6)}
    jobs["ok"] = {"command": child("exit", 0), "user": attacker.name}
    d = start_units(jobd, jobs=jobs)
    ids = [d.start_run("f%d" % i) for i in range(6)]
    for rid in ids:
        run = d.wait_run(rid)
        assert run["result"] == "failed", run
        assert run["reason"] == "exec: environment file '%s': not a " \
            "regular file" % fifo, run
    assert d.wait_run(d.start_run("ok"))["result"] == "success"


def cmdlines_with(needle):
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            data = Path("/proc/%s/cmdline" % pid).read_bytes()
        except OSError:
            continue
        if needle.encode() in data:
            found.append((int(pid), data))
    return found


class CmdlineWatch:
    """Scans every /proc/PID/cmdline in a thread, as any local user can,
    and keeps what carried needle."""

    def __init__(self, needle):
        import threading
        self.needle = needle.encode()
        self.hits = []
        self.stop = False
        self.thread = threading.Thread(target=self._scan, daemon=True)
        self.thread.start()

    def _scan(self):
        while not self.stop:
            for pid in os.listdir("/proc"):
                if not pid.isdigit():
                    continue
                try:
                    data = Path("/proc/%s/cmdline" % pid).read_bytes()
                except OSError:
                    continue
                if self.needle in data:
                    self.hits.append(data)

    def close(self):
        self.stop = True
        self.thread.join(10)
        return self.hits


def test_stdin_data_is_not_on_a_command_line(jobd, attacker):
    """A hook's input (the failed run's output) and stdin=data: go through
    a memfd: /proc/PID/cmdline is readable by every user.  Before, both
    were jobd-exec's arguments until it exec'd the command."""
    marker = "jda-secret-%d" % os.getpid()
    d = start_units(jobd, jobs={
        "failing": {"command": child("eprint", 1, marker + "-tail",
                                     "exit", 3),
                    "on_failure": "hook", "user": attacker.name},
        "hook": {"command": "cat", "user": attacker.name},
        "data": {"command": "cat", "user": attacker.name,
                 "stdin": "data:%s-data" % marker}})
    watch = CmdlineWatch(marker)
    try:
        for job in ("data", "failing") * 20:
            d.wait_run(d.start_run(job))
        wait_for(lambda: len([r for r in history(d, "hook")
                              if r.get("result")]) >= 20, 20, "20 hooks")
    finally:
        hits = watch.close()
    # The children themselves had it on stdin.
    assert marker + "-data" in d.jobctl("logs", "data")[1]
    assert marker + "-tail" in d.jobctl("logs", "hook")[1]
    # Only the failing job's own command line carries the marker.
    assert [h for h in hits if b"eprint" not in h] == []


# ------------------------------------------------------------ output_file=

def root_only_file(workdir, name, text):
    f = workdir / name
    f.write_text(text)
    os.chmod(f, 0o600)
    return f


def warned(d, text):
    return text in d.log_text()


def test_output_file_symlink_is_not_followed(jobd, attacker, attacker_dir,
                                             workdir):
    canary = root_only_file(workdir, "canary", "root's own\n")
    link = attacker_dir / "app.log"
    os.symlink(canary, link)
    os.lchown(link, attacker.uid, attacker.gid)
    d = start_units(jobd, jobs={"j": {
        "command": child("print", 3, "injected"), "user": attacker.name,
        "output": "file", "output_file": link}})
    run = d.wait_run(d.start_run("j"))
    assert run["result"] == "success", run
    wait_for(lambda: warned(d, "'%s' is a symbolic link" % link), 10,
             "the refusal in jobd's log")
    assert canary.read_text() == "root's own\n"
    # The lines are still in the run's tail.
    assert "injected 3" in d.jobctl("logs", "j")[1]


def test_output_file_directory_symlink_is_not_followed(jobd, attacker,
                                                       attacker_dir,
                                                       workdir):
    """Rotation renamed and created files as root in the directory a
    symbolic link of the job's user pointed to."""
    root_dir = workdir / "root-dir"
    root_dir.mkdir(mode=0o700)
    (root_dir / "app.log").write_text("root's\n")
    link = attacker_dir / "logs"
    os.symlink(root_dir, link)
    os.lchown(link, attacker.uid, attacker.gid)
    d = start_units(jobd, jobs={"j": {
        "command": child("print", 200, "x" * 50), "user": attacker.name,
        "output": "file", "output_file": link / "app.log",
        "output_file_max": 1024, "output_file_keep": 2}})
    run = d.wait_run(d.start_run("j"))
    assert run["result"] == "success", run
    wait_for(lambda: warned(d, "is a symbolic link of uid %d" % attacker.uid),
             10, "the refusal in jobd's log")
    assert sorted(p.name for p in root_dir.iterdir()) == ["app.log"]
    assert (root_dir / "app.log").read_text() == "root's\n"


def test_root_job_log_in_a_users_directory_is_refused(jobd, attacker,
                                                      attacker_dir):
    """A root job's output_file= in a directory another user can write:
    that user could swap the file for a link at any time."""
    d = start_units(jobd, jobs={"j": {
        "command": child("print", 1, "line"), "output": "file",
        "output_file": attacker_dir / "root-job.log"}})
    run = d.wait_run(d.start_run("j"))
    assert run["result"] == "success", run
    wait_for(lambda: warned(d, "directory '%s' belongs to uid %d"
                            % (attacker_dir, attacker.uid)), 10, "refusal")
    assert not (attacker_dir / "root-job.log").exists()


def test_output_file_fifo_blocks_nothing(jobd, attacker, attacker_dir):
    """FIFOs as log files held every executor thread, and with them every
    user= run of every job."""
    jobs = {}
    for i in range(6):
        fifo = attacker_dir / ("f%d.log" % i)
        attacker.run(["mkfifo", fifo])
        jobs["f%d" % i] = {"command": child("print", 1, "x"),
                           "user": attacker.name, "output": "file",
                           "output_file": fifo}
    jobs["ok"] = {"command": child("exit", 0), "user": attacker.name}
    d = start_units(jobd, jobs=jobs)
    ids = [d.start_run("f%d" % i) for i in range(6)]
    assert d.wait_run(d.start_run("ok"), timeout=10)["result"] == "success"
    for rid in ids:
        assert d.wait_run(rid, timeout=10)["result"] == "success"
    wait_for(lambda: warned(d, "f0.log' is not a regular file"), 10,
             "the refusal in jobd's log")


def test_users_own_log_directory_works(jobd, attacker, attacker_dir):
    """The legitimate case: the job's user's own directory, made on
    demand, rotated, the files its own."""
    log = attacker_dir / "logs" / "app.log"
    d = start_units(jobd, jobs={"j": {
        "command": child("print", 100, "y" * 40), "user": attacker.name,
        "output": "file", "output_file": log,
        "output_file_max": 1024, "output_file_keep": 2}})
    run = d.wait_run(d.start_run("j"))
    assert run["result"] == "success", run
    wait_for(lambda: (attacker_dir / "logs" / "app.log.1").exists(), 10,
             "rotation")
    for p in (log.parent, log, log.parent / "app.log.1"):
        st = os.stat(p)
        assert (st.st_uid, st.st_gid) == (attacker.uid, attacker.gid), p


# ------------------------------------------------------------ MAINPID=

NOTIFY_PY = """import os, socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
msg = "READY=1\\nMAINPID=%s" % sys.argv[1]
s.sendto(msg.encode(), os.environ["NOTIFY_SOCKET"])
time.sleep(60)
"""


def notify_service(attacker, workdir, script):
    """A service as the attacker that says READY=1 and MAINPID=<arg>:
    script is sh code in which PY runs the notifier."""
    os.chmod(workdir, 0o755)
    py = workdir / "notify.py"
    py.write_text(NOTIFY_PY)
    os.chmod(py, 0o644)
    return {"command": "sh -c '%s'" % script.replace(
        "PY", "/usr/bin/python3 %s" % py),
        "user": attacker.name, "ready": "notify", "start_timeout": "10s"}


def test_mainpid_of_another_process_is_ignored(jobd, attacker, workdir):
    """A service names a root process as its main pid; an admin's
    `jobctl signal` must not reach it."""
    victim = subprocess.Popen(["sleep", "60"])
    try:
        d = start_units(jobd, services={"svc": notify_service(
            attacker, workdir, "exec PY %d" % victim.pid)})
        wait_for(lambda: d.job_status("svc")["job"]["service"]["state"]
                 == "ready", 10, "svc ready")
        wait_for(lambda: "ignoring MAINPID=%d" % victim.pid in d.log_text(),
                 10, "the warning")
        rc, out, err = d.jobctl("signal", "svc", "TERM")
        assert rc == 0, err
        assert victim.poll() is None, "the victim was signalled"
    finally:
        victim.kill()
        victim.wait()


def test_mainpid_of_its_own_child_is_used(jobd, attacker, workdir):
    """The legitimate case: a daemon's real main process, a child of the
    first, in the run's session."""
    pidfile = attacker.home / "main.pid"
    d = start_units(jobd, services={"svc": notify_service(
        attacker, workdir, "sleep 60 & echo $! > %s; exec PY $!"
        % pidfile)})
    wait_for(lambda: d.job_status("svc")["job"]["service"]["state"]
             == "ready", 10, "svc ready")
    main = int(pidfile.read_text())
    assert d.job_status("svc")["job"]["service"]["pid"] == main
    rc, out, err = d.jobctl("signal", "svc", "TERM")
    assert rc == 0, err
    wait_for(lambda: not os.path.exists("/proc/%d" % main) or
             open("/proc/%d/stat" % main).read().split(")")[1].split()[0]
             == "Z", 10, "the main process to get SIGTERM")
