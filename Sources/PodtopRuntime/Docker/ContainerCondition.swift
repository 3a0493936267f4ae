import PodtopCore

/// Where a container is in its life, as values: what the list, an inspect and an event each say
/// about it, in one form, so that one rule can merge them (see `DockerContainers`).
struct ContainerCondition: Sendable, Equatable {
    /// The daemon's one word for the container's state.
    enum Status: String, Sendable {
        case created, running, paused, restarting, removing, exited, dead
        /// A word this version of podtop does not know: shown as ended, never as running.
        case unknown
    }

    /// The verdict of the container's own health check.
    enum Health: Sendable {
        /// No check, or not yet known to have one.
        case none
        case starting, healthy, unhealthy
    }

    var status: Status
    var health: Health
    /// How the last run ended, once it has.
    var exitCode: Int?

    var phase: ReplicaPhase {
        switch status {
        case .running:
            switch health {
            case .unhealthy: .unhealthy
            case .starting: .running
            case .healthy, .none: .healthy  // a container without a check is ready once it runs
            }
        case .restarting, .created: .starting
        case .removing, .paused: .stopping
        case .exited, .dead, .unknown: .exited
        }
    }

    var isRunning: Bool { status == .running }
}

extension ContainerCondition {
    /// From a list entry: `State` is the word, `Status` the text whose end carries the health
    /// ("Up 5 minutes (healthy)") and whose start an exit code ("Exited (137) 3 seconds ago").
    init(listState state: String, statusText: String) {
        status = Status(rawValue: state) ?? .unknown
        if statusText.hasSuffix("(healthy)") {
            health = .healthy
        } else if statusText.hasSuffix("(unhealthy)") {
            health = .unhealthy
        } else if statusText.hasSuffix("(health: starting)") {
            health = .starting
        } else {
            health = .none
        }
        exitCode = Self.exitCode(in: statusText)
    }

    /// From an inspect's `State`.
    init(_ inspected: DockerContainerInspect.State) {
        status = Status(rawValue: inspected.status) ?? .unknown
        switch inspected.health?.status {
        case "healthy": health = .healthy
        case "unhealthy": health = .unhealthy
        case "starting": health = .starting
        default: health = .none
        }
        exitCode = status == .exited || status == .dead ? inspected.exitCode : nil
    }

    /// Takes what `event` says the container is in now, ahead of the list and inspect that
    /// follow it, so that a death or a health verdict shows within the second of its event even
    /// when the daemon is slow to answer a list. Returns false for an event that says nothing
    /// certain about the state (kill, stop, create, …).
    mutating func apply(_ event: DockerEvent) -> Bool {
        switch event.action {
        case "die":
            status = .exited
            exitCode = event.actor.attributes["exitCode"].flatMap { Int($0) }
        case "start", "restart":
            // Running, but whether it has a health check is the inspect's to say.
            status = .running
            health = .starting
            exitCode = nil
        case "pause":
            status = .paused
        case "health_status: healthy", "health_status: unhealthy":
            // A verdict can trail a death by a moment; it never brings a dead container back.
            guard status == .running else { return false }
            health = event.action.hasSuffix(": healthy") ? .healthy : .unhealthy
        default:
            return false
        }
        return true
    }

    /// The code in "Exited (137) 3 seconds ago".
    private static func exitCode(in statusText: String) -> Int? {
        guard statusText.hasPrefix("Exited (") else { return nil }
        let digits = statusText.dropFirst("Exited (".count).prefix { $0 == "-" || $0.isNumber }
        return Int(digits)
    }
}
