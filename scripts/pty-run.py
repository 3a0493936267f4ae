#!/usr/bin/env python3
"""Runs a program on a pseudo-terminal of a given size, with no input, and reports what it
costs: bytes written to the terminal per second, CPU % of one core, peak RSS.

    scripts/pty-run.py --cols 200 --rows 50 --seconds 30 -- podtop --demo

Used by scripts/bench; prints one JSON object so other scripts can read it.
"""
import argparse, fcntl, json, os, select, signal, struct, subprocess, sys, termios, time

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cols", type=int, default=200)
    parser.add_argument("--rows", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--warmup", type=float, default=5, help="seconds left out of the steady-state byte rate")
    parser.add_argument("--term", default="xterm-256color")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command and args.command[0] == "--" else args.command

    print(json.dumps(measure(command, args.cols, args.rows, args.seconds, args.warmup, args.term)))

def measure(command, cols=200, rows=50, seconds=30.0, warmup=5.0, term="xterm-256color"):
    """Runs `command` on a cols x rows pty for `seconds`; returns the figures as a dict."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    env = dict(os.environ, TERM=term, LANG=os.environ.get("LANG", "C.UTF-8"))
    env.pop("NO_COLOR", None)

    def become_session_leader():
        os.setsid()
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    ticks = os.sysconf("SC_CLK_TCK")
    start = time.monotonic()
    proc = subprocess.Popen(command, stdin=slave, stdout=slave, stderr=slave, env=env,
                            preexec_fn=become_session_leader, close_fds=True)
    os.close(slave)

    total = 0
    after_warmup = 0
    writes_at_warmup = 0
    peak_rss_kib = 0
    cpu_at_warmup = None
    deadline = start + seconds
    while True:
        now = time.monotonic()
        if now >= deadline or proc.poll() is not None:
            break
        if cpu_at_warmup is None and now - start >= warmup:
            cpu_at_warmup = (cpu_seconds(proc.pid, ticks), now)
            writes_at_warmup = write_calls(proc.pid)
        ready, _, _ = select.select([master], [], [], min(0.2, deadline - now))
        if ready:
            try:
                data = os.read(master, 65536)
            except OSError:
                break
            total += len(data)
            if now - start >= warmup:
                after_warmup += len(data)
        peak_rss_kib = max(peak_rss_kib, peak_rss(proc.pid))
    end = time.monotonic()
    cpu_end = cpu_seconds(proc.pid, ticks)
    writes_end = write_calls(proc.pid)
    peak_rss_kib = max(peak_rss_kib, peak_rss(proc.pid))
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
    os.close(master)
    steady_seconds = end - cpu_at_warmup[1] if cpu_at_warmup else end - start
    steady_cpu = cpu_end - cpu_at_warmup[0] if cpu_at_warmup else cpu_end
    return {
        "seconds": round(end - start, 2),
        "bytes_total": total,
        "bytes_per_second_all": round(total / (end - start), 1),
        "bytes_per_second_steady": round(after_warmup / steady_seconds, 1),
        "cpu_percent_of_one_core": round(100 * cpu_end / (end - start), 3),
        "cpu_percent_steady": round(100 * steady_cpu / steady_seconds, 3),
        "peak_rss_mib": round(peak_rss_kib / 1024, 1),
        # Every write system call after the warm-up (the terminal's, and a few wake-up pipes'):
        # each write to a terminal over SSH is at least one packet.
        "write_calls_per_second_steady": round((writes_end - writes_at_warmup) / steady_seconds, 1),
    }


def cpu_seconds(pid, ticks):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / ticks
    except (OSError, IndexError):
        return 0.0

def write_calls(pid):
    """The process's write system calls so far (syscw in /proc/PID/io); 0 when unreadable."""
    try:
        with open(f"/proc/{pid}/io") as f:
            for line in f:
                if line.startswith("syscw:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0

def peak_rss(pid):
    return status_kib(pid, "VmHWM")

def status_kib(pid, field):
    """A KiB figure from /proc/PID/status (VmHWM: peak RSS, VmRSS: RSS now); 0 once it is gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0

if __name__ == "__main__":
    main()
