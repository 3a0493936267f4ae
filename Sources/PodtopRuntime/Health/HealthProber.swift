import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import PodtopCore
import Synchronization

/// Probes every service's health endpoint (HTTP GET) and every piece of infrastructure (TCP
/// connect) on its own schedule. A round starts on the injected clock; its probes run entirely on
/// one NIO event loop: the request runs there, its timeout is a timer there, and the answer is
/// read and classified there. No task, no thread hop per probe — each hop cost a thread wake-up,
/// which on a virtual machine is dearer than the probe itself, and added its delay to the
/// latency measured.
///
/// A probe that hangs delays nothing else: its timeout is a timer of its own, below its
/// interval, and every probe of a round is started before any answer is awaited. Plain HTTP
/// goes over one kept-alive connection per endpoint (`HTTPProbeConnection`); HTTPS through
/// AsyncHTTPClient, whose pool keeps those alive. A Kubernetes Service goes through the API
/// server's service proxy (`ServiceProxy`), in a task of its own.
public final class HealthProber: Sendable {
    public struct Target: Sendable {
        public var key: HealthTarget
        public var way: Way
        public var thresholds: LatencyThresholds
        public var schedule: ProbeSchedule
        /// How it is reached, in words for the details, when not as configured for this machine.
        public var route: String?

        /// How a target is reached.
        public enum Way: Sendable, Equatable {
            /// The URL or address itself.
            case direct(HealthCheck)
            /// A Kubernetes Service's port and path through the API server's service proxy.
            case serviceProxy(service: String, port: Int, path: String)
        }

        public init(key: HealthTarget, way: Way, thresholds: LatencyThresholds, schedule: ProbeSchedule, route: String? = nil) {
            self.key = key
            self.way = way
            self.thresholds = thresholds
            self.schedule = schedule
            self.route = route
        }

        public init(key: HealthTarget, check: HealthCheck, thresholds: LatencyThresholds, schedule: ProbeSchedule) {
            self.init(key: key, way: .direct(check), thresholds: thresholds, schedule: schedule)
        }
    }

    public let targets: [Target]
    private let serviceProxy: (any ServiceProxy)?
    private let http: HTTPClient
    private let loop: any EventLoop
    /// One per target and plain-HTTP URL, made on first use and kept for the prober's life: two
    /// services sharing a URL must not share a connection, which carries one probe at a time.
    private let connections = Mutex<[ConnectionKey: HTTPProbeConnection]>([:])
    /// When rounds start (tests advance a manual clock); latency and timeouts are real time.
    private let clock: RuntimeClock

    /// The most of a health answer's body kept; the rest is read and dropped.
    static let bodyLimit = 256 * 1024

    private struct ConnectionKey: Hashable {
        let target: HealthTarget
        let url: String
    }

    /// Probes the topology's URLs and addresses as configured for this machine.
    public convenience init(topology: Topology, clock: any Clock<Duration> = ContinuousClock()) {
        self.init(targets: topology.probes.map { Target(key: $0.key, check: $0.spec.check, thresholds: $0.spec.thresholds, schedule: $0.spec.schedule) },
                  clock: RuntimeClock(clock), serviceProxy: nil)
    }

    init(targets: [Target], clock: RuntimeClock, serviceProxy: (any ServiceProxy)?) {
        self.clock = clock
        self.targets = targets
        self.serviceProxy = serviceProxy
        loop = MultiThreadedEventLoopGroup.singleton.next()
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.idleTimeout = .seconds(60)
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 4
        // A refused connection is an answer (DOWN), not something to retry until the timeout.
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.redirectConfiguration = .disallow
        configuration.decompression = .disabled
        http = HTTPClient(eventLoopGroup: loop, configuration: configuration)
    }

    /// Runs until cancelled; then closes the connections.
    public func run(emit: @escaping @Sendable (RuntimeEvent) -> Void) async {
        let (http, loop, clock, proxy) = (self.http, self.loop, self.clock, self.serviceProxy)
        // One round per interval, starting all of its targets' probes together: the event
        // loop's thread then wakes once per round rather than once per target, and on a
        // virtual machine a wake-up costs more than a probe. The next round waits a whole
        // interval after this one started its probes, as a repeated timer would.
        let rounds = Dictionary(grouping: targets) { $0.schedule.intervalMs }.map { intervalMs, group in
            (interval: Duration.milliseconds(Int64(intervalMs)), probes: group.map { (target: $0, prepared: self.prepare($0)) })
        }
        await withTaskGroup(of: Void.self) { tasks in
            for round in rounds {
                tasks.addTask {
                    repeat {
                        loop.execute {
                            for (target, prepared) in round.probes {
                                Self.probe(target, prepared, http: http, proxy: proxy, on: loop) { emit(.health(target.key, $0)) }
                            }
                        }
                    } while (try? await clock.sleep(for: round.interval)) != nil
                }
            }
        }
        await shutdown()
    }

    /// One probe of one target, as a round would make it.
    public func probeOnce(_ target: Target) async -> HealthSample {
        let (http, loop, proxy) = (self.http, self.loop, self.serviceProxy)
        return await withCheckedContinuation { continuation in
            loop.execute {
                Self.probe(target, self.prepare(target), http: http, proxy: proxy, on: loop) { continuation.resume(returning: $0) }
            }
        }
    }

    /// Closes the kept-alive connections (`run` does on its way out).
    public func shutdown() async {
        let open = connections.withLock { connections in
            defer { connections = [:] }
            return Array(connections.values)
        }
        try? await loop.submit { for connection in open { connection.close() } }.get()
        try? await http.shutdown()
    }

    /// What a probe needs, built once per target: a round reuses the request rather than parse
    /// the URL again.
    enum PreparedProbe: Sendable {
        case keptAlive(HTTPProbeConnection)
        case http(HTTPClient.Request)
        case tcp(ProbeAddress)
        case proxied(service: String, port: Int, path: String)
        case invalid(String)
    }

    func prepare(_ target: Target) -> PreparedProbe {
        let check: HealthCheck
        switch target.way {
        case .serviceProxy(let service, let port, let path): return .proxied(service: service, port: port, path: path)
        case .direct(let direct): check = direct
        }
        switch check {
        case .tcp(let host, let port):
            return .tcp(ProbeAddress(host: host, port: port))
        case .http(let url):
            if let (host, port, path) = Self.plainHTTP(url) {
                let key = ConnectionKey(target: target.key, url: url)
                return .keptAlive(connections.withLock { connections in
                    if let known = connections[key] { return known }
                    let made = HTTPProbeConnection(host: host, port: port, target: path, loop: loop)
                    connections[key] = made
                    return made
                })
            }
            guard let request = try? HTTPClient.Request(url: url, method: .GET, headers: ["User-Agent": "podtop"]) else {
                return .invalid("not a URL podtop can probe: \(url)")
            }
            return .http(request)
        }
    }

    /// Host, port and request target of an `http://` URL; nil for anything else (HTTPS).
    static func plainHTTP(_ url: String) -> (host: String, port: Int, target: String)? {
        guard let components = URLComponents(string: url), components.scheme?.lowercased() == "http",
              let host = components.host, !host.isEmpty, components.user == nil else { return nil }
        let port = components.port ?? 80
        guard (1...65535).contains(port) else { return nil }
        var target = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        if let query = components.percentEncodedQuery { target += "?" + query }
        return (host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host, port, target)
    }

    /// Starts one probe on `loop` (where it must be called); `done` runs there with the verdict.
    static func probe(_ target: Target, _ prepared: PreparedProbe, http: HTTPClient, proxy: (any ServiceProxy)?, on loop: any EventLoop,
                      _ done: @escaping @Sendable (HealthSample) -> Void) {
        let timeout = Duration.milliseconds(Int64(target.schedule.timeoutMs)).timeAmount
        let started = Date()
        let start = NIODeadline.now()
        let finish: @Sendable (ProbeOutcome) -> Void = { done(sample(target, outcome: $0, at: started)) }
        switch prepared {
        case .keptAlive(let connection):
            connection.probe(timeout: timeout, finish)
        case .tcp(let address):
            address.connect(with: ClientBootstrap(group: loop).connectTimeout(timeout)).whenComplete { result in
                switch result {
                case .success(let channel):
                    let latencyMs = (NIODeadline.now() - start).milliseconds
                    channel.close(promise: nil)
                    finish(.connected(latencyMs: latencyMs))
                case .failure(let error):
                    finish(.connectFailed(error))
                }
            }
        case .http(let request):
            let task = http.execute(request: request, delegate: HealthResponseCollector(limit: Self.bodyLimit, startedAt: start),
                                    eventLoop: .delegateAndChannel(on: loop), deadline: start + timeout)
            task.futureResult.whenComplete { result in
                switch result {
                case .success(let response):
                    finish(.answered(status: response.status, body: response.body,
                                     latencyMs: response.latency.milliseconds))
                case .failure(let error as HTTPClientError) where error == .deadlineExceeded || error == .readTimeout:
                    finish(.timedOut)
                case .failure(let error):
                    finish(.failure(error))
                }
            }
        case .proxied(let service, let port, let path):
            guard let proxy else {
                finish(.proxied(.notMade("no API server to proxy through"), service: service))
                return
            }
            Task {
                let answer = await proxy.get(service: service, port: port, path: path, timeout: .milliseconds(Int64(target.schedule.timeoutMs)))
                finish(.proxied(answer, service: service))
            }
        case .invalid(let reason):
            finish(.failed(reason))
        }
    }

    static func sample(_ target: Target, outcome: ProbeOutcome, at started: Date) -> HealthSample {
        var sample = verdict(target, outcome: outcome, at: started)
        sample.route = target.route
        return sample
    }

    private static func verdict(_ target: Target, outcome: ProbeOutcome, at started: Date) -> HealthSample {
        switch outcome {
        case .failed(let reason):
            return HealthSample(at: started, verdict: .down, latencyMs: nil, detail: reason)
        case .notMade(let reason):
            return HealthSample(at: started, verdict: .unknown, latencyMs: nil, detail: "not probed: \(reason)")
        case .timedOut:
            return HealthSample(at: started, verdict: .timeout, latencyMs: nil, detail: "no answer within \(Format.milliseconds(target.schedule.timeoutMs))")
        case .connected(let latencyMs):
            let (verdict, detail) = HealthClassifier.classifyConnect(latencyMs: latencyMs, thresholds: target.thresholds)
            return HealthSample(at: started, verdict: verdict, latencyMs: latencyMs, detail: detail)
        case .answered(let status, let body, let latencyMs):
            let (verdict, detail) = HealthClassifier.classify(statusCode: status, body: body, latencyMs: latencyMs, thresholds: target.thresholds)
            return HealthSample(at: started, verdict: verdict, latencyMs: latencyMs, detail: detail)
        case .proxied(let answer, let service):
            return ServiceProxyVerdict.sample(answer, service: service, thresholds: target.thresholds, timeoutMs: target.schedule.timeoutMs,
                                              at: started)
        }
    }

    enum ProbeOutcome: Sendable {
        case answered(status: Int, body: [UInt8], latencyMs: Double)
        /// A TCP probe's connect.
        case connected(latencyMs: Double)
        /// What came back through the API server's service proxy.
        case proxied(ServiceProxyAnswer, service: String)
        case failed(String)
        /// The probe could not be sent for a reason of podtop's own (no descriptor left): says
        /// nothing about the service, so UNKNOWN rather than DOWN.
        case notMade(String)
        case timedOut

        /// A probe whose connection or request failed with `error`.
        static func failure(_ error: any Error) -> Self {
            let failure = TransportFailure(error)
            return failure == .descriptorsExhausted ? .notMade(failure.words) : .failed(failure.words)
        }
    }

    static func describe(_ error: any Error) -> String {
        TransportFailure(error).words
    }
}

/// Collects a health endpoint's answer on the event loop, and its latency: from the moment the
/// request was written to the socket to the moment the answer was complete — the service's own
/// time (curl's time_total − time_pretransfer), not the client's bookkeeping before the write.
final class HealthResponseCollector: HTTPClientResponseDelegate, @unchecked Sendable {
    // @unchecked: AsyncHTTPClient calls every method on the request's one event loop.
    struct Response: Sendable {
        var status: Int
        var body: [UInt8]
        var latency: TimeAmount
    }

    private let limit: Int
    private var sentAt: NIODeadline
    private var status = 0
    private var body: [UInt8] = []

    init(limit: Int, startedAt: NIODeadline) {
        self.limit = limit
        sentAt = startedAt
    }

    func didSendRequestHead(task: HTTPClient.Task<Response>, _ head: HTTPRequestHead) {
        sentAt = .now()
    }

    func didReceiveHead(task: HTTPClient.Task<Response>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
        status = Int(head.status.code)
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didReceiveBodyPart(task: HTTPClient.Task<Response>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        // A health body is small; past the limit the rest is read and dropped.
        body.append(contentsOf: buffer.readableBytesView.prefix(max(0, limit - body.count)))
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didFinishRequest(task: HTTPClient.Task<Response>) throws -> Response {
        Response(status: status, body: body, latency: .now() - sentAt)
    }
}
