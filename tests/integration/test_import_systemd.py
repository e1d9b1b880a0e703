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
    # PrivateDevices=no: off, as jobd has it; a note, not listed.
    assert (svc, 9) not in um and "(off, and jobd" in text


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


# ------------------------------------------------- units made up here


def write(directory, name, text):
    p = Path(directory) / name
    p.write_text(text)
    return p


WEB = """\
[Unit]
Description=Web server %N
After=network.target
ConditionPathExists=/etc/hostname
ConditionPathIsDirectory=!/run/web-off

[Service]
Type=notify
User=www-data
Group=www-data
Environment="GREETING=hello world" PORT=8080 'RAW=$x'
EnvironmentFile=/etc/hostname
EnvironmentFile=-/nonexistent/web.env
WorkingDirectory=/srv/web
ExecStartPre=/bin/echo starting ${GREETING}
ExecStart=@/usr/bin/web web-main --port $PORT "two words"
ExecReload=/bin/kill -HUP $MAINPID
ExecStop=/usr/bin/webctl stop
TimeoutStartSec=30
TimeoutStopSec=5s
Restart=always
RestartSec=2
KillSignal=SIGINT
LimitNOFILE=65536
LimitCORE=1G:infinity
LimitRTPRIO=5
UMask=027
WatchdogSec=1min
StandardOutput=append:/var/log/web.log
ProtectSystem=strict
Frobnicate=yes
this line has no equals sign
X-Custom=1

[Install]
WantedBy=multi-user.target
"""


def test_notify_service_mapping(jobd, tmp_path):
    svc = write(tmp_path, "web.service", WEB)
    text = imported(svc)
    assert_accounted(text, svc)
    k = keys(text, "service web")
    assert k["description"] == "Web server web"        # %N
    assert k["ready"] == "notify"
    assert k["start_timeout"] == "30s"
    assert k["stop_timeout"] == "5s"
    assert k["restart"] == "always"
    assert k["restart_sec"] == k["restart_max_sec"] == "2s"
    assert k["stop_signal"] == "SIGINT"
    assert k["reload_signal"] == "SIGHUP"
    assert k["limit_nofile"] == "65536"
    assert k["limit_core"] == "1073741824:infinity"
    assert k["umask"] == "0027"
    assert k["watchdog_sec"] == "1min"
    assert k["user"] == "www-data" and k["group"] == "www-data"
    assert k["working_directory"] == "/srv/web"
    assert k["output"] == "file"
    assert k["output_file"] == "/var/log/web.log"
    assert k["condition_path_exists"] == "/etc/hostname"
    assert k["condition_command"] == "! test -d /run/web-off"
    assert all_of(text, "service web", "environment") == [
        "'GREETING=hello world' PORT=8080 'RAW=$x'"]
    assert all_of(text, "service web", "environment_file") == [
        "/etc/hostname"]
    # Pre and start through the shell, which expands what systemd would;
    # '@' drops argv[0]; the service's own command is exec'd.
    assert k["shell"] == "yes"
    assert k["command"] == ('/bin/echo starting "${GREETING}" && exec '
                            "/usr/bin/web --port $PORT 'two words'")
    assert "argv[0] 'web-main' is dropped" in text
    um = unmapped(text)
    reasons = {n: r for (f, n), r in um.items()}
    assert "optional ('-') and missing here" in reasons[13]
    assert "no stop command" in reasons[18]
    assert "limit_rtprio" in reasons[26]
    assert "sandbox" in reasons[30]
    assert "not a directive this importer knows" in reasons[31]
    assert "not KEY=VALUE" in reasons[32]
    assert "X- extension" in reasons[33]
    assert "no enabling" in reasons[36]
    assert "lock=" in reasons[3]
    rc, out = check(jobd(start=False), text)
    assert rc == 0, out


def test_simple_service_gets_systemds_defaults(jobd, tmp_path):
    svc = write(tmp_path, "worker.service",
                "[Service]\nExecStart=/usr/bin/worker -v\n")
    text = imported(svc)
    k = keys(text, "service worker")
    assert k["command"] == "/usr/bin/worker -v"
    assert "shell" not in k
    # Type=simple is started at once, and systemd does not restart it.
    assert k["ready_after"] == "0"
    assert k["restart"] == "no"
    assert "systemd's default is no restart" in text
    rc, out = check(jobd(start=False), text)
    assert rc == 0, out


def test_forking_service_is_listed(tmp_path):
    svc = write(tmp_path, "old.service",
                "[Service]\nType=forking\nPIDFile=/run/old.pid\n"
                "ExecStart=/usr/sbin/oldd\n")
    text = imported(svc)
    um = unmapped(text)
    assert "foreground" in um[(str(svc), 2)]
    assert (str(svc), 3) in um
    assert keys(text, "service old")["command"] == "/usr/sbin/oldd"


def test_service_whose_timer_is_missing_is_imported_alone(jobd, tmp_path):
    """fstrim.service without its timer: a oneshot is a job without a
    schedule (started by hand); nothing is looked up for a timer."""
    svc = tmp_path / "fstrim.service"
    shutil.copy(DATA / "fstrim.service", svc)
    text = imported(svc)
    k = keys(text, "job fstrim")
    assert "schedule" not in k
    assert "jobctl start fstrim" in text
    assert_accounted(text, svc)
    rc, out = check(jobd(start=False), text)
    assert rc == 0, out


def test_monotonic_timer_and_template_instance(jobd, tmp_path):
    write(tmp_path, "sync@.timer",
          "[Timer]\nOnBootSec=15min\nOnUnitActiveSec=1d\n"
          "OnUnitInactiveSec=2d\nWakeSystem=true\n")
    write(tmp_path, "sync@.service",
          "[Service]\nType=oneshot\nExecStart=/usr/bin/sync-to %i %I\n"
          "ExecStart=-/usr/bin/notify-done %n\nTimeoutStartSec=10min\n"
          "Restart=on-failure\nNice=5\n")
    rc, text, err = imp(tmp_path / "sync@srv-data.timer")
    assert rc == 0, err
    k = keys(text, "job sync@srv-data")
    assert k["on_boot"] == "15min"
    assert k["every"] == "1d"
    assert k["timeout"] == "10min"
    assert k["nice"] == "5"
    assert k["command"] == ("/usr/bin/sync-to srv-data srv/data && "
                            "{ /usr/bin/notify-done sync@srv-data.service "
                            "|| :; }")
    um = unmapped(text)
    timer = str(tmp_path / "sync@.timer")
    assert "one every=" in um[(timer, 4)]
    assert "suspended" in um[(timer, 5)]
    assert "retry=" in um[(str(tmp_path / "sync@.service"), 6)]
    rc, out = check(jobd(start=False), text)
    assert rc == 0, out


def test_timer_with_its_own_unit_and_calendar_jobd_refuses(jobd, tmp_path):
    t = write(tmp_path, "nightly.timer",
              "[Timer]\nUnit=report.service\nOnCalendar=*-*-* 02:30\n"
              "OnCalendar=hourly\nOnCalendar=\nOnCalendar=Mon..Fro 9:00\n"
              "OnCalendar=Sat *-*-1..7 18:00\nPersistent=false\n"
              "AccuracySec=1us\nFixedRandomDelay=no\n")
    write(tmp_path, "report.service",
          "[Service]\nExecStart=/usr/bin/report\nUser=report\n")
    text = imported(t)
    k = keys(text, "job nightly")
    # The empty OnCalendar= clears those before it, as in systemd.
    assert all_of(text, "job nightly", "schedule") == ["Sat *-*-1..7 18:00"]
    assert k["user"] == "report"
    assert "catch_up" not in k
    um = unmapped(text)
    assert um[(str(t), 6)] == ("jobd refuses this calendar event: "
                               "unknown weekday 'Fro'")
    assert "reset by the empty OnCalendar= at line 5" in um[(str(t), 3)]
    assert "reset by the empty OnCalendar= at line 5" in um[(str(t), 4)]
    assert_accounted(text, t, tmp_path / "report.service")
    rc, out = check(jobd(start=False), text)
    assert rc == 0, out


def test_conditions_and_specifiers_jobd_cannot_take(tmp_path):
    svc = write(tmp_path, "x.service",
                "[Unit]\nDescription=on %H\nConditionPathExists=|/a\n"
                "ConditionHost=box\nConditionACPower=false\n"
                "[Service]\nType=oneshot\nExecStart=/bin/echo %m\n"
                "ExecStart=/bin/true\nSupplementaryGroups=adm\n")
    text = imported(svc)
    um = unmapped(text)
    f = str(svc)
    assert "host name" in um[(f, 2)]
    assert "any of them" in um[(f, 3)]
    assert "no condition" in um[(f, 4)]
    assert "machine id" in um[(f, 8)]
    k = keys(text, "job x")
    assert k["command"] == "/bin/true"
    assert k["condition_command"].startswith("test -x ")
    assert k["supplementary_groups"] == "adm"


def test_overridden_and_outside_lines(tmp_path):
    svc = write(tmp_path, "y.service",
                "Stray=1\n[Service]\nExecStart=/bin/true\nNice=1\n"
                "Nice=2\n[Timer]\nOnCalendar=daily\n")
    text = imported(svc)
    um = unmapped(text)
    f = str(svc)
    assert "outside of any section" in um[(f, 1)]
    assert "overridden by line 5" in um[(f, 4)]
    assert "no [Timer] section" in um[(f, 7)]
    assert keys(text, "service y")["nice"] == "2"


# ---------------------------------------------------------- bad input


def test_missing_file():
    rc, out, err = imp("/nonexistent/backup.timer")
    assert rc == 1
    assert out == ""
    assert "/nonexistent/backup.timer" in err and "No such file" in err


def test_timer_whose_service_is_missing(tmp_path):
    t = tmp_path / "fstrim.timer"
    shutil.copy(DATA / "fstrim.timer", t)
    rc, out, err = imp(t)
    assert rc == 1 and out == ""
    assert "its service 'fstrim.service' is not on the command line" in err
    assert str(tmp_path / "fstrim.service") in err


def test_timer_unit_naming_no_service(tmp_path):
    t = write(tmp_path, "t.timer", "[Timer]\nUnit=backup.target\n")
    rc, out, err = imp(t)
    assert rc == 1
    assert "starts a .service" in err


def test_other_unit_types_and_stdin_are_refused(tmp_path):
    s = write(tmp_path, "web.socket", "[Socket]\nListenStream=80\n")
    rc, out, err = imp(s)
    assert rc == 1 and "not a .timer or .service unit" in err
    rc, out, err = imp("-")
    assert rc == 1 and "stdin" in err


def test_output_file(jobd, tmp_path):
    dest = tmp_path / "out.conf"
    rc, out, err = imp(DATA / "logrotate.timer", "-o", dest)
    assert rc == 0, err
    assert out == ""
    text = dest.read_text()
    assert "[job logrotate]" in text
    assert not list(tmp_path.glob("out.conf.tmp*"))
    rc, out = check(jobd(start=False), text)
    assert rc == 0, out
    rc, out, err = imp(DATA / "logrotate.timer", "-o",
                       tmp_path / "no" / "such" / "dir.conf")
    assert rc == 1 and "no/such" in err


def test_unit_found_by_name_in_systemds_directories():
    """A bare name is looked up where systemd looks (/etc/systemd/system,
    /lib/systemd/system, ...), as systemctl cat would."""
    if not Path("/lib/systemd/system/fstrim.timer").exists():
        pytest.skip("no fstrim.timer in /lib/systemd/system")
    rc, out, err = imp("fstrim.timer", cwd="/")
    assert rc == 0, err
    assert "[job fstrim]" in out
    assert "systemd/system/fstrim.service" in out


# Directives with good, odd and bad values: whatever a unit holds, the
# file written passes jobd --check and accounts for every line.
TIMER_POOL = {
    "OnCalendar": ["daily", "Mon..Fri 9:00", "*:0/15", "Mon..Fro 9:00", "",
                   "*-*-* 02:30 Europe/Berlin", "*-02-30"],
    "OnBootSec": ["5min", "soon"],
    "OnStartupSec": ["1h"],
    "OnUnitActiveSec": ["1h", "0"],
    "OnUnitInactiveSec": ["2h"],
    "Persistent": ["yes", "no", "maybe"],
    "RandomizedDelaySec": ["30s", "5 fortnights", "infinity"],
    "AccuracySec": ["1us"],
    "FixedRandomDelay": ["yes", "no"],
    "WakeSystem": ["yes", "no"],
}
SERVICE_POOL = {
    "Type": ["simple", "oneshot", "notify", "forking", "exec", "dbus"],
    "ExecStart": ["/bin/true", "-/bin/false x", "@/bin/echo echo %n",
                  "+/bin/echo $HOME ${LANG}", "/bin/echo 'a b' \\; c ; "
                  "/bin/true", "", "/bin/echo \"unterminated",
                  "/bin/echo \\q", "!!/bin/true", ":/bin/echo $X"],
    "ExecStartPre": ["-/bin/true", "/bin/echo pre"],
    "ExecStartPost": ["/bin/echo post"],
    "ExecReload": ["/bin/kill -HUP $MAINPID", "/usr/bin/x reload"],
    "ExecStop": ["/bin/kill -s QUIT $MAINPID", "/usr/bin/x stop"],
    "ExecCondition": ["/bin/test -e /etc"],
    "User": ["backup", "bad user", "%u", "foo+bar", "1000"],
    "Group": ["backup", "%g"],
    "Environment": ["A=1", "\"B=two words\" C=3", "bad", "D=%H", "E=%i"],
    "EnvironmentFile": ["/etc/hostname", "-/nonexistent", "relative"],
    "WorkingDirectory": ["/srv", "~", "-/x", "relative"],
    "TimeoutStartSec": ["30", "infinity", "x"],
    "TimeoutStopSec": ["5s", "x"],
    "TimeoutSec": ["1min"],
    "RuntimeMaxSec": ["1h"],
    "Restart": ["no", "always", "on-success", "on-watchdog"],
    "RestartSec": ["5", "x"],
    "KillSignal": ["SIGINT", "9", "BOGUS"],
    "KillMode": ["control-group", "process"],
    "SendSIGKILL": ["no"],
    "Nice": ["5", "99"],
    "UMask": ["022", "999"],
    "LimitNOFILE": ["1024", "1K:2K", "x"],
    "LimitCPU": ["1h"],
    "LimitRTPRIO": ["5"],
    "StandardOutput": ["journal", "null", "append:/var/log/x.log", "tty",
                       "file:relative"],
    "StandardError": ["inherit", "null", "journal"],
    "StandardInput": ["null", "file:/etc/hostname", "tty"],
    "SuccessExitStatus": ["1 SIGUSR1", "x"],
    "WatchdogSec": ["30s"],
    "SupplementaryGroups": ["adm", "a/b"],
    "PassEnvironment": ["LANG", "NOTIFY_SOCKET"],
    "NoNewPrivileges": ["yes", "x"],
    "ProtectSystem": ["full", "no"],
    "SyslogIdentifier": ["other"],
    "IOSchedulingClass": ["idle", "best-effort"],
}
UNIT_POOL = {
    "Description": ["x %n", "on %H", ""],
    "Documentation": ["man:x(8)"],
    "After": ["network.target"],
    "ConditionPathExists": ["/etc", "!/nonexistent", "|/y", "relative"],
    "ConditionACPower": ["true", "false"],
    "ConditionVirtualization": ["vm", "!container", "private-users",
                                "yes"],
    "ConditionFileNotEmpty": ["/etc/hostname"],
    "ConditionPathExistsGlob": ["/etc/*.conf", "/a b*"],
    "AssertPathIsDirectory": ["/etc"],
    "ConditionCapability": ["CAP_SYS_ADMIN"],
    "StartLimitBurst": ["3", "x"],
    "StartLimitIntervalSec": ["1min"],
}


def random_section(rng, name, pool, n):
    lines = ["[%s]" % name]
    for key in rng.sample(sorted(pool), min(n, len(pool))):
        for _ in range(rng.choice([1, 1, 2])):
            lines.append("%s=%s" % (key, rng.choice(pool[key])))
    return lines


def test_whatever_units_hold_the_file_passes_check(jobd, tmp_path):
    import random
    rng = random.Random(19)
    d = jobd(start=False)
    for i in range(30):
        unit = "u%d" % i
        svc = ["[Service]", "ExecStart=/bin/true"] if i % 5 == 0 else []
        svc = "\n".join(random_section(rng, "Unit", UNIT_POOL, 4) + svc +
                        random_section(rng, "Service", SERVICE_POOL, 14) +
                        ["[Install]", "WantedBy=multi-user.target"]) + "\n"
        files = [write(tmp_path, unit + ".service", svc)]
        if i % 2:
            files.append(write(tmp_path, unit + ".timer", "\n".join(
                random_section(rng, "Unit", UNIT_POOL, 2) +
                random_section(rng, "Timer", TIMER_POOL, 5)) + "\n"))
        rc, text, err = imp(*files[::-1])
        assert rc == 0, "%s\n%s" % (err, svc)
        assert_accounted(text, *files)
        rc, out = check(d, text, unit + ".conf")
        assert rc == 0, "%s\n--- service:\n%s\n--- imported:\n%s" % (
            out, svc, text)
        (d.confd / (unit + ".conf")).unlink()


def test_drop_ins_are_read_after_the_unit(jobd, tmp_path):
    """systemctl edit's override.conf: NAME.d/*.conf beside the unit, read
    in name order after it, resets and overrides as systemd applies them."""
    t = write(tmp_path, "foo.timer", "[Timer]\nOnCalendar=daily\n"
              "Persistent=true\n")
    s = write(tmp_path, "foo.service", "[Service]\nType=oneshot\n"
              "ExecStart=/usr/bin/old\nNice=1\n")
    (tmp_path / "foo.service.d").mkdir()
    (tmp_path / "foo.timer.d").mkdir()
    o1 = write(tmp_path / "foo.service.d", "override.conf",
               "[Service]\nExecStart=\nExecStart=/usr/bin/new\nNice=5\n")
    o2 = write(tmp_path / "foo.service.d", "20-env.conf",
               "[Service]\nEnvironment=A=1\n")
    o3 = write(tmp_path / "foo.timer.d", "10-time.conf",
               "[Timer]\nOnCalendar=\nOnCalendar=*-*-* 04:00\n")
    write(tmp_path / "foo.timer.d", "notes.txt", "[Timer]\nOnCalendar=x\n")
    text = imported(t)
    k = keys(text, "job foo")
    assert k["command"] == "/usr/bin/new"
    assert k["nice"] == "5"
    assert k["environment"] == "A=1"
    assert all_of(text, "job foo", "schedule") == ["*-*-* 04:00"]
    um = unmapped(text)
    assert um[(str(s), 3)] == ("reset by the empty ExecStart= at %s:2" % o1)
    assert um[(str(t), 2)] == ("reset by the empty OnCalendar= at %s:2" % o3)
    assert "overridden by %s:4" % o1 in um[(str(s), 4)]
    # Drop-ins are listed in the header, in the order read.
    assert "#   %s\n#   %s\n#   %s\n#   %s\n#   %s\n" % (t, o3, s, o2, o1) \
        in text
    assert_accounted(text, t, s, o1, o2, o3)
    rc, out = check(jobd(start=False), text)
    assert rc == 0, out


def test_timer_without_a_trigger_jobd_takes(jobd, tmp_path):
    t = write(tmp_path, "bar.timer", "[Timer]\nOnCalendar=Mon..Fro 1:00\n"
              "OnClockChange=yes\n")
    write(tmp_path, "bar.service", "[Service]\nExecStart=/bin/true\n")
    text = imported(t)
    k = keys(text, "job bar")
    assert not {"schedule", "on_boot", "every"} & set(k)
    assert "the job runs only when started (jobctl start bar)" in text
    assert "starts no run" in unmapped(text)[(str(t), 3)]
    rc, out = check(jobd(start=False), text)
    assert rc == 0, out
