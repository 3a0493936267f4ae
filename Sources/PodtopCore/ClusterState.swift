import Foundation

/// Where one replica (a container, later a Kubernetes pod) is in its life.
public enum ReplicaPhase: String, Sendable, Equatable {
    case starting, running, healthy, unhealthy, stopping, exited
}

public struct Replica: Sendable, Equatable, Identifiable {
    public var id: String
    public var name: String
    public var phase: ReplicaPhase
    public var restarts: Int
    public var startedAt: Date?
    /// CPU in percent of one core, when known.
    public var cpuPercent: Double?
    public var memoryBytes: UInt64?
    public var image: String
    /// How its last container ended, when it has ended (Docker's exit code).
    public var exitCode: Int?
    /// The runtime's own word for its state when it says more than the phase (Kubernetes:
    /// kubectl's STATUS, "CrashLoopBackOff", "Init:1/2").
    public var statusText: String?
    /// Where it runs (a Kubernetes node), when the runtime says.
    public var node: String?
    /// Fields of the runtime's answer about it that could not be read and were left out
    /// ("State.Health.FailingStreak"), for the details.
    public var unreadable: [String] = []

    public init(
        id: String, name: String, phase: ReplicaPhase, restarts: Int = 0, startedAt: Date? = nil,
        cpuPercent: Double? = nil, memoryBytes: UInt64? = nil, image: String = "", exitCode: Int? = nil, statusText: String? = nil,
        node: String? = nil
    ) {
        self.id = id
        self.name = name
        self.phase = phase
        self.restarts = restarts
        self.startedAt = startedAt
        self.cpuPercent = cpuPercent
        self.memoryBytes = memoryBytes
        self.image = image
        self.exitCode = exitCode
        self.statusText = statusText
        self.node = node
    }

    /// The word for its state: the runtime's own when it has one ("CrashLoopBackOff" says more
    /// than "exited"), else the phase's, with the exit code of an ended one.
    public var statusWord: String {
        if let statusText { return statusText }
        if phase == .exited, let exitCode { return "exited (\(exitCode))" }
        return phase.rawValue
    }

    /// Ready means it serves traffic: healthy, or running without a health check.
    public var isReady: Bool { phase == .healthy }
}

/// One Big Pod as the runtime last reported it.
public struct PodSnapshot: Sendable, Equatable {
    public var id: PodID
    public var desiredReplicas: Int
    public var replicas: [Replica] {
        didSet { figures = Figures(replicas) }
    }
    /// The pod's figures, worked out once per snapshot: every frame asks for them, for each pod
    /// of a fleet of a thousand containers.
    public private(set) var figures: Figures
    /// The Kubernetes workloads behind the pod (empty for Docker and the demo): the scale
    /// dialog names them and any autoscaler that would undo a manual scale.
    public var workloads: [WorkloadInfo]
    /// What the runtime lets a person do to the pod now, and why not the rest.
    public var actions: PodActions
    /// Each service's readiness by name, where the runtime knows it (Kubernetes).
    public var readiness: [String: ServiceReadiness]

    public init(id: PodID, desiredReplicas: Int, replicas: [Replica], workloads: [WorkloadInfo] = [], actions: PodActions = .all,
                readiness: [String: ServiceReadiness] = [:]) {
        self.id = id
        self.desiredReplicas = desiredReplicas
        self.replicas = replicas
        figures = Figures(replicas)
        self.workloads = workloads
        self.actions = actions
        self.readiness = readiness
    }

    public var readyCount: Int { figures.ready }
    public var restartTotal: Int { figures.restarts }
    public var cpuPercent: Double? { figures.cpuPercent }
    public var memoryBytes: UInt64? { figures.memoryBytes }
    /// The pod has been up as long as its oldest running replica.
    public var oldestStart: Date? { figures.oldestStart }

    /// Ready replicas, restarts (held at Int.max), CPU and memory summed over the replicas that
    /// have them (memory held at UInt64.max), and the oldest start, in one pass.
    public struct Figures: Sendable, Equatable {
        public private(set) var ready = 0
        public private(set) var restarts = 0
        public private(set) var cpuPercent: Double?
        public private(set) var memoryBytes: UInt64?
        public private(set) var oldestStart: Date?

        init(_ replicas: [Replica]) {
            for replica in replicas {
                if replica.isReady { ready += 1 }
                restarts = restarts.saturatingAdd(replica.restarts)
                if let cpu = replica.cpuPercent { cpuPercent = (cpuPercent ?? 0) + cpu }
                if let bytes = replica.memoryBytes {
                    let (sum, overflow) = (memoryBytes ?? 0).addingReportingOverflow(bytes)
                    memoryBytes = overflow ? .max : sum
                }
                if let started = replica.startedAt { oldestStart = min(oldestStart ?? started, started) }
            }
        }
    }
}

/// A Deployment or StatefulSet that makes up (part of) a Big Pod.
public struct WorkloadInfo: Sendable, Equatable {
    public var kind: String
    public var name: String
    public var desiredReplicas: Int
    /// The autoscaler targeting it: it overrides a manual scale.
    public var autoscaler: Autoscaler?

    public struct Autoscaler: Sendable, Equatable {
        public var name: String
        public var minReplicas: Int
        public var maxReplicas: Int
        public init(name: String, minReplicas: Int, maxReplicas: Int) {
            self.name = name
            self.minReplicas = minReplicas
            self.maxReplicas = maxReplicas
        }
    }

    public init(kind: String, name: String, desiredReplicas: Int, autoscaler: Autoscaler? = nil) {
        self.kind = kind
        self.name = name
        self.desiredReplicas = desiredReplicas
        self.autoscaler = autoscaler
    }
}

/// Everything a runtime knows at one moment.
public struct RuntimeSnapshot: Sendable, Equatable {
    public var takenAt: Date
    public var pods: [PodSnapshot]
    /// Containers of the same project that match no pod; shown as "other", never dropped.
    public var unmatched: [Replica]
    /// Where CPU and memory figures came from ("cgroup v1", "API one-shot stats"), for the details.
    public var statsSource: String?
    /// Why there are no CPU and memory figures, when there are none ("metrics.k8s.io is not
    /// served"); shown as "n/a" with this reason.
    public var statsUnavailable: String?
    /// Each piece of infrastructure's readiness by name, where the runtime knows it (Kubernetes).
    public var infrastructureReadiness: [String: ServiceReadiness]
    /// What podtop could not do for want of file descriptors ("descriptors exhausted: 1019 in
    /// use, limit 1024"); shown in the header while it lasts.
    public var descriptorShortage: String?

    public init(takenAt: Date, pods: [PodSnapshot], unmatched: [Replica] = [], statsSource: String? = nil,
                statsUnavailable: String? = nil, infrastructureReadiness: [String: ServiceReadiness] = [:]) {
        self.takenAt = takenAt
        self.pods = pods
        self.unmatched = unmatched
        self.statsSource = statsSource
        self.statsUnavailable = statsUnavailable
        self.infrastructureReadiness = infrastructureReadiness
    }

    public func pod(_ id: PodID) -> PodSnapshot? { pods.first { $0.id == id } }
}

/// Names the runtime for the header: "demo", "docker 29.0.1 unix:///var/run/docker.sock".
public struct RuntimeIdentity: Sendable, Equatable {
    public var kind: String
    public var endpoint: String
    public var version: String?
    /// Why the connection is not private, when it is not (plain `tcp://`, `insecure-skip-tls-verify`):
    /// the header shows an INSECURE badge.
    public var insecure: String?

    public init(kind: String, endpoint: String, version: String? = nil, insecure: String? = nil) {
        self.kind = kind
        self.endpoint = endpoint
        self.version = version
        self.insecure = insecure
    }
}
