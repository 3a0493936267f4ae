import Foundation
import PodtopCore

/// What the watches have told about one namespace, and how it maps onto the Big Pods: a Big
/// Pod is the workloads (Deployments, StatefulSets) its config selector matches, by their labels
/// or name; its replicas are those workloads' pods. Pure: fed by the runtime, tested alone.
///
/// A namespace can hold thousands of pods and see dozens of changes a second, most of which
/// (a condition's time, a status heartbeat) change nothing on screen. So each pod's replica and
/// owner are worked out when the pod changes, the updates say whether anything shown changed,
/// and the sorted list of other pods is rebuilt only when one of them changed.
struct KubernetesInventory: Sendable {
    let topology: Topology
    /// Keyed by "Deployment/name", "StatefulSet/name".
    private(set) var workloads: [String: KubernetesWorkload] = [:]
    private(set) var pods: [String: KubernetesPod] = [:]
    private var replicas: [String: Replica] = [:]
    /// Each Big Pod's workloads (their keys, in name order), worked out when workloads change.
    private var bigPodWorkloads: [(pod: PodID, keys: [String])] = []
    /// The Big Pod each pod belongs to, and each Big Pod's pods; a pod in neither is "other".
    private var owner: [String: PodID] = [:]
    private var members: [PodID: Set<String>] = [:]
    private var sortedOthers: [Replica]?
    var autoscalers: [KubernetesAutoscaler] = []
    /// Per pod name, from metrics.k8s.io.
    var usage: [String: ContainerUsage] = [:]
    var statsSource: String?
    var statsUnavailable: String?

    init(topology: Topology) {
        self.topology = topology
        bigPodWorkloads = topology.pods.map { ($0.id, []) }
    }

    static func key(_ workload: KubernetesWorkload) -> String { "\(workload.kind ?? "Deployment")/\(workload.metadata.name)" }

    // MARK: - Workloads

    mutating func replaceWorkloads(_ list: [KubernetesWorkload], kind: String) {
        workloads = workloads.filter { $0.value.kind != kind }
        for var workload in list {
            workload.kind = kind
            workloads[Self.key(workload)] = workload
        }
        regroup()
    }

    /// Returns whether the screen may show it (a Big Pod's workload: its replica count, its
    /// rollout); another workload's change shows nowhere.
    @discardableResult
    mutating func update(_ workload: KubernetesWorkload, kind: String) -> Bool {
        var workload = workload
        workload.kind = kind
        let key = Self.key(workload)
        let before = workloads[key]
        workloads[key] = workload
        if before?.metadata.labels != workload.metadata.labels || before?.spec.selector != workload.spec.selector {
            regroup()
            return true
        }
        return isBigPodWorkload(workload)
    }

    @discardableResult
    mutating func remove(_ workload: KubernetesWorkload, kind: String) -> Bool {
        guard workloads.removeValue(forKey: "\(kind)/\(workload.metadata.name)") != nil else { return false }
        regroup()
        return true
    }

    private func isBigPodWorkload(_ workload: KubernetesWorkload) -> Bool {
        topology.pods.contains { $0.selector.matches(name: workload.metadata.name, labels: workload.metadata.labels ?? [:]) }
    }

    /// The workloads a Big Pod is made of, by name, as last seen.
    func workloads(of pod: PodID) -> [KubernetesWorkload] {
        (bigPodWorkloads.first { $0.pod == pod }?.keys ?? []).compactMap { workloads[$0] }
    }

    /// Which workloads make up which Big Pod, and so which pods belong where.
    private mutating func regroup() {
        bigPodWorkloads = topology.pods.map { spec in
            (spec.id, workloads.values
                .filter { spec.selector.matches(name: $0.metadata.name, labels: $0.metadata.labels ?? [:]) }
                .sorted { ($0.metadata.name, $0.kind ?? "") < ($1.metadata.name, $1.kind ?? "") }
                .map(Self.key))
        }
        owner.removeAll(keepingCapacity: true)
        members.removeAll(keepingCapacity: true)
        for pod in pods.values { assignOwner(pod) }
        sortedOthers = nil
    }

    /// The first Big Pod (in config order) one of whose workloads selects the pod.
    private mutating func assignOwner(_ pod: KubernetesPod) {
        let name = pod.metadata.name
        let found = bigPodWorkloads.first { $0.keys.contains { workloads[$0]?.selects(pod.metadata.labels) ?? false } }?.pod
        let previous = owner[name]
        guard found != previous else { return }
        if let previous { members[previous]?.remove(name) }
        owner[name] = found
        if let found { members[found, default: []].insert(name) }
    }

    // MARK: - Pods

    mutating func replacePods(_ list: [KubernetesPod]) {
        pods.removeAll(keepingCapacity: true)
        replicas.removeAll(keepingCapacity: true)
        owner.removeAll(keepingCapacity: true)
        members.removeAll(keepingCapacity: true)
        for pod in list {
            pods[pod.metadata.name] = pod
            replicas[pod.metadata.name] = pod.replica
            assignOwner(pod)
        }
        sortedOthers = nil
    }

    /// Stores the pod; returns whether anything the screen shows changed (its replica — phase,
    /// status word, restarts, start — or whose it is).
    @discardableResult
    mutating func update(_ pod: KubernetesPod) -> Bool {
        let name = pod.metadata.name
        let replica = pod.replica
        let previousOwner = owner[name]
        let changed = replicas[name] != replica
        pods[name] = pod
        replicas[name] = replica
        assignOwner(pod)
        let moved = owner[name] != previousOwner
        if (changed || moved), owner[name] == nil || previousOwner == nil { sortedOthers = nil }
        return changed || moved
    }

    @discardableResult
    mutating func remove(_ pod: KubernetesPod) -> Bool {
        let name = pod.metadata.name
        guard pods.removeValue(forKey: name) != nil else { return false }
        replicas[name] = nil
        if let previous = owner.removeValue(forKey: name) {
            members[previous]?.remove(name)
        } else {
            sortedOthers = nil
        }
        return true
    }

    // MARK: - The snapshot

    mutating func snapshot(at now: Date) -> RuntimeSnapshot {
        var snapshots: [PodSnapshot] = []
        for (id, _) in bigPodWorkloads {
            let mine = workloads(of: id)
            let replicas = (members[id] ?? []).sorted().compactMap { self.replicas[$0].map(withUsage) }
            let infos = mine.map { workload in
                WorkloadInfo(kind: workload.kind ?? "Deployment", name: workload.metadata.name, desiredReplicas: workload.desiredReplicas,
                             autoscaler: autoscaler(of: workload))
            }
            snapshots.append(PodSnapshot(id: id, desiredReplicas: mine.saturatingSum(\.desiredReplicas),
                                         replicas: replicas, workloads: infos, actions: actions(of: id, workloads: mine.count, replicas: replicas.count),
                                         readiness: serviceReadiness(of: id, workloads: mine)))
        }
        // The namespace's other pods: listed as "other", never dropped.
        if sortedOthers == nil {
            sortedOthers = replicas.filter { owner[$0.key] == nil }.values.sorted { $0.name < $1.name }
        }
        var snapshot = RuntimeSnapshot(takenAt: now, pods: snapshots, unmatched: sortedOthers ?? [],
                                       statsSource: statsUnavailable == nil ? statsSource : nil, statsUnavailable: statsUnavailable)
        snapshot.descriptorShortage = DescriptorBudget.process.shortage()
        return snapshot
    }

    /// What Kubernetes can do to a Big Pod: restart and scale its workloads, delete one of its
    /// pods for its controller to replace, read a restarted container's previous log.
    private func actions(of id: PodID, workloads: Int, replicas: Int) -> PodActions {
        var actions = PodActions.all
        let name = topology.pod(id)?.displayName ?? id.rawValue
        if workloads == 0 {
            let reason = "\(name): no Deployment or StatefulSet in this namespace matches its selector"
            actions.refuse(.restart, because: reason)
            actions.refuse(.scale, because: reason)
        }
        if replicas == 0 {
            actions.refuse(.restart, because: "\(name) has no pods to restart")
            actions.refuse(.restartReplica, because: "\(name) has no pods to restart")
            actions.refuse(.previousLogs, because: "\(name) has no pods")
        }
        return actions
    }

    // MARK: - Readiness

    /// Each service's readiness, by the kubelet: the pods of the Big Pod's workload named after
    /// the service (its Service's name, its own, or `<name>-service`), else the Big Pod's
    /// containers of that name; none when neither is there.
    private func serviceReadiness(of id: PodID, workloads mine: [KubernetesWorkload]) -> [String: ServiceReadiness] {
        guard let spec = topology.pod(id) else { return [:] }
        let podNames = members[id] ?? []
        var found: [String: ServiceReadiness] = [:]
        for service in spec.services {
            var names = [service.name, "\(service.name)-service"]
            if case .service(let serviceName, _, _) = service.kubernetes { names.insert(serviceName, at: 0) }
            if let workload = mine.first(where: { names.contains($0.metadata.name) }) {
                let selected = podNames.compactMap { pods[$0] }.filter { workload.selects($0.metadata.labels) }
                found[service.name] = Self.readiness(of: selected, source: "pods of \(workload.kind ?? "Deployment") \(workload.metadata.name)")
            } else if let readiness = containerReadiness(named: service.name, among: podNames) {
                found[service.name] = readiness
            }
        }
        return found
    }

    private func containerReadiness(named name: String, among podNames: Set<String>) -> ServiceReadiness? {
        var (ready, total) = (0, 0)
        var reason: String?
        for pod in podNames.sorted().compactMap({ pods[$0] }) where pod.metadata.deletionTimestamp == nil {
            guard pod.spec.containers.contains(where: { $0.name == name }) else { continue }
            total += 1
            let status = pod.status.containerStatuses?.first { $0.name == name }
            if status?.ready == true {
                ready += 1
            } else if reason == nil {
                reason = "\(pod.metadata.name): container \(name) " + (status?.state?.waiting?.reason ?? status?.state?.terminated?.reason ?? "not ready")
            }
        }
        return total == 0 ? nil : ServiceReadiness(ready: ready, total: total, source: "container \(name) in each pod", notReadyReason: reason)
    }

    /// The readiness of the namespace's workload of that name, either kind (infrastructure that
    /// no probe reaches: MongoDB, Redis); nil when there is none.
    func readiness(ofWorkload name: String) -> ServiceReadiness? {
        guard let workload = workloads["Deployment/\(name)"] ?? workloads["StatefulSet/\(name)"] else { return nil }
        let selected = pods.values.filter { workload.selects($0.metadata.labels) }
        return Self.readiness(of: selected, source: "pods of \(workload.kind ?? "Deployment") \(name)")
    }

    /// Pods being deleted do not count: they are leaving the Service's endpoints.
    private static func readiness(of selected: [KubernetesPod], source: String) -> ServiceReadiness {
        let counted = selected.filter { $0.metadata.deletionTimestamp == nil }.sorted { $0.metadata.name < $1.metadata.name }
        let notReady = counted.first { !$0.isReady }
        return ServiceReadiness(ready: counted.count { $0.isReady }, total: counted.count, source: source,
                                notReadyReason: notReady?.notReadyReason)
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
        var replica = Replica(
            id: metadata.uid ?? metadata.name, name: metadata.name, phase: phase(for: word), restarts: restarts,
            startedAt: status.startTime.flatMap(KubernetesTime.parse), image: spec.containers.first?.image ?? "",
            statusText: word, node: spec.nodeName)
        replica.unreadable = unreadable
        return replica
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

    /// RFC 3339 in whole seconds: `kubectl rollout restart`'s value, and `sinceTime`'s form.
    static func wholeSeconds(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle())
    }
}
