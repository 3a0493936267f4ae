import Foundation
import PodtopCore

/// What podtop knows about one container: who it is (from the list), its condition (merged from
/// the list, inspects and events by `DockerContainers`) and the details an inspect adds.
struct TrackedContainer: Sendable {
    /// Names, image and labels, as last listed.
    var summary: DockerContainerSummary
    var condition: ContainerCondition
    /// The pod the config's selectors put it in, nil for none: decided when a list entry
    /// arrives, since names and labels change only with one.
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
    /// The main process as the host sees it: a new one means a restart, and new cgroup files.
    var pid: Int?
    /// Fields of its last inspect that could not be read.
    var unreadable: [String] = []
    /// The newest event that set `condition` (see `DockerContainers.conditionEvents`).
    var conditionEvent: UInt64 = 0
    /// Set by an event that only an inspect may confirm: the daemon's list can trail its own
    /// `die` event by tens of milliseconds, while an inspect waits for the container's lock and
    /// so cannot. Until then a list's condition is not taken.
    var conditionAwaitsInspect = false

    init(summary: DockerContainerSummary) {
        self.summary = summary
        condition = ContainerCondition(listState: summary.state, statusText: summary.status)
    }

    var containerNumber: Int? { summary.labels["com.docker.compose.container-number"].flatMap { Int($0) } }
    var composeProject: String? { summary.labels["com.docker.compose.project"] }
    var composeService: String? { summary.labels["com.docker.compose.service"] }
    var isRunning: Bool { condition.isRunning }
    var phase: ReplicaPhase { condition.phase }

    /// Whether the snapshot shows it: a pod's member, or "other" in the compose project of one.
    func isShown(podProjects: Set<String>) -> Bool {
        pod != nil || composeProject.map(podProjects.contains) == true
    }

    /// The short name a log line carries: the compose replica number, else the container name.
    var replicaLabel: String { containerNumber.map(String.init) ?? summary.name }

    func replica(usage: ContainerUsage?) -> Replica {
        var replica = Replica(
            id: summary.id, name: summary.name, phase: phase, restarts: [restartCount, observedRestarts].saturatingSum { $0 },
            startedAt: isRunning ? startedAt : nil, cpuPercent: isRunning ? usage?.cpuPercent : nil,
            memoryBytes: isRunning ? usage?.memoryBytes : nil, image: summary.image,
            exitCode: isRunning ? nil : condition.exitCode
        )
        replica.unreadable = unreadable
        return replica
    }
}

/// A container's CPU and memory, as last sampled.
struct ContainerUsage: Sendable {
    var cpuPercent: Double?
    var memoryBytes: UInt64?
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
