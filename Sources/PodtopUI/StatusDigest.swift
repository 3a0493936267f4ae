import PodtopCore

/// What a glance at the screen says about the fleet: the connection, each pod's status, each
/// replica's phase, each service's health class, the status line. The loop draws a change to
/// any of these at once; figures, sparklines and log lines that move without changing them wait
/// for the clock's frame, once a second. On a fleet, snapshots, probe rounds and the clock each
/// asked for a frame of their own: three frames a second, each repainting the log pane.
public struct StatusDigest: Equatable {
    var connection: ConnectionState
    var pods: [PodStatus]
    var replicas: [String: ReplicaPhase]
    var health: [HealthTarget: HealthClass]
    var status: String?
    var busyPods: Set<PodID>
}

extension DashboardState {
    public var statusDigest: StatusDigest {
        var replicas: [String: ReplicaPhase] = [:]
        for pod in snapshot?.pods ?? [] {
            for replica in pod.replicas { replicas[replica.id] = replica.phase }
        }
        for replica in snapshot?.unmatched ?? [] { replicas[replica.id] = replica.phase }
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
