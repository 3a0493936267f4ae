import Foundation
import PodtopCore

/// What the watches have told about one namespace, and how it maps onto the Big Pods: a Big
/// Pod is the workloads (Deployments, StatefulSets) its config selector matches, by their labels
/// or name; its replicas are those workloads' pods. Pure: fed by the runtime, tested alone.
struct KubernetesInventory: Sendable {
    /// Keyed by "Deployment/name", "StatefulSet/name".
    private(set) var workloads: [String: KubernetesWorkload] = [:]
    private(set) var pods: [String: KubernetesPod] = [:]
    /// Each pod as a replica, worked out when the pod changes rather than at every snapshot:
    /// a namespace can hold thousands of pods and only a few change in a second.
    private var replicas: [String: Replica] = [:]
    var autoscalers: [KubernetesAutoscaler] = []
    /// Per pod name, from metrics.k8s.io.
    var usage: [String: (cpuPercent: Double?, memoryBytes: UInt64?)] = [:]
    var statsUnavailable: String?

    static func key(_ workload: KubernetesWorkload) -> String { "\(workload.kind ?? "Deployment")/\(workload.metadata.name)" }

    mutating func replaceWorkloads(_ list: [KubernetesWorkload], kind: String) {
        workloads = workloads.filter { $0.value.kind != kind }
        for var workload in list {
            workload.kind = kind
            workloads[Self.key(workload)] = workload
        }
    }

    mutating func update(_ workload: KubernetesWorkload, kind: String) {
        var workload = workload
        workload.kind = kind
        workloads[Self.key(workload)] = workload
    }

    mutating func remove(_ workload: KubernetesWorkload, kind: String) {
        workloads["\(kind)/\(workload.metadata.name)"] = nil
    }

    mutating func replacePods(_ list: [KubernetesPod]) {
        pods.removeAll(keepingCapacity: true)
        replicas.removeAll(keepingCapacity: true)
        for pod in list { update(pod) }
    }

    mutating func update(_ pod: KubernetesPod) {
        pods[pod.metadata.name] = pod
        replicas[pod.metadata.name] = pod.replica
    }

    mutating func remove(_ pod: KubernetesPod) {
        pods[pod.metadata.name] = nil
        replicas[pod.metadata.name] = nil
    }

    /// The workloads a Big Pod is made of, by name.
    func workloads(of spec: PodSpec) -> [KubernetesWorkload] {
        workloads.values
            .filter { spec.selector.matches(name: $0.metadata.name, labels: $0.metadata.labels ?? [:]) }
            .sorted { ($0.metadata.name, $0.kind ?? "") < ($1.metadata.name, $1.kind ?? "") }
    }

    func pods(of workload: KubernetesWorkload) -> [KubernetesPod] {
        pods.values.filter { workload.selects($0.metadata.labels) }.sorted { $0.metadata.name < $1.metadata.name }
    }

    func snapshot(_ topology: Topology, at now: Date) -> RuntimeSnapshot {
        var claimed = Set<String>()
        var snapshots: [PodSnapshot] = []
        for spec in topology.pods {
            let mine = workloads(of: spec)
            var members: [Replica] = []
            for workload in mine {
                for pod in pods(of: workload) where claimed.insert(pod.metadata.name).inserted {
                    if let replica = replicas[pod.metadata.name] { members.append(withUsage(replica)) }
                }
            }
            let infos = mine.map { workload in
                WorkloadInfo(kind: workload.kind ?? "Deployment", name: workload.metadata.name, desiredReplicas: workload.desiredReplicas,
                             autoscaler: autoscaler(of: workload))
            }
            snapshots.append(PodSnapshot(id: spec.id, desiredReplicas: mine.reduce(0) { $0 + $1.desiredReplicas },
                                         replicas: members, workloads: infos))
        }
        // The namespace's other pods: listed as "other", never dropped.
        let others = replicas.filter { !claimed.contains($0.key) }.values.sorted { $0.name < $1.name }
        return RuntimeSnapshot(takenAt: now, pods: snapshots, unmatched: others,
                               statsSource: statsUnavailable == nil ? "metrics.k8s.io (working set; a 15 s window)" : nil,
                               statsUnavailable: statsUnavailable)
    }

    func autoscaler(of workload: KubernetesWorkload) -> WorkloadInfo.Autoscaler? {
        autoscalers.first { $0.spec.scaleTargetRef.kind == (workload.kind ?? "Deployment") && $0.spec.scaleTargetRef.name == workload.metadata.name }
            .map { WorkloadInfo.Autoscaler(name: $0.metadata.name, minReplicas: $0.spec.minReplicas ?? 1, maxReplicas: $0.spec.maxReplicas) }
    }

    private func withUsage(_ replica: Replica) -> Replica {
        guard let figures = usage[replica.name] else { return replica }
        var replica = replica
        replica.cpuPercent = figures.cpuPercent
        replica.memoryBytes = figures.memoryBytes
        return replica
    }
}

extension KubernetesPod {
    /// The pod as one replica of a Big Pod, its phase read from kubectl's STATUS word.
    var replica: Replica {
        let word = kubectlStatus
        return Replica(
            id: metadata.uid ?? metadata.name, name: metadata.name, phase: phase(for: word), restarts: restarts,
            startedAt: status.startTime.flatMap(KubernetesTime.parse), image: spec.containers.first?.image ?? "",
            statusText: word, node: spec.nodeName)
    }

    func phase(for word: String) -> ReplicaPhase {
        switch word {
        case "Terminating": return .stopping
        case "Running":
            if isReady { return .healthy }
            // Started but not ready: its readiness probe fails. Not started yet: starting.
            let started = (status.containerStatuses ?? []).allSatisfy { $0.started == true }
            return started && !(status.containerStatuses ?? []).isEmpty ? .unhealthy : .starting
        case "NotReady": return .unhealthy
        case "Pending", "ContainerCreating", "PodInitializing": return .starting
        default:
            if word.hasPrefix("Init:") {
                return word.contains("Err") || word.contains("BackOff") || word.contains("ExitCode") || word.contains("Signal") ? .exited : .starting
            }
            // CrashLoopBackOff, Error, OOMKilled, ImagePullBackOff, Completed, Evicted, ExitCode:1…
            return .exited
        }
    }
}

enum KubernetesTime {
    /// The API's RFC 3339 times, with or without a fraction.
    static func parse(_ text: String) -> Date? {
        if let date = try? Date.ISO8601FormatStyle().parse(text) { return date }
        return try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text)
    }

    /// `kubectl rollout restart`'s value: RFC 3339 in whole seconds.
    static func restartStamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle())
    }
}
