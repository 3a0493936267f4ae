import Foundation
import PodtopCore

/// The runtime and the probes, gathered into one `CheckReport` per round, for `podtop check`.
/// The runtime runs for as long as the session does (a `--watch` reuses its connection and its
/// event stream); each round probes every target once, with the configured timeouts, and takes
/// the runtime's newest snapshot.
public final class CheckSession: Sendable {
    private let runtime: any ContainerRuntime
    private let prober: HealthProber?
    private let topology: Topology
    private let gathered = Gathered()
    private let runtimeTask: Task<Void, Never>

    /// How long the first round waits for the runtime to answer before calling it unreachable.
    public static let connectTimeout: Duration = .seconds(10)

    /// `prober` nil: the runtime reports health itself (the demo cluster simulates its probes).
    public init(runtime: any ContainerRuntime, prober: HealthProber?, topology: Topology, refresh: Duration) {
        self.runtime = runtime
        self.prober = prober
        self.topology = topology
        let gathered = self.gathered
        runtimeTask = Task { await runtime.run(refresh: refresh) { gathered.take($0) } }
    }

    /// One round: every probe once, beside the runtime's newest state.
    public func round() async -> CheckReport {
        let started = ContinuousClock.now
        let health: [HealthTarget: HealthSample]
        if let prober {
            async let probed = Self.probeAll(prober)
            await gathered.waitForAnswer(until: started + Self.connectTimeout)
            health = await probed
        } else {
            await gathered.waitForAnswer(until: started + Self.connectTimeout)
            await gathered.waitForHealth(of: topology.probes.map(\.key), until: started + Self.connectTimeout)
            health = gathered.state.health
        }
        let state = gathered.state
        return CheckReport.make(
            topology: topology, identity: state.identity ?? runtime.identity,
            snapshot: state.connected ? state.snapshot : nil,
            runtimeError: state.connected ? nil : (state.lastError ?? "no answer within \(Self.connectTimeout)"),
            health: health, at: Date()
        )
    }

    public func stop() async {
        runtimeTask.cancel()
        await prober?.shutdown()
    }

    static func probeAll(_ prober: HealthProber) async -> [HealthTarget: HealthSample] {
        await withTaskGroup(of: (HealthTarget, HealthSample).self) { group in
            for target in prober.targets { group.addTask { (target.key, await prober.probeOnce(target)) } }
            var samples: [HealthTarget: HealthSample] = [:]
            for await (key, sample) in group { samples[key] = sample }
            return samples
        }
    }
}

/// What the runtime has said so far, kept for the rounds to read.
private final class Gathered: @unchecked Sendable {
    // @unchecked: every field is behind `lock`.
    struct State {
        var identity: RuntimeIdentity?
        var snapshot: RuntimeSnapshot?
        var connected = false
        var answered = false
        var lastError: String?
        var health: [HealthTarget: HealthSample] = [:]
    }

    private let lock = NSLock()
    private var current = State()

    var state: State { lock.withLock { current } }

    func take(_ event: RuntimeEvent) {
        lock.withLock {
            switch event {
            case .connected(let identity):
                current.identity = identity
            case .snapshot(let snapshot):
                current.snapshot = snapshot
                current.connected = true
                current.answered = true
            case .disconnected(let reason, _):
                current.connected = false
                current.answered = true
                current.lastError = reason
            case .health(let key, let sample):
                current.health[key] = sample
            case .logs:
                break
            }
        }
    }

    /// Until the runtime has either listed its containers or said why it cannot.
    func waitForAnswer(until deadline: ContinuousClock.Instant) async {
        await wait(until: deadline) { $0.answered }
    }

    func waitForHealth(of keys: [HealthTarget], until deadline: ContinuousClock.Instant) async {
        await wait(until: deadline) { state in keys.allSatisfy { state.health[$0] != nil } }
    }

    private func wait(until deadline: ContinuousClock.Instant, for condition: (State) -> Bool) async {
        while !condition(state), ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
    }
}
