"""What supervisord itself makes of a config: run with Debian's python3
(the supervisor package), it prints one JSON object per process, from
supervisor's own option parser.  Paths, users and the config's
directories need not exist: the checks that look at the machine are
replaced by the identity.  Usage: supervisord_oracle.py FILE"""
import io
import json
import os
import re
import sys

from supervisor import datatypes, options


def lenient():
    ident = lambda v: v                                     # noqa: E731
    for mod in (datatypes, options):
        for name in ("existing_dirpath", "existing_directory"):
            if hasattr(mod, name):
                setattr(mod, name, ident)
    options.name_to_uid = lambda name: 0
    datatypes.logfile_name.__globals__["existing_dirpath"] = ident


def restart_name(v):
    if v is False:
        return "no"
    if v is datatypes.RestartUnconditionally:
        return "always"
    return "on-failure"


def logfile(v):
    if v is datatypes.Automatic:
        return "AUTO"
    return v


def main(path):
    lenient()
    opts = options.ServerOptions()
    opts.configfile = path
    opts.here = os.path.dirname(os.path.abspath(path))
    with open(path) as f:
        text = f.read()
    # A conf.d snippet has no [supervisord]: supervisord needs one.
    if not re.search(r"^\[supervisord\]", text, re.M):
        text = "[supervisord]\n" + text
    fp = io.StringIO(text)
    fp.name = path
    section = opts.read_config(fp)
    procs = []
    for group in section.process_group_configs:
        if type(group) is not options.ProcessGroupConfig:
            continue            # event listener pools
        for p in group.process_configs:
            procs.append({
                "group": group.name, "name": p.name,
                "command": p.command, "directory": p.directory,
                "autostart": p.autostart,
                "restart": restart_name(p.autorestart),
                "startsecs": p.startsecs, "startretries": p.startretries,
                "stopsignal": p.stopsignal, "stopwaitsecs": p.stopwaitsecs,
                "exitcodes": p.exitcodes, "environment": p.environment,
                "user": None if p.uid is None else "set",
                "stdout_logfile": logfile(p.stdout_logfile),
                "redirect_stderr": p.redirect_stderr,
            })
    json.dump({"processes": procs,
               "environment": section.environment}, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1])
