import PodtopCore

/// What a glance at the screen says about the fleet: the connection, each pod's status, each
/// replica's phase, each service's health class, the status line. The loop draws a change to
/// any of these at once; figures, sparklines and log lines that move without changing them wait
/// for the clock's frame, once a second. On a fleet, snapshots, probe rounds and the clock each
/// asked for a frame of their own: three frames a second, each repainting the log pane.
public struct StatusDigest: Equatable {
    var connection: ConnectionState
    var pods: [PodStatus]
    /// In the snapshot's order (pods in order, replicas by number): a replica replaced by
    /// another in the same phase changes nothing a glance would see.
    var replicas: [ReplicaPhase]
    var health: [HealthTarget: HealthClass]
    var status: String?
    var busyPods: Set<PodID>
}

extension DashboardState {
    public var statusDigest: StatusDigest {
        var replicas: [ReplicaPhase] = []
        for pod in snapshot?.pods ?? [] { replicas += pod.replicas.map(\.phase) }
        replicas += (snapshot?.unmatched ?? []).map(\.phase)
        return StatusDigest(
            connection: connection,
            pods: topology.pods.map { rollup(of: $0).status },
            replicas: replicas,
            health: health.mapValues(\.verdict),
            status: status?.text,
            busyPods: busyPods
        )
    }
}
