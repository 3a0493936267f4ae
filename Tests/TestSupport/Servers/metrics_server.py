"""Services as Prometheus sees them: one HTTP port per service, each serving /metrics with
http_requests_total by status and an http_request_duration_seconds histogram, counting 10
requests a second since start, of which the given share answered 500.

    python3 metrics_server.py RATIO [RATIO...]     prints the ports, one per ratio, on one line

The histogram puts half the requests under 0.1 s, 90 % under 0.25 s and all under 0.5 s, so
Prometheus' histogram_quantile(0.95, ...) reads 0.375 s."""
import http.server, socketserver, sys, threading, time

START = time.monotonic()
RATE = 10.0


class Metrics(http.server.BaseHTTPRequestHandler):
    ratio = 0.0

    def do_GET(self):
        if self.path != "/metrics":
            self.send_error(404)
            return
        total = RATE * (time.monotonic() - START)
        errors = total * self.ratio
        lines = [
            "# TYPE http_requests_total counter",
            f'http_requests_total{{status="200"}} {total - errors:.3f}',
            f'http_requests_total{{status="500"}} {errors:.3f}',
            "# TYPE http_request_duration_seconds histogram",
            f'http_request_duration_seconds_bucket{{le="0.1"}} {0.5 * total:.3f}',
            f'http_request_duration_seconds_bucket{{le="0.25"}} {0.9 * total:.3f}',
            f'http_request_duration_seconds_bucket{{le="0.5"}} {total:.3f}',
            f'http_request_duration_seconds_bucket{{le="+Inf"}} {total:.3f}',
            f"http_request_duration_seconds_sum {0.12 * total:.3f}",
            f"http_request_duration_seconds_count {total:.3f}",
        ]
        body = ("\n".join(lines) + "\n").encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def serve(ratio):
    handler = type("Handler", (Metrics,), {"ratio": ratio})
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server.server_address[1]


if __name__ == "__main__":
    ports = [serve(float(ratio)) for ratio in sys.argv[1:]]
    print(" ".join(str(port) for port in ports), flush=True)
    threading.Event().wait()
