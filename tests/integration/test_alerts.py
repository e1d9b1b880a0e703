"""Alert delivery (issue 17, part A) against real receivers: an HTTP server
on 127.0.0.1 in a thread of the test (it records each request, can answer
500 before 200, can hang), a fake sendmail (a script writing what it got
to a file; a variant exits 1), and an alert command run as alert:NAME.
Events come from `jobctl alert test` (AlertTest), which sends a test event
to every sink of an alert.  Every attempt is in `jobctl alerts`; a bad
receiver is a recorded failure, never a stalled loop or a lost run."""
import grp
import json
import os
import socket
import subprocess
import time
import uuid

import pytest

from conftest import JOBCTL, JOBD, child, daemon_info, history, wait_for


from alert_helpers import (alert_test, alerts_conf, attempts, closed_port,
                           fake_sendmail, start, wait_attempts)


def test_webhook_json_fields_and_headers(jobd, receiver):
    r = receiver()
    d = start(jobd, {"ops": {
        "webhook": r.url("/hook?k=1"),
        "webhook_header": ["Authorization: Bearer s3cret",
                           "X-Team: night shift"]}})
    out = alert_test(d, "ops")
    assert "alert 'ops': test queued for webhook" in out
    req = r.wait(1)[0]
    assert req["path"] == "/hook?k=1"
    assert req["headers"]["Authorization"] == "Bearer s3cret"
    assert req["headers"]["X-Team"] == "night shift"
    assert req["headers"]["Content-Type"] == "application/json"
    assert req["headers"]["User-Agent"].startswith("jobd/")
    doc = json.loads(req["body"])
    assert set(doc) == {
        "event", "alert", "job", "service", "run", "result", "exit_status",
        "signal", "reason", "trigger", "host", "scheduled_at", "started_at",
        "ended_at", "duration_usec", "at", "summary", "output_tail"}
    assert doc["event"] == "test" and doc["alert"] == "ops"
    assert doc["job"] is None and doc["run"] is None
    assert doc["host"] == socket.gethostname()
    assert doc["summary"] == "[jobd %s] test of [alert ops]" % doc["host"]
    assert doc["output_tail"] == []
    assert doc["at"].endswith("Z") and doc["at"][10] == "T"
    a = wait_attempts(d, lambda a: a and a[0]["status"] == "sent",
                      "the attempt recorded")
    assert a[0]["alert"] == "ops" and a[0]["sink"] == "webhook"
    assert a[0]["event"] == "test" and a[0]["attempt"] == 1
    assert a[0]["detail"] == "HTTP 200"
    assert "job" not in a[0] and "run" not in a[0]
    rc, out, err = d.jobctl("alerts")
    assert rc == 0, err
    head, row = out.splitlines()[:2]
    assert head.split() == ["TIME", "ALERT", "SINK", "EVENT", "JOB", "RUN",
                            "ATTEMPT", "STATUS", "DETAIL"]
    assert row.split()[2:] == ["ops", "webhook", "test", "-", "-", "1",
                               "sent", "HTTP", "200"]


def test_slack_format(jobd, receiver):
    r = receiver()
    d = start(jobd, {"chat": {"webhook": r.url(),
                              "webhook_format": "slack"}})
    alert_test(d, "chat")
    doc = json.loads(r.wait(1)[0]["body"])
    assert doc == {"text": "[jobd %s] test of [alert chat]"
                   % socket.gethostname()}


def test_500_then_200_is_retried(jobd, receiver):
    r = receiver(statuses=[500])
    d = start(jobd, {"ops": {"webhook": r.url()}})
    alert_test(d, "ops")
    a = wait_attempts(d, lambda a: len(a) == 2, "two attempts")
    # Newest first: the retry, a second after the first.
    assert [(x["attempt"], x["status"]) for x in a] == \
        [(2, "sent"), (1, "failed")]
    assert a[1]["detail"] == "HTTP 500: oops, not now"
    assert a[0]["detail"] == "HTTP 200"
    assert 0.9 <= (a[0]["at_usec"] - a[1]["at_usec"]) / 1e6 <= 3.0
    assert r.count() == 2
    rc, out, _ = d.jobctl("alerts", "--failed")
    assert rc == 0 and "HTTP 500" in out and "HTTP 200" not in out
    assert "attempt 1 of 5 failed: HTTP 500: oops, not now; next in 1s" \
        in d.log_text()


def test_client_error_is_not_retried(jobd, receiver):
    r = receiver(statuses=[404, 404])
    d = start(jobd, {"ops": {"webhook": r.url()}})
    alert_test(d, "ops")
    a = wait_attempts(d, lambda a: len(a) == 1, "one attempt")
    assert a[0]["status"] == "failed" and a[0]["detail"].startswith(
        "HTTP 404")
    wait_for(lambda: "giving up" in d.log_text(), 5.0, "gave up")
    assert d.jobctl_json("alerts")["pending"] == 0
    assert r.count() == 1


@pytest.mark.timeout(90)
def test_hung_receiver_times_out_and_blocks_nothing(jobd, receiver):
    hung = receiver(hang=True)
    good = receiver()
    d = start(jobd, {"slow": {"webhook": hung.url(),
                              "webhook_timeout": "3s"},
                     "fast": {"webhook": good.url()}},
              jobs={"j": {"command": child("exit", 0)}})
    alert_test(d, "slow")
    hung.wait(1)
    # Meanwhile other deliveries go, runs run and the loop keeps time.
    alert_test(d, "fast")
    good.wait(1)
    rid = d.start_run("j")
    assert d.wait_run(rid)["result"] == "success"
    lag = daemon_info(d)["loop_lag"]
    assert lag["max_usec"] < 100000, lag
    a = wait_attempts(d, lambda a: any(x["alert"] == "slow" for x in a),
                      "the hung attempt recorded", timeout=10)
    slow = [x for x in a if x["alert"] == "slow"][0]
    assert slow["status"] == "failed" and slow["attempt"] == 1
    assert "timed out" in slow["detail"], slow
    assert [x["status"] for x in a if x["alert"] == "fast"] == ["sent"]
    lag = daemon_info(d)["loop_lag"]
    assert lag["max_usec"] < 100000, lag
    assert [x["id"] for x in history(d, "j")] == [rid]


def test_refused_and_unresolvable(jobd):
    d = start(jobd, {
        "refused": {"webhook": "http://127.0.0.1:%d/x" % closed_port()},
        "nowhere": {"webhook": "http://no-such-host.invalid/x"}})
    alert_test(d, "refused")
    alert_test(d, "nowhere")
    a = wait_attempts(d, lambda a: {x["alert"] for x in a} ==
                      {"refused", "nowhere"}, "both attempts")
    by = {x["alert"]: x for x in a}
    assert by["refused"]["status"] == "failed"
    assert "onnect" in by["refused"]["detail"], by["refused"]
    assert by["nowhere"]["status"] == "failed"
    assert "resolve" in by["nowhere"]["detail"], by["nowhere"]
    # Retried later: still pending, and jobd goes on.
    assert d.jobctl_json("alerts")["pending"] == 2
    rid = d.start_run("j")
    assert d.wait_run(rid)["result"] == "success"


@pytest.mark.timeout(120)
def test_queue_full_drops_and_counts(jobd, receiver):
    hung = receiver(hang=True)
    d = start(jobd, {"flood": {"webhook": hung.url(),
                               "webhook_timeout": "5min"}})
    with d.varlink() as c:
        for _ in range(1010):
            c.call1("io.jobd.Manager.AlertTest", {"name": "flood"})
    assert d.jobctl_json("alerts")["pending"] == 1000
    dropped = wait_attempts(d, lambda a: len(a) == 10,
                            "10 dropped deliveries")
    assert {x["status"] for x in dropped} == {"dropped"}
    assert {x["attempt"] for x in dropped} == {0}
    assert dropped[0]["detail"] == "queue full (1000 deliveries pending)"
    # One warning, not ten.
    assert d.log_text().count("dropped: queue full") == 1
    # jobd still serves and runs; in flight are 16 at most.
    hung.wait(16)
    assert hung.count() == 16
    rid = d.start_run("j")
    assert d.wait_run(rid)["result"] == "success"
    # At shutdown what has not started is dropped at once; the 16 in
    # flight get 5 s to end, then are dropped too; all recorded, and
    # jobd exits.
    t0 = time.monotonic()
    assert d.stop() == 0
    assert 4.5 < time.monotonic() - t0 < 15
    d.start()
    a = attempts(d)
    assert len(a) == 1010
    assert all(x["status"] == "dropped" for x in a)
    assert sum(x["detail"] == "jobd stopped" for x in a) == 984
    assert sum(x["detail"].startswith("jobd stopped while it was in "
                                      "flight") for x in a) == 16


# ------------------------------------------------------------ mail

def read_mail(d, n=0):
    path = d.path("mail.%d" % n)
    wait_for(lambda: path.exists() and path.read_text(), 10.0,
             "mail.%d written" % n)
    return path.read_text()


def test_mail_through_sendmail(jobd):
    d = jobd(start=False)
    sendmail = fake_sendmail(d)
    d.write_config(jobs={"j": {"command": child("exit", 0)}},
                   settings={"sendmail": sendmail},
                   files={"conf.d/60-alerts.conf": alerts_conf({
                       "m": {"mail": "ops@example.com root"}})})
    d.start()
    alert_test(d, "m")
    text = read_mail(d)
    args, rest = text.split("\n", 1)
    assert args == "ARGS: -t -oi"
    headers, body = rest.split("\n\n", 1)
    host = socket.gethostname()
    lines = headers.splitlines()
    assert lines[0] == "To: ops@example.com, root"
    assert lines[1] == "Subject: [jobd %s] test of [alert m]" % host
    assert lines[2].startswith("Date: ") and lines[2].endswith(" +0000")
    assert "Content-Type: text/plain; charset=utf-8" in lines
    assert "Auto-Submitted: auto-generated" in lines
    assert not any(line.startswith("Bcc") for line in lines)
    assert "Event:     test" in body and "Alert:     m" in body
    a = wait_attempts(d, lambda a: a and a[0]["status"] == "sent",
                      "mail sent")
    assert a[0]["sink"] == "mail"
    assert a[0]["detail"].startswith("sendmail exit status 0")


def test_sendmail_exit_1_is_a_failure(jobd):
    d = jobd(start=False)
    sendmail = fake_sendmail(d, exit_code=1)
    d.write_config(settings={"sendmail": sendmail},
                   files={"conf.d/60-alerts.conf": alerts_conf({
                       "m": {"mail": "root"}})})
    d.start()
    alert_test(d, "m")
    a = wait_attempts(d, lambda a: len(a) >= 1, "the failed attempt")
    assert a[0]["status"] == "failed"
    assert a[0]["detail"] == \
        "sendmail exit status 1: sendmail: cannot deliver today"
    assert "attempt 1 of 5 failed: sendmail exit status 1" in d.log_text()


def test_missing_sendmail_is_a_failure(jobd):
    d = jobd(start=False)
    d.write_config(settings={"sendmail": str(d.path("no-such-sendmail"))},
                   files={"conf.d/60-alerts.conf": alerts_conf({
                       "m": {"mail": "root"}})})
    d.start()
    alert_test(d, "m")
    a = wait_attempts(d, lambda a: len(a) >= 1, "the failed attempt")
    assert a[0]["status"] == "failed"
    assert "cannot run" in a[0]["detail"]
    assert "No such file" in a[0]["detail"]


# ------------------------------------------------------------ command

def test_command_sink_is_a_recorded_run(jobd):
    d = jobd(start=False)
    out = d.path("cmd.out")
    d.write_config(files={"conf.d/60-alerts.conf": alerts_conf({"page": {
        "command": "/bin/sh -c 'env | grep ^JOBD_ALERT > %s.env; "
                   "cat > %s'" % (out, out),
        "timeout": "10s"}})})
    d.start()
    alert_test(d, "page")
    a = wait_attempts(d, lambda a: a and a[0]["status"] == "sent",
                      "the command's attempt")
    runs = history(d, "alert:page")
    assert len(runs) == 1
    assert runs[0]["trigger"] == "alert" and runs[0]["result"] == "success"
    assert a[0]["detail"] == "run %d: success (exit status 0)" \
        % runs[0]["id"]
    doc = json.loads(out.read_text())
    assert doc["event"] == "test" and doc["alert"] == "page"
    env = d.path("cmd.out.env").read_text().split()
    assert "JOBD_ALERT=page" in env and "JOBD_ALERT_EVENT=test" in env
    # Listed like any job, described as what it is.
    jobs = {j["name"]: j for j in d.jobctl_json("list")["jobs"]}
    assert jobs["alert:page"]["description"] == "command of [alert page]"


def test_failing_command_is_retried(jobd):
    d = start(jobd, {"page": {"command": "/bin/sh -c 'exit 7'"}})
    alert_test(d, "page")
    a = wait_attempts(d, lambda a: len(a) >= 2, "two attempts",
                      timeout=15.0)
    assert [x["attempt"] for x in a[-2:]] == [2, 1]
    assert all(x["status"] == "failed" for x in a)
    assert "failed (exit status 7)" in a[-1]["detail"]
    assert len(history(d, "alert:page")) >= 2


# ------------------------------------------------------------ control

def test_unknown_alert(jobd):
    d = start(jobd, {"ops": {"mail": "root"}})
    rc, out, err = d.jobctl("alert", "test", "nope")
    assert rc == 1 and "no such alert 'nope'" in err, (rc, out, err)
    rc, out, err = d.jobctl("alert", "frob", "ops")
    assert rc == 2 and "unknown alert verb 'frob'" in err


def test_alert_test_is_for_admins_only(jobd, workdir, attacker):
    group = "jdg" + uuid.uuid4().hex[:6]
    subprocess.run(["groupadd", group], check=True, capture_output=True)
    try:
        gid = grp.getgrnam(group).gr_gid
        d = jobd(start=False)
        d.write_config(settings={"socket_group": group},
                       files={"conf.d/60-alerts.conf": alerts_conf({
                           "ops": {"webhook": "http://127.0.0.1:%d/"
                                   % closed_port()}})})
        os.chmod(workdir, 0o755)
        os.chmod(d.dir, 0o755)
        d.start()

        def as_member(*args):
            p = subprocess.run(
                [JOBCTL, "-s", str(d.sock)] + list(args),
                capture_output=True, cwd="/",
                preexec_fn=lambda: (os.setgroups([gid]),
                                    os.setgid(attacker.gid),
                                    os.setuid(attacker.uid)))
            return p.returncode, p.stdout.decode(), p.stderr.decode()
        rc, out, err = as_member("alert", "test", "ops")
        assert rc == 1 and "permission denied" in err, (rc, out, err)
        wait_for(lambda: "refused io.jobd.Manager.AlertTest to uid %d"
                 % attacker.uid in d.log_text(), 5.0, "the refusal logged")
        # Reading the log is for members, like History.
        rc, out, err = as_member("alerts")
        assert rc == 0 and out.startswith("TIME"), (rc, out, err)
        assert attempts(d) == []
    finally:
        subprocess.run(["groupdel", group], capture_output=True)


def test_reload_adds_and_removes_alerts(jobd, receiver):
    r = receiver()
    d = start(jobd, {"old": {"webhook": r.url("/old"),
                             "command": "/bin/true"}})
    assert "alert:old" in {j["name"] for j in d.jobctl_json("list")["jobs"]}
    d.write_config(jobs={"j": {"command": child("exit", 0)}},
                   files={"conf.d/60-alerts.conf": alerts_conf({
                       "new": {"webhook": r.url("/new")}})})
    rc, out, err = d.jobctl("reload")
    assert rc == 0, err
    names = {j["name"] for j in d.jobctl_json("list")["jobs"]}
    assert "alert:old" not in names
    rc, _, err = d.jobctl("alert", "test", "old")
    assert rc == 1 and "no such alert 'old'" in err
    alert_test(d, "new")
    assert r.wait(1)[0]["path"] == "/new"


BAD = [
    ("webhook = ftp://h/x", "expected http:// or https://"),
    ("webhook = http://h/a\tb", "must be percent-encoded"),
    ("webhook = http://h\nwebhook_timeout = 0", "expected 1s to 5min"),
    ("webhook = http://h\nwebhook_format = xml", "expected json or slack"),
    ("webhook = http://h\nwebhook_header = Bad Header", "invalid header"),
    ("mail = a@b,c@d", "invalid address 'a@b,c@d'"),
    ("mail = <root>", "invalid address '<root>'"),
    ("command = /bin/true\ntimeout = 2h", "expected 1s to 1h"),
    ("mail = root\nuser = nobody", "are for command="),
    ("", "has no sink"),
]


@pytest.mark.parametrize("lines,error", BAD)
def test_bad_alert_config_is_refused(jobd, lines, error):
    d = jobd(start=False)
    d.write_config(files={"conf.d/60-alerts.conf":
                          "[alert a]\n%s\n" % lines})
    p = subprocess.run([JOBD, "--check", "--config", str(d.conf)],
                       capture_output=True, text=True)
    assert p.returncode == 2, p
    assert "60-alerts.conf:" in p.stderr and error in p.stderr, p.stderr


def test_duplicate_alert_names_the_first(jobd):
    d = jobd(start=False)
    d.write_config(files={"conf.d/60-alerts.conf":
                          "[alert a]\nmail = root\n[alert a]\nmail = x\n"})
    p = subprocess.run([JOBD, "--check", "--config", str(d.conf)],
                       capture_output=True, text=True)
    assert p.returncode == 2
    assert "60-alerts.conf:3: alert 'a' already defined at " in p.stderr
    assert "60-alerts.conf:1" in p.stderr
