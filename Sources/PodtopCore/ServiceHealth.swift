import Foundation

/// A probe's verdict, ordered from best to worst so a rollup can take the maximum.
public enum HealthClass: Int, Sendable, Comparable, CaseIterable {
    case unknown = 0
    case up
    case slow
    case degraded
    case timeout
    case down

    public static func < (a: HealthClass, b: HealthClass) -> Bool { a.rawValue < b.rawValue }

    public var word: String {
        switch self {
        case .unknown: "UNKNOWN"
        case .up: "UP"
        case .slow: "SLOW"
        case .degraded: "DEGRADED"
        case .timeout: "TIMEOUT"
        case .down: "DOWN"
        }
    }

    /// Whether the probe got an answer at all; failed probes are gaps in a latency series.
    public var answered: Bool { self == .up || self == .slow || self == .degraded }
}

public struct HealthSample: Sendable, Equatable {
    public var at: Date
    public var verdict: HealthClass
    /// Round-trip time in milliseconds; nil when the probe got no answer.
    public var latencyMs: Double?
    /// A short human explanation: "HTTP 503", "connection refused", "db: degraded".
    public var detail: String
    /// How the probe reached the service when not as configured for this machine (Kubernetes:
    /// "through the API server's service proxy"); nil for the configured URL or address.
    public var route: String?

    public init(at: Date, verdict: HealthClass, latencyMs: Double?, detail: String = "", route: String? = nil) {
        self.at = at
        self.verdict = verdict
        self.latencyMs = latencyMs
        self.detail = detail
        self.route = route
    }
}

/// What podtop remembers about one service: its latest sample and a latency history.
public struct ServiceHealthHistory: Sendable, Equatable {
    public private(set) var latest: HealthSample?
    public private(set) var latency: LatencySeries
    /// p95 over the whole ring, computed once per sample rather than once per frame.
    public private(set) var p95: Double?

    public init(capacity: Int = LatencySeries.defaultCapacity) {
        latency = LatencySeries(capacity: capacity)
    }

    public mutating func record(_ sample: HealthSample) {
        latest = sample
        latency.append(sample.verdict.answered ? sample.latencyMs : nil)
        p95 = latency.percentile(95)
    }

    public var verdict: HealthClass { latest?.verdict ?? .unknown }
}
