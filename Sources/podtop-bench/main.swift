import Foundation
import PodtopCore
import PodtopRuntime
import PodtopUI

/// Micro-benchmarks, run in release by scripts/bench. Each prints a figure; none passes or fails.

/// The same busy demo state the golden tests use: 2 minutes of the demo, seed 1, logs full.
func busyState() -> DashboardState {
    let epoch = Date(timeIntervalSince1970: 1_796_040_000)
    var simulation = DemoSimulation(topology: DreamScapeDefaults.topology, seed: 1, epoch: epoch)
    var state = DashboardState(topology: DreamScapeDefaults.topology, now: epoch)
    _ = state.handle(.runtime(.connected(RuntimeIdentity(kind: "demo", endpoint: "built-in cluster, seed 1"))))
    for step in 1...(300 * 4) {
        let lines = simulation.advance(by: 0.25)
        if !lines.isEmpty { _ = state.handle(.runtime(.logs(lines))) }
        if step % 4 == 0 {
            _ = state.handle(.runtime(.snapshot(simulation.snapshot())))
            for (target, sample) in simulation.probeRound() { _ = state.handle(.runtime(.health(target, sample))) }
        }
    }
    _ = state.handle(.tick(simulation.now))
    _ = state.handle(.key(.down))
    return state
}

func measure(_ name: String, iterations: Int, unit: String = "ms", _ body: () -> Void) {
    for _ in 0..<max(1, iterations / 10) { body() }  // warm up
    var samples: [Double] = []
    for _ in 0..<5 {
        let start = ContinuousClock.now
        for _ in 0..<iterations { body() }
        let elapsed = ContinuousClock.now - start
        let (seconds, atto) = elapsed.components
        samples.append((Double(seconds) + Double(atto) / 1e18) / Double(iterations))
    }
    samples.sort()
    let median = samples[2]
    let shown = unit == "µs" ? median * 1e6 : median * 1e3
    print(String(format: "%-44@ %10.4f %@ (median of 5 × %d)", name as NSString, shown, unit, iterations))
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
if sink == 42 { print("") }  // keeps the work from being optimised away
