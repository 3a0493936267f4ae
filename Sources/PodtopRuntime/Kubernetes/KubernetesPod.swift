import Foundation

/// The parts of a Kubernetes Pod object the dashboard shows, decoded from the API's JSON.
public struct KubernetesPod: Decodable, Sendable, Equatable {
    public var metadata: Metadata
    public var spec: Spec
    public var status: Status
    /// Fields that could not be read (`status.containerStatuses[0].restartCount`…), for the
    /// replica's details; the rest of the pod is kept.
    public var unreadable: [String] = []

    public struct Metadata: Decodable, Sendable, Equatable {
        public var name: String
        public var namespace: String?
        public var uid: String?
        public var resourceVersion: String?
        public var creationTimestamp: String?
        public var deletionTimestamp: String?
        public var labels: [String: String]?
        var dropped: [String] = []
    }

    public struct Spec: Decodable, Sendable, Equatable {
        public var nodeName: String?
        public var containers: [Container]
        public var initContainers: [Container]?
        var dropped: [String] = []
    }

    public struct Container: Decodable, Sendable, Equatable {
        public var name: String
        public var image: String?
        /// "Always" on an init container makes it a sidecar (Kubernetes 1.29+).
        public var restartPolicy: String?
    }

    public struct Status: Decodable, Sendable, Equatable {
        public var phase: String?
        public var reason: String?
        public var podIP: String?
        public var startTime: String?
        public var conditions: [Condition]?
        public var containerStatuses: [ContainerStatus]?
        public var initContainerStatuses: [ContainerStatus]?
        var dropped: [String] = []
    }

    public struct Condition: Decodable, Sendable, Equatable {
        public var type: String
        public var status: String
        public var reason: String?
        public var message: String?
    }

    public struct ContainerStatus: Decodable, Sendable, Equatable {
        public var name: String
        public var ready: Bool
        public var started: Bool?
        public var restartCount: Int
        public var image: String?
        public var state: ContainerState?
        public var lastState: ContainerState?
        var dropped: [String] = []
    }

    /// Exactly one of the three is set.
    public struct ContainerState: Decodable, Sendable, Equatable {
        public var waiting: Waiting?
        public var running: Running?
        public var terminated: Terminated?
        var dropped: [String] = []
    }

    public struct Waiting: Decodable, Sendable, Equatable {
        public var reason: String?
        public var message: String?
    }

    public struct Running: Decodable, Sendable, Equatable {
        public var startedAt: String?
    }

    public struct Terminated: Decodable, Sendable, Equatable {
        /// Nil when the answer's is not a number.
        public var exitCode: Int?
        public var signal: Int?
        public var reason: String?
        public var message: String?
        var dropped: [String] = []
    }
}

extension KubernetesPod {
    /// The STATUS column as `kubectl get pods` prints it: the pod's reason or phase, then an init
    /// container still at work ("Init:1/2", "Init:CrashLoopBackOff"), else the first container's
    /// waiting or terminated reason ("CrashLoopBackOff", "OOMKilled", "ExitCode:1"), and
    /// "Terminating" once the pod is being deleted.
    public var kubectlStatus: String {
        var reason = nonEmpty(status.reason) ?? status.phase ?? "Unknown"
        var initializing = false
        let initCount = spec.initContainers?.count ?? status.initContainerStatuses?.count ?? 0
        for (index, container) in (status.initContainerStatuses ?? []).enumerated() {
            if let terminated = container.state?.terminated, terminated.exitCode == 0 { continue }
            // A sidecar (an init container that keeps running) that has started is done initialising.
            let isSidecar = spec.initContainers?.first { $0.name == container.name }?.restartPolicy == "Always"
            if isSidecar, container.started == true { continue }
            if let terminated = container.state?.terminated {
                if let why = nonEmpty(terminated.reason) {
                    reason = "Init:" + why
                } else if let signal = terminated.signal, signal != 0 {
                    reason = "Init:Signal:\(signal)"
                } else {
                    reason = "Init:ExitCode:\(terminated.exitCodeText)"
                }
            } else if let why = nonEmpty(container.state?.waiting?.reason), why != "PodInitializing" {
                reason = "Init:" + why
            } else {
                reason = "Init:\(index)/\(initCount)"
            }
            initializing = true
            break
        }
        if !initializing {
            var hasRunning = false
            // kubectl walks the containers from the last to the first: the first one's reason wins.
            for container in (status.containerStatuses ?? []).reversed() {
                if let why = nonEmpty(container.state?.waiting?.reason) {
                    reason = why
                } else if let terminated = container.state?.terminated {
                    if let why = nonEmpty(terminated.reason) {
                        reason = why
                    } else if let signal = terminated.signal, signal != 0 {
                        reason = "Signal:\(signal)"
                    } else {
                        reason = "ExitCode:\(terminated.exitCodeText)"
                    }
                } else if container.ready, container.state?.running != nil {
                    hasRunning = true
                }
            }
            // A container that completed beside others still running: the pod runs.
            if reason == "Completed", hasRunning {
                reason = isReady ? "Running" : "NotReady"
            }
        }
        if metadata.deletionTimestamp != nil {
            reason = status.reason == "NodeLost" ? "Unknown" : "Terminating"
        }
        return reason
    }

    /// READY's "n/m": containers ready of containers.
    public var readyContainers: (ready: Int, total: Int) {
        ((status.containerStatuses ?? []).filter(\.ready).count, spec.containers.count)
    }

    /// RESTARTS: every container's restarts, init containers' included.
    public var restarts: Int {
        ((status.containerStatuses ?? []) + (status.initContainerStatuses ?? [])).saturatingSum(\.restartCount)
    }

    /// The `Ready` condition: the pod is in its Services' endpoints.
    public var isReady: Bool {
        status.conditions?.contains { $0.type == "Ready" && $0.status == "True" } ?? false
    }

    /// Why the pod is not ready, in the kubelet's words: its STATUS when that says more than
    /// Running ("CrashLoopBackOff"), else the Ready condition's message ("containers with unready
    /// status: [auth]").
    public var notReadyReason: String {
        let word = kubectlStatus
        if word != "Running" { return "\(metadata.name) \(word)" }
        let ready = status.conditions?.first { $0.type == "Ready" }
        return "\(metadata.name): " + (nonEmpty(ready?.message) ?? nonEmpty(ready?.reason) ?? "not ready")
    }

    private func nonEmpty(_ text: String?) -> String? {
        guard let text, !text.isEmpty else { return nil }
        return text
    }
}
