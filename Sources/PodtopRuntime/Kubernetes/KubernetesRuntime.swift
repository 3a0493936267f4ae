import Foundation
import NIOCore
import NIOHTTP1
import PodtopCore

/// A Kubernetes namespace through its API server. One session per connection (`Reconnecting`
/// makes a new one after the server is lost); within it pods and workloads are listed, then
/// watched (`KubernetesWatch`), and `KubernetesInventory` takes each change; CPU and memory come
/// from metrics.k8s.io (`MetricsUsageSampler`); logs from one stream per container
/// (`StreamLogFollower`); snapshots go to the screen through `reports` (paced).
///
/// Health is probed here too (`KubernetesHealthPlan`): Services through the API server's
/// service proxy on this runtime's connection, readiness-only targets from the inventory. While
/// every watch has been heard from within `watchSilenceLimit`, the last snapshot is confirmed
/// once per refresh, so a quiet namespace reads fresh and a lost or silent watch reads old.
///
/// Actions are in `KubernetesRuntime+Actions.swift`; health in `KubernetesRuntime+Health.swift`.
public actor KubernetesRuntime: PodRestarting, PodScaling, ReplicaRestarting, PreviousLogReading {
    public nonisolated let identity: RuntimeIdentity
    public nonisolated let target: KubernetesTarget
    let topology: Topology
    let logTail: Int
    let followsLogs: Bool
    let policy: RequestPolicy
    /// How often metrics.k8s.io is asked; metrics-server itself samples every 15 s.
    let metricsInterval: Duration
    /// The least time between two snapshots.
    let reportSpacing: Duration
    /// How long a watch may go without an event or a bookmark before its data counts as old.
    let watchSilenceLimit: Duration
    let clock: RuntimeClock

    var inventory: KubernetesInventory
    var session: Session?
    var emit: (@Sendable (RuntimeEvent) -> Void)?
    /// Where each log streamed through the API got to, across sessions.
    let logResumePoints = LogResumePoints()
    /// Old sessions' clients closing their connections, one after another; awaited before
    /// `run` returns.
    private var closing: Task<Void, Never>?
    /// Why there is no session, for a probe that would need one.
    var notConnected = "connecting to the API server"
    /// Says each time a session has listed everything: the probes start after the first, so
    /// that a first round is not "not connected yet".
    private let sessionsListed = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))

    /// What one connection to the API server has and does; gone when the connection is.
    struct Session {
        let client: KubernetesClient
        let reports: PacedWork
        let logStreams: StreamLogFollower?
        /// When each watch (by path) last opened or brought an event or a bookmark.
        var heardAt: [String: Duration] = [:]
    }

    public init(target: KubernetesTarget, topology: Topology, logTail: Int = 50, followsLogs: Bool = true,
                policy: RequestPolicy = RequestPolicy(), metricsInterval: Duration = .seconds(15),
                reportSpacing: Duration = .milliseconds(100), watchSilenceLimit: Duration = .seconds(90),
                clock: any Clock<Duration> = ContinuousClock()) {
        self.target = target
        self.clock = RuntimeClock(clock)
        self.topology = topology
        self.logTail = logTail
        self.followsLogs = followsLogs
        self.policy = policy
        self.metricsInterval = metricsInterval
        self.reportSpacing = reportSpacing
        self.watchSilenceLimit = watchSilenceLimit
        inventory = KubernetesInventory(topology: topology)
        identity = RuntimeIdentity(kind: "kubernetes", endpoint: "\(target.contextName)/\(target.namespace)", insecure: target.insecure)
    }

    var namespacePath: String { "/namespaces/\(target.namespace)" }

    // MARK: - Sessions

    /// The watches bring each change as it happens; `refresh` is how often a quiet watch's
    /// snapshot is confirmed and readiness-only targets are sampled.
    public func run(refresh: Duration, emit: @escaping @Sendable (RuntimeEvent) -> Void) async {
        self.emit = emit
        let plan = KubernetesHealthPlan(topology: topology, namespace: target.namespace, inCluster: target.isInCluster)
        let prober = plan.probed.isEmpty
            ? nil : HealthProber(targets: plan.probed, clock: clock, serviceProxy: KubernetesServiceProxy(runtime: self))
        let readinessOnly = plan.byReadiness
        let listed = sessionsListed.stream
        await withTaskGroup(of: Void.self) { group in
            if let prober {
                group.addTask {
                    for await _ in listed { break }
                    if !Task.isCancelled { await prober.run(emit: emit) }
                }
            }
            group.addTask { await self.confirmWhileHeard(every: refresh, readinessOnly: readinessOnly) }
            await Reconnecting.run(clock: clock, emit: emit, session: { await self.connect() }, endSession: { await self.endSession() })
            group.cancelAll()
        }
        await closing?.value
        closing = nil
    }

    private func connect() async -> Reconnecting.SessionEnd {
        let end: Reconnecting.SessionEnd
        do throws(RuntimeError) {
            let client = try KubernetesClient(target, policy: policy)
            session = makeSession(client)
            end = await run(client)
        } catch {
            end = .init(reason: error.message, connected: false)
        }
        notConnected = "not connected to the API server: \(end.reason)"
        return end
    }

    private func makeSession(_ client: KubernetesClient) -> Session {
        let namespacePath = self.namespacePath
        let logTail = self.logTail
        let streams = followsLogs ? StreamLogFollower(reopenAfter: .seconds(2), resumePoints: logResumePoints, clock: clock, emit: emit ?? { _ in }) { target, after, onBytes in
            await Self.streamLog(client, namespacePath: namespacePath, key: target.key, tail: logTail, after: after, onBytes: onBytes)
        } : nil
        return Session(client: client, reports: PacedWork(spacing: reportSpacing, clock: clock), logStreams: streams)
    }

    private func endSession() async {
        guard let ending = session else { return }
        session = nil
        await ending.logStreams?.stopAll()
        // Closing the old connections must not hold up the next attempt: they close beside it,
        // and `run` waits for them before it returns.
        let client = ending.client
        closing = Task { [closing] in
            await closing?.value
            await client.shutdown()
        }
    }

    /// Lists, then watches until the server is lost; returns why, and whether it got that far.
    private func run(_ client: KubernetesClient) async -> Reconnecting.SessionEnd {
        let version: String?
        do throws(KubernetesAPIError) {
            // A short first question: an unreachable or untrusted server is said in seconds
            // (the connection pool would otherwise retry until a request's whole timeout).
            do throws(KubernetesAPIError) {
                let reply = try await client.send(.GET, "/version", timeout: .seconds(3))
                version = (try? JSONDecoder().decode(ServerVersion.self, from: reply.body))?.gitVersion
            } catch {
                if case .status = error { version = nil } else { throw error }
            }
            let pods = try await listPods(client)
            let deployments = try await listWorkloads(client, kind: "Deployment")
            let statefulSets = (try? await listWorkloads(client, kind: "StatefulSet")) ?? ""
            emit?(.connected(RuntimeIdentity(kind: identity.kind, endpoint: identity.endpoint, version: version, insecure: identity.insecure)))
            await refreshAutoscalers(client)
            report()
            sessionsListed.continuation.yield()
            guard let reports = session?.reports else { return .init(reason: "stopped", connected: true) }
            let reason = await withTaskGroup(of: String.self) { group in
                group.addTask { await self.podWatch(client).run(from: pods) }
                group.addTask { await self.workloadWatch(client, kind: "Deployment").run(from: deployments) }
                if !statefulSets.isEmpty {
                    group.addTask { await self.workloadWatch(client, kind: "StatefulSet").run(from: statefulSets) }
                }
                group.addTask { await self.pollMetrics(client) }
                group.addTask {
                    await reports.run { await self.report() }
                    return "stopped"
                }
                let first = await group.next() ?? "stopped"
                group.cancelAll()
                return first
            }
            return .init(reason: reason, connected: true)
        } catch {
            return .init(reason: error.description, connected: false)
        }
    }

    private struct ServerVersion: Decodable { var gitVersion: String }

    // MARK: - Lists and watches

    /// Lists the namespace's pods (in pages of 500, as kubectl does); returns the list's version.
    private func listPods(_ client: KubernetesClient) async throws(KubernetesAPIError) -> String {
        var all: [KubernetesPod] = []
        var token: String?
        var version = ""
        repeat {
            var query = ["limit": "500"]
            if let token { query["continue"] = token }
            let page = try await client.get(KubernetesList<KubernetesPod>.self, "/api/v1\(namespacePath)/pods", query: query)
            all += page.items
            token = page.metadata.continue.flatMap { $0.isEmpty ? nil : $0 }
            version = page.metadata.resourceVersion ?? version
        } while token != nil
        inventory.replacePods(all)
        return version
    }

    private func listWorkloads(_ client: KubernetesClient, kind: String) async throws(KubernetesAPIError) -> String {
        let list = try await client.get(KubernetesList<KubernetesWorkload>.self, Self.workloadPath(kind, in: target.namespace))
        inventory.replaceWorkloads(list.items, kind: kind)
        return list.metadata.resourceVersion ?? ""
    }

    static func workloadPath(_ kind: String, in namespace: String, name: String? = nil) -> String {
        let plural = kind == "StatefulSet" ? "statefulsets" : "deployments"
        return "/apis/apps/v1/namespaces/\(namespace)/\(plural)" + (name.map { "/\($0)" } ?? "")
    }

    /// A list again after 410 Gone is reported (the first lists of a session report once they
    /// are all in).
    private func podWatch(_ client: KubernetesClient) -> KubernetesWatch<KubernetesPod> {
        let path = "/api/v1\(namespacePath)/pods"
        return KubernetesWatch(client: client, path: path, clock: clock,
                               relist: { () async throws(KubernetesAPIError) -> String in
                                   let version = try await self.listPods(client)
                                   await self.session?.reports.request()
                                   return version
                               },
                               heard: { await self.heard(path) },
                               apply: { event in await self.apply(event) })
    }

    private func workloadWatch(_ client: KubernetesClient, kind: String) -> KubernetesWatch<KubernetesWorkload> {
        let path = Self.workloadPath(kind, in: target.namespace)
        return KubernetesWatch(client: client, path: path, clock: clock,
                               relist: { () async throws(KubernetesAPIError) -> String in
                                   let version = try await self.listWorkloads(client, kind: kind)
                                   await self.session?.reports.request()
                                   return version
                               },
                               heard: { await self.heard(path) },
                               apply: { event in await self.apply(event, kind: kind) })
    }

    private func heard(_ watchPath: String) {
        session?.heardAt[watchPath] = clock.now
    }

    private func apply(_ event: KubernetesWatchEvent<KubernetesPod>) {
        let shows: Bool
        switch event {
        case .added(let pod), .modified(let pod): shows = inventory.update(pod)
        case .deleted(let pod): shows = inventory.remove(pod)
        case .bookmark, .error: return
        }
        // Most changes in a busy namespace show nowhere (a condition's time, another team's pod
        // restarting counts only in "other" when its phase moves): no snapshot for those.
        if shows { session?.reports.request() }
    }

    private func apply(_ event: KubernetesWatchEvent<KubernetesWorkload>, kind: String) {
        let shows: Bool
        switch event {
        case .added(let workload), .modified(let workload): shows = inventory.update(workload, kind: kind)
        case .deleted(let workload): shows = inventory.remove(workload, kind: kind)
        case .bookmark, .error: return
        }
        if shows { session?.reports.request() }
    }

    // MARK: - Metrics and autoscalers

    private func pollMetrics(_ client: KubernetesClient) async -> String {
        let sampler = MetricsUsageSampler(client: client, namespace: target.namespace)
        while !Task.isCancelled {
            do throws(RuntimeError) {
                let round = try await sampler.sample([])
                inventory.usage = round.usage
                inventory.statsSource = round.source
                inventory.statsUnavailable = round.unavailable
            } catch {
                return error.message
            }
            await refreshAutoscalers(client)
            session?.reports.request()
            do { try await clock.sleep(for: metricsInterval) } catch { return "stopped" }
        }
        return "stopped"
    }

    /// Autoscalers change seldom and only the scale dialog reads them: listed with the metrics.
    /// A service account without the right to list them gets no warning, not an error.
    private func refreshAutoscalers(_ client: KubernetesClient) async {
        let list = try? await client.get(KubernetesList<KubernetesAutoscaler>.self,
                                         "/apis/autoscaling/v2\(namespacePath)/horizontalpodautoscalers")
        inventory.autoscalers = list?.items ?? []
    }

    // MARK: - Reports and logs

    private func report() {
        let snapshot = inventory.snapshot(at: Date())
        emit?(.snapshot(snapshot))
        if let streams = session?.logStreams { followLogs(of: snapshot, with: streams) }
    }

    /// One stream per container of every replica of a Big Pod; a deleted pod's streams end.
    private func followLogs(of snapshot: RuntimeSnapshot, with streams: StreamLogFollower) {
        var wanted: [String: LogTarget] = [:]
        for podSnapshot in snapshot.pods {
            for replica in podSnapshot.replicas {
                guard let pod = inventory.pods[replica.name] else { continue }
                let multiple = pod.spec.containers.count > 1
                for status in pod.status.containerStatuses ?? [] where status.state?.waiting == nil || status.restartCount > 0 {
                    let key = "\(pod.metadata.name)/\(status.name)"
                    let label = multiple ? key : pod.metadata.name
                    // The kubelet interleaves stdout and stderr with no framing: raw text.
                    wanted[key] = LogTarget(key: key, source: LogSource(pod: podSnapshot.id, service: nil, replica: label), tty: true)
                }
            }
        }
        for key in streams.followedKeys where wanted[key] == nil { _ = streams.stop(key) }
        for target in wanted.values { _ = streams.follow(target) }
    }

    /// Streams one container's log (`key` is "pod/container"): its last `tail` lines, or, after
    /// an earlier stream, from the second before the newest line shown (`sinceTime` has whole
    /// seconds; the follower drops what was shown).
    private static func streamLog(_ client: KubernetesClient, namespacePath: String, key: String, tail: Int, after: Date?,
                                  onBytes: @Sendable (ByteBufferView) -> Void) async {
        let parts = key.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return }
        var query = ["container": parts[1], "follow": "true", "timestamps": "true"]
        if let after {
            query["sinceTime"] = KubernetesTime.wholeSeconds(after.addingTimeInterval(-1))
        } else {
            query["tailLines"] = String(tail)
        }
        guard let body = try? await client.stream("/api/v1\(namespacePath)/pods/\(parts[0])/log", query: query) else { return }
        do {
            for try await chunk in body { onBytes(chunk.readableBytesView) }
        } catch {}
    }
}
