/// An action a key can ask of a pod or of one of its replicas.
public enum PodAction: String, Sendable, CaseIterable {
    case restart, scale, restartReplica, previousLogs

    /// The verb a status line uses for it.
    public var verb: String {
        switch self {
        case .restart, .restartReplica: "restart"
        case .scale: "scale"
        case .previousLogs: "read the previous container's log of"
        }
    }
}

/// Which actions a pod offers now, and why each of the others is not: decided by the runtime
/// (a read-only session, containers without compose labels, no workload behind the pod…) and
/// read by everything that shows or performs an action, so the keys, the footer, the help and
/// the action itself cannot disagree.
public struct PodActions: Sendable, Equatable {
    private var refusals: [PodAction: String]

    /// Every action offered.
    public static let all = PodActions(refusals: [:])

    /// No action offered, each for `reason`.
    public static func none(because reason: String) -> PodActions {
        PodActions(refusals: Dictionary(uniqueKeysWithValues: PodAction.allCases.map { ($0, reason) }))
    }

    private init(refusals: [PodAction: String]) {
        self.refusals = refusals
    }

    public func offers(_ action: PodAction) -> Bool { refusals[action] == nil }

    /// Why `action` is not offered; nil when it is.
    public func refusal(of action: PodAction) -> String? { refusals[action] }

    /// Takes `action` away, saying why.
    public mutating func refuse(_ action: PodAction, because reason: String) {
        refusals[action] = reason
    }

    /// These offers less every action that changes something: what `--read-only` leaves.
    public func readOnly() -> PodActions {
        var copy = self
        for (action, what) in [(PodAction.restart, "restart pods"), (.scale, "scale pods"), (.restartReplica, "restart replicas")] {
            copy.refuse(action, because: "read-only: podtop does not \(what) (started with --read-only)")
        }
        return copy
    }
}
