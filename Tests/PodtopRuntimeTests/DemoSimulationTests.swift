import Foundation
import PodtopCore
import Testing
import TestSupport
@testable import PodtopRuntime

@Suite(.timeLimit(.minutes(1))) struct DemoSimulationTests {
    let epoch = Date(timeIntervalSince1970: 1_796_040_000)

    func simulation(seed: UInt64 = 1) -> DemoSimulation {
        DemoSimulation(topology: DreamScapeDefaults.topology, seed: seed, epoch: epoch)
    }

    func run(_ simulation: inout DemoSimulation, seconds: Double) -> [LogLine] {
        var lines: [LogLine] = []
        for _ in 0..<Int(seconds / 0.25) { lines += simulation.advance(by: 0.25) }
        return lines
    }

    @Test func theSameSeedGivesTheSameClusterLatenciesAndLogs() {
        var a = simulation(seed: 42), b = simulation(seed: 42), c = simulation(seed: 43)
        let logsA = run(&a, seconds: 30), logsB = run(&b, seconds: 30), logsC = run(&c, seconds: 30)
        #expect(logsA == logsB)
        #expect(a.snapshot() == b.snapshot())
        #expect(a.probeRound().map(\.1) == b.probeRound().map(\.1))
        #expect(logsA != logsC)
    }

    @Test func startsWithTheThreeBigPodsHealthyAndTheInfrastructure() {
        var sim = simulation()
        let snapshot = sim.snapshot()
        #expect(snapshot.pods.map(\.id.rawValue) == ["core", "experience", "commerce"])
        for pod in snapshot.pods {
            #expect(pod.desiredReplicas >= 1)
            #expect(pod.readyCount == pod.desiredReplicas)
        }
        let targets = sim.probeRound().map(\.0)
        #expect(targets.contains(.infrastructure("mongodb")))
        #expect(targets.contains(.infrastructure("redis")))
        #expect(targets.count == 8 + 2)
    }

    @Test func aRestartedReplicaGoesThroughStartingRunningHealthyAndCountsARestart() throws {
        var sim = simulation()
        let core = PodID("core")
        let before = try #require(sim.snapshot().pod(core)?.replicas.first)
        try sim.restartReplica(1, of: core)
        var phases: [ReplicaPhase] = [sim.phase(ofReplica: 1, of: core)!]
        for _ in 0..<24 {
            _ = sim.advance(by: 0.25)
            let phase = sim.phase(ofReplica: 1, of: core)!
            if phase != phases.last { phases.append(phase) }
        }
        #expect(phases == [.stopping, .starting, .running, .healthy])
        let after = try #require(sim.snapshot().pod(core)?.replicas.first)
        #expect(after.restarts == before.restarts + 1)
        #expect(after.startedAt! > before.startedAt!)
    }

    @Test func scalingUpAddsTheNextNumbersAndDownRemovesTheHighest() throws {
        var sim = simulation()
        let pod = PodID("commerce")
        try sim.scale(pod, to: 3)
        #expect(try sim.replicaNumbers(of: pod) == [1, 2, 3])
        #expect(sim.snapshot().pod(pod)?.readyCount == 1)
        _ = run(&sim, seconds: 4)
        #expect(sim.snapshot().pod(pod)?.readyCount == 3)
        try sim.scale(pod, to: 1)
        _ = run(&sim, seconds: 1)
        #expect(sim.snapshot().pod(pod)?.replicas.map(\.name) == ["dreamscape-commerce-pod-1"])
    }

    @Test func scalingOutsideTheConfiguredBoundsIsRefused() {
        var sim = simulation()
        #expect(throws: RuntimeError("Commerce can scale between 0 and 20 replicas")) {
            try sim.scale(PodID("commerce"), to: 21)
        }
        #expect(throws: RuntimeError("no pod named nope")) { try sim.scale(PodID("nope"), to: 1) }
    }

    @Test func aPodAtZeroReplicasHasItsServicesDown() throws {
        var sim = simulation()
        try sim.scale(PodID("commerce"), to: 0)
        _ = run(&sim, seconds: 1)
        let commerce = sim.probeRound().filter {
            if case .service(let id) = $0.0 { return id.pod == PodID("commerce") }
            return false
        }
        #expect(commerce.count == 2)
        #expect(commerce.allSatisfy { $0.1.verdict == .down && $0.1.latencyMs == nil })
    }

    @Test func theLogStreamHasLevelsLongLinesAndEscapesAllSanitised() {
        var sim = simulation()
        let lines = run(&sim, seconds: 600)
        #expect(lines.count > 600)  // about two a second
        let levels = Set(lines.map(\.level))
        #expect(levels.isSuperset(of: [.info, .warn, .error, .debug]))
        #expect(lines.contains { $0.text.count > 1000 })
        #expect(lines.contains { $0.text.contains("␛") })
        #expect(lines.allSatisfy { !$0.text.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F } })
        #expect(zip(lines, lines.dropFirst()).allSatisfy { $0.at <= $1.at })
    }

    @Test func oneServiceDegradesNowAndThen() {
        var sim = simulation()
        var verdicts: [HealthClass] = []
        for _ in 0..<300 {
            _ = run(&sim, seconds: 1)
            verdicts += sim.probeRound().filter { $0.0 == .service(ServiceID(pod: PodID("experience"), name: "ai")) }.map(\.1.verdict)
        }
        #expect(verdicts.contains(.up))
        #expect(verdicts.contains(.slow) || verdicts.contains(.degraded))
    }
}

@Suite(.timeLimit(.minutes(1))) struct DemoClusterTests {
    /// On a manual clock: the restart takes simulated seconds, advanced 100 ms at a time.
    @Test func aRollingRestartTakesOneReplicaAtATime() async throws {
        let clock = ManualClock()
        let cluster = DemoCluster(topology: DreamScapeDefaults.topology, seed: 1, clock: clock)
        let events = EventLog()
        let runner = Task { await cluster.run(refresh: .seconds(1)) { events.append($0) } }
        defer { runner.cancel() }
        #expect(await clock.waitUntilSleeping())
        let progress = EventLog()
        let finished = EventLog()
        let restart = Task {
            defer { finished.appendText("finished") }
            return try await cluster.restart(PodID("core")) { progress.appendText($0) }
        }
        // A tick once both the simulation's step and the restart's check wait on the clock.
        var ticks = 0
        while ticks < 1200 {
            await Eventually.holds(within: .seconds(10)) { clock.sleeping >= 2 || !finished.texts.isEmpty }
            guard finished.texts.isEmpty else { break }
            clock.advance(by: .milliseconds(100))
            ticks += 1
        }
        let summary = try await restart.value
        #expect(summary == "Restarted Core: 2 replicas, one at a time")
        #expect(ticks > 2 && ticks < 1200, "\(ticks) ticks of 100 ms")
        #expect(progress.texts == ["Restarting Core: replica 1 of 2…", "Restarting Core: replica 2 of 2…"])
        // Never were both replicas down at once.
        let coreSnapshots = events.snapshots.compactMap { $0.pod(PodID("core")) }
        #expect(coreSnapshots.allSatisfy { $0.replicas.filter { $0.phase != .healthy }.count <= 1 })
        #expect(coreSnapshots.last?.restartTotal == (coreSnapshots.first?.restartTotal ?? 0) + 2)
    }
}

final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [RuntimeEvent] = []
    private var progressTexts: [String] = []

    func append(_ event: RuntimeEvent) { lock.withLock { events.append(event) } }
    func appendText(_ text: String) { lock.withLock { progressTexts.append(text) } }
    var texts: [String] { lock.withLock { progressTexts } }
    var snapshots: [RuntimeSnapshot] {
        lock.withLock { events.compactMap { if case .snapshot(let s) = $0 { s } else { nil } } }
    }
}
