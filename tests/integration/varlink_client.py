"""Minimal Varlink client (stdlib only) for the integration tests.

A message is one JSON object followed by a NUL byte on a Unix stream
socket.  Besides proper calls, send_raw() writes arbitrary bytes so tests
can feed the daemon malformed input, and recv_or_eof() tells an error reply
from a closed connection.
"""
import json
import socket
import sys


class VarlinkError(Exception):
    def __init__(self, error, parameters):
        super().__init__(error, parameters)
        self.error = error
        self.parameters = parameters


class Client:
    def __init__(self, address, timeout=10.0):
        path = address[5:] if address.startswith("unix:") else address
        if path.startswith("@"):
            path = "\0" + path[1:]
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.buf = b""

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def send(self, msg):
        self.send_raw(json.dumps(msg).encode() + b"\0")

    def send_raw(self, data):
        self.sock.sendall(data)

    def shutdown_write(self):
        self.sock.shutdown(socket.SHUT_WR)

    def recv(self):
        """The next message as a dict; ConnectionError when the peer
        closes the connection first."""
        msg = self.recv_or_eof()
        if msg is None:
            raise ConnectionError("connection closed by service")
        return msg

    def recv_or_eof(self):
        """The next message, or None when the connection ends (EOF or a
        reset) before a complete one arrives."""
        while b"\0" not in self.buf:
            try:
                chunk = self.sock.recv(65536)
            except ConnectionResetError:
                return None
            if not chunk:
                return None
            self.buf += chunk
        raw, self.buf = self.buf.split(b"\0", 1)
        return json.loads(raw)

    def call(self, method, parameters=None, more=False, oneway=False):
        """Yields each reply's parameters; raises VarlinkError on an error
        reply.  A generator: iterate it (or use call1) to send."""
        msg = {"method": method}
        if parameters is not None:
            msg["parameters"] = parameters
        if more:
            msg["more"] = True
        if oneway:
            msg["oneway"] = True
        self.send(msg)
        if oneway:
            return
        while True:
            r = self.recv()
            if "error" in r:
                raise VarlinkError(r["error"], r.get("parameters") or {})
            yield r.get("parameters") or {}
            if not r.get("continues"):
                return

    def call1(self, method, parameters=None):
        return next(self.call(method, parameters))


def main():
    # varlink_client.py ADDRESS METHOD [JSON-PARAMS] [--more]
    c = Client(sys.argv[1])
    params = None
    if len(sys.argv) > 3 and sys.argv[3] != "--more":
        params = json.loads(sys.argv[3])
    try:
        for reply in c.call(sys.argv[2], params, more="--more" in sys.argv):
            print(json.dumps(reply, indent=2))
    except VarlinkError as e:
        print("error:", e.error, json.dumps(e.parameters))
        sys.exit(1)


if __name__ == "__main__":
    main()
