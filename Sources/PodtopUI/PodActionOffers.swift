import PodtopCore

extension Action {
    /// The action on a pod this key asks for, if it asks for one.
    var podAction: PodAction? {
        switch self {
        case .restart: .restart
        case .scale: .scale
        case .restartReplica: .restartReplica
        case .previousLogs: .previousLogs
        default: nil
        }
    }
}

extension DashboardState {
    /// What the runtime offers for `pod`, as its latest snapshot says: the one place the keys,
    /// the footer, the help and the details read it from.
    public func actions(of pod: PodID) -> PodActions {
        snapshot?.pod(pod)?.actions ?? .none(because: "waiting for \(identity?.kind ?? "the runtime")'s first report")
    }

    /// Why `action` on `pod` cannot be asked for now — not offered, or the pod is busy with
    /// another action — in words for the status line; nil when it can.
    public func refusal(of action: PodAction, on pod: PodID) -> String? {
        if let reason = actions(of: pod).refusal(of: action) { return reason }
        if action != .previousLogs, busyPods.contains(pod) { return "\(displayName(pod)) is busy with another action; wait for it to finish" }
        return nil
    }
}
