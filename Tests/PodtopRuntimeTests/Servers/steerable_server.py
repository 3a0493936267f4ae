#!/usr/bin/env python3
"""A health endpoint the probe tests steer by path, on 127.0.0.1 (HTTP/1.1, keep-alive):

  /ok              200 {"status":"ok"}          /plain        200 text "fine"
  /delay/N         200 after N milliseconds, saying how long it really slept ("slept_ms")
  /status/N        N with a JSON error body
  /hang            never answers                /close        closes the connection, no answer
  /degraded        200 {"status":"degraded","checks":{"db":"slow"}}
  /invalid-json    200 with a broken JSON body
  /connections     200 {"connections": N}: how many connections it has accepted
  /first-only      200 for a connection's first request; closes it, unanswered, at the next
  /answer-and-close  200 with "Connection: close", then closes

Prints its port on the first line of stdout, then serves until killed. With --tcp it only
accepts TCP connections (and closes them): a stand-in for MongoDB or Redis.
"""
import http.server, json, socket, socketserver, sys, threading, time

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out as separate writes: without this, Nagle plus delayed ACK adds
    # 40 ms to every answer on a kept-alive connection.
    disable_nagle_algorithm = True

    connections = 0
    lock = threading.Lock()

    def log_message(self, *args):
        pass

    def setup(self):
        super().setup()
        self.requests_here = 0
        with Handler.lock:
            Handler.connections += 1

    def reply(self, status, body, content_type="application/json"):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        path = self.path
        self.requests_here += 1
        if path == "/connections":
            with Handler.lock:
                count = Handler.connections
            self.reply(200, json.dumps({"connections": count}))
        elif path == "/first-only" and self.requests_here > 1:
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
        elif path == "/first-only":
            self.reply(200, json.dumps({"status": "ok"}))
        elif path == "/answer-and-close":
            self.close_connection = True
            data = json.dumps({"status": "ok"}).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(data)
        elif path == "/ok":
            self.reply(200, json.dumps({"status": "ok"}))
        elif path == "/plain":
            self.reply(200, "fine", "text/plain")
        elif path.startswith("/delay/"):
            started = time.monotonic()
            time.sleep(int(path.split("/")[2]) / 1000)
            slept = (time.monotonic() - started) * 1000
            self.reply(200, json.dumps({"status": "ok", "slept_ms": round(slept, 3)}))
        elif path.startswith("/status/"):
            self.reply(int(path.split("/")[2]), json.dumps({"message": "failing on purpose"}))
        elif path == "/hang":
            time.sleep(3600)
        elif path == "/close":
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
        elif path == "/degraded":
            self.reply(200, json.dumps({"status": "degraded", "checks": {"db": "slow", "cache": "ok"}}))
        elif path == "/invalid-json":
            self.reply(200, '{"status": "ok",')
        else:
            self.reply(404, json.dumps({"message": "no such path"}))

class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

def tcp_only():
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    print(listener.getsockname()[1], flush=True)
    while True:
        connection, _ = listener.accept()
        connection.close()

if __name__ == "__main__":
    if "--tcp" in sys.argv:
        tcp_only()
    server = Server(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()
