import Foundation

/// Which thing a health sample belongs to.
public enum HealthTarget: Hashable, Sendable {
    case service(ServiceID)
    case infrastructure(String)
}

/// Everything the outside world tells the dashboard arrives as one of these values.
public enum RuntimeEvent: Sendable {
    case connected(RuntimeIdentity)
    case snapshot(RuntimeSnapshot)
    /// The last snapshot still holds at this moment: a watch is connected and has been heard
    /// from (an event or a bookmark) within its bookmark interval, with nothing to change.
    case confirmed(Date)
    case health(HealthTarget, HealthSample)
    case logs([LogLine])
    case disconnected(reason: String, retryIn: Duration)
    /// A round of the team's Prometheus' figures (`PrometheusWatcher`).
    case monitoring(MonitoringSnapshot)
}

/// An error a runtime reports for an action, in words fit for the status line.
public struct RuntimeError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
