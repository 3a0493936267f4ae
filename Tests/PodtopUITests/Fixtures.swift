import Foundation
import PodtopCore
import PodtopRuntime
@testable import PodtopUI

/// Dashboard states built by running the demo simulation for a fixed number of steps, so the
/// screens under test are the ones a user of `podtop --demo --seed 1` sees, frozen.
enum Fixtures {
    static let epoch = Date(timeIntervalSince1970: 1_796_040_000)  // a fixed instant; screens show UTC

    static func state(seconds: Double = 90, seed: UInt64 = 1, themeNames: [String] = ["default"]) -> DashboardState {
        var simulation = DemoSimulation(topology: DreamScapeDefaults.topology, seed: seed, epoch: epoch)
        var state = DashboardState(topology: DreamScapeDefaults.topology, now: epoch, themeNames: themeNames)
        state.timeZone = TimeZone(identifier: "UTC")!
        _ = state.handle(.runtime(.connected(RuntimeIdentity(kind: "demo", endpoint: "built-in cluster, seed \(seed)"))))
        for event in simulation.replay(seconds: seconds) { _ = state.handle(.runtime(event)) }
        _ = state.handle(.tick(simulation.now))
        return state
    }

    /// A state with more going on: a pod mid-restart, a failing service, a message, the log
    /// pane scrolled back.
    static func busyState() -> DashboardState {
        var state = state(seconds: 120)
        var simulation = DemoSimulation(topology: DreamScapeDefaults.topology, seed: 1, epoch: epoch)
        for _ in 0..<480 { _ = simulation.advance(by: 0.25) }
        try? simulation.restartReplica(1, of: PodID("experience"))
        _ = simulation.advance(by: 0.75)
        _ = state.handle(.runtime(.snapshot(simulation.snapshot())))
        let payment = HealthTarget.service(ServiceID(pod: PodID("commerce"), name: "payment"))
        _ = state.handle(.runtime(.health(payment, HealthSample(at: state.now, verdict: .timeout, latencyMs: nil, detail: "no answer within 800ms"))))
        _ = state.handle(.actionProgress(PodID("experience"), "Restarting Experience: replica 1 of 2…"))
        _ = state.handle(.key(.down))
        _ = state.handle(.key(.down))
        return state
    }

    /// The demo's screen with a fleet in place of its pods: Core at 1,000 replicas, all ready,
    /// with restarts in the thousands and memory in TiB; Experience at 174 of 185 ready, the
    /// issue's example; Commerce at 12 with 12,345 restarts and a CPU past a hundred cores.
    static func fleetState() -> DashboardState {
        var state = state()
        let started = state.now.addingTimeInterval(-3 * 86_400)
        func replicas(_ pod: String, count: Int, ready: Int, restarts: Int, cpu: Double, memory: UInt64) -> [Replica] {
            (0..<count).map { index in
                Replica(id: "\(pod)-\(index)", name: "\(pod)-\(index + 1)", phase: index < ready ? .healthy : .starting,
                        restarts: index == 0 ? restarts : 0, startedAt: started, cpuPercent: cpu / Double(count),
                        memoryBytes: memory / UInt64(count))
            }
        }
        let pods = [
            PodSnapshot(id: PodID("core"), desiredReplicas: 1000,
                        replicas: replicas("core", count: 1000, ready: 1000, restarts: 4321, cpu: 2345, memory: 2_500_000_000_000)),
            PodSnapshot(id: PodID("experience"), desiredReplicas: 185,
                        replicas: replicas("experience", count: 185, ready: 174, restarts: 0, cpu: 410, memory: 96_000_000_000)),
            PodSnapshot(id: PodID("commerce"), desiredReplicas: 12,
                        replicas: replicas("commerce", count: 12, ready: 12, restarts: 12_345, cpu: 10_250, memory: 1_100_000_000_000_000)),
        ]
        _ = state.handle(.runtime(.snapshot(RuntimeSnapshot(takenAt: state.now, pods: pods))))
        return state
    }
}
