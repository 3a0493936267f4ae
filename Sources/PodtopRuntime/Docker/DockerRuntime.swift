import Foundation
import PodtopCore

/// Docker or Podman through its Engine API. One session per connection (`Reconnecting` makes a
/// new one after the daemon is lost); within it:
///
/// - the event stream tells what changed, and `DockerContainers` takes the change at once;
/// - lists and inspects of the changed containers follow (`relists`, paced), with a full list
///   every 30 s as a safety net;
/// - CPU and memory come from the containers' cgroup files when the daemon is local, else from
///   the API (`UsageSampler`s);
/// - logs come from the json-file logs on disk when local, else from one stream per replica
///   (`LogFollower`s);
/// - snapshots go to the screen through `reports` (paced).
///
/// Actions (restart, scale, restart one replica) are in `DockerRuntime+Actions.swift`.
public actor DockerRuntime: PodRestarting, PodScaling, ReplicaRestarting {
    public nonisolated let identity: RuntimeIdentity
    let endpoint: DockerEndpoint
    let topology: Topology
    let logTail: Int
    /// False for a screen that shows no logs (the wallboard): no log streams at all.
    let followsLogs: Bool
    let policy: RequestPolicy
    /// Nil when the daemon is remote or no cgroup hierarchy is readable.
    let cgroupReader: CgroupStatsReader?
    /// Nil when every log is followed through the API (a remote daemon, or asked so). It outlives
    /// sessions: after a reconnect each file is read on from where it was.
    let logFiles: LogFileFollower?
    let clock: RuntimeClock

    var containers: DockerContainers
    var usage: [String: ContainerUsage] = [:]
    var usageSource: String?
    var session: Session?
    var emit: (@Sendable (RuntimeEvent) -> Void)?
    /// Where each log streamed through the API got to, across sessions.
    let logResumePoints = LogResumePoints()
    var restartsInProgress: Set<PodID> = []
    /// When the containers were last all listed: the safety net lists them again after 30 s.
    var listedAt: Duration = .zero

    /// What one connection to the daemon has and does; gone when the connection is.
    struct Session {
        let client: DockerClient
        /// Snapshots to the screen: at once after a calm, at most one per `reportSpacing`.
        let reports: PacedWork
        /// Lists of the containers events named, one for a burst.
        let relists: PacedWork
        /// The containers named by events since the last list of them.
        var awaitingList: Set<String> = []
        let usageSamplers: [any UsageSampler]
        let logStreams: StreamLogFollower?
    }

    public enum StatsReading: Sendable {
        /// This host's cgroups when the daemon is on a local socket, else the API.
        case automatic
        case apiOnly
        case cgroups(CgroupStatsReader)
    }

    public enum LogReading: Sendable, Equatable {
        /// The json-file logs on disk when the daemon is on a local socket, else the API.
        case automatic
        case apiOnly
    }

    /// The full list the event stream makes unneeded, made anyway this often.
    static let relistInterval: Duration = .seconds(30)
    /// The least time between two lists that events ask for: short, since a change must show
    /// within the second, and cheap, since such lists name only the changed containers.
    static let relistSpacing: Duration = .milliseconds(100)
    /// The least time between two snapshots; the screen draws at most four frames a second.
    static let reportSpacing: Duration = .milliseconds(100)
    /// Running containers whose figures are read every refresh; a bigger fleet's are read every
    /// second refresh past 250, every fourth past 750, and so on: reading three cgroup files a
    /// container is most of what watching a fleet costs, and a CPU rate over a few seconds
    /// reads the same.
    static let membersSampledEveryRefresh = 250

    /// Every how many refreshes a fleet of `members` running containers is sampled.
    static func refreshesPerSample(members: Int) -> Int {
        max(1, (members + membersSampledEveryRefresh - 1) / membersSampledEveryRefresh)
    }

    public init(endpoint: DockerEndpoint, topology: Topology, logTail: Int = 50, followsLogs: Bool = true,
                stats: StatsReading = .automatic, logs: LogReading = .automatic,
                policy: RequestPolicy = RequestPolicy(), clock: any Clock<Duration> = ContinuousClock()) {
        self.endpoint = endpoint
        self.clock = RuntimeClock(clock)
        self.followsLogs = followsLogs
        self.policy = policy
        self.topology = topology
        self.logTail = logTail
        containers = DockerContainers(topology: topology)
        switch (stats, endpoint.transport) {
        case (.cgroups(let reader), _): cgroupReader = reader
        case (.automatic, .unixSocket): cgroupReader = CgroupStatsReader.host()
        default: cgroupReader = nil
        }
        switch (logs, endpoint.transport) {
        case (.automatic, .unixSocket) where followsLogs: logFiles = LogFileFollower(lastLines: logTail, clock: self.clock)
        default: logFiles = nil
        }
        identity = RuntimeIdentity(kind: "docker", endpoint: endpoint.description, insecure: endpoint.insecure)
    }

    // MARK: - Sessions

    public func run(refresh: Duration, emit: @escaping @Sendable (RuntimeEvent) -> Void) async {
        self.emit = emit
        await Reconnecting.run(clock: clock, emit: emit, session: { await self.connect(refresh: refresh) }, endSession: { await self.endSession() })
    }

    /// Connects, then runs a session until the daemon goes away.
    private func connect(refresh: Duration) async -> Reconnecting.SessionEnd {
        do throws(RuntimeError) {
            let client = try await DockerClient.connect(endpoint, policy: policy)
            emit?(.connected(RuntimeIdentity(
                kind: client.isPodman ? "podman" : "docker", endpoint: endpoint.description,
                version: "\(client.engineVersion) (API \(client.apiVersion))", insecure: endpoint.insecure
            )))
            return .init(reason: await run(client, refresh: refresh), connected: true)
        } catch {
            return .init(reason: error.message, connected: false)
        }
    }

    private func makeSession(_ client: DockerClient) -> Session {
        var samplers: [any UsageSampler] = []
        if let cgroupReader { samplers.append(CgroupUsageSampler(reader: cgroupReader)) }
        samplers.append(DockerAPIUsageSampler(client: client))
        let logTail = self.logTail
        let streams = followsLogs ? StreamLogFollower(reopenAfter: nil, resumePoints: logResumePoints, clock: clock, emit: emit ?? { _ in }) { target, after, onBytes in
            await client.followLogs(target.key, tail: logTail, since: after, onBytes: onBytes)
        } : nil
        return Session(client: client, reports: PacedWork(spacing: Self.reportSpacing, clock: clock),
                       relists: PacedWork(spacing: Self.relistSpacing, clock: clock), usageSamplers: samplers, logStreams: streams)
    }

    /// Runs a session on `client` until the daemon goes away; returns why.
    private func run(_ client: DockerClient, refresh: Duration) async -> String {
        // The daemon replays only its last 256 events: a session starts from a fresh list.
        containers.removeAll()
        usage.removeAll()
        session = makeSession(client)
        guard let session else { return "stopped" }
        // Events are followed from a second before the list (the daemon replays them), so that
        // one coming while the list and its inspects are under way is not lost.
        let listStarted = Date()
        do throws(RuntimeError) {
            try await refreshInventory(only: nil, reportingTheList: true)
        } catch {
            return error.message
        }
        // Containers removed while the daemon was away are not in the new list: let their files go.
        if let logFiles {
            let rest = await logFiles.forgetAll(except: Set(containers.byID.keys))
            if !rest.isEmpty { emit?(.logs(rest)) }
        }
        report()
        return await withTaskGroup(of: String.self) { group in
            group.addTask { await self.followEvents(client, since: listStarted.addingTimeInterval(-1), listedAt: listStarted) }
            group.addTask { await self.pollLoop(refresh: refresh) }
            group.addTask {
                await session.reports.run { await self.report() }
                return "stopped"
            }
            group.addTask {
                await session.relists.run { await self.listWhatEventsNamed() }
                return "stopped"
            }
            if let logFiles = self.logFiles, let emit = self.emit {
                group.addTask {
                    await logFiles.run(emit: emit)
                    return "stopped"
                }
            }
            let first = await group.next() ?? "stopped"
            group.cancelAll()
            return first
        }
    }

    private func endSession() async {
        guard let ending = session else { return }
        session = nil
        await ending.logStreams?.stopAll()
        await ending.client.shutdown()
    }

    /// Figures every refresh (every few on a big fleet); a full list when none was made for
    /// `relistInterval`.
    private func pollLoop(refresh: Duration) async -> String {
        var refreshesSinceSample = Int.max
        while !Task.isCancelled {
            do {
                try await clock.sleep(for: refresh)
                if clock.now - listedAt >= Self.relistInterval {
                    try await refreshInventory(only: nil)
                }
                refreshesSinceSample = refreshesSinceSample.saturatingAdd(1)
                let members = containers.byID.values.count { $0.isRunning && $0.pod != nil }
                guard refreshesSinceSample >= Self.refreshesPerSample(members: members) else { continue }
                refreshesSinceSample = 0
                await sampleUsage()
                report()
            } catch let error as RuntimeError {
                return error.message
            } catch {
                return "stopped"
            }
        }
        return "stopped"
    }

    // MARK: - Events

    /// Follows the daemon's events from `since`; those from before `listedAt` are replayed ones
    /// that the session's first list already speaks for, and set no condition. The daemon's
    /// clock is this host's on a unix socket; off by some milliseconds elsewhere, an event is at
    /// worst shown one list later.
    private func followEvents(_ client: DockerClient, since: Date, listedAt: Date) async -> String {
        let replayedBefore = Int64(listedAt.timeIntervalSince1970 * 1e9)
        do throws(RuntimeError) {
            let body = try await client.events(since: since)
            var splitter = JSONLineSplitter()
            do {
                for try await chunk in body {
                    var shown = false
                    for line in splitter.feed(chunk.readableBytesView) {
                        guard let event = try? JSONDecoder().decode(DockerEvent.self, from: Data(line)), event.changesInventory else { continue }
                        shown = await take(event, setsCondition: event.timeNano >= replayedBefore) || shown
                    }
                    if shown { session?.reports.request() }
                }
            } catch {
                return Task.isCancelled ? "stopped" : TransportFailure(error).describe(reaching: "Docker at \(endpoint)")
            }
            return "the daemon closed the event stream"
        } catch {
            return error.message
        }
    }

    /// Takes in one event and asks for a list of its container; true when the screen shows the
    /// change already.
    private func take(_ event: DockerEvent, setsCondition: Bool) async -> Bool {
        let id = event.actor.id
        let outcome = containers.take(event, setsCondition: setsCondition)
        if case .removed(let shown) = outcome {
            await stopFollowingLogs(id)
            return shown
        }
        session?.awaitingList.insert(id)
        session?.relists.request()
        if case .changed(let shown) = outcome { return shown }
        return false
    }

    /// One list of the containers events named since the last, then a report.
    private func listWhatEventsNamed() async {
        guard let named = session?.awaitingList, !named.isEmpty else { return }
        session?.awaitingList = []
        do throws(RuntimeError) {
            try await refreshInventory(only: named)
        } catch {
            session?.awaitingList.formUnion(named)  // the next list, or the next session's first
        }
        session?.reports.request()
    }
}

extension Error {
    var message: String { (self as? RuntimeError)?.message ?? "\(self)" }
}
