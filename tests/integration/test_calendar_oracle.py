"""Oracle test for the calendar module: systemd-analyze calendar (systemd
252) against jobd's own implementation ($JOBD_CALENDAR, the jobd-calendar
helper), on expressions generated over the whole systemd.time(7) grammar
from a fixed seed, in several zones, from base times that include the 2026
DST changes.  Every elapse is compared (at second resolution, the
resolution systemd-analyze prints), and so are the normalised forms and
the verdict valid/invalid.

Half of the cases put the zone in the expression and run systemd-analyze
with TZ=UTC; the other half set TZ to the zone and give the helper --tz,
which exercises the "system zone" path of both.

CALENDAR_ORACLE_SEED and CALENDAR_ORACLE_N change the seed and the number
of generated expressions (default 420, plus the hand-picked ones).
"""
import os
import random
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

import pytest

CALENDAR = os.environ.get("JOBD_CALENDAR", "")
SEED = int(os.environ.get("CALENDAR_ORACLE_SEED", "20260329"))
N_GENERATED = int(os.environ.get("CALENDAR_ORACLE_N", "420"))
ITERATIONS = 5

ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe",
         "Asia/Kolkata"]

# The 2026 UTC-offset changes (UTC instants), hand-checked against zdump.
TRANSITIONS = {
    "UTC": [],
    "Asia/Kolkata": [],
    "Europe/Berlin": ["2026-03-29 01:00:00", "2026-10-25 01:00:00"],
    "America/New_York": ["2026-03-08 07:00:00", "2026-11-01 06:00:00"],
    "Australia/Lord_Howe": ["2026-04-04 15:00:00", "2026-10-03 15:30:00"],
}

OTHER_BASES = ["2026-01-15 12:00:00", "2026-06-30 23:59:59",
               "2026-12-31 23:30:00", "2028-02-28 12:00:00"]

WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
LONG_WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
                 "Saturday", "Sunday"]
SHORTHANDS = ["minutely", "hourly", "daily", "weekly", "monthly", "yearly",
              "annually", "quarterly", "semiannually", "Daily", "WEEKLY"]

# Hand-picked: the DST tables of systemd-and-oracles.md section 3(a), the
# normalised forms of peers.md section 4.1, and known corner cases.
FIXED = [
    ("*-*-* 02:30", "Europe/Berlin", "2026-03-27 12:00:00"),
    ("*-*-* 02:30", "Europe/Berlin", "2026-10-23 12:00:00"),
    ("*-*-* *:15", "Europe/Berlin", "2026-10-24 22:10:00"),
    ("*-*-* *:15", "Europe/Berlin", "2026-03-28 23:10:00"),
    ("*-*-* 02:30", "America/New_York", "2026-03-07 17:00:00"),
    ("*-*-* 01:30", "America/New_York", "2026-10-31 16:00:00"),
    ("*-*-* *:00/20", "America/New_York", "2026-11-01 04:50:00"),
    ("*-*-* *:*:00", "Australia/Lord_Howe", "2026-10-03 15:27:00"),
    ("*-*-* 01:45", "Australia/Lord_Howe", "2026-04-04 12:00:00"),
    ("Mon..Fri *-*~01 09:00", "UTC", "2026-01-15 00:00:00"),
    ("Wed-Sat,Tue 12-10-15 1:2:3", "UTC", "2026-01-15 00:00:00"),
    ("*:2/3", "UTC", "2026-01-15 00:00:00"),
    ("05:40", "Asia/Kolkata", "2026-01-15 00:00:00"),
    ("mon,fri *-1/2-1,3 *:30:45", "UTC", "2026-01-15 00:00:00"),
    ("*-02~03", "Europe/Berlin", "2026-01-15 00:00:00"),
    ("Mon *-05~07/1", "America/New_York", "2026-01-15 00:00:00"),
    ("*-*-* 11:12:13.5", "UTC", "2026-01-15 00:00:00"),
    ("*-02-29 00:00", "UTC", "2026-01-15 00:00:00"),
    ("Mon *-02-29", "UTC", "2026-01-15 00:00:00"),
    ("*-*-31 12:00", "Asia/Kolkata", "2026-01-15 00:00:00"),
    ("2026-03-29 02:*:00", "Europe/Berlin", "2026-03-28 00:00:00"),
    ("2026-10-25 02:*:00", "Europe/Berlin", "2026-10-25 00:50:00"),
    ("*-*-* 02:00/10:00", "Australia/Lord_Howe", "2026-10-03 14:00:00"),
    ("*-*-* *:*:*", "America/New_York", "2026-11-01 05:59:58"),
    ("@1775000000", "UTC", "2026-01-15 00:00:00"),
    ("*:0/60", "UTC", "2026-01-15 00:00:00"),
    ("*:*/2", "UTC", "2026-01-15 00:00:00"),
    ("Mon..Fro 9:00", "UTC", "2026-01-15 00:00:00"),
    ("*-*-* 00:00:1..1", "UTC", "2026-01-15 00:00:00"),
    ("*-~1", "UTC", "2026-01-15 00:00:00"),
    ("Fri..Mon", "UTC", "2026-01-15 00:00:00"),
]


def parse_utc(text):
    return int(datetime.strptime(text, "%Y-%m-%d %H:%M:%S")
               .replace(tzinfo=timezone.utc).timestamp())


def bases_for(zone):
    return [parse_utc(t) + d for t in TRANSITIONS[zone]
            for d in (-5400, -1800, -1, 0, 1800)] + \
        [parse_utc(t) for t in OTHER_BASES]


def gen_value(r, lo, hi, fraction=False):
    v = r.randint(lo, hi)
    if fraction and r.random() < 0.3:
        return "%02d.%s" % (v, r.choice(["5", "25", "000001", "75"]))
    return "%02d" % v if r.random() < 0.7 else str(v)


def gen_comp(r, lo, hi, fraction=False):
    kind = r.random()
    if kind < 0.5:
        return gen_value(r, lo, hi, fraction)
    a = r.randint(lo, hi - 1)
    if kind < 0.7:
        return "%d..%d" % (a, r.randint(a + 1, hi))
    if kind < 0.9:
        return "%d/%d" % (a, r.randint(1, max(1, (hi - a) // 2)))
    b = r.randint(a + 1, hi)
    return "%d..%d/%d" % (a, b, r.randint(1, max(1, b - a)))


def gen_chain(r, lo, hi, star=0.4, fraction=False):
    if r.random() < star:
        return "*"
    return ",".join(gen_comp(r, lo, hi, fraction)
                    for _ in range(r.choice([1, 1, 1, 2, 3])))


def gen_weekdays(r):
    names = LONG_WEEKDAYS if r.random() < 0.15 else WEEKDAYS
    a = r.randint(0, 6)
    kind = r.random()
    if kind < 0.3:
        w = names[a]
    elif kind < 0.55:
        w = ",".join(names[i] for i in sorted(r.sample(range(7), r.randint(2, 4))))
    else:
        b = r.randint(a, 6)
        sep = "-" if kind > 0.9 else ".."
        w = names[a] + sep + names[b]
        if r.random() < 0.3 and b < 5:
            w += "," + names[6]
    if r.random() < 0.2:
        w = w.lower()
    return w


def gen_year(r):
    return r.choice(["*", "*", "2026", "2027", "26", "2026..2028", "2026/2",
                     "2026,2028", "27..30"])


def gen_date(r):
    kind = r.random()
    month = gen_chain(r, 1, 12, star=0.6)
    if kind < 0.15:
        start = r.randint(1, 7)
        day = r.choice([str(start), "%02d/1" % start,
                        "%d/%d" % (start, r.randint(1, start - 1))
                        if start > 1 else "1", "1..%d" % start
                        if start > 1 else "1"])
        return "%s-%s~%s" % (gen_year(r), month, day)
    day = gen_chain(r, 1, 31, star=0.4)
    if kind < 0.3:
        return "%s-%s" % (month, day)
    return "%s-%s-%s" % (gen_year(r), month, day)


def gen_time(r):
    hour = r.choice(["1", "2", "02", "3", "*", "0..3", "1,2,3", "0/2",
                     "*", gen_chain(r, 0, 23, star=0.2)])
    minute = gen_chain(r, 0, 59, star=0.3)
    if r.random() < 0.5:
        return "%s:%s" % (hour, minute)
    return "%s:%s:%s" % (hour, minute, gen_chain(r, 0, 59, star=0.2,
                                                 fraction=True))


def gen_expr(r):
    if r.random() < 0.06:
        return gen_invalid(r)
    if r.random() < 0.07:
        return r.choice(SHORTHANDS)
    parts = []
    if r.random() < 0.3:
        parts.append(gen_weekdays(r))
    if r.random() < 0.65:
        parts.append(gen_date(r))
    if r.random() < 0.85 or not parts:
        parts.append(gen_time(r))
    return " ".join(parts)


def gen_invalid(r):
    """A valid-looking expression with one mistake, for the verdict."""
    return r.choice([
        "*-*-* %d:00" % r.randint(24, 99),
        "*-*-* 12:%d" % r.randint(60, 99),
        "*-%d-01" % r.randint(13, 40),
        "*-02-%d" % r.randint(32, 50),
        "*-*~%d" % r.randint(29, 31),
        "*:0/%d" % r.randint(60, 90),
        "*:*:%d.5" % r.randint(60, 70),
        "%s..%s" % (WEEKDAYS[r.randint(4, 6)], WEEKDAYS[r.randint(0, 3)]),
        "Mon.Fri 12:00",
        "*-*-* 12:00:00:00",
        "1-2-3-4",
        "12:00 Mon",
        "%d-*-* 00:00" % r.randint(2200, 2300),
        "*-*-1..0",
        "*-*-%d/0" % r.randint(1, 9),
    ])


def cases():
    r = random.Random(SEED)
    out = [(expr, zone, parse_utc(base), i % 2 == 0)
           for i, (expr, zone, base) in enumerate(FIXED)]
    for i in range(N_GENERATED):
        zone = ZONES[i % len(ZONES)]
        out.append((gen_expr(r), zone, r.choice(bases_for(zone)),
                    i % 4 < 2))
    return out


def run_systemd(expr, zone, base, suffix):
    env = dict(os.environ, TZ="UTC" if suffix else zone, LC_ALL="C")
    arg = "%s %s" % (expr, zone) if suffix else expr
    p = subprocess.run(["systemd-analyze", "calendar",
                        "--base-time=@%d" % base,
                        "--iterations=%d" % ITERATIONS, arg],
                       env=env, capture_output=True, text=True, timeout=30)
    if p.returncode != 0 and "Failed to parse" in p.stderr:
        return ("error", None, [])
    # Otherwise systemd parsed it; a failure later is systemd 252 giving
    # up ("Infinite loop in calendar calculation"), where jobd goes on:
    # only the elapses systemd printed before that are compared.
    gave_up = p.returncode != 0
    assert not gave_up or "Failed to determine next elapse" in p.stderr, \
        p.stderr
    normal, local, in_utc = None, [], []
    for line in p.stdout.splitlines():
        key, _, value = line.strip().partition(": ")
        if key == "Normalized form":
            normal = value
        elif key == "(in UTC)":
            in_utc.append(value)
        elif key == "Next elapse" or key.startswith("Iter. #"):
            if value != "never":
                local.append(value)
    stamps = in_utc if in_utc else local
    assert all(s.endswith(" UTC") for s in stamps), p.stdout
    return ("gave up" if gave_up else "ok", normal,
            [parse_utc(s[4:-4]) for s in stamps])


def run_jobd(expr, zone, base, suffix):
    arg = "%s %s" % (expr, zone) if suffix else expr
    tz = ["--tz", "UTC" if suffix else zone]
    p = subprocess.run([CALENDAR] + tz + ["--format", arg],
                       capture_output=True, text=True, timeout=30)
    if p.stdout.startswith("error:"):
        return ("error", None, [])
    assert p.returncode == 0, p.stderr
    normal = p.stdout.strip()
    p = subprocess.run([CALENDAR] + tz + [
        "--base", str(base * 1000000), "--iterations", str(ITERATIONS), arg],
        capture_output=True, text=True, timeout=30)
    assert p.returncode == 0, p.stdout + p.stderr
    return ("ok", normal, [int(x) // 1000000 for x in p.stdout.split()])


def compare(case):
    expr, zone, base, suffix = case
    want = run_systemd(expr, zone, base, suffix)
    got = run_jobd(expr, zone, base, suffix)
    return case, want, got


@pytest.mark.timeout(900)
def test_calendar_oracle():
    if not shutil.which("systemd-analyze"):
        pytest.skip("systemd-analyze is not installed")
    assert CALENDAR and os.access(CALENDAR, os.X_OK), \
        "JOBD_CALENDAR must name the jobd-calendar helper"
    all_cases = cases()
    assert len(all_cases) >= 300
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(compare, all_cases))
    bad = []
    valid = gave_up = 0
    for (expr, zone, base, suffix), want, got in results:
        valid += want[0] != "error"
        if want[0] == "gave up":
            gave_up += 1
            # systemd printed nothing, not even its normalised form,
            # when it gave up before the first elapse.
            got = (want[0], want[1] if want[1] is None else got[1],
                   got[2][:len(want[2])])
        if want != got:
            bad.append("%r zone=%s base=@%d %s\n  systemd: %r\n  jobd:    %r"
                       % (expr, zone, base,
                          "suffix" if suffix else "TZ=", want, got))
    elapses = sum(len(w[2]) for _, w, _ in results)
    print("calendar oracle: %d expressions (%d valid, %d elapses, systemd "
          "gave up on %d), %d matched" % (len(results), valid, elapses,
                                          gave_up, len(results) - len(bad)))
    assert not bad, "%d of %d differ:\n%s" % (
        len(bad), len(results), "\n".join(bad[:25]))
    assert valid >= 300
