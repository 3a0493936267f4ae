import Foundation
import PodtopCore

/// What podtop knows about one container, merged from the list, inspect, events and stats.
struct TrackedContainer: Sendable {
    var summary: DockerContainerSummary
    /// The pod the config's selectors put it in, nil for none: decided when a list entry
    /// arrives (names and labels change only with one), not again on every poll and report.
    var pod: PodID?
    var restartCount = 0
    /// `restart` events seen since podtop started: the daemon's RestartCount counts only the
    /// restarts its restart policy made, not `docker restart` or podtop's own.
    var observedRestarts = 0
    var startedAt: Date?
    var tty = false
    /// The json-file log to read directly, when the container has one.
    var logFile: String?
    var logRotates = false
    var inspected = false
    /// The latest event that set `summary`'s state and status (see `DockerRuntime.stateEvents`);
    /// a list or inspect sent before it is older news.
    var stateEvent: UInt64 = 0
    /// Changed by an event that only an inspect confirms: the daemon's list trails its own
    /// `die` event (a list sent the moment it came said "running" in 18 of 18 tries here, for up
    /// to 30 ms, longer while the daemon is busy), while an inspect waits for the container's
    /// lock and so never does. Until then the list's state is not taken.
    var stateAwaitsInspect = false
    var pid: Int?
    /// Where this container's counters are read from: its cgroup files when they were found,
    /// else (`statsFromAPI`) the daemon's one-shot stats.
    var cgroup: CgroupCounters?
    var statsFromAPI = false
    var lastCgroupSample: CgroupSample?
    var lastStats: DockerStatsSample?
    var cpuPercent: Double?
    var memoryBytes: UInt64?

    var containerNumber: Int? { summary.labels["com.docker.compose.container-number"].flatMap { Int($0) } }
    var composeProject: String? { summary.labels["com.docker.compose.project"] }
    var composeService: String? { summary.labels["com.docker.compose.service"] }
    var isRunning: Bool { summary.state == "running" }

    /// Whether `DockerInventory.snapshot` shows it: a pod's member, or "other" in the compose
    /// project of one (`podProjects`).
    func isShown(podProjects: Set<String>) -> Bool {
        pod != nil || composeProject.map(podProjects.contains) == true
    }

    /// The short name a log line carries: the compose replica number, else the container name.
    var replicaLabel: String { containerNumber.map(String.init) ?? summary.name }

    var phase: ReplicaPhase {
        switch summary.state {
        case "running":
            switch summary.health {
            case "unhealthy": .unhealthy
            case "starting": .running
            default: .healthy  // healthy, or running with no health check to pass
            }
        case "restarting", "created": .starting
        case "removing", "paused": .stopping
        default: .exited
        }
    }

    var replica: Replica {
        Replica(
            id: summary.id, name: summary.name, phase: phase, restarts: restartCount + observedRestarts,
            startedAt: isRunning ? startedAt : nil, cpuPercent: isRunning ? cpuPercent : nil,
            memoryBytes: isRunning ? memoryBytes : nil, image: summary.image
        )
    }
}

/// Groups containers into the configured pods.
enum DockerInventory {
    static func podID(of summary: DockerContainerSummary, in topology: Topology) -> PodID? {
        topology.pods.first { $0.selector.matches(name: summary.name, labels: summary.labels) }?.id
    }

    static func snapshot(_ containers: [String: TrackedContainer], topology: Topology, at: Date) -> RuntimeSnapshot {
        // Each container's sort key is worked out once, and the small replicas sorted rather than
        // the containers: sorting 150 containers by a label parsed in every comparison was a
        // tenth of podtop's CPU on a big fleet.
        var byPod: [PodID: [(ReplicaOrderKey, Replica)]] = [:]
        var unmatched: [(project: String, entry: (ReplicaOrderKey, Replica))] = []
        var projects = Set<String>()
        for container in containers.values {
            let entry = (ReplicaOrderKey(container), container.replica)
            if let pod = container.pod {
                byPod[pod, default: []].append(entry)
                if let project = container.composeProject { projects.insert(project) }
            } else if let project = container.composeProject {
                unmatched.append((project, entry))
            }
        }
        func ordered(_ entries: [(ReplicaOrderKey, Replica)]) -> [Replica] { entries.sorted { $0.0 < $1.0 }.map(\.1) }
        let pods = topology.pods.map { spec in
            let members = ordered(byPod[spec.id] ?? [])
            return PodSnapshot(id: spec.id, desiredReplicas: members.count, replicas: members)
        }
        // Containers of the same compose project that no pod claims: shown as "other", never lost.
        let others = ordered(unmatched.filter { projects.contains($0.project) }.map(\.entry))
        return RuntimeSnapshot(takenAt: at, pods: pods, unmatched: others)
    }

    static func replicaOrder(_ a: TrackedContainer, _ b: TrackedContainer) -> Bool {
        ReplicaOrderKey(a) < ReplicaOrderKey(b)
    }
}

/// Compose's replica number first, then the name.
struct ReplicaOrderKey: Comparable {
    let number: Int?
    let name: String

    init(_ container: TrackedContainer) {
        number = container.containerNumber
        name = container.summary.name
    }

    static func < (a: ReplicaOrderKey, b: ReplicaOrderKey) -> Bool {
        switch (a.number, b.number) {
        case let (x?, y?) where x != y: x < y
        default: a.name < b.name
        }
    }
}
