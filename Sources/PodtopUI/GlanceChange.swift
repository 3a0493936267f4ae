import PodtopCore

/// Whether an input changes what a glance at the screen says about the fleet: the connection,
/// a replica's phase or count, a service's health class, an action's progress. The loop draws
/// such a change at once; new figures, latencies and log lines wait for the clock's frame, once
/// a second. On a fleet, snapshots, probe results and the clock each asked for a frame of their
/// own: three or more frames a second, each repainting the log pane.
extension DashboardState {
    public func changesAtAGlance(_ input: DashboardInput) -> Bool {
        switch input {
        case .runtime(.logs), .runtime(.confirmed), .tick, .measured:
            return false
        case .runtime(.monitoring(let next)):
            // Figures wait for the clock's frame; Prometheus going away or coming back, and an
            // alert starting or ending to fire, do not.
            return (monitoring?.problem == nil) != (next.problem == nil) || (monitoring?.alertsProblem == nil) != (next.alertsProblem == nil)
                || (monitoring?.firing.map(\.name) ?? []) != next.firing.map(\.name)
        case .runtime(.health(let target, let sample)):
            return health[target]?.verdict != sample.verdict
        case .runtime(.snapshot(let next)):
            guard let current = snapshot, current.pods.count == next.pods.count,
                  current.unmatched.map(\.phase) == next.unmatched.map(\.phase) else { return true }
            return zip(current.pods, next.pods).contains { $0.replicas.map(\.phase) != $1.replicas.map(\.phase) }
        case .runtime(.connected), .runtime(.disconnected), .key, .actionProgress, .actionFinished, .notice:
            return true
        }
    }
}
