import AsyncHTTPClient
import Foundation
import NIOCore
import PodtopCore

/// Docker or Podman through its Engine API: inventory from the list and events, CPU and memory
/// from the containers' cgroup files when the daemon is local (else one-shot stats calls), logs
/// from their json-file logs when local (else one follow stream per replica), restart and
/// compose-style scale.
/// Losing the daemon is a state ("disconnected — retrying in N s"), never an end.
public actor DockerRuntime: PodRestarting, PodScaling, ReplicaRestarting {
    public nonisolated let identity: RuntimeIdentity
    let endpoint: DockerEndpoint
    let topology: Topology
    let logTail: Int
    /// False for a screen that shows no logs (the wallboard): no log streams at all.
    let followsLogs: Bool
    let policy: DockerRequestPolicy
    /// Nil when the daemon is remote or no cgroup hierarchy is readable: then every figure comes
    /// from the API.
    let cgroupReader: CgroupStatsReader?
    /// Nil when every log is followed through the API (a remote daemon, or asked so).
    let logFiles: LogFileFollower?
    private var client: DockerClient?
    private var containers: [String: TrackedContainer] = [:]
    private var logTasks: [String: HTTPClient.Task<Void>] = [:]
    private var lastLogTime: [String: Date] = [:]
    private var emit: (@Sendable (RuntimeEvent) -> Void)?
    private var restartsInProgress: Set<PodID> = []
    /// A re-list under way after an event, and whether another event asked for one since.
    private var relistRunning = false
    private var relistWanted = false
    /// The containers events named since the last re-list they started.
    private var changedSinceRelist: Set<String> = []
    /// Counts the events that set a container's state: a list or inspect sent before a
    /// container's latest such event does not set its state back.
    private var stateEvents: UInt64 = 0
    /// The compose projects of the pods' members: their other containers show as "other".
    private var podProjects: Set<String> = []
    private let clock: RuntimeClock
    private var lastReport: Duration = .seconds(-1)
    private var reportScheduled = false
    /// When the containers were last listed, for whatever reason.
    private var listedAt: Duration = .zero
    private var statsSource: String?

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

    public init(endpoint: DockerEndpoint, topology: Topology, logTail: Int = 50, followsLogs: Bool = true,
                stats: StatsReading = .automatic, logs: LogReading = .automatic,
                policy: DockerRequestPolicy = DockerRequestPolicy(), clock: any Clock<Duration> = ContinuousClock()) {
        self.endpoint = endpoint
        self.clock = RuntimeClock(clock)
        self.followsLogs = followsLogs
        self.policy = policy
        self.topology = topology
        self.logTail = logTail
        switch (stats, endpoint.transport) {
        case (.cgroups(let reader), _): cgroupReader = reader
        case (.automatic, .unixSocket): cgroupReader = CgroupStatsReader.host()
        default: cgroupReader = nil
        }
        switch (logs, endpoint.transport) {
        case (.automatic, .unixSocket) where followsLogs: logFiles = LogFileFollower(clock: self.clock)
        default: logFiles = nil
        }
        identity = RuntimeIdentity(kind: "docker", endpoint: endpoint.description)
    }

    // MARK: - The supervising loop

    public func run(refresh: Duration, emit: @escaping @Sendable (RuntimeEvent) -> Void) async {
        self.emit = emit
        await Reconnecting.run(clock: clock, emit: emit, session: { await self.attempt(refresh: refresh) }, endSession: { await self.endSession() })
    }

    /// Connects, then runs a session until the daemon goes away.
    private func attempt(refresh: Duration) async -> Reconnecting.SessionEnd {
        do {
            let client = try await DockerClient.connect(endpoint, policy: policy)
            self.client = client
            emit?(.connected(RuntimeIdentity(
                kind: client.isPodman ? "podman" : "docker", endpoint: endpoint.description,
                version: "\(client.engineVersion) (API \(client.apiVersion))"
            )))
            return .init(reason: await session(client, refresh: refresh), connected: true)
        } catch {
            return .init(reason: error.message, connected: false)
        }
    }

    /// Runs until the daemon goes away; returns why.
    private func session(_ client: DockerClient, refresh: Duration) async -> String {
        // The daemon replays only its last 256 events: always start from a fresh list.
        containers.removeAll()
        // Events are followed from a second before the list (the daemon replays them), so that
        // one coming while the list and its inspects are under way is not lost: a container
        // turning healthy just then used to stay "starting" until the 30 s safety net.
        let listStarted = Date()
        do {
            try await refreshInventory(client)
        } catch {
            return error.message
        }
        // Containers removed while the daemon was away are not in the new list: let their files go.
        if let logFiles {
            let rest = await logFiles.forgetAll(except: Set(containers.keys))
            if !rest.isEmpty { emit?(.logs(rest)) }
        }
        report()
        return await withTaskGroup(of: String.self) { group in
            group.addTask { await self.followEvents(client, since: listStarted.addingTimeInterval(-1), listedAt: listStarted) }
            group.addTask { await self.pollLoop(client, refresh: refresh) }
            if let logFiles = self.logFiles, let emit = self.emit {
                // The tails outlive a session: after a reconnect each file is read on from
                // where it was, so a daemon that went away loses no line.
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
        for task in logTasks.values { task.cancel() }
        logTasks.removeAll()
        if let client {
            self.client = nil
            await client.shutdown()
        }
    }

    /// Stats every refresh; the list only when none was made for `relistInterval`, as a safety
    /// net: the event stream already re-lists on every change, and decoding 150 list entries
    /// (about 7 ms) each second was the biggest part of podtop's own CPU on a big fleet.
    private func pollLoop(_ client: DockerClient, refresh: Duration) async -> String {
        while !Task.isCancelled {
            do {
                try await clock.sleep(for: refresh)
                if clock.now - listedAt >= Self.relistInterval {
                    try await refreshInventory(client)
                }
                await sampleStats(client)
                report()
            } catch let error as RuntimeError {
                return error.message
            } catch {
                return "stopped"
            }
        }
        return "stopped"
    }

    static let relistInterval: Duration = .seconds(30)
    /// The least time between two lists that events ask for. Short: an event that comes just
    /// after another container's list must still show within the second (this, plus its list,
    /// plus the frame's 250 ms pacing); the lists name only the changed containers, so a burst
    /// costs little even at ten a second. (At 250 ms a kill once showed after 1.2 s while other
    /// tests' containers made events on the same daemon.)
    static let relistSpacing: Duration = .milliseconds(100)

    /// Follows the daemon's events from `since`; those from before `listedAt` are replayed ones
    /// that the session's first list and inspects already speak for, and set no state (on a
    /// screen that had just drawn a healthy pod, replayed `start` events set it back to
    /// "starting" until the next list). The daemon's clock is this host's on a unix socket;
    /// off by some milliseconds elsewhere, an event is at worst shown one list later.
    private func followEvents(_ client: DockerClient, since: Date, listedAt: Date) async -> String {
        let replayedBefore = Int64(listedAt.timeIntervalSince1970 * 1e9)
        do {
            let body = try await client.events(since: since)
            var splitter = JSONLineSplitter()
            for try await chunk in body {
                var shown = false
                for line in splitter.feed(chunk.readableBytesView) {
                    guard let event = try? JSONDecoder().decode(DockerEvent.self, from: Data(line)), event.changesInventory else { continue }
                    shown = await handle(event, setsState: event.timeNano >= replayedBefore) || shown
                }
                if shown { reportSoon() }
            }
            return "the daemon closed the event stream"
        } catch let error as RuntimeError {
            return error.message
        } catch {
            return Task.isCancelled ? "stopped" : DockerClient.describe(error, endpoint)
        }
    }

    /// Takes in one event; true when it changed what the screen shows.
    private func handle(_ event: DockerEvent, setsState: Bool) async -> Bool {
        let id = event.actor.id
        // Only containers on the screen get a snapshot and an inspect for their events: a daemon
        // shared with other projects (or with the tests' other runtimes) sends events of
        // containers that show nowhere.
        let onScreen = containers[id]?.isShown(podProjects: podProjects) ?? false
        if event.action == "restart" { containers[id]?.observedRestarts += 1 }
        if event.action == "destroy" || event.action == "remove" {  // Podman says "remove"
            guard containers[id] != nil else { return false }
            containers[id] = nil
            await stopFollowingLogs(id)
            return onScreen
        }
        var shown = false
        if onScreen, setsState, containers[id]?.summary.apply(event) == true {
            stateEvents += 1
            containers[id]?.stateEvent = stateEvents
            shown = true
        }
        // A container changed: re-list at once (one request) to learn what the event does not
        // say, instead of waiting for the next poll; re-inspect it for its state, restart count
        // and start time, which a health check's verdict does not change (the list's status
        // carries that): a fleet of 150 settling made 150 inspects of containers that had merely
        // turned healthy.
        if !event.action.hasPrefix("health_status") {
            containers[id]?.inspected = false
            containers[id]?.stateAwaitsInspect = onScreen
        }
        changedSinceRelist.insert(id)
        relistSoon()
        return shown
    }

    /// One list for a burst of events, of the containers they name: the first event starts a
    /// list at once; those that come while it is under way, or in the `relistSpacing` after it,
    /// make one more list then, not one each. (60 containers restarting, five events each, kept
    /// lists of the whole fleet going back to back for 14 s: 9 % of a core, most of it decoding
    /// the same 150 entries again.)
    private func relistSoon() {
        relistWanted = true
        guard !relistRunning, client != nil else { return }
        relistRunning = true
        Task {
            // The session's client as it is at each turn: one kept from before a reconnect
            // would answer nothing, and the new session's event would wait for the safety net.
            while self.relistWanted, let client = self.client {
                self.relistWanted = false
                let changed = self.changedSinceRelist
                self.changedSinceRelist = []
                do {
                    try await self.refreshInventory(client, only: changed)
                } catch {
                    self.changedSinceRelist.formUnion(changed)  // the next list, or the session's first
                }
                self.reportSoon()
                try? await self.clock.sleep(for: Self.relistSpacing)
            }
            self.relistRunning = false
        }
    }

    // MARK: - Inventory

    /// Lists the containers (`only` these, when events named them; else all of them), then
    /// inspects those that need it and follows the logs of new ones.
    private func refreshInventory(_ client: DockerClient, only: Set<String>? = nil) async throws(RuntimeError) {
        let listed: [DockerContainerSummary]
        let eventsBeforeList = stateEvents
        if let only {
            listed = try await client.listContainers(ids: only)
        } else {
            listed = try await client.listContainers()
            listedAt = clock.now  // a partial list does not make the safety net's full one less needed
        }
        var seen = Set<String>()
        for var summary in listed {
            seen.insert(summary.id)
            var tracked = containers[summary.id] ?? TrackedContainer(summary: summary)
            if tracked.stateAwaitsInspect || tracked.stateEvent > eventsBeforeList {
                // An event's word is newer than this list's (see `stateAwaitsInspect`).
                summary.state = tracked.summary.state
                summary.status = tracked.summary.status
            }
            tracked.summary = summary
            tracked.pod = DockerInventory.podID(of: summary, in: topology)
            containers[summary.id] = tracked
        }
        podProjects = Set(containers.values.lazy.filter { $0.pod != nil }.compactMap(\.composeProject))
        // The containers this list speaks for: after a partial list only those it named can be
        // new, changed or gone.
        let covered = only.map(Array.init) ?? Array(containers.keys)
        for id in covered where !seen.contains(id) && containers[id] != nil {
            containers[id] = nil
            await stopFollowingLogs(id)
        }
        // Pod members for their details; any container for the state an event left to confirm.
        let toInspect = covered.filter { id in containers[id].map { !$0.inspected && ($0.pod != nil || $0.stateAwaitsInspect) } ?? false }
        let eventsBeforeInspect = stateEvents
        await withTaskGroup(of: (String, DockerContainerInspect?).self) { group in
            for id in toInspect { group.addTask { (id, try? await client.inspect(id)) } }
            for await (id, inspect) in group {
                guard let inspect, let stateEvent = containers[id]?.stateEvent else { continue }
                // Older news than an event that came meanwhile: the next list inspects it again.
                guard stateEvent <= eventsBeforeInspect else {
                    containers[id]?.inspected = false
                    continue
                }
                containers[id]?.summary.take(inspect.state)
                containers[id]?.stateAwaitsInspect = false
                containers[id]?.restartCount = inspect.restartCount
                containers[id]?.startedAt = inspect.startedAt
                containers[id]?.tty = inspect.config.tty
                containers[id]?.logRotates = inspect.logRotates
                containers[id]?.logFile = inspect.logDriver == "json-file" ? inspect.logPath.flatMap { $0.isEmpty ? nil : $0 } : nil
                containers[id]?.inspected = true
                if containers[id]?.pid != inspect.state.pid {
                    // A new process (a restart): look for its cgroup again.
                    containers[id]?.pid = inspect.state.pid
                    containers[id]?.cgroup = nil
                    containers[id]?.lastCgroupSample = nil
                    containers[id]?.statsFromAPI = false
                }
            }
        }
        await followLogs(client, among: covered)
    }

    private func sampleStats(_ client: DockerClient) async {
        let now = ContinuousClock.now
        var fromCgroups = 0
        var askTheDaemon: [String] = []
        // Each container is read and changed where it is stored: copying 150 of them out (a
        // filter, or a copy and a write back) every second showed in the profile. Not `for index
        // in containers.indices`: those hold the dictionary, so the first change copied all of it.
        var index = containers.startIndex
        while index != containers.endIndex {
            switch Self.readCgroup(into: &containers.values[index], reader: cgroupReader, at: now) {
            case .notSampled: break
            case .read: fromCgroups += 1
            case .askTheDaemon: askTheDaemon.append(containers.keys[index])
            }
            containers.formIndex(after: &index)
        }
        // All at once: concurrent one-shot calls share the daemon's collector tick.
        await withTaskGroup(of: (String, DockerStatsSample?).self) { group in
            for id in askTheDaemon { group.addTask { (id, try? await client.statsSample(id)) } }
            for await (id, sample) in group {
                guard let sample, var tracked = containers[id] else { continue }
                if let previous = tracked.lastStats {
                    tracked.cpuPercent = DockerStatsSample.cpuPercent(previous: previous, current: sample) ?? tracked.cpuPercent
                }
                tracked.memoryBytes = sample.memoryUsedBytes
                tracked.lastStats = sample
                containers[id] = tracked
            }
        }
        let version = containers.values.lazy.compactMap(\.cgroup).first?.version.rawValue
        statsSource = Self.describeStatsSource(fromCgroup: fromCgroups, fromAPI: askTheDaemon.count, version: version)
    }

    private enum CgroupReading { case notSampled, read, askTheDaemon }

    /// Reads a running pod member's cgroup counters, finding its files first if need be;
    /// `.askTheDaemon` when its files are not readable (or there is no reader).
    private static func readCgroup(into tracked: inout TrackedContainer, reader: CgroupStatsReader?,
                                   at now: ContinuousClock.Instant) -> CgroupReading {
        guard tracked.isRunning, tracked.pod != nil else { return .notSampled }
        // Changed by an event and not yet inspected again (a moment away, after its list): a
        // restarted container's new cgroup is found then. Asking the daemon meanwhile would cost
        // a stats call for every container of a burst.
        if reader != nil, !tracked.inspected, tracked.pid != nil { return .notSampled }
        guard let reader, tracked.inspected, !tracked.statsFromAPI else { return .askTheDaemon }
        if tracked.cgroup == nil {
            tracked.cgroup = reader.locate(containerID: tracked.summary.id, pid: tracked.pid)
            tracked.statsFromAPI = tracked.cgroup == nil
        }
        let previous = tracked.lastCgroupSample
        guard let sample = tracked.cgroup?.read(at: now) else {
            // Gone between the list and now, or unreadable: the API answers this round, and the
            // files are looked for again after the container's next start.
            tracked.cgroup = nil
            tracked.statsFromAPI = true
            return .askTheDaemon
        }
        if let previous {
            tracked.cpuPercent = CgroupSample.cpuPercent(previous: previous, current: sample) ?? tracked.cpuPercent
        }
        tracked.memoryBytes = sample.memoryUsedBytes
        tracked.lastCgroupSample = sample
        return .read
    }

    static func describeStatsSource(fromCgroup: Int, fromAPI: Int, version: String?) -> String? {
        switch (fromCgroup, fromAPI) {
        case (0, 0): nil
        case (_, 0): "cgroup \(version ?? "")"
        case (0, _): "the API's one-shot stats"
        default: "cgroup \(version ?? "") (\(fromCgroup)) and the API (\(fromAPI))"
        }
    }

    /// A snapshot for what events and the lists they asked for changed: at once after a calm,
    /// at most one every `burstReportSpacing` in a burst (60 restarts make 300 events and dozens
    /// of lists in a few seconds; a snapshot for each read of the stream and each list was a tenth
    /// of podtop's CPU over that minute). The screen draws at most four frames a second anyway.
    private func reportSoon() {
        guard !reportScheduled else { return }
        let due = lastReport + Self.burstReportSpacing
        guard clock.now < due else { return report() }
        reportScheduled = true
        Task {
            try? await self.clock.sleep(until: due)
            self.reportScheduled = false
            self.report()
        }
    }

    static let burstReportSpacing: Duration = .milliseconds(100)

    private func report() {
        lastReport = clock.now
        var snapshot = DockerInventory.snapshot(containers, topology: topology, at: Date())
        snapshot.statsSource = statsSource
        emit?(.snapshot(snapshot))
    }

    // MARK: - Logs

    /// Starts following the logs of those running pod members among `candidates` that nothing
    /// follows yet.
    private func followLogs(_ client: DockerClient, among candidates: [String]) async {
        guard followsLogs else { return }
        for id in candidates where logTasks[id] == nil {
            guard let container = containers[id], container.isRunning, container.inspected, let pod = container.pod else { continue }
            let source = LogSource(pod: pod, service: nil, replica: container.replicaLabel)
            if let logFiles, let path = container.logFile,
               await logFiles.follow(id, path: path, rotates: container.logRotates, source: source, lastLines: logTail) {
                continue
            }
            let after = lastLogTime[id]
            let stream = DockerLogStream(tty: container.tty, source: source, after: after, emit: emit)
            guard let task = try? client.followLogs(id, tail: logTail, since: after?.timeIntervalSince1970, onBytes: { stream.feed($0) }) else { continue }
            logTasks[id] = task
            task.futureResult.whenComplete { _ in
                stream.finish()
                let newest = stream.newest
                Task { await self.logStreamEnded(id, task: task, newest: newest) }
            }
        }
    }

    /// A removed container: its stream or its file is let go of (the file's unfinished last
    /// message handed on).
    private func stopFollowingLogs(_ id: String) async {
        logTasks.removeValue(forKey: id)?.cancel()
        guard let logFiles else { return }
        let rest = await logFiles.forget(id)
        if !rest.isEmpty { emit?(.logs(rest)) }
    }

    private func logStreamEnded(_ id: String, task: HTTPClient.Task<Void>, newest: Date?) {
        if let newest { lastLogTime[id] = max(newest, lastLogTime[id] ?? newest) }
        // Only this stream's own entry: a new session may already follow the container again.
        if logTasks[id] === task { logTasks[id] = nil }
    }

    // MARK: - Actions

    private func connectedClient() throws(RuntimeError) -> DockerClient {
        guard let client else { throw RuntimeError("not connected to \(endpoint)") }
        return client
    }

    private func replicas(of pod: PodID) -> [TrackedContainer] {
        containers.values.filter { $0.pod == pod }.sorted(by: DockerInventory.replicaOrder)
    }

    /// Restarts one container.
    public func restartReplica(_ id: String) async throws(RuntimeError) {
        try await connectedClient().restart(id)
    }

    /// One container restarted in place (the API takes its name as well as its id).
    public func restartReplica(_ pod: PodID, replica: String) async throws(RuntimeError) -> String {
        try await connectedClient().restart(replica)
        return "Restarted \(replica)"
    }

    public func restart(_ pod: PodID, progress: @escaping @Sendable (String) -> Void) async throws(RuntimeError) -> String {
        let name = topology.pod(pod)?.displayName ?? pod.rawValue
        guard !restartsInProgress.contains(pod) else { throw RuntimeError("a restart of \(name) is already running") }
        let members = replicas(of: pod)
        guard !members.isEmpty else { throw RuntimeError("\(name) has no containers to restart") }
        restartsInProgress.insert(pod)
        defer { restartsInProgress.remove(pod) }
        for (position, member) in members.enumerated() {
            progress("Restarting \(name): \(member.summary.name) (\(position + 1) of \(members.count))…")
            let client = try connectedClient()
            try await client.restart(member.summary.id)
            // Rolling: the next replica goes down only once this one is back (healthy, if it has a check).
            try await waitUntilReady(member.summary.id, client: client, name: member.summary.name)
        }
        return "Restarted \(name): \(members.count) container\(members.count == 1 ? "" : "s"), one at a time"
    }

    private func waitUntilReady(_ id: String, client: DockerClient, name: String) async throws(RuntimeError) {
        let deadline = clock.now + .seconds(120)
        while clock.now < deadline {
            let inspect = try await client.inspect(id)
            if inspect.state.running, inspect.state.health == nil || inspect.state.health?.status == "healthy" { return }
            if !inspect.state.running, inspect.state.status == "exited" || inspect.state.status == "dead" {
                throw RuntimeError("\(name) stopped after its restart (\(inspect.state.status)); rolling restart halted")
            }
            do { try await clock.sleep(for: .milliseconds(250)) } catch { throw RuntimeError("restart cancelled") }
        }
        throw RuntimeError("\(name) was not ready 120 s after its restart; rolling restart halted")
    }

    /// Compose's way: up clones the highest-numbered replica with the next number; down stops
    /// and removes the highest-numbered ones.
    public func scale(_ pod: PodID, to target: Int) async throws(RuntimeError) -> String {
        guard let spec = topology.pod(pod) else { throw RuntimeError("no pod named \(pod)") }
        guard (spec.minReplicas...spec.maxReplicas).contains(target) else {
            throw RuntimeError("\(spec.displayName) can scale between \(spec.minReplicas) and \(spec.maxReplicas) replicas")
        }
        let client = try connectedClient()
        let members = replicas(of: pod)
        guard let template = members.last(where: { $0.composeProject != nil && $0.composeService != nil && $0.containerNumber != nil }) else {
            throw RuntimeError("\(spec.displayName) cannot be scaled: its containers carry no compose labels (project, service, container-number)")
        }
        let before = members.count
        if target > before {
            let raw = try await client.inspectRaw(template.summary.id)
            var next = (members.compactMap(\.containerNumber).max() ?? 0) + 1
            for _ in before..<target {
                let name = "\(template.composeProject!)-\(template.composeService!)-\(next)"
                let body = DockerClone.createBody(from: raw, containerNumber: next)
                let id = try await client.create(name: name, body: body)
                try await client.start(id)
                next += 1
            }
        } else if target < before {
            for member in members.suffix(before - target).reversed() {
                try await client.stop(member.summary.id)
                try await client.remove(member.summary.id)
            }
        }
        if let client = self.client { try? await refreshInventory(client) }
        report()
        return "Scaled \(spec.displayName) from \(before) to \(target) container\(target == 1 ? "" : "s")"
    }
}

extension Error {
    var message: String { (self as? RuntimeError)?.message ?? "\(self)" }
}
