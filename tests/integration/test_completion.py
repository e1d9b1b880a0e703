"""The bash completion (packaging/bash-completion/jobctl), run in bash
against this build's jobctl: verbs come from jobctl --help, the import
verb completes its kinds then files, --user user names."""
import os
import subprocess
from pathlib import Path

from conftest import JOBCTL

COMPLETION = Path(__file__).resolve().parents[2] / "packaging" / \
    "bash-completion" / "jobctl"


def complete(*words):
    """COMPREPLY for the command line words (the last one being typed)."""
    script = ('source "%s"; COMP_WORDS=(%s); COMP_CWORD=%d; _jobctl; '
              'printf "%%s\\n" "${COMPREPLY[@]}"' %
              (COMPLETION, " ".join("'%s'" % w for w in words),
               len(words) - 1))
    env = dict(os.environ, PATH="%s:%s" % (Path(JOBCTL).parent,
                                           os.environ["PATH"]))
    out = subprocess.run(["bash", "-c", script], capture_output=True,
                         text=True, env=env, check=True).stdout
    return sorted(w for w in out.splitlines() if w)


def test_verbs_come_from_help():
    got = complete("jobctl", "im")
    assert got == ["import"]
    assert "nodes" in complete("jobctl", "")


def test_import_kinds_then_files(tmp_path):
    assert complete("jobctl", "import", "") == ["crontab", "supervisord",
                                                 "systemd"]
    assert complete("jobctl", "import", "cr") == ["crontab"]
    (tmp_path / "my.cron").write_text("")
    got = complete("jobctl", "import", "crontab", str(tmp_path / "my"))
    assert got == [str(tmp_path / "my.cron")]


def test_import_options():
    assert "--user" in complete("jobctl", "import", "crontab", "--u")
    assert "root" in complete("jobctl", "import", "crontab", "--user", "ro")
