import Foundation
import PodtopCore

/// A container runtime podtop can watch: Docker/Podman, Kubernetes, or the demo cluster.
public protocol ContainerRuntime: Sendable {
    var identity: RuntimeIdentity { get }
    /// Runs until the calling task is cancelled, sending inventory, health and logs.
    func run(refresh: Duration, emit: @escaping @Sendable (RuntimeEvent) -> Void) async
}

/// A runtime whose pods can be restarted (k9s-style capability: the keys follow from it).
public protocol PodRestarting: ContainerRuntime {
    /// Restarts the pod's replicas one at a time, each back to ready before the next.
    /// Returns a summary for the status line.
    func restart(_ pod: PodID, progress: @escaping @Sendable (String) -> Void) async throws(RuntimeError) -> String
}

public protocol PodScaling: ContainerRuntime {
    func scale(_ pod: PodID, to replicas: Int) async throws(RuntimeError) -> String
}

/// A runtime that keeps the log of a replica's previous (crashed) container: Kubernetes's
/// `previous=true`, what one wants for a pod in CrashLoopBackOff.
public protocol PreviousLogReading: ContainerRuntime {
    /// False for a wrapper whose runtime inside keeps no such log.
    var offersPreviousLogs: Bool { get }
    func previousLogs(_ pod: PodID, replica: String) async throws(RuntimeError) -> [LogLine]
}

extension PreviousLogReading {
    public var offersPreviousLogs: Bool { true }
}

/// A runtime that can restart a single replica, named as the snapshot names it (Docker:
/// restart the container; Kubernetes: delete the pod, its controller makes a new one).
public protocol ReplicaRestarting: ContainerRuntime {
    func restartReplica(_ pod: PodID, replica: String) async throws(RuntimeError) -> String
}
