/// A Big Pod's status: the worst of its replicas' states and its services' health, with the
/// reason, so a reader can see which one made it so.
public enum PodStatus: Int, Sendable, Comparable {
    /// `critical`: a critical alert of the team's rules fires on one of its services.
    case unknown = 0, healthy, slow, progressing, degraded, critical, down

    public static func < (a: PodStatus, b: PodStatus) -> Bool { a.rawValue < b.rawValue }

    public var word: String {
        switch self {
        case .unknown: "UNKNOWN"
        case .healthy: "HEALTHY"
        case .slow: "SLOW"
        case .progressing: "UPDATING"
        case .degraded: "DEGRADED"
        case .critical: "CRITICAL"
        case .down: "DOWN"
        }
    }
}

public struct PodRollup: Sendable, Equatable {
    public var status: PodStatus
    public var reason: String

    /// `alerts`: the team's alerts on this pod's services; a firing `critical` one makes the pod
    /// CRITICAL and a `warning` DEGRADED, with the alert's name and summary as the reason.
    public static func of(
        spec: PodSpec, snapshot: PodSnapshot?, health: [String: HealthClass], alerts: [MonitoringAlert] = []
    ) -> PodRollup {
        guard let snapshot else { return PodRollup(status: .unknown, reason: "no data from the runtime yet") }
        var worst = PodRollup(status: .healthy, reason: "all replicas ready, all services up")
        func consider(_ status: PodStatus, _ reason: String) {
            if status > worst.status { worst = PodRollup(status: status, reason: reason) }
        }
        let ready = snapshot.readyCount
        if snapshot.desiredReplicas == 0 {
            consider(.down, "scaled to 0 replicas")
        } else if ready == 0 {
            consider(.down, "no replica ready (0/\(snapshot.desiredReplicas))")
        }
        for replica in snapshot.replicas {
            switch replica.phase {
            case .unhealthy, .exited: consider(.degraded, "replica \(replica.name) \(replica.statusWord)")
            case .starting, .running, .stopping: consider(.progressing, "replica \(replica.name) \(replica.statusWord)")
            case .healthy: break
            }
        }
        if ready < snapshot.desiredReplicas, ready > 0 {
            consider(.progressing, "\(ready)/\(snapshot.desiredReplicas) replicas ready")
        }
        for service in spec.services {
            let verdict = health[service.name] ?? .unknown
            switch verdict {
            case .down, .timeout: consider(.degraded, "\(service.name) \(verdict.word)")
            case .degraded: consider(.degraded, "\(service.name) DEGRADED")
            case .slow: consider(.slow, "\(service.name) SLOW")
            case .up, .unknown: break
            }
        }
        for alert in alerts where alert.state == .firing {
            let reason = alert.summary.isEmpty ? alert.name : "\(alert.name): \(alert.summary)"
            switch alert.severity.lowercased() {
            case "critical": consider(.critical, reason)
            case "warning": consider(.degraded, reason)
            default: break
            }
        }
        return worst
    }
}

/// The four severities a theme colours; every state maps to one, and is also drawn with a glyph
/// and a word so that colour is never the only signal.
public enum Severity: Sendable, Equatable {
    case ok, warn, critical, unknown
}

extension PodStatus {
    public var severity: Severity {
        switch self {
        case .unknown: .unknown
        case .healthy: .ok
        case .slow, .progressing: .warn
        case .degraded, .critical, .down: .critical
        }
    }
}

extension HealthClass {
    public var severity: Severity {
        switch self {
        case .unknown: .unknown
        case .up: .ok
        case .slow: .warn
        case .degraded, .timeout, .down: .critical
        }
    }
}

extension ReplicaPhase {
    public var severity: Severity {
        switch self {
        case .healthy: .ok
        case .starting, .running, .stopping: .warn
        case .unhealthy, .exited: .critical
        }
    }
}
