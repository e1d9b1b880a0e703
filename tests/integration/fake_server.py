#!/usr/bin/env python3
"""fake_server.py SOCKET SCRIPT [CALLS]: a scripted Varlink server for
testing jobctl without jobd.

SCRIPT is a JSON object mapping a method name to the list of messages to send
back for each call of it, in order.  A message is sent as given (a reply or
an error object), except {"raw": "text"}, sent as those bytes with no NUL
added, and {"close": true}, which closes the connection.  An unknown method
gets org.varlink.service.MethodNotFound.  Each call received is appended to
CALLS as one JSON line.  Connections are served one at a time, forever.
"""
import json
import os
import socket
import sys


def read_call(conn, buf):
    while b"\0" not in buf:
        chunk = conn.recv(65536)
        if not chunk:
            return None, b""
        buf += chunk
    raw, buf = buf.split(b"\0", 1)
    return json.loads(raw), buf


def serve(conn, script, calls):
    buf = b""
    while True:
        call, buf = read_call(conn, buf)
        if call is None:
            return
        if calls:
            with open(calls, "a", encoding="utf-8") as f:
                f.write(json.dumps(call) + "\n")
        method = call.get("method")
        replies = script.get(method, [{
            "error": "org.varlink.service.MethodNotFound",
            "parameters": {"method": method}}])
        for msg in replies:
            if msg.get("close"):
                return
            if "raw" in msg:
                conn.sendall(msg["raw"].encode())
            else:
                conn.sendall(json.dumps(msg).encode() + b"\0")


def main():
    path, script_path = sys.argv[1], sys.argv[2]
    calls = sys.argv[3] if len(sys.argv) > 3 else None
    with open(script_path, encoding="utf-8") as f:
        script = json.load(f)
    if os.path.exists(path):
        os.unlink(path)
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(8)
    while True:
        conn, _ = srv.accept()
        with conn:
            try:
                serve(conn, script, calls)
            except (BrokenPipeError, ConnectionResetError):
                pass


if __name__ == "__main__":
    main()
