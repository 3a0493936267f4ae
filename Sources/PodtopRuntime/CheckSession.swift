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
    /// What the connect timeout is measured on (tests advance a manual clock).
    private let clock: RuntimeClock

    /// How long the first round waits for the runtime to answer before calling it unreachable.
    public static let connectTimeout: Duration = .seconds(10)

    /// `prober` nil: the runtime reports health itself (the demo cluster simulates its probes).
    public init(runtime: any ContainerRuntime, prober: HealthProber?, topology: Topology, refresh: Duration,
                clock: any Clock<Duration> = ContinuousClock()) {
        self.clock = RuntimeClock(clock)
        self.runtime = runtime
        self.prober = prober
        self.topology = topology
        let gathered = self.gathered
        runtimeTask = Task { await runtime.run(refresh: refresh) { gathered.take($0) } }
    }

    /// One round: every probe once, beside the runtime's newest state.
    public func round() async -> CheckReport {
        let deadline = clock.now + Self.connectTimeout
        let health: [HealthTarget: HealthSample]
        if let prober {
            async let probed = Self.probeAll(prober)
            await gathered.waitForAnswer(until: deadline, on: clock)
            health = await probed
        } else {
            await gathered.waitForAnswer(until: deadline, on: clock)
            await gathered.waitForHealth(of: topology.probes.map(\.key), until: deadline, on: clock)
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
            for await (key, sample) in group { samples[key] = sample.inert }
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

    /// Every string from the runtime is made inert here, before any of it can be printed.
    func take(_ event: RuntimeEvent) {
        lock.withLock {
            switch event.inert {
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
            case .logs, .confirmed, .monitoring:
                break
            }
        }
    }

    /// Until the runtime has either listed its containers or said why it cannot.
    func waitForAnswer(until deadline: Duration, on clock: RuntimeClock) async {
        await wait(until: deadline, on: clock) { $0.answered }
    }

    func waitForHealth(of keys: [HealthTarget], until deadline: Duration, on clock: RuntimeClock) async {
        await wait(until: deadline, on: clock) { state in keys.allSatisfy { state.health[$0] != nil } }
    }

    /// Looks at what has come every 20 ms of `clock` until `condition` holds or `clock` reaches `deadline`.
    private func wait(until deadline: Duration, on clock: RuntimeClock, for condition: (State) -> Bool) async {
        while !condition(state), clock.now < deadline {
            do { try await clock.sleep(for: .milliseconds(20)) } catch { return }
        }
    }
}
