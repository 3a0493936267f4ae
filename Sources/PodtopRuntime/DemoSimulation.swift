import Foundation
import PodtopCore

/// The built-in demo cluster's world, as a plain value stepped through simulated time: the same
/// seed and the same steps always give the same cluster, the same latencies and the same logs.
/// Replicas go through starting → running → healthy the way a real runtime's do.
public struct DemoSimulation: Sendable {
    public static let stopSeconds = 0.5
    public static let startSeconds = 1.5
    public static let warmUpSeconds = 1.5

    struct SimReplica: Sendable {
        var number: Int
        var phase: ReplicaPhase
        var phaseSince: Double
        var restarts: Int
        var startedAt: Date
        var cpuPercent: Double
        var memoryBytes: UInt64
        /// Set while stopping: true when the replica goes away, false when it comes back.
        var removeWhenStopped = false
    }

    struct SimPod: Sendable {
        var spec: PodSpec
        var desired: Int
        var replicas: [SimReplica]
        var cpuBase: Double
        var memoryBase: UInt64
    }

    public let topology: Topology
    public let epoch: Date
    public private(set) var elapsed: Double = 0
    var random: SeededRandom
    var pods: [SimPod]
    /// Degradation episodes of the one service that misbehaves: until when it is degraded.
    var degradedUntil: Double = -1
    var nextDegradation: Double

    public init(topology: Topology, seed: UInt64, epoch: Date) {
        self.topology = topology
        self.epoch = epoch
        random = SeededRandom(seed: seed)
        pods = []
        nextDegradation = 0
        for (index, spec) in topology.pods.enumerated() {
            let desired = spec.services.count >= 3 ? 2 : 1
            var pod = SimPod(
                spec: spec, desired: desired, replicas: [],
                cpuBase: [6.0, 22.0, 4.0][index % 3], memoryBase: UInt64([180, 420, 150][index % 3]) << 20
            )
            for number in 1...desired {
                // Up for a while already: started some minutes before the demo began.
                let age = 600 + random.unit() * 20_000
                pod.replicas.append(SimReplica(
                    number: number, phase: .healthy, phaseSince: -age, restarts: Int(random.unit() * 2),
                    startedAt: epoch.addingTimeInterval(-age), cpuPercent: pod.cpuBase,
                    memoryBytes: pod.memoryBase
                ))
            }
            pods.append(pod)
        }
        nextDegradation = 25 + random.unit() * 30
    }

    public var now: Date { epoch.addingTimeInterval(elapsed) }

    // MARK: - Time

    /// Moves the world forward by `seconds` and returns the log lines written meanwhile.
    public mutating func advance(by seconds: Double) -> [LogLine] {
        elapsed += seconds
        if elapsed >= nextDegradation {
            degradedUntil = elapsed + 12 + random.unit() * 12
            nextDegradation = degradedUntil + 40 + random.unit() * 60
        }
        var lines: [LogLine] = []
        for p in pods.indices {
            stepLifecycles(of: p)
            for r in pods[p].replicas.indices {
                stepResources(pod: p, replica: r)
                lines += logs(pod: p, replica: r, seconds: seconds)
            }
        }
        return lines.sorted { $0.at < $1.at }
    }

    private mutating func stepLifecycles(of p: Int) {
        var kept: [SimReplica] = []
        for var replica in pods[p].replicas {
            let inPhase = elapsed - replica.phaseSince
            switch replica.phase {
            case .stopping where inPhase >= Self.stopSeconds:
                if replica.removeWhenStopped { continue }
                replica.phase = .starting
                replica.phaseSince = elapsed
                replica.restarts += 1
                replica.startedAt = now
            case .starting where inPhase >= Self.startSeconds:
                replica.phase = .running
                replica.phaseSince = elapsed
            case .running where inPhase >= Self.warmUpSeconds:
                replica.phase = .healthy
                replica.phaseSince = elapsed
            default:
                break
            }
            kept.append(replica)
        }
        pods[p].replicas = kept
    }

    private mutating func stepResources(pod p: Int, replica r: Int) {
        let base = pods[p].cpuBase
        var replica = pods[p].replicas[r]
        let target = replica.phase == .starting ? base * 4 : replica.phase == .stopping ? base / 3 : base
        let wander = (random.unit() - 0.5) * base * 0.6
        replica.cpuPercent = max(0.1, replica.cpuPercent + (target - replica.cpuPercent) * 0.3 + wander * 0.3)
        let memoryTarget = Double(pods[p].memoryBase) * (replica.phase == .starting ? 0.6 : 1.0)
        let memory = Double(replica.memoryBytes) + (memoryTarget - Double(replica.memoryBytes)) * 0.1
            + (random.unit() - 0.5) * 2_000_000
        replica.memoryBytes = UInt64(max(8_000_000, memory))
        pods[p].replicas[r] = replica
    }

    private mutating func logs(pod p: Int, replica r: Int, seconds: Double) -> [LogLine] {
        let replica = pods[p].replicas[r]
        guard replica.phase != .exited else { return [] }
        let spec = pods[p].spec
        var lines: [LogLine] = []
        // About two lines a second across the default cluster.
        let perService = 0.13
        for service in spec.services where random.chance(perService * seconds) {
            let profile = DemoServiceProfile.named(service.name)
            let (bytes, stream) = DemoLogWriter.line(service: service.name, style: profile.logStyle, random: &random)
            let at = now.addingTimeInterval(-random.unit() * seconds)
            let source = LogSource(pod: spec.id, service: service.name, replica: "\(replica.number)")
            lines.append(LogLine.fromUntrusted(bytes, at: at, source: source, stream: stream))
        }
        return lines
    }

    /// What a DemoCluster would emit over `seconds` of simulated time, at once: the logs of
    /// every step, and a snapshot with a probe round every `refreshSteps` steps (1 s at 4).
    public mutating func replay(seconds: Double, refreshSteps: Int = 4) -> [RuntimeEvent] {
        var events: [RuntimeEvent] = []
        let stepSeconds = DemoCluster.step.seconds
        for step in 1...max(1, Int(seconds / stepSeconds)) {
            let lines = advance(by: stepSeconds)
            if !lines.isEmpty { events.append(.logs(lines)) }
            if step % refreshSteps == 0 {
                events.append(.snapshot(snapshot()))
                events += probeRound().map { .health($0.0, $0.1) }
            }
        }
        return events
    }

    // MARK: - What a runtime reports

    public func snapshot() -> RuntimeSnapshot {
        RuntimeSnapshot(takenAt: now, pods: pods.map { pod in
            PodSnapshot(id: pod.spec.id, desiredReplicas: pod.desired, replicas: pod.replicas.map { replica in
                Replica(
                    id: "demo-\(pod.spec.id)-\(replica.number)",
                    name: "dreamscape-\(pod.spec.id)-pod-\(replica.number)",
                    phase: replica.phase, restarts: replica.restarts,
                    startedAt: replica.phase == .stopping ? nil : replica.startedAt,
                    cpuPercent: replica.cpuPercent, memoryBytes: replica.memoryBytes,
                    image: "dreamscape/\(pod.spec.id)-pod:1.8.2"
                )
            }, actions: Self.actions(of: pod.spec, replicas: pod.replicas.count))
        })
    }

    /// The demo restarts and scales pods; it keeps no single replica's controls or old logs.
    static func actions(of spec: PodSpec, replicas: Int) -> PodActions {
        var actions = PodActions.all
        actions.refuse(.restartReplica, because: "the demo cluster restarts whole pods only (r)")
        actions.refuse(.previousLogs, because: "the demo cluster keeps no previous container's log")
        if replicas == 0 { actions.refuse(.restart, because: "\(spec.displayName) has no replicas to restart") }
        return actions
    }

    /// One round of health probes, as a real prober would report it.
    public mutating func probeRound() -> [(HealthTarget, HealthSample)] {
        var samples: [(HealthTarget, HealthSample)] = []
        for pod in pods {
            let ready = pod.replicas.contains { $0.phase == .healthy }
            for service in pod.spec.services {
                let target = HealthTarget.service(ServiceID(pod: pod.spec.id, name: service.name))
                samples.append((target, probe(service.name, service.thresholds, reachable: ready)))
            }
        }
        for infra in topology.infrastructure {
            samples.append((.infrastructure(infra.name), probe(infra.name, infra.thresholds, reachable: true)))
        }
        return samples
    }

    private mutating func probe(_ name: String, _ thresholds: LatencyThresholds, reachable: Bool) -> HealthSample {
        guard reachable else {
            return HealthSample(at: now, verdict: .down, latencyMs: nil, detail: "connection refused")
        }
        let profile = DemoServiceProfile.named(name)
        var latency = profile.baseLatencyMs + (random.unit() - 0.5) * 2 * profile.jitterMs
        if random.chance(0.04) { latency *= 3 + random.unit() * 5 }  // a slow spike now and then
        var bodySaysDegraded = false
        if profile.degradesNowAndThen, elapsed < degradedUntil {
            latency = thresholds.warnMs * (1.1 + random.unit() * 1.6)
            if random.chance(0.05) {
                return HealthSample(at: now, verdict: .timeout, latencyMs: nil, detail: "no answer within 800ms")
            }
            bodySaysDegraded = latency > thresholds.criticalMs || random.chance(0.3)
        }
        latency = max(0.05, latency)
        let verdict: HealthClass
        let detail: String
        if bodySaysDegraded {
            verdict = .degraded
            detail = "HTTP 200, body: {\"status\":\"degraded\",\"checks\":{\"model\":\"slow\"}}"
        } else if latency > thresholds.criticalMs {
            verdict = .degraded
            detail = "over the critical threshold (\(Int(thresholds.criticalMs))ms)"
        } else if latency > thresholds.warnMs {
            verdict = .slow
            detail = "over the warn threshold (\(Int(thresholds.warnMs))ms)"
        } else {
            verdict = .up
            detail = "HTTP 200, body: {\"status\":\"ok\"}"
        }
        return HealthSample(at: now, verdict: verdict, latencyMs: latency, detail: detail)
    }

    // MARK: - Actions

    func podIndex(_ id: PodID) throws(RuntimeError) -> Int {
        guard let index = pods.firstIndex(where: { $0.spec.id == id }) else {
            throw RuntimeError("no pod named \(id)")
        }
        return index
    }

    /// Replica numbers of the pod, in the order a rolling restart takes them.
    public func replicaNumbers(of pod: PodID) throws(RuntimeError) -> [Int] {
        try pods[podIndex(pod)].replicas.filter { !$0.removeWhenStopped }.map(\.number).sorted()
    }

    public mutating func restartReplica(_ number: Int, of pod: PodID) throws(RuntimeError) {
        let p = try podIndex(pod)
        guard let r = pods[p].replicas.firstIndex(where: { $0.number == number }) else {
            throw RuntimeError("replica \(number) of \(pod) is gone")
        }
        pods[p].replicas[r].phase = .stopping
        pods[p].replicas[r].phaseSince = elapsed
        pods[p].replicas[r].removeWhenStopped = false
    }

    public func phase(ofReplica number: Int, of pod: PodID) -> ReplicaPhase? {
        guard let p = try? podIndex(pod) else { return nil }
        return pods[p].replicas.first { $0.number == number }?.phase
    }

    /// Compose-style scaling: new replicas take the next numbers; scaling down stops and removes
    /// the highest-numbered ones.
    public mutating func scale(_ pod: PodID, to target: Int) throws(RuntimeError) {
        let p = try podIndex(pod)
        let spec = pods[p].spec
        guard (spec.minReplicas...spec.maxReplicas).contains(target) else {
            throw RuntimeError("\(spec.displayName) can scale between \(spec.minReplicas) and \(spec.maxReplicas) replicas")
        }
        pods[p].desired = target
        let live = pods[p].replicas.filter { !$0.removeWhenStopped }.sorted { $0.number < $1.number }
        if live.count < target {
            var next = (pods[p].replicas.map(\.number).max() ?? 0) + 1
            for _ in live.count..<target {
                pods[p].replicas.append(SimReplica(
                    number: next, phase: .starting, phaseSince: elapsed, restarts: 0, startedAt: now,
                    cpuPercent: pods[p].cpuBase, memoryBytes: pods[p].memoryBase / 2
                ))
                next += 1
            }
        } else {
            for replica in live.suffix(live.count - target) {
                guard let r = pods[p].replicas.firstIndex(where: { $0.number == replica.number }) else { continue }
                pods[p].replicas[r].phase = .stopping
                pods[p].replicas[r].phaseSince = elapsed
                pods[p].replicas[r].removeWhenStopped = true
            }
        }
    }
}
