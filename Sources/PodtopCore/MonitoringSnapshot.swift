import Foundation

/// What the team's Prometheus says of one service over the last minute: requests a second, the
/// share of them answered 5xx, and the 95th percentile of their duration. Nil where the series
/// does not exist (a service without a latency histogram) or no request came.
public struct ServiceREDFigures: Sendable, Equatable {
    public var requestsPerSecond: Double?
    public var errorRatio: Double?
    public var p95Seconds: Double?

    public init(requestsPerSecond: Double? = nil, errorRatio: Double? = nil, p95Seconds: Double? = nil) {
        self.requestsPerSecond = requestsPerSecond
        self.errorRatio = errorRatio
        self.p95Seconds = p95Seconds
    }
}

/// One round of queries to Prometheus. When the round failed (unreachable, slower than its
/// timeout, a PromQL error) `problem` says why and the figures are those of no service: the
/// screen shows `n/a`, never the last round's numbers as if they were current.
public struct MonitoringSnapshot: Sendable, Equatable {
    /// Prometheus' base URL, which the header names.
    public var source: String
    public var takenAt: Date
    public var figures: [ServiceID: ServiceREDFigures]
    public var problem: String?
    /// Firing, pending and suppressed alerts; empty when they could not be read.
    public var alerts: [MonitoringAlert]
    /// Why the alerts could not be read (Alertmanager unreachable, say), apart from the
    /// figures: no alert shown then means "cannot tell", not "none fires".
    public var alertsProblem: String?

    /// The alerts firing now: those that turn pods red and that the header names.
    public var firing: [MonitoringAlert] { alerts.filter { $0.state == .firing } }

    public init(source: String, takenAt: Date, figures: [ServiceID: ServiceREDFigures] = [:], problem: String? = nil,
                alerts: [MonitoringAlert] = [], alertsProblem: String? = nil) {
        self.source = source
        self.takenAt = takenAt
        self.figures = figures
        self.problem = problem
        self.alerts = alerts
        self.alertsProblem = alertsProblem
    }
}

/// An alert of the team's rules, as Alertmanager (which knows silences and inhibitions) or
/// Prometheus reports it, with the service and pod its labels name when they name one.
public struct MonitoringAlert: Sendable, Equatable {
    public enum State: String, Sendable {
        /// Its condition held for the rule's `for:`; Alertmanager's "active".
        case firing
        /// Its condition holds, not yet for the rule's `for:` (Prometheus only).
        case pending
        /// Firing, but silenced or inhibited in Alertmanager.
        case suppressed
    }

    public var name: String
    /// The rule's `severity` label: "critical", "warning", or whatever the team uses.
    public var severity: String
    public var state: State
    /// Since when its condition holds (Prometheus' activeAt, Alertmanager's startsAt).
    public var since: Date?
    /// The `summary` annotation, else `description`.
    public var summary: String
    public var labels: [String: String]
    public var service: ServiceID?

    public init(name: String, severity: String, state: State, since: Date?, summary: String, labels: [String: String],
                service: ServiceID? = nil) {
        self.name = name
        self.severity = severity
        self.state = state
        self.since = since
        self.summary = summary
        self.labels = labels
        self.service = service
    }
}

/// Which of Prometheus' series are a service's: by default those of the job Prometheus scrapes
/// the services under whose `instance` ends in the service's port (`auth-service:3001`,
/// `127.0.0.1:3001`).
public struct SeriesSelector: Sendable, Equatable {
    /// Labels a series must carry with exactly these values.
    public var labels: [String: String]
    /// The port `instance` must end in (`:3001`), when set.
    public var instancePort: Int?

    public init(labels: [String: String], instancePort: Int? = nil) {
        self.labels = labels
        self.instancePort = instancePort
    }

    /// The job's series at the port the service is probed on.
    public static func standard(for spec: ServiceSpec, job: String) -> SeriesSelector {
        SeriesSelector(labels: ["job": job], instancePort: spec.check.port)
    }

    /// The label names a query must keep (`sum by (…)`) for this selector to tell series apart.
    public var labelNames: Set<String> {
        Set(labels.keys).union(instancePort == nil ? [] : ["instance"])
    }

    public func matches(_ series: [String: String]) -> Bool {
        guard labels.allSatisfy({ series[$0.key] == $0.value }) else { return false }
        guard let instancePort else { return true }
        return series["instance"]?.hasSuffix(":\(instancePort)") == true
    }
}

extension HealthCheck {
    /// The port probed: the URL's (80 or 443 when it names none) or the TCP address's.
    public var port: Int? {
        switch self {
        case .tcp(_, let port): return port
        case .http(let url):
            guard let parsed = URL(string: url) else { return nil }
            return parsed.port ?? (parsed.scheme?.lowercased() == "https" ? 443 : 80)
        }
    }
}
