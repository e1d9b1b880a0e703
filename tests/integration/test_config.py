"""jobd --check: a valid configuration passes, and every error of every
file is reported as file:line in one pass, with exit status 2."""
import re

from conftest import child, run_cmd


def check(d):
    return run_cmd(d.argv("--check"))


def assert_error_at(output, filename, line):
    pattern = r"(^|/)%s:%d: \S" % (re.escape(filename), line)
    assert re.search(pattern, output, re.M), \
        "no error at %s:%d in:\n%s" % (filename, line, output)


def test_check_ok(jobd):
    d = jobd(jobs={
        "hello": {"command": child("print", 1, "hello"),
                  "description": "says hello"},
        "shelly": {"command": "echo hi; exit 0", "shell": "yes",
                   "timeout": "1h 30min", "stop_timeout": "500ms",
                   "stop_signal": "SIGINT", "output": "null",
                   "environment": ["A=1 'B=two words'", "C=3"]},
    }, settings={"drain_timeout": "2s", "output_tail": "128K"},
        main_jobs={"inmain": {"command": child("exit", 0)}}, start=False)
    rc, out, err = check(d)
    assert rc == 0, "rc %d\nstdout: %s\nstderr: %s" % (rc, out, err)
    assert "configuration OK" in out


def test_check_reports_every_error_of_every_file(jobd):
    main = ("[jobd]\n"                          # 1
            "include_dir=conf.d\n"              # 2
            "drain_timeout=soon\n"              # 3
            "\n"                                # 4
            "[job main-bad]\n"                  # 5
            "command=%s\n"                      # 6
            "timeout=forever\n") % child("exit", 0)   # 7
    first = ("[job a]\n"                        # 1
             "command=%s\n"                     # 2
             "shell=maybe\n"                    # 3
             "\n"                               # 4
             "[job b]\n"                        # 5
             "command=%s\n"                     # 6
             "stop_signal=NOTASIGNAL\n"         # 7
             ) % (child("exit", 0), child("exit", 0))
    second = ("[job c]\n"                       # 1
              "command=%s\n"                    # 2
              "output=sideways\n"               # 3
              "\n"                              # 4
              "[jobd]\n"                        # 5
              "drain_timeout=1s\n"              # 6
              ) % child("exit", 0)
    d = jobd(files={"jobd.conf": main, "conf.d/10-first.conf": first,
                    "conf.d/20-second.conf": second}, start=False)
    rc, out, err = check(d)
    both = out + err
    assert rc == 2, "rc %d\n%s" % (rc, both)
    assert "configuration OK" not in both
    assert_error_at(both, "jobd.conf", 3)
    assert_error_at(both, "jobd.conf", 7)
    assert_error_at(both, "10-first.conf", 3)
    assert_error_at(both, "10-first.conf", 7)
    assert_error_at(both, "20-second.conf", 3)
    assert_error_at(both, "20-second.conf", 5)


def test_check_missing_command_and_unknown_key(jobd):
    text = ("[job nocmd]\n"                     # 1
            "description=no command here\n"     # 2
            "\n"                                # 3
            "[job typo]\n"                      # 4
            "command=%s\n"                      # 5
            "comand=%s\n"                       # 6
            ) % (child("exit", 0), child("exit", 0))
    d = jobd(files={"conf.d/x.conf": text}, start=False)
    rc, out, err = check(d)
    both = out + err
    assert rc == 2, both
    assert re.search(r"(^|/)x\.conf:[12]: \S", both, re.M), both
    assert_error_at(both, "x.conf", 6)


def test_check_pasted_cron_lines(jobd):
    """What cron users paste: read as cronie reads it, or refused by
    --check with what to write instead, at the line it is on."""
    text = ("[job weekend]\n"                                  # 1
            "command=%s\n"                                     # 2
            "schedule=CRON_TZ=Europe/Berlin 0 9 ? * sat-sun\n"  # 3
            "schedule=0 23 L * *\n"                            # 4
            "[job never]\n"                                    # 5
            "command=%s\n"                                     # 6
            "schedule=0 0 31 2 *\n"                            # 7
            "[job pasted]\n"                                   # 8
            "command=%s\n"                                     # 9
            "schedule=17 * * * * root run-parts /etc/cron.hourly\n"  # 10
            ) % (child("exit", 0), child("exit", 0), child("exit", 0))
    d = jobd(files={"conf.d/c.conf": text}, start=False)
    rc, out, err = check(d)
    both = out + err
    assert rc == 2, both
    assert "never fires" in both and "user=root" in both, both
    assert_error_at(both, "c.conf", 7)
    assert_error_at(both, "c.conf", 10)
    assert not re.search(r"c\.conf:[34]:", both), both


def test_check_missing_config_file_is_exit_2(workdir):
    from conftest import JOBD
    rc, out, err = run_cmd([JOBD, "--check", "--config",
                            str(workdir / "nope.conf")])
    assert rc == 2, out + err
    assert "nope.conf" in out + err


def test_usage_error_is_exit_2():
    from conftest import JOBD
    rc, out, err = run_cmd([JOBD, "--no-such-option"])
    assert rc == 2, out + err
    assert err.strip()


def test_invalid_config_refuses_to_start(jobd):
    d = jobd(files={"conf.d/bad.conf": "[job x]\ncommand=\ntimeout=zz\n"},
             start=False)
    rc, out, err = run_cmd(d.argv(), timeout=20)
    assert rc == 2, out + err
    assert_error_at(out + err, "bad.conf", 3)
    assert not d.sock.exists() or not d.answers()
