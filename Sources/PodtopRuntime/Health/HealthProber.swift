import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix
import PodtopCore

/// Probes every service's health endpoint (HTTP GET) and every piece of infrastructure (TCP
/// connect) on its own schedule. Each target has its own task, so a probe that hangs delays
/// nothing else: not the other probes, not the screen, not its own next round (its timeout is
/// below its interval). HTTP connections are kept alive between rounds.
public actor HealthProber {
    public struct Target: Sendable {
        public var key: HealthTarget
        public var check: HealthCheck
        public var thresholds: LatencyThresholds
        public var schedule: ProbeSchedule

        public init(key: HealthTarget, check: HealthCheck, thresholds: LatencyThresholds, schedule: ProbeSchedule) {
            self.key = key
            self.check = check
            self.thresholds = thresholds
            self.schedule = schedule
        }
    }

    public let targets: [Target]
    private let http: HTTPClient

    public init(topology: Topology) {
        var targets: [Target] = []
        for pod in topology.pods {
            for service in pod.services {
                targets.append(Target(key: .service(ServiceID(pod: pod.id, name: service.name)), check: service.check,
                                      thresholds: service.thresholds, schedule: service.schedule))
            }
        }
        for infra in topology.infrastructure {
            targets.append(Target(key: .infrastructure(infra.name), check: infra.check, thresholds: infra.thresholds, schedule: infra.schedule))
        }
        self.targets = targets
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.idleTimeout = .seconds(60)
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 4
        // A refused connection is an answer (DOWN), not something to retry until the timeout.
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.redirectConfiguration = .disallow
        configuration.decompression = .disabled
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// Runs until cancelled; then closes its connections.
    public func run(emit: @escaping @Sendable (RuntimeEvent) -> Void) async {
        let http = self.http
        await withTaskGroup(of: Void.self) { group in
            for target in targets {
                group.addTask {
                    let interval = Duration.milliseconds(Int64(target.schedule.intervalMs))
                    let clock = ContinuousClock()
                    var next = clock.now
                    while !Task.isCancelled {
                        let sample = await Self.probe(target, http: http)
                        if Task.isCancelled { break }
                        emit(.health(target.key, sample))
                        next += interval
                        // A slow machine must not make rounds pile up: skip what was missed.
                        while next < clock.now { next += interval }
                        do { try await clock.sleep(until: next) } catch { break }
                    }
                }
            }
        }
        try? await http.shutdown()
    }

    /// One probe of one target, as a round would make it.
    public func probeOnce(_ target: Target) async -> HealthSample { await Self.probe(target, http: http) }

    /// Closes the kept-alive connections of a prober whose `run` was never called.
    public func shutdown() async { try? await http.shutdown() }

    static func probe(_ target: Target, http: HTTPClient) async -> HealthSample {
        let timeout = Duration.milliseconds(Int64(target.schedule.timeoutMs))
        let started = Date()
        let clock = ContinuousClock()
        let start = clock.now
        let outcome: ProbeOutcome? = await withTimeout(timeout) {
            switch target.check {
            case .http(let url): await probeHTTP(url, http: http, timeout: timeout)
            case .tcp(let host, let port): await probeTCP(host: host, port: port, timeout: timeout)
            }
        }
        let ms = (clock.now - start).milliseconds
        switch outcome {
        case nil:
            return HealthSample(at: started, verdict: .timeout, latencyMs: nil, detail: "no answer within \(Format.milliseconds(target.schedule.timeoutMs))")
        case .failed(let reason):
            return HealthSample(at: started, verdict: .down, latencyMs: nil, detail: reason)
        case .timedOut:
            return HealthSample(at: started, verdict: .timeout, latencyMs: nil, detail: "no answer within \(Format.milliseconds(target.schedule.timeoutMs))")
        case .answered(let status, let body, let latencyMs):
            let measured = latencyMs ?? ms
            if status == nil {  // a TCP connect
                var verdict = HealthClass.up
                var detail = "connected"
                if measured > target.thresholds.criticalMs { verdict = .degraded; detail += ", over the critical threshold" } else if measured > target.thresholds.warnMs { verdict = .slow; detail += ", over the warn threshold" }
                return HealthSample(at: started, verdict: verdict, latencyMs: measured, detail: detail)
            }
            let (verdict, detail) = HealthClassifier.classify(statusCode: status!, body: body, latencyMs: measured, thresholds: target.thresholds)
            return HealthSample(at: started, verdict: verdict, latencyMs: measured, detail: detail)
        }
    }

    enum ProbeOutcome: Sendable {
        /// status nil for TCP; latency measured inside the probe when it knows better.
        case answered(status: Int?, body: [UInt8], latencyMs: Double?)
        case failed(String)
        case timedOut
    }

    static func probeHTTP(_ url: String, http: HTTPClient, timeout: Duration) async -> ProbeOutcome {
        var request = HTTPClientRequest(url: url)
        request.method = .GET
        request.headers.add(name: "User-Agent", value: "podtop")
        let clock = ContinuousClock()
        let start = clock.now
        do {
            // The caller's timer decides TIMEOUT; this deadline, a second later, only frees the request.
            let response = try await http.execute(request, deadline: .now() + .seconds(1) + timeout.timeAmount)
            let body = try await response.body.collect(upTo: 256 * 1024)
            let ms = (clock.now - start).milliseconds
            return .answered(status: Int(response.status.code), body: Array(body.readableBytesView), latencyMs: ms)
        } catch let error as HTTPClientError where error == .deadlineExceeded {
            return .timedOut
        } catch {
            return .failed(describe(error))
        }
    }

    static func probeTCP(host: String, port: Int, timeout: Duration) async -> ProbeOutcome {
        let clock = ContinuousClock()
        let start = clock.now
        do {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(timeout.timeAmount)
                .connect(host: host, port: port).get()
            let ms = (clock.now - start).milliseconds
            try? await channel.close()
            return .answered(status: nil, body: [], latencyMs: ms)
        } catch {
            return .failed(describe(error))
        }
    }

    static func describe(_ error: any Error) -> String {
        let text = String(describing: error)
        if text.contains("refused") || text.contains("errno: 111") { return "connection refused" }
        if text.contains("reset") || text.contains("errno: 104") { return "connection reset" }
        if let error = error as? HTTPClientError {
            if error == .remoteConnectionClosed { return "connection closed before an answer" }
            if error == .deadlineExceeded || error == .readTimeout { return "no answer in time" }
        }
        if text.contains("connectTimeout") { return "no answer in time" }
        return text
    }
}

/// Runs `body`, or gives up after `timeout` and cancels it; nil when it gave up.
func withTimeout<T: Sendable>(_ timeout: Duration, _ body: @escaping @Sendable () async -> T) async -> T? {
    await withTaskGroup(of: T?.self) { group in
        group.addTask { await body() }
        group.addTask {
            try? await Task.sleep(for: timeout)
            return nil
        }
        let first = await group.next() ?? nil
        group.cancelAll()
        return first
    }
}
