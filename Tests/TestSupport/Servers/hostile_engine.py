#!/usr/bin/env python3
"""An Engine API that answers like a compromised daemon, for the tests:

    hostile_engine.py [--unix PATH]

every string field carries escape sequences (OSC title and clipboard, CSI, C1, bidi), numbers
sit at the 64-bit edges, log lines come without the timestamps asked for and in broken
multiplexed frames, and the event stream sends junk and a giant line between real events. Beside
the hostile containers stands one honest one, `dreamscape-core-pod-1`, which must still show.
Prints its TCP port (or the socket's path) on the first line of stdout, then serves until killed.
"""
import http.server, json, os, socket, socketserver, sys, time

HOSTILE = "\x1b]0;owned\x07\x1b]52;c;b3duZWQ=\x07\x1b[2J\u009b31m\u202eevil\u200b"
TOP = 18446744073709551615          # 2^64 - 1: no signed 64-bit integer holds it
BIG = 9223372036854775807           # Int64.max

HONEST = {"Id": "c0ffee" * 10 + "abcd", "Names": ["/dreamscape-core-pod-1"], "Image": "dreamscape/core:1.4.2",
          "Labels": {"com.docker.compose.project": "dreamscape", "com.docker.compose.service": "core-pod",
                     "com.docker.compose.container-number": "1"},
          "State": "running", "Status": "Up 5 minutes (healthy)", "Created": 1796040000}
HOSTILES = [
    {"Id": "bad%02d" % n + "0" * 58, "Names": ["/dreamscape-core-pod-" + str(n + 2) + HOSTILE], "Image": HOSTILE,
     "Labels": {"com.docker.compose.project": "dreamscape", "com.docker.compose.service": "core-pod",
                "com.docker.compose.container-number": str(BIG), "note": HOSTILE},
     "State": "running" + HOSTILE, "Status": "Up " + HOSTILE + " (unhealthy)", "Created": TOP}
    for n in range(2)
]


def inspect(summary):
    hostile = summary is not HONEST
    return {
        "Id": summary["Id"], "Name": summary["Names"][0], "RestartCount": BIG if hostile else 0,
        "State": {"Status": "running", "Running": True, "Pid": TOP if hostile else 4242, "ExitCode": 0,
                  "StartedAt": "2026-12-07T10:00:00.000000000Z" if not hostile else HOSTILE,
                  "Health": {"Status": "unhealthy" if hostile else "healthy", "FailingStreak": TOP if hostile else 0,
                             "Log": [{"Output": HOSTILE, "ExitCode": TOP}]}},
        "Config": {"Tty": False, "Image": summary["Image"], "Labels": summary["Labels"]},
        "HostConfig": {"LogConfig": {"Type": "journald" + (HOSTILE if hostile else ""), "Config": {}}},
        "LogPath": "",
    }


def frame(stream, payload):
    return bytes([stream, 0, 0, 0]) + len(payload).to_bytes(4, "big") + payload


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    def address_string(self):
        return "unix"

    def reply(self, code, body, content_type="application/json", headers=()):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Api-Version", "1.41")
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def stream(self, content_type, chunks):
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Api-Version", "1.41")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        try:
            for chunk in chunks:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                self.wfile.flush()
            while True:  # a stream that stays open, as a daemon's does
                time.sleep(0.5)
        except (BrokenPipeError, ConnectionResetError, OSError):
            self.close_connection = True

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        path = self.path.split("?")[0]
        parts = [p for p in path.split("/") if p]
        if parts and parts[0].startswith("v1."):
            parts = parts[1:]
        containers = [HONEST] + HOSTILES
        by_id = {c["Id"]: c for c in containers}
        if parts == ["_ping"]:
            return self.reply(200, b"OK", "text/plain", [("Docker-Experimental", "false")])
        if parts == ["version"]:
            return self.reply(200, {"Version": "27.0.0" + HOSTILE, "ApiVersion": "1.41" + HOSTILE, "Os": HOSTILE})
        if parts == ["containers", "json"]:
            return self.reply(200, containers)
        if len(parts) == 3 and parts[0] == "containers" and parts[2] == "json":
            summary = by_id.get(parts[1])
            if summary is None:
                return self.reply(404, {"message": "No such container: " + parts[1] + HOSTILE})
            return self.reply(200, inspect(summary))
        if len(parts) == 3 and parts[0] == "containers" and parts[2] == "stats":
            return self.reply(200, {"read": HOSTILE, "cpu_stats": {"cpu_usage": {"total_usage": TOP}, "system_cpu_usage": TOP, "online_cpus": TOP},
                                    "precpu_stats": {"cpu_usage": {"total_usage": 0}, "system_cpu_usage": 1},
                                    "memory_stats": {"usage": TOP, "stats": {"inactive_file": 0}}})
        if len(parts) == 3 and parts[0] == "containers" and parts[2] == "logs":
            if parts[1] == HONEST["Id"]:
                return self.stream("application/vnd.docker.multiplexed-stream",
                                   [frame(1, b"2026-12-07T10:00:01.000000000Z honest line one\n")])
            chunks = [
                frame(1, b"  File \"app.py\", line 12, in handler " + HOSTILE.encode() + b"\n"),   # no timestamp, starts with a space
                frame(2, b"ERROR charge failed\rINFO ok\n"),                                      # a level hidden behind CR
                frame(1, b"\t" * 20000 + b"\n"),                                                 # tabs that expand 8 times
                frame(1, "\u0085".encode() * 5000 + b"\n"),                                      # NEL shown 8 characters long
                bytes([1, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xF0]) + b"a frame claiming 4 GiB " + b"z" * 65536,
            ]
            return self.stream("application/vnd.docker.multiplexed-stream", chunks)
        if parts == ["events"]:
            return self.stream("application/json", [
                b"not json at all " + HOSTILE.encode() + b"\n",
                b"{" + b"\"x\":1," * 400000 + b"\"y\":2}\n",                                    # a 2.4 MB line
                json.dumps({"Type": "container", "Action": "health_status: unhealthy" + HOSTILE,
                            "Actor": {"ID": HOSTILES[0]["Id"], "Attributes": {"name": HOSTILE, "exitCode": str(TOP)}},
                            "time": TOP, "timeNano": TOP}).encode() + b"\n",
                b"\xff\xfe\x00garbage\n",
            ])
        return self.reply(404, {"message": "page not found" + HOSTILE})

    def do_POST(self):
        self.reply(500, {"message": "refused: " + HOSTILE})


class TCPServer(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class UnixServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


if __name__ == "__main__":
    if "--unix" in sys.argv:
        path = sys.argv[sys.argv.index("--unix") + 1]
        if os.path.exists(path):
            os.unlink(path)
        Handler.disable_nagle_algorithm = False  # TCP_NODELAY fails on a unix socket
        server = UnixServer(path, Handler)
        print(path, flush=True)
    else:
        server = TCPServer(("127.0.0.1", 0), Handler)
        print(server.server_address[1], flush=True)
    server.serve_forever()
