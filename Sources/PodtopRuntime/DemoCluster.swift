import Foundation
import PodtopCore

/// The built-in demo cluster (`podtop --demo`): the three Big Pods with MongoDB and Redis,
/// simulated so that someone with nothing installed can try every screen and key. It is a
/// runtime like any other: the dashboard cannot tell it from Docker except by its name.
public actor DemoCluster: PodRestarting, PodScaling {
    /// Simulated time moves in fixed steps, so a seed always gives the same sequence.
    public static let step: Duration = .milliseconds(250)

    public nonisolated let identity: RuntimeIdentity
    private var simulation: DemoSimulation
    private var restartsInProgress: Set<PodID> = []
    private var lastReportedShape: [[ReplicaPhase]] = []
    private let clock: RuntimeClock

    /// - Parameter clock: what its steps are paced by (tests advance a manual one).
    public init(topology: Topology, seed: UInt64, epoch: Date = Date(), clock: any Clock<Duration> = ContinuousClock()) {
        simulation = DemoSimulation(topology: topology, seed: seed, epoch: epoch)
        self.clock = RuntimeClock(clock)
        identity = RuntimeIdentity(kind: "demo", endpoint: "built-in cluster, seed \(seed)")
    }

    public func run(refresh: Duration, emit: @escaping @Sendable (RuntimeEvent) -> Void) async {
        let stepSeconds = Self.step.seconds
        let refreshSteps = max(1, Int((refresh.seconds / stepSeconds).rounded()))
        emit(.connected(identity))
        report(emit, probe: true)
        var steps = 0
        while !Task.isCancelled {
            do { try await clock.sleep(for: Self.step) } catch { return }
            let lines = simulation.advance(by: stepSeconds)
            if !lines.isEmpty { emit(.logs(lines)) }
            steps += 1
            if steps % refreshSteps == 0 {
                report(emit, probe: true)
            } else if shape() != lastReportedShape {
                // Like a runtime's event stream: a replica changing state shows at once.
                report(emit, probe: false)
            }
        }
    }

    private func shape() -> [[ReplicaPhase]] {
        simulation.snapshot().pods.map { $0.replicas.map(\.phase) }
    }

    private func report(_ emit: @Sendable (RuntimeEvent) -> Void, probe: Bool) {
        let snapshot = simulation.snapshot()
        lastReportedShape = snapshot.pods.map { $0.replicas.map(\.phase) }
        emit(.snapshot(snapshot))
        if probe {
            for (target, sample) in simulation.probeRound() { emit(.health(target, sample)) }
        }
    }

    public func restart(_ pod: PodID, progress: @escaping @Sendable (String) -> Void) async throws(RuntimeError) -> String {
        let name = simulation.topology.pod(pod)?.displayName ?? pod.rawValue
        guard !restartsInProgress.contains(pod) else { throw RuntimeError("a restart of \(name) is already running") }
        let numbers = try simulation.replicaNumbers(of: pod)
        guard !numbers.isEmpty else { throw RuntimeError("\(name) has no replicas to restart") }
        restartsInProgress.insert(pod)
        defer { restartsInProgress.remove(pod) }
        for (position, number) in numbers.enumerated() {
            progress("Restarting \(name): replica \(position + 1) of \(numbers.count)…")
            try simulation.restartReplica(number, of: pod)
            // Rolling: wait for this replica to be healthy again before touching the next.
            while let phase = simulation.phase(ofReplica: number, of: pod), phase != .healthy {
                do { try await clock.sleep(for: .milliseconds(100)) } catch { throw RuntimeError("restart of \(name) cancelled") }
            }
        }
        return "Restarted \(name): \(numbers.count) replica\(numbers.count == 1 ? "" : "s"), one at a time"
    }

    public func scale(_ pod: PodID, to replicas: Int) async throws(RuntimeError) -> String {
        let name = simulation.topology.pod(pod)?.displayName ?? pod.rawValue
        let before = try simulation.replicaNumbers(of: pod).count
        try simulation.scale(pod, to: replicas)
        return "Scaled \(name) from \(before) to \(replicas) replica\(replicas == 1 ? "" : "s")"
    }
}
