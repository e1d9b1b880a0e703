"""jobctl import crontab: the cron.d files Debian packages ship and
Debian's /etc/crontab (copies in tests/data/import, sources named in
tests/data/import/SOURCES) become conf.d files that pass jobd --check
with every line accounted for, and whose jobs fire when cron would: for
every line, `jobctl next` (the first 1000 firings) and `jobctl calendar`
over the whole of 2027 are compared with the minutes at which Debian
cron's own parser and matching test (tests/oracle) run it.  A user
crontab with MAILTO, SHELL, HOME, CRON_TZ, '%' and bad lines is checked
line by line, and its jobs run as the crontab's user with cron's stdin.
"""
import os
import re
import sys
import time
from pathlib import Path

import pytest

from conftest import JOBCTL, JOBD, run_cmd

HERE = Path(__file__).resolve().parent
DATA = HERE.parent / "data" / "import"
sys.path.insert(0, str(HERE.parent / "oracle"))
import cron_oracle  # noqa: E402

SYSTEM_FILES = [DATA / "crontab"] + sorted((DATA / "cron.d").iterdir())
YEAR_START = 1798761600             # 2027-01-01 00:00 UTC
YEAR_END = 1830297600               # 2028-01-01 00:00 UTC


def jobctl_import(*args, input=None):
    return run_cmd([JOBCTL, "import"] + [str(a) for a in args],
                   input=input.encode() if input else None)


def daemon_with(jobd, text):
    """A jobd (not started) whose conf.d holds text as imported.conf,
    written as is (the helper's own writer bounds lines for inih)."""
    d = jobd(start=False)
    (d.confd / "imported.conf").write_text(text)
    return d


def check_config(d):
    rc, out, err = run_cmd([JOBD, "--check", "--config", str(d.conf)])
    assert rc == 0, "jobd --check failed:\n%s%s" % (out, err)


def sections(text):
    """[(kind, name, {key: [values]})] in file order."""
    found = []
    for line in text.splitlines():
        m = re.match(r"^\[(\w+)(?: (.+))?\]$", line)
        if m:
            found.append((m.group(1), m.group(2), {}))
        elif found and "=" in line and not line.startswith("#"):
            k, v = line.split("=", 1)
            found[-1][2].setdefault(k, []).append(v)
    return found


def jobs_of(text):
    return [(name, keys) for kind, name, keys in sections(text)
            if kind == "job"]


def assert_accounted(text, label, source):
    """Every non-blank line of the source is above what it became or in
    the list of lines not mapped."""
    for n, line in enumerate(source.splitlines(), 1):
        if not line.strip():
            continue
        mapped = "# %s:%d: " % (label, n) in text
        unmapped = "#   %s:%d: " % (label, n) in text
        assert mapped or unmapped, "line %d (%r) is not accounted for:\n%s" \
            % (n, line, text)


@pytest.fixture(scope="module")
def oracle():
    try:
        return cron_oracle.build(Path(JOBD).parent / "oracle")
    except Exception as e:      # noqa: BLE001 - say what failed
        pytest.fail("building the cron oracle (Debian cron's parser) "
                    "failed: %s" % e)


def calendar_year(d, expr):
    """Every elapse of expr in 2027 (UTC), from jobctl calendar in
    steps of 1000."""
    got, base = [], YEAR_START - 1
    while True:
        r = d.jobctl_json("calendar", expr, "--timezone", "UTC",
                          "--base", "@%d" % base, "-n", "1000")
        usecs = [e["usec"] // 1000000 for e in r["elapses"]]
        got += [t for t in usecs if t < YEAR_END]
        if not usecs or usecs[-1] >= YEAR_END or len(usecs) < 1000:
            return got
        base = usecs[-1]


def compare_with_cron(d, oracle, text, source, system):
    jobs = jobs_of(text)
    now = int(time.time())
    # Every entry's year in 2027, and from now on for jobctl next.
    year = cron_oracle.times(oracle, source, YEAR_START, YEAR_END, system)
    horizon = now + 3 * 366 * 86400
    ahead = cron_oracle.times(oracle, source, now + 1, horizon, system)
    for i, (name, keys) in enumerate(jobs):
        sched = keys["schedule"][0]
        if sched == "@reboot":
            assert i not in year
            continue
        assert year[i] and calendar_year(d, sched) == year[i], name
        nxt = [e["usec"] // 1000000 for e in
               d.jobctl_json("next", name, "-n", "1000")["elapses"]]
        # A slot due while jobctl next ran may be in either list.
        edge = int(time.time()) + 1
        nxt = [t for t in nxt if edge < t < horizon]
        want = [t for t in ahead[i] if t > edge][:len(nxt)]
        assert len(nxt) >= min(998, len(ahead[i]) - 2), name
        assert nxt == want, "%s: jobctl next and cron differ" % name
    return jobs


@pytest.mark.parametrize("path", SYSTEM_FILES, ids=lambda p: p.name)
def test_debian_cron_file(jobd, oracle, monkeypatch, path):
    monkeypatch.setenv("TZ", "UTC")
    rc, text, err = jobctl_import("crontab", "--system", path)
    assert rc == 0, err
    source = path.read_text()
    assert "Not mapped" not in text and "Every line was mapped." in text
    assert_accounted(text, str(path), source)
    d = daemon_with(jobd, text)
    check_config(d)
    d.start()
    jobs = jobs_of(text)
    for name, _ in jobs:
        d.jobctl("pause", name)
    entries = [line for line in source.splitlines()
               if re.match(r"^\s*[0-9*@]", line)]
    assert len(jobs) == len(entries) >= 1
    for (name, keys), entry in zip(jobs, entries):
        fields = entry.split()
        n = 1 if fields[0].startswith("@") else 5
        assert keys["schedule"] == [" ".join(fields[:n])]
        assert keys["user"] == [fields[n]]
        assert keys["shell"] == ["yes"]
        assert keys["working_directory"] == ["~"]
        assert keys["command"] == [entry.split(None, n + 1)[n + 1]
                                   .replace("\\%", "%")]
    compare_with_cron(d, oracle, text, source, system=True)


def test_names_come_from_the_commands():
    rc, text, err = jobctl_import("crontab", "--system", *SYSTEM_FILES)
    assert rc == 0, err
    assert [n for n, _ in jobs_of(text)] == [
        "cron.hourly", "cron.daily", "cron.weekly", "cron.monthly",
        "anacron", "certbot", "e2scrub_all_cron", "e2scrub_all",
        "logcheck", "logcheck-2", "checkarray", "rotate-stats",
        "sessionclean", "debian-sa1", "debian-sa1-2"]
    # Stable: the same files give the same file.
    assert jobctl_import("crontab", "--system", *SYSTEM_FILES)[1] == text
    # Each file's SHELL and PATH are its own: put back when one begins.
    assert text.count("environment=SHELL=/bin/sh PATH=/usr/bin:/bin") == \
        len(SYSTEM_FILES)
    # logcheck's MAILTO=root: an alert with mail=root on its two jobs.
    kinds = sections(text)
    alerts = [(n, k) for kind, n, k in kinds if kind == "alert"]
    assert alerts == [("mail-root", {"mail": ["root"]})]
    with_alert = [n for n, k in jobs_of(text) if k.get("alert")]
    assert with_alert == ["logcheck", "logcheck-2"]


USER_CRONTAB = r"""MAILTO="ops@example.com, root"
SHELL=/bin/bash
CRON_TZ=Europe/Berlin
GREETING = 'hello there'
# tell the team
0 9 * * 1-5 cat > {dir}/standup.txt%Standup in 5 minutes.%Bring coffee \% tea
@daily /usr/local/bin/backup.sh --full
0 0 * * 5#3 /bin/third-friday
H 0 * * * /bin/hashed
0 0 31 2 * /bin/never
garbage line
*/5 * * * * id -un > {dir}/who; pwd >> {dir}/who; echo "$0 $GREETING" >> {dir}/who
MAILTO=""
@reboot /usr/bin/startup
9FOO=bar
17 * * * * root cd / && run-parts /etc/cron.hourly
"""


def test_user_crontab(jobd, attacker, workdir):
    os.chmod(workdir, 0o755)
    out = workdir / "out"
    out.mkdir()
    os.chown(out, attacker.uid, attacker.gid)
    source = USER_CRONTAB.format(dir=out)
    rc, text, err = jobctl_import("crontab", "--user", attacker.name, "-",
                                  input=source)
    assert rc == 0, err
    assert_accounted(text, "stdin", source)
    # The lines jobd cannot take, each with what to write instead.
    assert "# Not mapped (5 lines):" in text
    for n, why in [(8, "Fri *-*-15..21"), (9, "jitter="),
                   (10, "never fires"), (11, "fewer than 5 time fields"),
                   (15, "'9FOO' is not a variable name")]:
        assert re.search(r"#   stdin:%d: .*\n#     -> .*%s" %
                         (n, re.escape(why)), text), (n, text)
    alerts = [(n, k) for kind, n, k in sections(text) if kind == "alert"]
    assert alerts == [("mail-ops@example.com",
                       {"mail": ["ops@example.com", "root"]})]
    jobs = dict(jobs_of(text))
    assert list(jobs) == ["cat", "backup.sh", "echo", "startup",
                          "cron.hourly"]
    cat = jobs["cat"]
    assert cat["timezone"] == ["Europe/Berlin"]
    assert cat["user"] == [attacker.name]
    assert cat["command"] == ["/bin/bash -c 'cat > %s/standup.txt'" % out]
    assert cat["stdin"] == [r"text:Standup in 5 minutes.\nBring coffee % "
                            r"tea\n"]
    assert cat["alert"] == [alerts[0][0]]
    assert "alert" not in jobs["startup"]       # after MAILTO=""
    assert jobs["startup"]["schedule"] == ["@reboot"]
    # A pasted /etc/crontab line: said, and mapped as cron would run it.
    assert "'root' is a user name" in text
    d = daemon_with(jobd, text)
    check_config(d)
    d.start()
    for name in jobs:
        d.jobctl("pause", name)
    # Run as cron would: as the user, in the home, SHELL -c, '%' as input.
    for name in ["cat", "echo"]:
        rc, o, e = d.jobctl("start", name, "--wait")
        assert rc == 0, (name, o, e)
    assert (out / "standup.txt").read_text() == \
        "Standup in 5 minutes.\nBring coffee % tea\n"
    assert (out / "who").read_text() == "%s\n%s\n/bin/bash hello there\n" \
        % (attacker.name, attacker.home)


def test_bad_input(workdir):
    rc, o, e = jobctl_import("crontab", workdir / "missing")
    assert rc == 1 and "missing: No such file or directory" in e
    rc, o, e = jobctl_import("crontab", "--system", "--user", "x", "-",
                             input="")
    assert rc == 2 and "exclude each other" in e
    rc, o, e = jobctl_import("supervisord", "--system", "-", input="")
    assert rc == 2 and "for import crontab" in e
    rc, o, e = jobctl_import("fstab", "-", input="")
    assert rc == 2 and "unknown kind 'fstab'" in e
    # A system line without a user, a NUL byte, a line too long for jobd.
    rc, o, e = jobctl_import("crontab", "--user", "root", "-",
                             input="5/15 * * * * date\n")
    assert rc == 0 and "'5/15': Debian's cron refuses" in o
    rc, o, e = jobctl_import("crontab", "--system", "-",
                             input="0 0 * * *\n1 1 * * * root a\0b\n")
    assert rc == 0
    assert "#   stdin:1: " in o and "no user field" in o
    assert "#   stdin:2: (binary)" in o and "NUL byte" in o
    long_cmd = "echo " + " ".join(["word"] * 2000)
    rc, o, e = jobctl_import("crontab", "--user", "root", "-",
                             input="0 0 * * * %s\n" % long_cmd)
    assert rc == 0
    assert all(len(line) < 4096 for line in o.splitlines())
    assert "\n    word" in o              # continued on indented lines


def test_output_file(jobd, workdir):
    target = workdir / "cron.conf"
    rc, o, e = jobctl_import("crontab", "--system", DATA / "crontab",
                             "-o", target)
    assert rc == 0 and o == ""
    text = target.read_text()
    assert "[job cron.daily]" in text
    assert not list(workdir.glob("cron.conf.tmp*"))
    # Into a directory that does not exist: an error, nothing written.
    rc, o, e = jobctl_import("crontab", "--system", DATA / "crontab",
                             "-o", workdir / "nowhere" / "x.conf")
    assert rc == 1 and "No such file or directory" in e
    d = daemon_with(jobd, text)
    check_config(d)
    rc, o, e = run_cmd([JOBD, "--check", "--config", str(d.conf)])
    assert "configuration OK" in o + e
    assert jobctl_import("crontab", "-", "-o", target, input="")[0] == 0
    assert "Every line was mapped." in target.read_text()
