"""Metrics: `jobctl metrics` (the Varlink method Metrics) after runs
that succeeded, failed and timed out, with values checked against the
ledger's history; counters carried across a restart and across pruning
(history_max_runs=1); skipped slots and service restarts counted; the
text valid for promtool (Prometheus 0.0.4) and for an OpenMetrics parser;
`jobctl metrics --textfile DIR` written atomically, and its errors."""
import json
import os
import re
import shutil
import stat
import subprocess

import pytest

from conftest import JOBCTL, child, history, jobctl_at, notify_child, \
    start_units, wait_for, wait_service

SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse(text):
    """({(name, ((label, value), ...)): value text}, {family: {HELP,
    TYPE, UNIT}}) of an exposition text; fails on a line it cannot
    read."""
    samples, meta = {}, {}
    for line in text.splitlines():
        if line.startswith("# "):
            parts = line.split(" ", 3)
            if parts[1] in ("HELP", "TYPE", "UNIT"):
                meta.setdefault(parts[2], {})[parts[1]] = parts[3]
            else:
                assert line == "# EOF", line
            continue
        m = SAMPLE.match(line)
        assert m, "not a sample line: %r" % line
        labels = tuple(LABEL.findall(m.group(2) or ""))
        key = (m.group(1), labels)
        assert key not in samples, "sample twice: %r" % line
        samples[key] = m.group(3)
    return samples, meta


def value(samples, name, **labels):
    """The sample's value text, or None when there is none."""
    want = tuple(sorted(labels.items()))
    for (n, ls), v in samples.items():
        if n == name and tuple(sorted(ls)) == want:
            return v
    return None


def seconds(usec):
    """A usec time as jobd writes it in seconds."""
    return "%d.%06d" % (usec // 1000000, usec % 1000000)


def metrics(d, *args):
    rc, out, err = d.jobctl("metrics", *args)
    assert rc == 0, "jobctl metrics: rc %d: %s" % (rc, err)
    return out


def metrics_now(d):
    return parse(metrics(d))[0]


def check_openmetrics(text):
    """Parses text with prometheus_client's strict OpenMetrics parser,
    when Debian's python3-prometheus-client is there."""
    try:
        from prometheus_client.openmetrics.parser import \
            text_string_to_metric_families
    except ImportError:
        return None
    return {f.name: f for f in text_string_to_metric_families(text)}


# ------------------------------------------------------------ values

def test_values_after_success_failure_and_timeout(jobd):
    d = jobd(jobs={
        "ok": {"command": child("sleep", 0.05, "exit", 0)},
        "bad": {"command": child("exit", 3)},
        "slow": {"command": child("sleep", 30), "timeout": "200ms"},
        "per": {"command": child("exit", 0), "schedule": "hourly"},
        "never": {"command": child("exit", 0)},
    })
    for job in ("ok", "bad", "slow"):
        d.wait_run(d.start_run(job))
    text = metrics(d)
    assert text.endswith("\n# EOF\n"), text[-200:]
    s, meta = parse(text)
    runs = {r["job"]: r for r in history(d)}

    ok = runs["ok"]
    assert value(s, "jobd_job_last_success_timestamp_seconds",
                 job="ok") == seconds(ok["ended_usec"])
    assert value(s, "jobd_job_last_run_timestamp_seconds",
                 job="ok") == seconds(ok["started_usec"])
    assert value(s, "jobd_job_last_run_duration_seconds", job="ok") == \
        seconds(ok["ended_usec"] - ok["started_usec"])
    assert value(s, "jobd_job_last_run_success", job="ok") == "1"
    assert value(s, "jobd_job_runs_total", job="ok",
                 result="success") == "1"
    assert value(s, "jobd_job_runs_total", job="ok", result="failed") == "0"

    assert value(s, "jobd_job_last_run_success", job="bad") == "0"
    assert value(s, "jobd_job_last_success_timestamp_seconds",
                 job="bad") is None
    assert value(s, "jobd_job_last_run_timestamp_seconds",
                 job="bad") == seconds(runs["bad"]["started_usec"])
    assert value(s, "jobd_job_runs_total", job="bad", result="failed") == "1"

    assert value(s, "jobd_job_last_run_success", job="slow") == "0"
    assert value(s, "jobd_job_runs_total", job="slow",
                 result="timeout") == "1"
    # The rarer results appear once they happened, not before.
    assert value(s, "jobd_job_runs_total", job="ok",
                 result="timeout") is None

    # A job that never ran: its counters at zero, no last-run figures.
    assert value(s, "jobd_job_runs_total", job="never",
                 result="success") == "0"
    for name in ("last_success_timestamp_seconds",
                 "last_run_timestamp_seconds", "last_run_duration_seconds",
                 "last_run_success"):
        assert value(s, "jobd_job_" + name, job="never") is None, name

    jobs = {j["name"]: j for j in d.jobctl_json("list")["jobs"]}
    assert value(s, "jobd_job_next_run_timestamp_seconds",
                 job="per") == seconds(jobs["per"]["next_usec"])
    assert value(s, "jobd_job_next_run_timestamp_seconds",
                 job="ok") is None
    for job in ("ok", "bad", "slow", "per", "never"):
        assert value(s, "jobd_job_running", job=job) == "0"

    assert value(s, "jobd_ledger_up") == "1"
    assert value(s, "jobd_executor_queue_length") is not None
    assert value(s, "jobd_build_info", version="0.1.0") == "1"
    assert int(value(s, "jobd_loop_lag_seconds_count")) >= 0
    assert float(value(s, "jobd_loop_lag_seconds", quantile="0.99")) < 1
    # Every family says what it is.
    for fam in ("jobd_job_runs", "jobd_job_last_run_success",
                "jobd_service_up", "jobd_loop_lag_seconds", "jobd_build"):
        assert "HELP" in meta[fam] and "TYPE" in meta[fam], fam
    assert meta["jobd_job_runs"]["TYPE"] == "counter"
    assert meta["jobd_loop_lag_seconds"]["TYPE"] == "summary"
    assert meta["jobd_job_last_run_duration_seconds"]["UNIT"] == "seconds"
    assert meta["jobd_build"]["TYPE"] == "info"

    fams = check_openmetrics(text)
    if fams is not None:
        assert fams["jobd_job_runs"].type == "counter"
        assert fams["jobd_build"].type == "info"


def test_running_gauge_and_json(jobd):
    d = jobd(start=False)
    d.write_config(jobs={"hold": {"command": child("wait-file",
                                                   d.path("go"), 30)}})
    d.start()
    run = d.start_run("hold")
    d.wait_running("hold", run)
    s = metrics_now(d)
    assert value(s, "jobd_job_running", job="hold") == "1"
    reply = d.jobctl_json("metrics")
    assert reply["text"].endswith("# EOF\n")
    d.path("go").touch()
    d.wait_run(run)
    assert value(metrics_now(d), "jobd_job_running", job="hold") == "0"


# ------------------------------------------------------------ counters

def test_counters_survive_restart_and_pruning(jobd):
    d = jobd(jobs={"ok": {"command": child("exit", 0)},
                   "bad": {"command": child("exit", 1)}},
             settings={"history_max_runs": 1})
    for job, n in (("ok", 3), ("bad", 2)):
        for _ in range(n):
            d.wait_run(d.start_run(job))
    before = metrics_now(d)
    assert value(before, "jobd_job_runs_total", job="ok",
                 result="success") == "3"
    assert value(before, "jobd_job_runs_total", job="bad",
                 result="failed") == "2"
    last_ok = value(before, "jobd_job_last_success_timestamp_seconds",
                    job="ok")

    # A restart prunes to one row per job (retention runs at start).
    assert d.stop() == 0
    d.start()
    wait_for(lambda: len(history(d, "ok")) == 1 and
             len(history(d, "bad")) == 1, 10, "pruning to one run a job")
    after = metrics_now(d)
    assert value(after, "jobd_job_runs_total", job="ok",
                 result="success") == "3"
    assert value(after, "jobd_job_runs_total", job="bad",
                 result="failed") == "2"
    assert value(after, "jobd_job_last_success_timestamp_seconds",
                 job="ok") == last_ok
    assert value(after, "jobd_job_last_run_success", job="bad") == "0"

    # And they go on from there.
    d.wait_run(d.start_run("ok"))
    s = metrics_now(d)
    assert value(s, "jobd_job_runs_total", job="ok", result="success") == "4"
    assert len(history(d, "ok")) <= 2


def test_skipped_slot_counted(jobd):
    d = jobd(jobs={"tick": {"command": child("exit", 0),
                            "schedule": "*-*-* *:*:*"}})
    rc, out, err = d.jobctl("skip", "tick")
    assert rc == 0, err
    wait_for(lambda: value(metrics_now(d), "jobd_job_runs_total", job="tick",
                           result="skipped") == "1", 10,
             "the skipped slot to be counted")
    rc, out, err = d.jobctl("pause", "tick")
    assert rc == 0, err
    # Whatever ran meanwhile is counted as the ledger has it.

    def same_as_ledger():
        results = [r["result"] for r in history(d, "tick")]
        s = metrics_now(d)
        return results.count("skipped") == 1 and all(
            value(s, "jobd_job_runs_total", job="tick", result=res) ==
            str(results.count(res)) for res in ("success", "skipped"))
    wait_for(same_as_ledger, 10, "the counts to be the ledger's")


def test_service_up_and_restarts(jobd):
    d = start_units(jobd, services={
        "up": {"command": notify_child("ready", 0)},
        "crash": {"command": notify_child("crash", 3),
                  "restart_sec": "50ms", "start_limit_burst": 1000}})
    wait_for(lambda: int(value(metrics_now(d), "jobd_service_restarts_total",
                               service="crash") or 0) >= 2, 15,
             "two restarts of 'crash' counted")
    wait_service(d, "up", "ready")
    s = metrics_now(d)
    assert value(s, "jobd_service_up", service="up") == "1"
    assert value(s, "jobd_service_up", service="crash") in ("0", "1")
    assert value(s, "jobd_service_restarts_total", service="up") == "0"
    # Services are not jobs: no job families for them.
    assert value(s, "jobd_job_running", job="up") is None
    started = value(s, "jobd_start_time_seconds")
    assert value(s, "jobd_service_restarts_created",
                 service="up") == started


# ------------------------------------------------------------ validity

def test_prometheus_format_passes_promtool(jobd):
    promtool = shutil.which("promtool")
    if not promtool:
        pytest.skip("promtool is not installed (Debian package "
                    "'prometheus')")
    d = start_units(jobd, jobs={
        "ok": {"command": child("exit", 0)},
        "bad": {"command": child("exit", 2)},
        "per": {"command": child("exit", 0), "schedule": "daily"}},
        services={"svc": {"command": notify_child("ready", 0)}})
    for job in ("ok", "bad"):
        d.wait_run(d.start_run(job))
    text = metrics(d, "--format", "prometheus")
    assert "# EOF" not in text and "# UNIT" not in text
    assert "# TYPE jobd_job_runs_total counter" in text
    p = subprocess.run([promtool, "check", "metrics"], input=text.encode(),
                       capture_output=True, timeout=30)
    assert p.returncode == 0 and not p.stdout.strip(), \
        "promtool: rc %d\n%s%s" % (p.returncode, p.stdout.decode(),
                                  p.stderr.decode())
    # The OpenMetrics text of the same state, with a strict parser.
    om = metrics(d)
    fams = check_openmetrics(om)
    if fams is not None:
        assert "jobd_service_restarts" in fams
        assert fams["jobd_job_last_success_timestamp_seconds"].unit == \
            "seconds"
    # Both dialects carry the same samples (but for _created).
    a, _ = parse(text)
    b, _ = parse(om)
    drop = ("jobd_loop_lag", "jobd_executor", "_created")
    keep = lambda d_: {k: v for k, v in d_.items()     # noqa: E731
                       if not any(x in k[0] for x in drop)}
    assert keep(a) == keep(b)


def test_invalid_format_refused(jobd):
    d = jobd(jobs={"j": {"command": child("exit", 0)}})
    rc, out, err = d.jobctl("metrics", "--format", "xml")
    assert rc == 2 and "invalid format 'xml'" in err, (rc, err)
    rc, out, err = d.jobctl("metrics", "--format", "openmetrics",
                            "--textfile", str(d.dir))
    assert rc == 2 and "--textfile writes the prometheus format" in err
    rc, out, err = d.jobctl("list", "--textfile", str(d.dir))
    assert rc == 2, (rc, err)
    with d.varlink() as c:
        for bad in ("xml", 1, ["openmetrics"]):
            with pytest.raises(Exception) as e:
                c.call1("io.jobd.Manager.Metrics", {"format": bad})
            assert "InvalidParameter" in str(e.value), e.value
        assert c.call1("io.jobd.Manager.Metrics",
                       {"format": "prometheus"})["text"]


# ------------------------------------------------------------ textfile

def test_textfile_written_atomically(jobd):
    d = jobd(jobs={"ok": {"command": child("exit", 0)}})
    d.wait_run(d.start_run("ok"))
    out_dir = d.path("textfile")
    out_dir.mkdir()
    os.umask(0o077)
    try:
        rc, out, err = d.jobctl("metrics", "--textfile", out_dir)
    finally:
        os.umask(0o022)
    assert rc == 0 and out == "" and err == "", (rc, out, err)
    assert sorted(os.listdir(out_dir)) == ["jobd.prom"]
    path = out_dir / "jobd.prom"
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    text = path.read_text()
    s, meta = parse(text)
    assert value(s, "jobd_job_runs_total", job="ok", result="success") == "1"
    assert meta["jobd_job_runs_total"]["TYPE"] == "counter"
    assert "# EOF" not in text

    # Written again: replaced whole (a new inode), nothing left beside it.
    ino = path.stat().st_ino
    d.wait_run(d.start_run("ok"))
    rc, out, err = d.jobctl("metrics", "--textfile", out_dir)
    assert rc == 0, err
    assert path.stat().st_ino != ino
    assert sorted(os.listdir(out_dir)) == ["jobd.prom"]
    assert value(parse(path.read_text())[0], "jobd_job_runs_total",
                 job="ok", result="success") == "2"


def test_textfile_errors(jobd, workdir):
    d = jobd(jobs={"ok": {"command": child("exit", 0)}})
    missing = d.path("no-such-dir")
    rc, out, err = d.jobctl("metrics", "--textfile", missing)
    assert rc == 1, (rc, err)
    assert "cannot write metrics into '%s': No such file or directory" \
        % missing in err
    afile = d.path("afile")
    afile.write_text("x")
    rc, out, err = d.jobctl("metrics", "--textfile", afile)
    assert rc == 1 and "not a directory" in err, (rc, err)
    # jobd unreachable: exit 3, and nothing written.
    target = d.path("tf")
    target.mkdir()
    rc, out, err = jobctl_at(workdir / "nosuch.sock", "metrics",
                             "--textfile", target)
    assert rc == 3, (rc, err)
    assert os.listdir(target) == []


def test_textfile_unwritable_directory(jobd):
    """As a user who may not write the directory (root may write any)."""
    if os.geteuid() != 0:
        pytest.skip("needs root to run jobctl as another user")
    d = jobd(jobs={"ok": {"command": child("exit", 0)}})
    target = d.path("ro")
    target.mkdir()
    os.chmod(d.dir.parent, 0o755)
    os.chmod(d.dir, 0o755)
    os.chmod(target, 0o755)
    p = subprocess.run([JOBCTL, "-s", str(d.sock), "metrics", "--textfile",
                        str(target)], user=65534, group=65534,
                       capture_output=True, timeout=30)
    err = p.stderr.decode()
    assert p.returncode == 1, (p.returncode, err)
    assert "cannot write metrics into '%s': Permission denied" % target \
        in err
    assert os.listdir(target) == []


def test_metrics_text_is_one_json_string(jobd):
    """The reply is {"text": ...}: what jobctl --json prints."""
    d = jobd(jobs={"ok": {"command": child("exit", 0)}})
    rc, out, err = d.jobctl("--json", "metrics")
    assert rc == 0, err
    reply = json.loads(out)
    assert list(reply) == ["text"]
    assert reply["text"].startswith("# HELP ")
    assert reply["text"].endswith("\n# EOF\n")


# ------------------------------------------------------------ README

README = __import__("pathlib").Path(__file__).resolve().parents[2] \
    / "README.md"


def readme_block(lang, first_line):
    """The README's fenced block in lang whose first line is first_line."""
    blocks = re.findall(r"```%s\n(.*?)```" % lang, README.read_text(),
                        re.S)
    found = [b for b in blocks if b.startswith(first_line)]
    assert found, "README has no %s block starting %r" % (lang, first_line)
    return found[0]


def test_readme_textfile_job_is_valid(workdir):
    """The [job metrics-textfile] example of README "Metrics"."""
    conf = workdir / "jobd.conf"
    conf.write_text("[jobd]\n\n" + readme_block("ini", "[job metrics-"))
    os.chmod(conf, 0o644)
    p = subprocess.run([os.environ["JOBD"], "--check", "--config",
                        str(conf)], capture_output=True, timeout=30)
    assert p.returncode == 0, p.stderr.decode()


def test_readme_alerting_rules_pass_promtool(workdir):
    promtool = shutil.which("promtool")
    if not promtool:
        pytest.skip("promtool is not installed (Debian package "
                    "'prometheus')")
    rules = workdir / "jobd-rules.yml"
    rules.write_text(readme_block("yaml", "groups:"))
    p = subprocess.run([promtool, "check", "rules", str(rules)],
                       capture_output=True, timeout=30)
    assert p.returncode == 0, p.stdout.decode() + p.stderr.decode()
    assert b"SUCCESS: 4 rules found" in p.stdout, p.stdout
