import Foundation
import PodtopCore

/// The containers of one Docker or Podman session, grouped into the configured pods, and the one
/// rule by which the daemon's three kinds of answer update them:
///
/// - an **event** sets a container's condition at once (a death shows within the second), and
///   asks for a list and an inspect of the container;
/// - a **list** entry sets names, labels and pod, and the condition unless an event newer than
///   the list's request has set it (or awaits the inspect that confirms it);
/// - an **inspect** sets the condition and the details, unless an event came after its request.
///
/// "Newer" is counted in events that set a condition (`conditionEvents`): each answer notes the
/// count when its request goes out. Pure: the runtime does the I/O; tests feed it directly.
struct DockerContainers: Sendable {
    let topology: Topology
    private(set) var byID: [String: TrackedContainer] = [:]
    /// How many events have set a condition so far this session.
    private(set) var conditionEvents: UInt64 = 0
    /// The compose projects of the pods' members: their other containers show as "other".
    private var podProjects: Set<String> = []

    init(topology: Topology) {
        self.topology = topology
    }

    subscript(id: String) -> TrackedContainer? { byID[id] }

    mutating func removeAll() {
        byID.removeAll()
        podProjects.removeAll()
    }

    // MARK: - Events

    enum EventOutcome: Equatable {
        /// The container is gone; `shown` when the screen showed it.
        case removed(shown: Bool)
        /// The container may have changed; `shown` when the screen shows that already.
        case changed(shown: Bool)
    }

    /// Takes one container event. `setsCondition` is false for the events the daemon replays
    /// from before the session's first list, which already speaks for them.
    mutating func take(_ event: DockerEvent, setsCondition: Bool) -> EventOutcome {
        let id = event.actor.id
        // Only containers on the screen are changed by their events: a daemon shared with other
        // projects sends events of containers that show nowhere.
        let onScreen = byID[id]?.isShown(podProjects: podProjects) ?? false
        if event.action == "restart" { byID[id]?.observedRestarts += 1 }
        if event.action == "destroy" || event.action == "remove" {  // Podman says "remove"
            return .removed(shown: byID.removeValue(forKey: id) != nil && onScreen)
        }
        var shown = false
        if onScreen, setsCondition, byID[id]?.condition.apply(event) == true {
            conditionEvents += 1
            byID[id]?.conditionEvent = conditionEvents
            shown = true
        }
        // A health verdict changes nothing an inspect would add: no inspect for it, which spares
        // one per container of a fleet settling.
        if !event.action.hasPrefix("health_status") {
            byID[id]?.inspected = false
            byID[id]?.conditionAwaitsInspect = onScreen
        }
        return .changed(shown: shown)
    }

    // MARK: - Lists

    /// What a list leaves to do: containers it no longer names, and those to inspect.
    struct ListOutcome {
        var gone: [String]
        var toInspect: [String]
        /// The containers the list speaks for (all, or those a partial list named).
        var covered: [String]
    }

    /// Merges a list of `only` these containers (nil: all of them), requested when
    /// `conditionEvents` was `eventsBefore`.
    mutating func merge(_ listed: [DockerContainerSummary], only: Set<String>?, eventsBefore: UInt64) -> ListOutcome {
        var seen = Set<String>()
        for summary in listed {
            seen.insert(summary.id)
            var tracked = byID[summary.id] ?? TrackedContainer(summary: summary)
            if !tracked.conditionAwaitsInspect, tracked.conditionEvent <= eventsBefore {
                tracked.condition = ContainerCondition(listState: summary.state, statusText: summary.status)
            }
            tracked.summary = summary
            tracked.pod = topology.pods.first { $0.selector.matches(name: summary.name, labels: summary.labels) }?.id
            byID[summary.id] = tracked
        }
        podProjects = Set(byID.values.lazy.filter { $0.pod != nil }.compactMap(\.composeProject))
        // After a partial list only the containers it named can be new, changed or gone.
        let covered = only.map(Array.init) ?? Array(byID.keys)
        let gone = covered.filter { !seen.contains($0) && byID[$0] != nil }
        for id in gone { byID[id] = nil }
        // Pod members for their details; any container for the condition an event left to confirm.
        let toInspect = covered.filter { id in
            byID[id].map { !$0.inspected && ($0.pod != nil || $0.conditionAwaitsInspect) } ?? false
        }
        return ListOutcome(gone: gone, toInspect: toInspect, covered: covered)
    }

    // MARK: - Inspects

    /// Merges an inspect of `id` requested when `conditionEvents` was `eventsBefore`; an older
    /// answer than an event that came meanwhile leaves the container to be inspected again.
    mutating func take(_ inspect: DockerContainerInspect, of id: String, eventsBefore: UInt64) {
        guard var tracked = byID[id] else { return }
        guard tracked.conditionEvent <= eventsBefore else {
            byID[id]?.inspected = false
            return
        }
        tracked.condition = ContainerCondition(inspect.state)
        tracked.conditionAwaitsInspect = false
        tracked.restartCount = inspect.restartCount
        tracked.startedAt = inspect.startedAt
        tracked.tty = inspect.config.tty
        tracked.logRotates = inspect.logRotates
        tracked.logFile = inspect.logDriver == "json-file" ? inspect.logPath.flatMap { $0.isEmpty ? nil : $0 } : nil
        tracked.pid = inspect.state.pid
        tracked.unreadable = inspect.dropped
        tracked.inspected = true
        byID[id] = tracked
    }

    // MARK: - Reading

    /// A pod's containers in replica order.
    func members(of pod: PodID) -> [TrackedContainer] {
        byID.values.filter { $0.pod == pod }.sorted { ReplicaOrderKey($0) < ReplicaOrderKey($1) }
    }

    func snapshot(at now: Date, usage: (String) -> ContainerUsage?) -> RuntimeSnapshot {
        // Each container's sort key is worked out once, and the replicas sorted rather than the
        // containers: a label parsed in every comparison showed in profiles of a big fleet.
        var byPod: [PodID: [(ReplicaOrderKey, Replica)]] = [:]
        var unmatched: [(project: String, entry: (ReplicaOrderKey, Replica))] = []
        var scalable = Set<PodID>()
        for container in byID.values {
            let entry = (ReplicaOrderKey(container), container.replica(usage: usage(container.summary.id)))
            if let pod = container.pod {
                byPod[pod, default: []].append(entry)
                if container.composeProject != nil, container.composeService != nil, container.containerNumber != nil {
                    scalable.insert(pod)
                }
            } else if let project = container.composeProject {
                unmatched.append((project, entry))
            }
        }
        func ordered(_ entries: [(ReplicaOrderKey, Replica)]) -> [Replica] { entries.sorted { $0.0 < $1.0 }.map(\.1) }
        let pods = topology.pods.map { spec in
            let members = ordered(byPod[spec.id] ?? [])
            return PodSnapshot(id: spec.id, desiredReplicas: members.count, replicas: members,
                               actions: Self.actions(of: spec, members: members.count, scalable: scalable.contains(spec.id)))
        }
        // Containers of a pod's compose project that no pod claims: shown as "other", never lost.
        let others = ordered(unmatched.filter { podProjects.contains($0.project) }.map(\.entry))
        return RuntimeSnapshot(takenAt: now, pods: pods, unmatched: others)
    }

    /// What Docker can do to a pod of `members` containers.
    static func actions(of spec: PodSpec, members: Int, scalable: Bool) -> PodActions {
        var actions = PodActions.all
        actions.refuse(.previousLogs, because: "Docker keeps no log of a container's earlier run")
        if members == 0 {
            actions.refuse(.restart, because: "\(spec.displayName) has no containers to restart")
            actions.refuse(.restartReplica, because: "\(spec.displayName) has no containers to restart")
        }
        if !scalable {
            actions.refuse(.scale, because: "\(spec.displayName) cannot be scaled: its containers carry no compose labels (project, service, container-number)")
        }
        return actions
    }
}
