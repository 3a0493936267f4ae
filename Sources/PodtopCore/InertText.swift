/// Text from outside made safe to draw or print, once, where it enters the dashboard or
/// `podtop check`: container and pod names, images, labels' values, Kubernetes reasons and
/// messages, node names, health answers, daemon errors. Escape sequences, C0 and C1 controls,
/// bidirectional and zero-width characters are shown for what they are (`LogSanitizer`'s
/// rules), never obeyed, and no string is longer than `InertText.maxBytes`.
public enum InertText {
    public static let maxBytes = 4096

    /// `text` unchanged (no copy) when it is short printable ASCII, as nearly all of it is.
    /// Labels (Prometheus series, alerts) with every name and value made inert; two names that
    /// become the same keep the first's value.
    public static func of(labels: [String: String]) -> [String: String] {
        Dictionary(labels.map { (of($0.key), of($0.value)) }) { first, _ in first }
    }

    public static func of(_ text: String) -> String {
        if text.utf8.count <= maxBytes, text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return text }
        return LogSanitizer(maxBytes: maxBytes).sanitize(Array(text.utf8))
    }
}

extension RuntimeEvent {
    /// The event with every string in it inert; log lines are sanitised where they are read.
    public var inert: RuntimeEvent {
        switch self {
        case .connected(let identity): .connected(identity.inert)
        case .snapshot(let snapshot): .snapshot(snapshot.inert)
        case .health(let target, let sample): .health(target, sample.inert)
        case .disconnected(let reason, let retryIn): .disconnected(reason: InertText.of(reason), retryIn: retryIn)
        case .monitoring(let monitoring): .monitoring(monitoring.inert)
        case .logs, .confirmed: self
        }
    }
}

extension RuntimeIdentity {
    var inert: RuntimeIdentity {
        RuntimeIdentity(kind: InertText.of(kind), endpoint: InertText.of(endpoint), version: version.map(InertText.of),
                        insecure: insecure.map(InertText.of))
    }
}

extension HealthSample {
    public var inert: HealthSample {
        var copy = self
        copy.detail = InertText.of(detail)
        copy.route = route.map(InertText.of)
        return copy
    }
}

extension MonitoringSnapshot {
    var inert: MonitoringSnapshot {
        var copy = self
        copy.source = InertText.of(source)
        copy.problem = problem.map(InertText.of)
        copy.alertsProblem = alertsProblem.map(InertText.of)
        return copy
    }
}

extension RuntimeSnapshot {
    var inert: RuntimeSnapshot {
        var copy = self
        copy.pods = pods.map(\.inert)
        copy.unmatched = unmatched.map(\.inert)
        copy.statsSource = statsSource.map(InertText.of)
        copy.statsUnavailable = statsUnavailable.map(InertText.of)
        copy.descriptorShortage = descriptorShortage.map(InertText.of)
        copy.infrastructureReadiness = infrastructureReadiness.mapValues(\.inert)
        return copy
    }
}

extension PodSnapshot {
    var inert: PodSnapshot {
        var copy = self
        copy.replicas = replicas.map(\.inert)
        copy.workloads = workloads.map(\.inert)
        copy.actions = actions.inert
        copy.readiness = readiness.mapValues(\.inert)
        return copy
    }
}

extension Replica {
    var inert: Replica {
        var copy = self
        copy.id = InertText.of(id)
        copy.name = InertText.of(name)
        copy.image = InertText.of(image)
        copy.statusText = statusText.map(InertText.of)
        copy.node = node.map(InertText.of)
        copy.unreadable = unreadable.map(InertText.of)
        return copy
    }
}

extension WorkloadInfo {
    var inert: WorkloadInfo {
        var copy = self
        copy.kind = InertText.of(kind)
        copy.name = InertText.of(name)
        copy.autoscaler?.name = InertText.of(autoscaler?.name ?? "")
        return copy
    }
}

extension ServiceReadiness {
    var inert: ServiceReadiness {
        var copy = self
        copy.source = InertText.of(source)
        copy.notReadyReason = notReadyReason.map(InertText.of)
        return copy
    }
}

extension PodActions {
    var inert: PodActions {
        var copy = self
        for action in PodAction.allCases {
            if let reason = refusal(of: action) { copy.refuse(action, because: InertText.of(reason)) }
        }
        return copy
    }
}
