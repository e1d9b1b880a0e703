"""Builds the cron oracle (cron-oracle.c) against Debian cron's own
parser: the source package cron 3.0pl1-162 (Debian 12's) is fetched from
the Debian archive apt uses, checked against the hashes below, unpacked
with dpkg-source (which applies Debian's patches) and compiled with
entry.c, env.c and misc.c.  The result is cached in the build directory.
"""
import hashlib
import os
import re
import subprocess
import tempfile
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
VERSION = "3.0pl1-162"
FILES = {
    "cron_3.0pl1-162.dsc":
        "5258f1e5e13bc330b66019a631092dc517904214881bbb4a39bef252781a22cd",
    "cron_3.0pl1.orig.tar.gz":
        "d931e0688005dfa85cfdb60e19bf0a3848ebfa3ee3415bf2a6ea3ea9e5bcfd21",
    "cron_3.0pl1-162.debian.tar.xz":
        "72790571714030f0ba9acd98a14ad1cef835d3cc7056f013f67182adf1a83d3a",
}


def mirror():
    """The Debian mirror apt is configured with."""
    for path in [Path("/etc/apt/sources.list.d/debian.sources"),
                 Path("/etc/apt/sources.list")]:
        try:
            text = path.read_text()
        except OSError:
            continue
        m = re.search(r"^URIs:\s*(\S+)", text, re.M) or \
            re.search(r"^deb\s+(?:\[[^]]*\]\s+)?(\S+)\s+bookworm", text, re.M)
        if m:
            return m.group(1).rstrip("/")
    return "http://deb.debian.org/debian"


def fetch(dest):
    dest.mkdir(parents=True, exist_ok=True)
    for name, digest in FILES.items():
        path = dest / name
        if not path.exists():
            url = "%s/pool/main/c/cron/%s" % (mirror(), name)
            with urllib.request.urlopen(url, timeout=60) as r:
                data = r.read()
            path.with_suffix(".part").write_bytes(data)
            path.with_suffix(".part").rename(path)
        got = hashlib.sha256(path.read_bytes()).hexdigest()
        if got != digest:
            path.unlink()
            raise RuntimeError("%s: sha256 %s, expected %s" %
                               (name, got, digest))


def build(outdir):
    """Path of the cron-oracle binary under outdir, built if missing."""
    outdir = Path(outdir)
    binary = outdir / "cron-oracle"
    source = HERE / "cron-oracle.c"
    if binary.exists() and binary.stat().st_mtime >= source.stat().st_mtime:
        return binary
    cache = outdir / "cron-src"
    fetch(cache)
    src = cache / ("cron-" + VERSION)
    if not src.exists():
        subprocess.run(["dpkg-source", "--no-check", "-x",
                        "cron_%s.dsc" % VERSION, src.name], cwd=cache,
                       check=True, stdout=subprocess.DEVNULL)
    tmp = binary.with_suffix(".tmp")
    subprocess.run(["gcc", "-O2", "-DDEBUGGING=0", "-w", "-I", str(src),
                    "-o", str(tmp), str(source), str(src / "entry.c"),
                    str(src / "env.c"), str(src / "misc.c")], check=True)
    os.replace(tmp, binary)
    return binary


def times(binary, crontab_text, start, end, system=False):
    """{entry index: [epoch, ...]} of the minutes in [start, end) at
    which Debian cron runs each entry of crontab_text (wall clock in
    UTC)."""
    argv = [str(binary)] + (["--system"] if system else []) + \
        [str(start), str(end)]
    # cron's load_env() seeks back over a line that is no assignment:
    # its input must be a file, not a pipe.
    with tempfile.TemporaryFile("w+") as f:
        f.write(crontab_text)
        f.flush()
        f.seek(0)
        out = subprocess.run(argv, stdin=f, capture_output=True, text=True,
                             check=True, env=dict(os.environ, TZ="UTC")).stdout
    found = {}
    for line in out.splitlines():
        n, t = line.split()
        found.setdefault(int(n), []).append(int(t))
    return found
