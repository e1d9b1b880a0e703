"""jobctl import systemd: the timers Debian 12 ships (e2scrub_all, fstrim,
logrotate, man-db, apt-daily, apt-daily-upgrade; tests/data/import/systemd,
SOURCES names the packages) become jobs that pass jobd --check, every
directive line is accounted for (mapped, as a comment above what it became,
or listed as not mapped with the reason), the mappings are what the
README's table says, and a running jobd fires each imported job when
systemd-analyze says the timer elapses, for a year.  Then units made up to
reach the rest of the mapping, and bad input."""
import calendar
import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from conftest import JOBCTL, run_cmd

DATA = Path(__file__).resolve().parent.parent / "data" / "import" / "systemd"
TIMERS = ["apt-daily", "apt-daily-upgrade", "e2scrub_all", "fstrim",
          "logrotate", "man-db"]
# Elapses in a year (apt-daily fires twice a day): what `next -n` asks.
YEAR = {"apt-daily": 730, "apt-daily-upgrade": 365, "e2scrub_all": 52,
        "fstrim": 52, "logrotate": 365, "man-db": 365}
ZONE = "Europe/Berlin"


def imp(*args, cwd=None):
    p = subprocess.run([JOBCTL, "import", "systemd"] + [str(a) for a in args],
                       capture_output=True, text=True, timeout=30, cwd=cwd,
                       stdin=subprocess.DEVNULL)
    return p.returncode, p.stdout, p.stderr


def imported(*args):
    rc, out, err = imp(*args)
    assert rc == 0, "rc %d\n%s" % (rc, err)
    assert err == ""
    return out


def sections(text):
    """{section header: [(key, value)]} of a conf.d file."""
    out, cur = {}, None
    for line in text.splitlines():
        if line.startswith("[") and line.endswith("]"):
            cur = line[1:-1]
            out[cur] = []
        elif line and not line.startswith("#") and cur:
            key, _, value = line.partition("=")
            out[cur].append((key, value))
    return out


def keys(text, section):
    return dict(sections(text)[section])


def all_of(text, section, key):
    return [v for k, v in sections(text)[section] if k == key]


def unmapped(text):
    """{(file, line): reason} of the 'Not mapped' list."""
    out, lines = {}, text.splitlines()
    for i, line in enumerate(lines):
        m = re.match(r"^#   (\S+):(\d+): ", line)
        if m:
            reason = lines[i + 1]
            assert reason.startswith("#     -> "), reason
            out[(m.group(1), int(m.group(2)))] = reason[9:]
    return out


def directive_lines(path):
    """(line number, text) of each line that is not blank, a comment or a
    section header, as systemd reads the file (no continuations here)."""
    out = []
    for n, raw in enumerate(Path(path).read_text().splitlines(), 1):
        s = raw.strip()
        if s and s[0] not in "#;[":
            out.append((n, s))
    return out


def assert_accounted(text, *paths):
    """Each directive line appears once: as the comment above what it
    became, or in the list of lines not mapped."""
    for path in paths:
        for n, line in directive_lines(path):
            pat = r"^#(?: |   )%s:%d: %s$" % (re.escape(str(path)), n,
                                                re.escape(line))
            found = re.findall(pat, text, re.M)
            assert len(found) == 1, "%s:%d %r found %d times in:\n%s" % (
                path, n, line, len(found), text)


def check(d, text, name="imported.conf"):
    (d.confd / name).write_text(text)
    p = subprocess.run(d.argv("--check"), capture_output=True, text=True,
                       timeout=30)
    return p.returncode, p.stdout + p.stderr


# ------------------------------------------------------------ Debian's


@pytest.mark.parametrize("timer", TIMERS)
def test_debian_timer_imports_checks_and_accounts_for_every_line(jobd,
                                                                  timer):
    t, s = DATA / (timer + ".timer"), DATA / (timer + ".service")
    text = imported(t)
    assert "[job %s]" % timer in text
    assert "Made by jobctl import systemd from:\n#   %s\n#   %s\n" % (t, s) \
        in text
    assert_accounted(text, t, s)
    d = jobd(start=False)
    rc, out = check(d, text)
    assert rc == 0, out
    assert "configuration OK" in out


def test_all_debian_units_at_once(jobd):
    files = sorted(DATA.glob("*.timer")) + sorted(DATA.glob("*.service"))
    text = imported(*files)
    # Each service went with its timer: six jobs, no service section.
    assert sorted(sections(text)) == sorted("job " + t for t in TIMERS)
    assert_accounted(text, *files)
    rc, out = check(jobd(start=False), text)
    assert rc == 0, out


def test_apt_daily_mapping():
    text = imported(DATA / "apt-daily.timer")
    k = keys(text, "job apt-daily")
    assert k["schedule"] == "*-*-* 6,18:00"
    assert k["jitter"] == "12h"
    assert k["catch_up"] == "latest"
    assert k["description"] == "Daily apt download activities"
    # ExecStartPre's '-': its failure does not stop ExecStart.
    assert k["shell"] == "yes"
    assert k["command"] == ("{ /usr/lib/apt/apt-helper wait-online || :; }"
                            " && /usr/lib/apt/apt.systemd.daily update")
    assert "systemd-ac-power" in k["condition_command"]
    assert "user" not in k and "timeout" not in k
    um = unmapped(text)
    after = um[(str(DATA / "apt-daily.service"), 5)]
    assert "lock=" in after
    assert "no enabling" in um[(str(DATA / "apt-daily.timer"), 10)]


def test_apt_daily_upgrade_mapping():
    text = imported(DATA / "apt-daily-upgrade.timer")
    k = keys(text, "job apt-daily-upgrade")
    assert k["schedule"] == "*-*-* 6:00"
    assert k["jitter"] == "1h"          # RandomizedDelaySec=60m
    assert k["stop_timeout"] == "15min"  # TimeoutStopSec=900
    um = unmapped(text)
    kill = um[(str(DATA / "apt-daily-upgrade.service"), 11)]
    assert "KillMode=process" in kill and "process group" in kill
    # The timer's After=apt-daily.timer orders timers, not runs.
    assert (str(DATA / "apt-daily-upgrade.timer"), 3) in um


def test_e2scrub_all_mapping():
    text = imported(DATA / "e2scrub_all.timer")
    k = keys(text, "job e2scrub_all")
    assert k["schedule"] == "Sun *-*-* 03:10:00"
    assert k["jitter"] == "1min"
    assert k["command"] == "/sbin/e2scrub_all"
    assert "shell" not in k
    assert k["environment"] == "SERVICE_MODE=1"
    assert k["description"] == ("Online ext4 Metadata Check for All "
                                "Filesystems")
    um = unmapped(text)
    svc = str(DATA / "e2scrub_all.service")
    assert "no condition" in um[(svc, 4)]       # ConditionCapability
    assert "no condition" in um[(svc, 5)]
    # SyslogIdentifier= is the job's name: kept as a comment, not listed.
    assert (svc, 12) not in um


def test_fstrim_mapping():
    text = imported(DATA / "fstrim.timer")
    k = keys(text, "job fstrim")
    assert k["schedule"] == "weekly"
    assert k["jitter"] == "1h 40min"            # RandomizedDelaySec=6000
    # The timer's and the service's ConditionVirtualization=!container
    # are one test; ConditionPathExists=! is a shell test.
    assert k["condition_command"] == ("! systemd-detect-virt --container -q"
                                      " && ! test -e /etc/initrd-release")
    assert "AccuracySec" in text and "not anywhere within AccuracySec" in text
    um = unmapped(text)
    svc = str(DATA / "fstrim.service")
    assert "host's network" in um[(svc, 10)]     # PrivateNetwork=yes
    assert "system call" in um[(svc, 16)]        # SystemCallFilter=


def test_logrotate_mapping():
    text = imported(DATA / "logrotate.timer")
    k = keys(text, "job logrotate")
    assert k["schedule"] == "daily"
    assert "jitter" not in k
    assert k["nice"] == "19"
    um = unmapped(text)
    svc = str(DATA / "logrotate.service")
    # best-effort 7 is what nice 19 gives anyway: mapped with a note.
    assert (svc, 13) not in um and (svc, 14) not in um
    assert "the same" in text
    assert "writable" in um[(svc, 32)]            # ProtectSystem=full
    assert "jobd does not wait for mounts" in um[(svc, 4)]


def test_man_db_mapping():
    text = imported(DATA / "man-db.timer")
    k = keys(text, "job man-db")
    # '+' runs install as root; the others run as man through runuser.
    assert "user" not in k
    assert k["command"] == (
        "/usr/bin/install -d -o man -g man -m 0755 /var/cache/man"
        " && runuser -u man -- /usr/bin/find /var/cache/man -type f -name"
        " '*.gz' -atime +6 -delete && runuser -u man -- /usr/bin/mandb"
        " --quiet")
    assert k["nice"] == "19"
    um = unmapped(text)
    svc = str(DATA / "man-db.service")
    assert "idle" in um[(svc, 16)]               # IOSchedulingClass=idle
    assert "/tmp" in um[(svc, 20)]               # PrivateTmp=true


# ------------------------------------------- firings against systemd


def systemd_elapses(exprs, base, n, zone):
    """The first n elapses (epoch seconds, UTC) after base of the union
    of exprs, from systemd-analyze calendar."""
    got = set()
    for expr in exprs:
        p = subprocess.run(["systemd-analyze", "calendar",
                            "--base-time=@%d" % base,
                            "--iterations=%d" % n, expr],
                           env=dict(os.environ, TZ=zone, LC_ALL="C"),
                           capture_output=True, text=True, timeout=60)
        assert p.returncode == 0, p.stderr
        for line in p.stdout.splitlines():
            m = re.match(r"\s*\(in UTC\): \w+ (\S+ \S+) UTC$", line)
            if m:
                got.add(calendar.timegm(time.strptime(
                    m.group(1), "%Y-%m-%d %H:%M:%S")))
    return sorted(got)[:n]


def needs_systemd_analyze():
    if not shutil.which("systemd-analyze"):
        pytest.skip("systemd-analyze is not installed")


def test_running_jobd_fires_as_systemd_for_a_year(jobd):
    """jobctl next of each imported job, over a year, against
    systemd-analyze calendar from the same instant, in Europe/Berlin
    (two DST changes; jitter is left out of the slots)."""
    needs_systemd_analyze()
    files = [DATA / (t + ".timer") for t in TIMERS]
    text = imported(*files)
    d = jobd(start=False)
    d.conf.write_text(d.conf.read_text() +
                      "\n[defaults]\ntimezone=%s\n" % ZONE)
    (d.confd / "imported.conf").write_text(text)
    d.start()
    for timer in TIMERS:
        exprs = all_of(text, "job " + timer, "schedule")
        assert exprs, timer
        for attempt in range(2):
            base = int(time.time())
            rc, out, err = d.jobctl("--json", "next", timer, "-n",
                                    YEAR[timer])
            assert rc == 0, err
            reply = json.loads(out)
            assert reply["timezone"] == ZONE
            ours = [e["usec"] // 1000000 for e in reply["elapses"]]
            theirs = systemd_elapses(exprs, base, YEAR[timer], ZONE)
            # A slot that passed between the two calls: ask again.
            if ours != theirs and theirs[0] <= int(time.time()):
                continue
            break
        assert len(ours) == YEAR[timer]
        assert ours[-1] - ours[0] > 300 * 86400, timer
        assert ours == theirs, "%s: first difference at %s" % (timer, next(
            (i, a, b) for i, (a, b) in enumerate(zip(ours, theirs))
            if a != b))
        assert any(e["jitter_usec"] > 0 for e in reply["elapses"]) == \
            ("jitter" in keys(text, "job " + timer)), timer


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/New_York",
                                  "Australia/Lord_Howe", "America/Santiago"])
def test_calendar_of_each_imported_schedule_matches_systemd(jobd, zone):
    """Every schedule= the importer wrote, read by jobd's calendar from
    2026-01-01 for a year of elapses, in zones with DST (Lord Howe's is
    half an hour), against systemd-analyze."""
    needs_systemd_analyze()
    text = imported(*[DATA / (t + ".timer") for t in TIMERS])
    exprs = sorted({v for t in TIMERS
                    for v in all_of(text, "job " + t, "schedule")})
    assert len(exprs) == 5      # daily twice, weekly, 6:00, 6,18:00, Sun
    d = jobd()
    base = calendar.timegm((2026, 1, 1, 0, 0, 0))
    for expr in exprs:
        n = 730 if "," in expr else 365
        rc, out, err = d.jobctl("--json", "calendar", expr, "--base",
                                "@%d" % base, "-n", n, "--timezone", zone)
        assert rc == 0, err
        reply = json.loads(out)
        assert reply["syntax"] == "systemd"
        ours = [e["usec"] // 1000000 for e in reply["elapses"]]
        theirs = systemd_elapses([expr], base, n, zone)
        assert ours == theirs, expr
