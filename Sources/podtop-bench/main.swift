import Foundation
import PodtopCore
import PodtopRuntime
import PodtopUI

/// Micro-benchmarks, run in release by scripts/bench. Each prints a figure; none passes or fails.

/// A busy demo state like the golden tests': five minutes of the demo, seed 1.
func busyState() -> DashboardState {
    let epoch = Date(timeIntervalSince1970: 1_796_040_000)
    var simulation = DemoSimulation(topology: DreamScapeDefaults.topology, seed: 1, epoch: epoch)
    var state = DashboardState(topology: DreamScapeDefaults.topology, now: epoch)
    _ = state.handle(.runtime(.connected(RuntimeIdentity(kind: "demo", endpoint: "built-in cluster, seed 1"))))
    for event in simulation.replay(seconds: 300) { _ = state.handle(.runtime(event)) }
    _ = state.handle(.tick(simulation.now))
    _ = state.handle(.key(.down))
    return state
}

/// Seconds per run of `body`: the median of 5 timings of `iterations` runs, after a warm-up.
func medianSeconds(iterations: Int, _ body: () -> Void) -> Double {
    for _ in 0..<max(1, iterations / 10) { body() }  // warm up
    var samples: [Double] = []
    for _ in 0..<5 {
        let start = ContinuousClock.now
        for _ in 0..<iterations { body() }
        let (seconds, atto) = (ContinuousClock.now - start).components
        samples.append((Double(seconds) + Double(atto) / 1e18) / Double(iterations))
    }
    return samples.sorted()[2]
}

func measure(_ name: String, iterations: Int, unit: String = "ms", _ body: () -> Void) {
    let median = medianSeconds(iterations: iterations, body)
    let shown = unit == "µs" ? median * 1e6 : median * 1e3
    print(String(format: "%-44@ %10.4f %@ (median of 5 × %d)", name as NSString, shown, unit, iterations))
}

/// `podtop-bench probes PORT_FIRST PORT_LAST SECONDS`: probes http://127.0.0.1:PORT/health for
/// every port at a 1 s interval for SECONDS and prints podtop's CPU % of one core for it, then the
/// median latency of 200 probes of the first endpoint (compare with curl's time_total − time_pretransfer).
if CommandLine.arguments.count >= 5, CommandLine.arguments[1] == "probes",
   let first = Int(CommandLine.arguments[2]), let last = Int(CommandLine.arguments[3]), let seconds = Double(CommandLine.arguments[4]) {
    let services = (first...last).map { ServiceSpec(name: "s\($0)", check: .http(url: "http://127.0.0.1:\($0)/health")) }
    let topology = Topology(pods: [PodSpec(id: PodID("bench"), displayName: "Bench", services: services, selector: ContainerSelector([]))], infrastructure: [])
    let prober = HealthProber(topology: topology)
    final class Counter: @unchecked Sendable { var samples = 0; var failures = 0; let lock = NSLock() }
    let counter = Counter()
    func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }
    let cpuBefore = cpuSeconds()
    let started = Date()
    let task = Task {
        await prober.run { event in
            if case .health(_, let sample) = event {
                counter.lock.withLock {
                    counter.samples += 1
                    if !sample.verdict.answered { counter.failures += 1 }
                }
            }
        }
    }
    try? await Task.sleep(for: .seconds(seconds))
    task.cancel()
    await task.value
    let elapsed = Date().timeIntervalSince(started)
    let cpu = (cpuSeconds() - cpuBefore) / elapsed * 100
    print(String(format: "probing %d endpoints every 1 s for %.0f s: %d probes, %d failed, podtop CPU %.3f %% of one core",
                 services.count, elapsed, counter.samples, counter.failures, cpu))
    let single = HealthProber(topology: Topology(pods: [], infrastructure: []))
    let target = HealthProber.Target(key: .infrastructure("one"), check: .http(url: "http://127.0.0.1:\(first)/health"),
                                     thresholds: .standard, schedule: .standard)
    var latencies: [Double] = []
    for _ in 0..<200 {
        if let ms = await single.probeOnce(target).latencyMs { latencies.append(ms) }
        try? await Task.sleep(for: .milliseconds(20))  // 50 a second, as curl --rate 50/s paces its own
    }
    await single.shutdown()
    latencies.sort()
    print(String(format: "probe latency of http://127.0.0.1:%d/health over %d probes: median %.3f ms, p10 %.3f ms",
                 first, latencies.count, latencies[latencies.count / 2], latencies[latencies.count / 10]))
    exit(0)
}

let state = busyState()
var sink = 0
measure("render busy 200x50 frame into the grid", iterations: 500) {
    sink &+= Screen.render(state, width: 200, height: 50).cells.count
}
measure("render busy 80x24 frame into the grid", iterations: 1000) {
    sink &+= Screen.render(state, width: 80, height: 24).cells.count
}
var series = LatencySeries(capacity: 300)
for i in 0..<300 { series.append(i % 17 == 0 ? nil : Double(i % 40)) }
let sparkline = Sparkline(glyphs: .unicode)
measure("sparkline, 120 samples", iterations: 20_000, unit: "µs") {
    sink &+= sparkline.render(series, width: 120).utf8.count
}
// The log path per line: sanitise, detect the level, parse JSON/logfmt, append to the ring.
// A realistic mix: access logs, plain levelled lines, JSON, logfmt, one with colour codes.
let mixedLines: [[UInt8]] = [
    #"127.0.0.1 - - [30/Nov/2026:10:00:00 +0000] "GET /api/v1/voyages?page=2 HTTP/1.1" 200 5123 "-" "Mozilla/5.0" rt=0.041"#,
    "2026-11-30T10:00:00.123Z INFO  [voyage] itinerary computed for u-4821 in 101ms (3 legs)",
    #"{"level":"info","time":"2026-11-30T10:00:00Z","service":"auth","msg":"session validated","user":"u-1042","duration_ms":12}"#,
    #"ts=2026-11-30T10:00:00Z level=warn service=payment msg="refund queued" user=u-9001 duration=91ms retry=1"#,
    "\u{1B}[32m2026-11-30 10:00:00\u{1B}[0m \u{1B}[1mWARN\u{1B}[0m pool nearly full: 91 of 100 connections in use",
    "    at Object.<anonymous> (/srv/app/node_modules/express/lib/router/index.js:284:7)",
].map { Array($0.utf8) }
let logSource = LogSource(pod: PodID("core"), service: "auth", replica: "1")
var ring = LogBuffer(capacity: 10_000)
let logEpoch = Date()
let linesPerRound = 6_000
let secondsPerRound = medianSeconds(iterations: 10) {
    for index in 0..<linesPerRound {
        ring.append(LogLine.fromUntrusted(mixedLines[index % mixedLines.count], at: logEpoch, source: logSource, stream: .stdout))
    }
}
print(String(format: "log path throughput (mixed realistic lines)  %10.0f lines/s (median of 5 × 10 × %d)", Double(linesPerRound) / secondsPerRound, linesPerRound))
sink &+= ring.count
// A json-file log as the daemon writes it (the same mix, one entry per line, stdout and stderr),
// read as LogFileTail reads it: 64 KiB at a time through one buffer, lines torn at its edges.
let jsonFileLog: [UInt8] = (0..<6_000).flatMap { index -> [UInt8] in
    let text = String(decoding: mixedLines[index % mixedLines.count], as: UTF8.self)
        .replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        .replacingOccurrences(of: "\u{1B}", with: "\\u001b")
    let stream = index % 7 == 0 ? "stderr" : "stdout"
    return Array(#"{"log":"\#(text)\n","stream":"\#(stream)","time":"2026-12-01T05:00:00.\#(100_000_000 + index)Z"}"#.utf8) + [0x0A]
}
var readBuffer = [UInt8](repeating: 0, count: 64 * 1024)
let decodeSeconds = medianSeconds(iterations: 10) {
    var decoder = JSONFileLogDecoder()
    var offset = 0
    while offset < jsonFileLog.count {
        let count = min(readBuffer.count, jsonFileLog.count - offset)
        readBuffer.replaceSubrange(0..<count, with: jsonFileLog[offset..<(offset + count)])
        sink &+= decoder.feed(readBuffer[0..<count]).count
        offset += count
    }
}
print(String(format: "json-file log decode (read 64 KiB at a time)  %10.0f lines/s (median of 5 × 10 × 6000)", 6_000 / decodeSeconds))
if sink == 42 { print("") }  // keeps the work from being optimised away
