import Foundation
import PodtopCore

/// What is selected: a pod, or one service inside it. Held by identity, not by row number,
/// so that nothing the runtime reports can make the selection jump.
public enum Selection: Hashable, Sendable {
    case pod(PodID)
    case service(ServiceID)

    public var pod: PodID {
        switch self {
        case .pod(let id): id
        case .service(let id): id.pod
        }
    }
}

public enum Focus: Sendable, Equatable {
    case pods, logs
}

/// A dialog over the dashboard. It names its pod itself, so it keeps acting on that pod
/// whatever happens to the selection or the data meanwhile.
public enum Modal: Sendable, Equatable {
    case confirmRestart(PodID)
    /// Restart one replica (a Kubernetes pod is deleted and replaced), by its name.
    case confirmReplicaRestart(PodID, replica: String)
    case scale(PodID, current: Int, target: Int)
    case confirmScaleToZero(PodID, current: Int)
    /// A search or filter being typed in the log pane's title line.
    case logPrompt(LogPrompt)
    case help
    /// The detail view of a pod or a service (`Enter`).
    case details(Selection)
    /// The environment picker (`e`), with the highlighted row.
    case environments(highlighted: Int)

    var keyContext: KeyContext {
        switch self {
        case .confirmRestart, .confirmReplicaRestart, .confirmScaleToZero: .confirm
        case .scale: .scale
        case .logPrompt: .logs  // typing is handled before the keymap; see DashboardState.handlePromptKey
        case .help: .help
        case .details: .details
        case .environments: .environments
        }
    }
}

/// podtop's own CPU and the bytes per second it sends to the terminal.
public struct SelfUsage: Sendable, Equatable {
    public var cpuPercent: Double
    public var terminalBytesPerSecond: Double

    public init(cpuPercent: Double, terminalBytesPerSecond: Double) {
        self.cpuPercent = cpuPercent
        self.terminalBytesPerSecond = terminalBytesPerSecond
    }
}

public struct StatusMessage: Sendable, Equatable {
    public var text: String
    public var isError: Bool
    public var at: Date
}

public enum ConnectionState: Sendable, Equatable {
    case connecting
    case connected
    case disconnected(reason: String, retryAt: Date)
}

/// The whole dashboard as a value: owned by the UI loop alone, changed only by `handle`.
public struct DashboardState: Sendable {
    public var topology: Topology
    public var identity: RuntimeIdentity?
    public var connection: ConnectionState = .connecting
    public var snapshot: RuntimeSnapshot?
    public var lastDataAt: Date?
    public var health: [HealthTarget: ServiceHealthHistory] = [:]
    /// The last round of the team's Prometheus' figures; nil when it is not configured.
    public var monitoring: MonitoringSnapshot?
    public var logs: LogBuffer
    /// Lines waiting out the reorder window before they join `logs`.
    public var pendingLogs: [LogLine] = []
    /// Whether `pendingLogs` is already in time order (one busy source usually keeps it so),
    /// which spares the sort.
    var pendingIsOrdered = true
    public var logReorderWindow: TimeInterval = 0.5
    public var logView = LogViewState()
    public var now: Date
    /// Times on screen are shown in this zone (tests pin it; the app uses the machine's).
    public var timeZone: TimeZone = .current
    public var refreshSeconds: Double
    public var selection: Selection
    public var focus: Focus = .pods
    public var modal: Modal?
    public var status: StatusMessage?
    public var themeNames: [String]
    public var themeIndex: Int
    /// Started with `--read-only` (or `read_only: true`): the header says so.
    public var readOnly: Bool
    /// Pods with an action under way, so a second one is refused with a clear word.
    public var busyPods: Set<PodID> = []
    /// What podtop itself costs, measured by the loop each second (shown in the help).
    public var selfUsage: SelfUsage?
    /// `--wallboard`: the room-sized, read-only screen; `q` is the only key.
    public var isWallboard = false
    /// Rows of the log pane at the last layout; a page is this many lines.
    public var logPageSize = 10
    /// Where `e` can switch to (Kubernetes; empty for Docker and the demo), and where podtop is.
    public var environments: [KubernetesEnvironment] = []
    public var environmentIndex = 0
    /// The replica highlighted in a pod's details (↑↓), which `x` restarts.
    public var detailReplicaIndex = 0

    public var environment: KubernetesEnvironment? {
        environments.indices.contains(environmentIndex) ? environments[environmentIndex] : nil
    }

    public init(
        topology: Topology, now: Date, refreshSeconds: Double = 1, logCapacity: Int = 10_000,
        themeNames: [String] = ["default"], themeIndex: Int = 0,
        readOnly: Bool = false
    ) {
        self.topology = topology
        self.now = now
        self.refreshSeconds = refreshSeconds
        logs = LogBuffer(capacity: logCapacity)
        self.themeNames = themeNames.isEmpty ? ["default"] : themeNames
        self.themeIndex = min(max(0, themeIndex), max(0, themeNames.count - 1))
        self.readOnly = readOnly
        selection = topology.pods.first.map { .pod($0.id) } ?? .pod(PodID(""))
    }

    public var themeName: String { themeNames[themeIndex] }

    public var keyContext: KeyContext {
        if isWallboard { return .wallboard }
        if let modal { return modal.keyContext }
        return focus == .logs ? .logs : .dashboard
    }

    /// Every selectable row in screen order: each pod, then its services.
    public var selectableItems: [Selection] {
        topology.pods.flatMap { pod in [Selection.pod(pod.id)] + pod.serviceIDs().map(Selection.service) }
    }

    public func history(_ target: HealthTarget) -> ServiceHealthHistory? { health[target] }

    public func healthByService(of pod: PodSpec) -> [String: HealthClass] {
        pod.serviceVerdicts { health[$0]?.verdict }
    }

    public func rollup(of pod: PodSpec) -> PodRollup {
        PodRollup.of(spec: pod, snapshot: snapshot?.pod(pod.id), health: healthByService(of: pod),
                     alerts: monitoring?.alerts.filter { $0.service?.pod == pod.id } ?? [])
    }

    /// Offset of `timeZone` from UTC now, in seconds.
    public var utcOffset: Int { timeZone.secondsFromGMT(for: now) }

    /// Seconds since the runtime last reported, nil before the first report.
    public var dataAge: Double? { lastDataAt.map { max(0, now.timeIntervalSince($0)) } }
}
