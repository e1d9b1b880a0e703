"""jobctl import supervisord: real supervisord configs (tests/data/import/
supervisord, see its SOURCES) become conf.d files that jobd --check takes
unchanged, with every source line accounted for (an origin comment above
what it became, or listed as not mapped with the reason); what each key
became is asserted, and supervisord's own option parser (Debian's
supervisor package, supervisord_oracle.py) says what the processes are."""
import json
import os
import re
import shlex
from pathlib import Path

import pytest

from conftest import JOBCTL, child, run_cmd, wait_for, wait_service

HERE = Path(__file__).resolve().parent
DATA = HERE.parent / "data" / "import" / "supervisord"
ORACLE = HERE / "supervisord_oracle.py"
PYTHON = "/usr/bin/python3"


def imp(*args, cwd=None, env=None, input=None):
    """jobctl import supervisord ARGS; (rc, stdout, stderr)."""
    argv = [JOBCTL, "import", "supervisord"] + [str(a) for a in args]
    e = dict(os.environ, **(env or {}))
    import subprocess
    p = subprocess.run(argv, capture_output=True, cwd=cwd, env=e,
                       input=input.encode() if input else None,
                       stdin=None if input else subprocess.DEVNULL,
                       timeout=30)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def imported(rel, env=None):
    """The conf.d file made from DATA/rel (run in DATA, so origins name
    the files as rel does)."""
    rc, out, err = imp(rel, cwd=DATA, env=env)
    assert rc == 0, err
    return out


def check_passes(jobd, text):
    """Writes text as a conf.d file of a fresh jobd and runs --check."""
    d = jobd(start=False)
    (d.confd / "50-import.conf").write_text(text)
    rc, out, err = run_cmd(d.argv("--check"))
    assert rc == 0, "jobd --check failed:\n%s%s\n---\n%s" % (out, err, text)
    assert "configuration OK" in out
    return d


def sections(text):
    """[(header, {key: [values]})] of a jobd file, continuations joined."""
    result, cur, last = [], None, None
    for line in text.splitlines():
        if re.match(r"^\s*[#;]", line) or not line.strip():
            continue
        if line.startswith("[") and line.rstrip().endswith("]"):
            cur = {}
            result.append((line.strip()[1:-1], cur))
        elif line[0] in " \t":
            cur[last][-1] += " " + line.strip()
        else:
            key, _, value = line.partition("=")
            last = key.strip()
            cur.setdefault(last, []).append(value.strip())
    return result


def section(text, header):
    found = [keys for h, keys in sections(text) if h == header]
    assert len(found) == 1, "%d [%s] in:\n%s" % (len(found), header, text)
    return found[0]


def one(keys, key):
    assert len(keys.get(key, [])) == 1, "%s= in %r" % (key, keys)
    return keys[key][0]


def unmapped(text):
    """{(file, line): reason} of the "Not mapped" list."""
    out, lines = {}, text.splitlines()
    for i, line in enumerate(lines):
        m = re.match(r"^#   (.+?):(\d+): ", line)
        if m and i + 1 < len(lines):
            reason = re.match(r"^#     -> (.*)$", lines[i + 1])
            assert reason, lines[i + 1]
            out[(m.group(1), int(m.group(2)))] = reason.group(1)
    return out


def origins(text):
    """{(file, line)} of the origin comments (and header lines)."""
    return {(m.group(1), int(m.group(2))) for m in
            re.finditer(r"^# (\S+?):(\d+): ", text, re.M)}


def assert_all_accounted(text, files):
    """Every line of each source file that is not blank nor a comment is
    an origin or listed as not mapped, and no line is both."""
    listed, mapped = set(unmapped(text)), origins(text)
    assert not listed & mapped, listed & mapped
    for name in files:
        src = (DATA / name) if not os.path.isabs(name) else Path(name)
        for n, line in enumerate(src.read_text().splitlines(), 1):
            s = line.strip()
            if not s or s[0] in "#;":
                continue
            assert (name, n) in listed | mapped, \
                "%s:%d is neither mapped nor listed: %s\n%s" % (
                    name, n, line, text)


def oracle(rel, env=None):
    """supervisord's own reading of DATA/rel."""
    if not os.path.exists(PYTHON):
        pytest.fail("Debian's python3 is needed for the supervisord oracle")
    rc, out, err = run_cmd([PYTHON, str(ORACLE), str(DATA / rel)],
                           env=dict(os.environ, **(env or {})))
    assert rc == 0, "supervisord's parser failed (is the supervisor " \
        "package installed?):\n" + err
    return json.loads(out)


def assert_agrees_with_supervisord(text, rel, env=None):
    """Each process supervisord would run is a service here with the same
    command words, environment and restart, start and stop settings."""
    o = oracle(rel, env)
    defaults = dict(sections(text)[0][1]) if sections(text) and \
        sections(text)[0][0] == "defaults" else {}
    base_env = env_of(defaults)
    sigs = {"1": "HUP", "2": "INT", "3": "QUIT", "9": "KILL", "10": "USR1",
            "12": "USR2", "15": "TERM"}
    assert o["processes"], "the oracle found no process in %s" % rel
    for p in o["processes"]:
        keys = section(text, "service " + p["name"])
        assert shlex.split(one(keys, "command")) == \
            shlex.split(p["command"]), p
        assert dict(base_env, **env_of(keys)) == p["environment"], p
        assert keys.get("autostart", ["yes"])[0] == \
            ("yes" if p["autostart"] else "no"), p
        assert keys.get("restart", ["on-failure"])[0] == p["restart"], p
        assert keys.get("ready_after", ["1s"])[0] == "%ds" % p["startsecs"]
        assert keys.get("stop_timeout", ["10s"])[0] == \
            "%ds" % p["stopwaitsecs"]
        assert keys.get("stop_signal", ["TERM"])[0] == \
            sigs[str(p["stopsignal"])]
        assert sorted(int(x) for x in keys.get(
            "success_exit_status", [""])[0].split()) == \
            sorted(c for c in p["exitcodes"] if c != 0)
        if p["directory"]:
            assert one(keys, "working_directory") == p["directory"]
    return o


def env_of(keys):
    env = {}
    for v in keys.get("environment", []):
        for word in shlex.split(v):
            k, _, val = word.partition("=")
            env[k] = val
    return env


# ------------------------------------------------------------ real files

def test_debian_supervisord_conf(jobd):
    text = imported("debian/supervisord.conf")
    check_passes(jobd, text)
    assert_all_accounted(text, ["debian/supervisord.conf"])
    u = unmapped(text)
    f = "debian/supervisord.conf"
    assert u[(f, 3)].startswith("not needed: jobctl talks to jobd's")
    assert "unix_http_server" in u[(f, 4)]
    assert u[(f, 7)] == "supervisord's own settings"
    assert u[(f, 9)].startswith("jobd keeps no pid file")
    assert "Varlink" in u[(f, 15)]
    assert u[(f, 18)].startswith("not needed: jobctl finds jobd's socket")
    # [include] files=/etc/supervisor/conf.d/*.conf: followed (the
    # machine's own files) and said so in the header.
    assert re.search(r"^# debian/supervisord.conf:28: files = "
                     r"/etc/supervisor/conf.d/\*\.conf$", text, re.M)
    assert re.search(r"^#   -> (no file matches /etc/supervisor/conf.d/"
                     r"\*\.conf|read /etc/supervisor/conf.d/)", text, re.M)


def test_supervisor_sample_conf(jobd):
    text = imported("supervisor/sample.conf")
    check_passes(jobd, text)
    assert_all_accounted(text, ["supervisor/sample.conf"])
    assert not [h for h, _ in sections(text) if h.startswith("service")]
    reasons = set(unmapped(text).values())
    assert any(r.startswith("not needed: jobctl talks") for r in reasons)
    assert any("Varlink" in r for r in reasons)
    assert any(r.startswith("jobd runs in the foreground") for r in reasons)


def test_supervisor_include_and_here(jobd):
    text = imported("supervisor/include.conf")
    check_passes(jobd, text)
    assert "#   -> read ./example/included.conf" in text.splitlines() \
        or "#   -> read supervisor/./example/included.conf" in text
    assert_all_accounted(text, ["supervisor/include.conf"])
    inc = "supervisor/./example/included.conf"
    u = unmapped(text)
    # The included file's [supervisord] adds to the main file's.
    assert u[(inc, 1)].startswith("[supervisord] again")
    assert u[(inc, 2)].startswith("output=file writes")


def test_supervisord_environment_and_env_expansion(jobd):
    rel = "supervisor/issue-1170a.conf"
    text = imported(rel)
    check_passes(jobd, text)
    assert_all_accounted(text, [rel])
    defaults = section(text, "defaults")
    assert env_of(defaults) == {"FOO": "set from [supervisord] section"}
    echo = section(text, "service echo")
    # %(ENV_FOO)s from [supervisord] environment=, as supervisord does.
    assert shlex.split(one(echo, "command")) == [
        "bash", "-c", "echo 'set from [supervisord] section'"]
    assert one(echo, "restart") == "no"
    assert one(echo, "start_limit_burst") == "1"
    assert one(echo, "ready_after") == "0s"
    assert_agrees_with_supervisord(text, rel)


def test_eventlisteners_are_listed(jobd):
    for rel in ("supervisor/issue-733.conf", "supervisor/issue-565.conf"):
        text = imported(rel)
        check_passes(jobd, text)
        assert_all_accounted(text, [rel])
        listed = [r for (f, n), r in unmapped(text).items()
                  if r.startswith("jobd has no event listeners")]
        assert len(listed) == 1, text
        assert_agrees_with_supervisord(text, rel)
    text = imported("supervisor/issue-733.conf")
    cmd = one(section(text, "service nonexistent"), "command")
    assert cmd == str(DATA / "supervisor") + "/nonexistent"
    text = imported("supervisor/issue-565.conf")
    u = unmapped(text)
    assert u[("supervisor/issue-565.conf", 18)].startswith(
        "events for [eventlistener] sections")


def test_supervisor_doc_program_every_key(jobd):
    rel = "supervisor/doc-program.conf"
    text = imported(rel)
    check_passes(jobd, text)
    assert_all_accounted(text, [rel])
    cat = section(text, "service cat")
    want = {"command": "/bin/cat", "working_directory": "/tmp",
            "umask": "0022", "autostart": "yes", "restart": "on-failure",
            "ready_after": "10s", "start_limit_burst": "4",
            "stop_signal": "TERM", "stop_timeout": "10s",
            "user": "chrism", "output": "file", "output_file": "/a/path",
            "output_file_max": "1048576", "output_file_keep": "10",
            "environment": "A=1 B=2"}
    for key, value in want.items():
        assert one(cat, key) == value, (key, cat)
    u = unmapped(text)
    assert set(r for (f, n), r in u.items()) == {
        "events for [eventlistener] sections, which jobd has not "
        "(jobctl events streams jobd's)",
        "not needed: jobctl talks to jobd's socket"}
    assert len(u) == 5          # 2 capture, 2 events, serverurl
    assert "# exit status 0 is clean in jobd too" in text
    assert "stdout and stderr go to one place in jobd" not in text
    assert_agrees_with_supervisord(text, rel)


def test_supervisor_doc_group_fcgi_eventlistener(jobd):
    rel = "supervisor/doc-sections.conf"
    text = imported(rel)
    check_passes(jobd, text)
    assert_all_accounted(text, [rel])
    u = unmapped(text)
    assert u[(rel, 1)] == "no program of it was mapped"
    assert u[(rel, 2)] == "in [group:foo], not mapped"
    assert u[(rel, 5)].startswith("jobd does not hand a service a "
                                  "listening socket")
    fcgi = [r for (f, n), r in u.items() if 5 < n < 37]
    assert fcgi and all(r == "in [fcgi-program:fcgiprogramname], "
                        "not mapped" for r in fcgi)
    assert u[(rel, 38)].startswith("jobd has no event listeners")
    assert sections(text) == []


def test_celery_include_group_and_numprocs(jobd):
    rel = "celery/supervisord.conf"
    text = imported(rel)
    check_passes(jobd, text)
    assert_all_accounted(text, [rel, "celery/celeryd.conf",
                                "celery/celerybeat.conf"])
    assert "#   -> read celery/celeryd.conf" in text
    assert "#   -> read celery/celerybeat.conf" in text
    assert env_of(section(text, "defaults")) == {
        "CELERY_BROKER_URL": "redis://localhost:6379/0",
        "DJANGO_SETTINGS_MODULE": "proj.settings"}
    assert one(section(text, "group celery"), "units") == \
        "celeryworker-0 celeryworker-1 celerybeat"
    w1 = section(text, "service celeryworker-1")
    # A continued command, %(process_num)d and %% as supervisord reads them.
    assert shlex.split(one(w1, "command"))[-1] == "--hostname=worker1@%h"
    assert one(w1, "output_file") == "/var/log/celery/celeryworker-1.log"
    assert one(w1, "output_file_max") == str(50 * 1024 * 1024)
    assert one(w1, "restart") == "always"
    assert one(w1, "stop_timeout") == "600s"
    beat = section(text, "service celerybeat")
    assert one(beat, "stop_signal") == "INT"
    assert one(beat, "output_file") == "/var/log/celery/beat.log"
    # No [group celeryworker]: the workers are in [group:celery].
    assert [h for h, _ in sections(text) if h.startswith("group")] == \
        ["group celery"]
    assert_agrees_with_supervisord(text, rel)


def test_laravel_worker_numprocs(jobd):
    rel = "laravel/laravel-worker.conf"
    text = imported(rel)
    check_passes(jobd, text)
    assert_all_accounted(text, [rel])
    names = ["laravel-worker_%02d" % i for i in range(8)]
    assert [h for h, _ in sections(text)] == \
        ["service " + n for n in names] + ["group laravel-worker"]
    assert one(section(text, "group laravel-worker"), "units") == \
        " ".join(names)
    for n in names:
        keys = section(text, "service " + n)
        assert one(keys, "output_file") == "/home/forge/app.com/worker.log"
        assert one(keys, "stop_timeout") == "3600s"
        assert one(keys, "user") == "forge"
    # The first process says where each key came from, the others not.
    assert text.count("# laravel/laravel-worker.conf:3: command=") == 1
    assert_agrees_with_supervisord(text, rel)


def test_docker_style_config(jobd):
    rel = "docker/supervisord.conf"
    text = imported(rel, env={"APP_ENV": "from-jobctl"})
    check_passes(jobd, text)
    assert_all_accounted(text, [rel])
    nginx = section(text, "service nginx")
    assert one(nginx, "output") == "inherit"
    assert one(nginx, "restart") == "always"
    php = section(text, "service php-fpm")
    assert one(php, "success_exit_status") == "2"
    assert one(php, "stop_signal") == "QUIT"
    assert [h for h, _ in sections(text) if h.startswith("service queue")] \
        == ["service queue_1", "service queue_2", "service queue_3"]
    q2 = section(text, "service queue_2")
    # [supervisord] environment= wins over jobctl's own APP_ENV.
    assert "--queue=production-default" in one(q2, "command")
    assert env_of(q2) == {"QUEUE_NAME": "queue_2",
                          "PHP_MEMORY_LIMIT": "256M"}
    assert one(q2, "start_limit_burst") == "6"
    assert one(section(text, "group web"), "units") == "nginx php-fpm"
    assert one(section(text, "group queue"), "units") == \
        "queue_1 queue_2 queue_3"
    u = unmapped(text)
    assert u[(rel, 20)] == "unknown key: supervisord ignores it"
    assert u[(rel, 49)].startswith("jobd has no event listeners")
    assert_agrees_with_supervisord(text, rel, env={"APP_ENV": "x"})


# ------------------------------------------------------- what jobd does

def test_imported_services_run_and_group_works(jobd, workdir):
    conf = workdir / "sv.conf"
    conf.write_text(
        "[program:web]\n"
        "command=%s\n"
        "process_name=web_%%(process_num)d\n"
        "numprocs=2\n"
        "startsecs=0\n"
        "\n"
        "[program:db]\n"
        "command=%s\n"
        "startsecs=0\n"
        "\n"
        "[group:backend]\n"
        "programs=db\n" % (child("sleep", 300), child("sleep", 300)))
    d = jobd(start=False)
    rc, out, err = imp(conf, "-o", d.confd / "50-sv.conf")
    assert rc == 0 and out == "", err
    d.start()
    for name in ("web_0", "web_1", "db"):
        wait_service(d, name, ["ready"])
    rc, out, err = d.jobctl("stop", "web", "--wait")
    assert rc == 0, err
    for name in ("web_0", "web_1"):
        wait_service(d, name, ["stopped"])
    rc, out, err = d.jobctl("--json", "status", "backend")
    assert rc == 0, err
    assert [j["job"]["name"] for j in json.loads(out)["jobs"]] == ["db"]


# ------------------------------------------------------------ bad input

def test_unreadable_file_is_an_error(workdir):
    rc, out, err = imp(workdir / "nope.conf")
    assert rc == 1 and out == ""
    assert "jobctl: import: %s: No such file or directory" % (
        workdir / "nope.conf") in err
    rc, out, err = imp(workdir)
    assert rc == 1 and "Is a directory" in err, err


def test_stdin_and_output_file(jobd, workdir):
    src = "[program:a]\ncommand=/bin/sleep 1\n"
    rc, out, err = imp("-", input=src)
    assert rc == 0, err
    assert "# stdin:1: [program:a]\n[service a]\n" in out
    assert "# stdin:2: command=/bin/sleep 1\ncommand=/bin/sleep 1\n" in out
    dest = workdir / "out.conf"
    rc, out2, err = imp("-", "-o", dest, input=src)
    assert rc == 0 and out2 == "", err
    assert dest.read_text() == out
    rc, out3, err = imp("-", "-o", workdir / "no" / "dir.conf", input=src)
    assert rc == 1 and "jobctl: import:" in err


def test_lines_supervisord_would_refuse_are_listed(jobd, workdir):
    src = ("orphan=1\n"                                 # 1 no section
           "[program:a]\n"                              # 2
           "command=/bin/echo 100%\n"                   # 3 bad %
           "command=/bin/echo %(ENV_NO_SUCH_VAR_X)s\n"  # 4 unknown ENV
           "this is not ini\n"                          # 5
           "autostart=maybe\n"                          # 6
           "colour=blue\n"                              # 7 unknown key
           "[program:b]\n"                              # 8
           "command=/bin/true\n"                        # 9
           "numprocs=2\n"                               # 10
           "[program:c]\n"                              # 11 no command
           "directory=relative/dir\n"                   # 12
           "[program:d]\n"                              # 13
           "command = /bin/true ; a comment\n"          # 14
           "directory=relative\n"                       # 15
           "environment=A=1,2B=x\n"                     # 16
           "stopsignal=NOPE\n"                          # 17
           "exitcodes=0,300\n"                          # 18
           "[program:d]\n"                              # 19 again
           "startsecs=-1\n"                             # 20
           "[group:g]\n"                                # 21
           "programs=b,d,zz\n")                         # 22
    f = workdir / "bad.conf"
    f.write_text(src)
    rc, out, err = imp("bad.conf", env={"NO_SUCH_VAR_X": "x  y"}, cwd=workdir)
    assert rc == 0, err
    check_passes(jobd, out)
    u = {n: r for (name, n), r in unmapped(out).items()}
    assert u[1].startswith("before any [section]")
    assert u[3] == "command= given again at bad.conf:4; supervisord " \
        "takes the last"
    assert u[5].startswith("not a [section], key=value or comment")
    assert u[6] == "not a boolean: supervisord refuses it"
    assert u[7] == "unknown key: supervisord ignores it"
    assert u[8].startswith("numprocs > 1 needs %(process_num)")
    assert u[9] == u[10] == "in [program:b], not mapped"
    assert u[11] == "no command=: supervisord refuses the program"
    assert u[15] == "not an absolute path"
    assert u[16] == "'2B' is no variable name jobd takes"
    assert u[17] == "not a signal: supervisord refuses it"
    assert u[18].startswith("not a list of exit codes 0-255")
    assert u[19].startswith("[program:d] again")
    assert u[20] == "not a whole number from 0"
    # ENV_NO_SUCH_VAR_X is set in jobctl's environment: used (split as
    # supervisord splits the command), and said so.
    a = section(out, "service a")
    assert one(a, "command") == "/bin/echo x y"
    assert "taken from jobctl's environment now" in out
    d = section(out, "service d")
    assert one(d, "command") == "/bin/true"
    g = section(out, "group g")
    assert one(g, "units") == "d"
    assert "# left out: b (not mapped), zz (no such program)" in out
    assert_all_accounted_in(out, f)


def assert_all_accounted_in(text, path):
    listed, mapped = set(unmapped(text)), origins(text)
    for n, line in enumerate(path.read_text().splitlines(), 1):
        s = line.strip()
        if s and s[0] not in "#;":
            assert (path.name, n) in listed | mapped, (n, line, text)


def test_bad_expansions_are_listed(jobd, workdir):
    f = workdir / "exp.conf"
    f.write_text("[program:a]\n"
                 "command=/bin/echo %(ENV_SURELY_UNSET_VAR_Q)s\n"
                 "[program:b]\n"
                 "command=/bin/echo %(program_name)d\n"
                 "[program:c]\n"
                 "command=/bin/echo %(here)s %(host_node_name)s\n"
                 "stdout_logfile=%(here)s/c.log\n")
    env = dict(os.environ)
    env.pop("SURELY_UNSET_VAR_Q", None)
    rc, out, err = imp("exp.conf", cwd=workdir)
    assert rc == 0, err
    check_passes(jobd, out)
    u = {n: r for (name, n), r in unmapped(out).items()}
    assert "ENV_SURELY_UNSET_VAR_Q" in u[1] and \
        "not in jobctl's environment" in u[1]
    assert "a number is needed, 'b' is text" in u[3]
    c = section(out, "service c")
    assert shlex.split(one(c, "command"))[1] == str(workdir)
    assert one(c, "output_file") == "%s/c.log" % workdir
