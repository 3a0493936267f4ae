#!/usr/bin/env python3
"""Runs podtop on a 200x50 pseudo-terminal while its logs are flooded, presses a key about once
a second and measures how long the screen takes to answer; samples podtop's RSS along the way.

    scripts/flood-keys.py --seconds 600 --rss-at 60 -- podtop --host unix:///... --config flood.yaml

The key is `?` (help opens, then closes with `?` again); the answer is the moment the bytes
"Help: keys" reach the terminal after the press. Prints one JSON object.
"""
import argparse, fcntl, json, os, random, select, statistics, struct, subprocess, sys, termios, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
pty_run = __import__("pty-run")

MARKER = b"Help: keys"

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cols", type=int, default=200)
    parser.add_argument("--rows", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--warmup", type=float, default=10, help="seconds before the first key")
    parser.add_argument("--rss-at", type=float, nargs="*", default=[60], help="also sample RSS at these seconds")
    parser.add_argument("--no-keys", action="store_true", help="press nothing (a wallboard nobody touches)")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command and args.command[0] == "--" else args.command

    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", args.rows, args.cols, 0, 0))
    env = dict(os.environ, TERM="xterm-256color", LANG=os.environ.get("LANG", "C.UTF-8"))

    def become_session_leader():
        os.setsid()
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    start = time.monotonic()
    proc = subprocess.Popen(command, stdin=slave, stdout=slave, stderr=slave, env=env,
                            preexec_fn=become_session_leader, close_fds=True)
    os.close(slave)

    latencies_ms, missed = [], 0
    rss_samples = {}
    pending_rss = sorted(args.rss_at)
    next_press = start + args.warmup
    pressed_at = None       # when `?` went out, while its answer is awaited
    help_open = False
    tail = b""              # bytes since the press, enough to find the marker across reads
    written = 0
    deadline = start + args.seconds
    while True:
        now = time.monotonic()
        if now >= deadline or proc.poll() is not None:
            break
        while pending_rss and now - start >= pending_rss[0]:
            rss_samples[str(int(pending_rss.pop(0)))] = rss_kib(proc.pid)
        if not args.no_keys and pressed_at is None and now >= next_press:
            os.write(master, b"?")
            pressed_at, tail = time.monotonic(), b""
            help_open = not help_open
        timeout = 0.05 if pressed_at is not None else (0.2 if args.no_keys else max(0.0, min(0.2, next_press - now)))
        ready, _, _ = select.select([master], [], [], timeout)
        if ready:
            try:
                data = os.read(master, 65536)
            except OSError:
                break
            written += len(data)
            if pressed_at is not None:
                arrived = time.monotonic()
                if not help_open:
                    # Closing: the answer is the next frame; count the press as answered once
                    # the first bytes arrive after it (the help's cells being replaced).
                    pressed_at, next_press = None, arrived + random.uniform(0.3, 0.6)
                else:
                    tail = (tail + data)[-(len(MARKER) + 65536):]
                    if MARKER in tail:
                        latencies_ms.append((arrived - pressed_at) * 1000)
                        pressed_at, next_press = None, arrived + random.uniform(0.3, 0.6)
        if pressed_at is not None and help_open and time.monotonic() - pressed_at > 2:
            missed += 1
            pressed_at, next_press = None, time.monotonic() + 0.5
    end = time.monotonic()
    rss_samples["end"] = rss_kib(proc.pid)
    cpu = cpu_seconds(proc.pid)
    proc.terminate()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
    os.close(master)
    result = {
        "seconds": round(end - start, 1),
        "key_presses": len(latencies_ms) + missed,
        "unanswered_within_2s": missed,
        "bytes_per_second": round(written / (end - start)),
        "cpu_percent_of_one_core": round(100 * cpu / (end - start), 1),
        "rss_kib": rss_samples,
    }
    if latencies_ms:
        ordered = sorted(latencies_ms)
        result.update({
            "latency_ms_p50": round(statistics.median(ordered), 1),
            "latency_ms_p95": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 1),
            "latency_ms_max": round(ordered[-1], 1),
            "presses_over_50ms": sum(1 for ms in ordered if ms > 50),
        })
    print(json.dumps(result))

def cpu_seconds(pid):
    return pty_run.cpu_seconds(pid, os.sysconf("SC_CLK_TCK"))

def rss_kib(pid):
    return pty_run.status_kib(pid, "VmRSS")

if __name__ == "__main__":
    main()
