/// What the operators run, as podtop sees it: Big Pods made of services, plus shared
/// infrastructure. Comes from the config file or from the built-in DreamScape defaults.
public struct Topology: Sendable, Equatable {
    public var pods: [PodSpec]
    public var infrastructure: [InfraSpec]

    public init(pods: [PodSpec], infrastructure: [InfraSpec]) {
        self.pods = pods
        self.infrastructure = infrastructure
    }

    /// Every service and piece of infrastructure that is probed, with the key its results go under.
    public var probes: [(key: HealthTarget, spec: ServiceSpec)] {
        pods.flatMap { pod in pod.services.map { (HealthTarget.service(ServiceID(pod: pod.id, name: $0.name)), $0) } }
            + infrastructure.map { (HealthTarget.infrastructure($0.name), $0) }
    }

    public func pod(_ id: PodID) -> PodSpec? { pods.first { $0.id == id } }
}

public struct PodID: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }
    public static func < (a: PodID, b: PodID) -> Bool { a.rawValue < b.rawValue }
}

/// A service is named within its pod ("core/auth").
public struct ServiceID: Hashable, Sendable, CustomStringConvertible {
    public let pod: PodID
    public let name: String
    public init(pod: PodID, name: String) {
        self.pod = pod
        self.name = name
    }
    public var description: String { "\(pod.rawValue)/\(name)" }
}

public struct PodSpec: Sendable, Equatable {
    public var id: PodID
    public var displayName: String
    public var services: [ServiceSpec]
    /// How containers are recognised as replicas of this pod.
    public var selector: ContainerSelector
    public var minReplicas: Int
    public var maxReplicas: Int

    public init(
        id: PodID, displayName: String, services: [ServiceSpec], selector: ContainerSelector,
        minReplicas: Int = 0, maxReplicas: Int = 20
    ) {
        self.id = id
        self.displayName = displayName
        self.services = services
        self.selector = selector
        self.minReplicas = minReplicas
        self.maxReplicas = maxReplicas
    }

    public func serviceIDs() -> [ServiceID] { services.map { ServiceID(pod: id, name: $0.name) } }
}

public struct ServiceSpec: Sendable, Equatable {
    public var name: String
    /// How it is probed on Docker and the demo: a URL or a TCP address on this machine.
    public var check: HealthCheck
    /// How it is probed on Kubernetes; by default derived from `check` (`KubernetesProbe.default`).
    public var kubernetes: KubernetesProbe
    public var thresholds: LatencyThresholds
    public var schedule: ProbeSchedule

    public init(name: String, check: HealthCheck, kubernetes: KubernetesProbe? = nil, thresholds: LatencyThresholds = .standard,
                schedule: ProbeSchedule = .standard) {
        self.name = name
        self.check = check
        self.kubernetes = kubernetes ?? .default(name: name, check: check)
        self.thresholds = thresholds
        self.schedule = schedule
    }
}

/// Shared infrastructure (MongoDB, Redis) is probed exactly like a service; it just belongs to
/// no pod.
public typealias InfraSpec = ServiceSpec

/// How often a service is probed and how long a probe may take; the timeout is always below
/// the interval, so probes of one service never overlap.
public struct ProbeSchedule: Sendable, Equatable {
    public var intervalMs: Double
    public var timeoutMs: Double
    public init(intervalMs: Double, timeoutMs: Double) {
        self.intervalMs = intervalMs
        self.timeoutMs = timeoutMs
    }
    public static let standard = ProbeSchedule(intervalMs: 1000, timeoutMs: 800)
}

public enum HealthCheck: Sendable, Equatable, CustomStringConvertible {
    case http(url: String)
    case tcp(host: String, port: Int)

    public var description: String {
        switch self {
        case .http(let url): url
        case .tcp(let host, let port): "tcp://\(host):\(port)"
        }
    }
}

/// Latency above `warnMs` is SLOW, above `criticalMs` DEGRADED.
public struct LatencyThresholds: Sendable, Equatable {
    public var warnMs: Double
    public var criticalMs: Double
    public init(warnMs: Double, criticalMs: Double) {
        self.warnMs = warnMs
        self.criticalMs = criticalMs
    }
    public static let standard = LatencyThresholds(warnMs: 200, criticalMs: 500)
}

/// Matches containers to a pod: a container belongs to the pod when any one rule matches.
public struct ContainerSelector: Sendable, Equatable {
    public enum Rule: Sendable, Equatable {
        /// Every listed label has the given value.
        case labels([String: String])
        /// A glob over the container name (`*` and `?`), e.g. `dreamscape-core-*`.
        case name(String)
    }

    public var rules: [Rule]

    public init(_ rules: [Rule]) { self.rules = rules }

    public func matches(name: String, labels containerLabels: [String: String]) -> Bool {
        rules.contains { rule in
            switch rule {
            case .labels(let wanted):
                !wanted.isEmpty && wanted.allSatisfy { containerLabels[$0.key] == $0.value }
            case .name(let pattern):
                Glob.matches(pattern: pattern, text: name)
            }
        }
    }
}

enum Glob {
    static func matches(pattern: String, text: String) -> Bool {
        let p = Array(pattern), t = Array(text)
        var pi = 0, ti = 0, starP = -1, starT = 0
        while ti < t.count {
            if pi < p.count, p[pi] == "?" || p[pi] == t[ti] {
                pi += 1
                ti += 1
            } else if pi < p.count, p[pi] == "*" {
                starP = pi
                starT = ti
                pi += 1
            } else if starP >= 0 {
                pi = starP + 1
                starT += 1
                ti = starT
            } else {
                return false
            }
        }
        while pi < p.count, p[pi] == "*" { pi += 1 }
        return pi == p.count
    }
}

extension PodSpec {
    /// Each service's latest class by name, `.unknown` where there is none: what a pod's rollup
    /// weighs, from whichever record of probe results the caller keeps.
    public func serviceVerdicts(_ verdict: (HealthTarget) -> HealthClass?) -> [String: HealthClass] {
        Dictionary(uniqueKeysWithValues: services.map { service in
            (service.name, verdict(.service(ServiceID(pod: id, name: service.name))) ?? .unknown)
        })
    }
}
