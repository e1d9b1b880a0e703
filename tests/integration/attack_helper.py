"""The client side of the control-socket attacks (test_attack_control.py),
run as whatever user the test started it as; prints one JSON line.

  hold SOCK MAX     open connections until one is refused (or MAX are
                    open): print {"held": N}, keep them until stdin closes
  late-groups SOCK UID GID SOCKGID ADMINGID
                    (started as root) connect as UID/GID with the groups
                    [SOCKGID] only, then gain ADMINGID and call EventSet on
                    that connection: print {"error": ...} or {"reply": ...}
  pass-fd SOCK FD   connect, send the connected socket over the Unix
                    socket FD (SCM_RIGHTS), print {"pid": PID} and exit
  idle SOCK SECS    connect, call nothing, and wait up to SECS for jobd to
                    close the connection: print {"closed_after": S} or
                    {"closed_after": null}
"""
import json
import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from varlink_client import Client, VarlinkError     # noqa: E402


def say(obj):
    print(json.dumps(obj), flush=True)


def answered(c):
    """True when the connection answers a call (not refused)."""
    try:
        c.send({"method": "org.varlink.service.GetInfo"})
        return c.recv_or_eof() is not None
    except OSError:
        return False


def hold(sock, most):
    held = []
    while len(held) < int(most):
        c = Client(sock, timeout=10.0)
        if not answered(c):
            c.close()
            break
        held.append(c)
    say({"held": len(held)})
    sys.stdin.read()


def late_groups(sock, uid, gid, sockgid, admingid):
    uid, gid, sockgid, admingid = map(int, (uid, gid, sockgid, admingid))
    os.setgroups([sockgid])
    os.setresgid(gid, gid, 0)
    # The saved uid stays 0, so that the groups can change after connect.
    os.setresuid(uid, uid, 0)
    c = Client(sock, timeout=10.0)
    os.setresuid(0, 0, 0)
    os.setgroups([sockgid, admingid])
    os.setresuid(uid, uid, 0)
    try:
        reply = c.call1("io.jobd.Manager.EventSet", {"name": "late"})
        say({"reply": reply})
    except VarlinkError as e:
        say({"error": e.error})


def pass_fd(sock, fd):
    c = Client(sock, timeout=10.0)
    out = socket.socket(fileno=int(fd))
    socket.send_fds(out, [b"x"], [c.sock.fileno()])
    say({"pid": os.getpid()})


def idle(sock, secs):
    t0 = time.monotonic()
    c = Client(sock, timeout=float(secs))
    try:
        closed = c.sock.recv(1) == b""
    except socket.timeout:
        closed = False
    except ConnectionResetError:
        closed = True
    say({"closed_after": time.monotonic() - t0 if closed else None})


if __name__ == "__main__":
    {"hold": hold, "late-groups": late_groups, "pass-fd": pass_fd,
     "idle": idle}[sys.argv[1]](*sys.argv[2:])
