import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import PodtopCore

/// A Kubernetes namespace through its API server: pods and workloads listed, then watched
/// (resource versions, bookmarks, a fresh list after 410 Gone); CPU and memory from
/// metrics.k8s.io; logs followed per container; restart as `kubectl rollout restart` does,
/// scale through the scale subresource. Losing the server is a state, never an end.
public actor KubernetesRuntime: PodRestarting, PodScaling, ReplicaRestarting, PreviousLogReading {
    public nonisolated let identity: RuntimeIdentity
    public nonisolated let target: KubernetesTarget
    let topology: Topology
    let logTail: Int
    let followsLogs: Bool
    let readOnly: Bool
    /// How often metrics.k8s.io is asked; metrics-server itself samples every 15 s.
    let metricsInterval: Duration
    /// Changes arriving closer together than this make one snapshot.
    let reportCoalescing: Duration

    private var client: KubernetesClient?
    private var inventory: KubernetesInventory
    private var emit: (@Sendable (RuntimeEvent) -> Void)?
    private var reportScheduled = false
    private var logFollowers: [String: Task<Void, Never>] = [:]
    /// The newest line's time per followed container, where a new stream resumes.
    private var newestLogLine: [String: Date] = [:]

    /// What backoff, coalescing, the metrics interval and rollout waits are paced by.
    private let clock: RuntimeClock

    public init(target: KubernetesTarget, topology: Topology, logTail: Int = 50, followsLogs: Bool = true, readOnly: Bool = false,
                metricsInterval: Duration = .seconds(15), reportCoalescing: Duration = .milliseconds(50),
                clock: any Clock<Duration> = ContinuousClock()) {
        self.target = target
        self.clock = RuntimeClock(clock)
        self.topology = topology
        self.logTail = logTail
        self.followsLogs = followsLogs
        self.readOnly = readOnly
        self.metricsInterval = metricsInterval
        self.reportCoalescing = reportCoalescing
        inventory = KubernetesInventory(topology: topology)
        identity = RuntimeIdentity(kind: "kubernetes", endpoint: "\(target.contextName)/\(target.namespace)")
    }

    var namespacePath: String { "/namespaces/\(target.namespace)" }

    // MARK: - The supervising loop

    /// `refresh` is not used: the watches bring each change as it happens, and metrics-server's
    /// figures are new only every 15 s.
    public func run(refresh: Duration, emit: @escaping @Sendable (RuntimeEvent) -> Void) async {
        self.emit = emit
        await Reconnecting.run(clock: clock, emit: emit, session: { await self.attempt() }, endSession: { await self.endSession() })
    }

    private func attempt() async -> Reconnecting.SessionEnd {
        do throws(RuntimeError) {
            let client = try KubernetesClient(target, readOnly: readOnly)
            self.client = client
            return await session(client)
        } catch {
            return .init(reason: error.message, connected: false)
        }
    }

    private func endSession() async {
        for task in logFollowers.values { task.cancel() }
        logFollowers.removeAll()
        if let client {
            self.client = nil
            // Not awaited: closing the old connections must not hold up the next attempt.
            Task.detached { await client.shutdown() }
        }
    }

    /// Lists, then watches until the server is lost; returns why, and whether it got that far.
    private func session(_ client: KubernetesClient) async -> Reconnecting.SessionEnd {
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
            emit?(.connected(RuntimeIdentity(kind: identity.kind, endpoint: identity.endpoint, version: version)))
            await refreshAutoscalers(client)
            flushReport()
            let reason = await withTaskGroup(of: String.self) { group in
                group.addTask { await self.watchPods(client, from: pods) }
                group.addTask { await self.watchWorkloads(client, kind: "Deployment", from: deployments) }
                if !statefulSets.isEmpty {
                    group.addTask { await self.watchWorkloads(client, kind: "StatefulSet", from: statefulSets) }
                }
                group.addTask { await self.pollMetrics(client) }
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

    private func watchPods(_ client: KubernetesClient, from version: String) async -> String {
        await watch(client, path: "/api/v1\(namespacePath)/pods", from: version,
                    relist: { () async throws(KubernetesAPIError) -> String in try await self.relist { () async throws(KubernetesAPIError) in try await self.listPods(client) } },
                    apply: { (event: KubernetesWatchEvent<KubernetesPod>) in await self.apply(event) })
    }

    private func watchWorkloads(_ client: KubernetesClient, kind: String, from version: String) async -> String {
        await watch(client, path: Self.workloadPath(kind, in: target.namespace), from: version,
                    relist: { () async throws(KubernetesAPIError) -> String in
                        try await self.relist { () async throws(KubernetesAPIError) in try await self.listWorkloads(client, kind: kind) }
                    },
                    apply: { (event: KubernetesWatchEvent<KubernetesWorkload>) in await self.apply(event, kind: kind) })
    }

    /// A list again after 410 Gone, shown at once. (The first lists of a session are not: the
    /// session reports once they are all in, after saying it is connected.)
    private func relist(_ list: () async throws(KubernetesAPIError) -> String) async throws(KubernetesAPIError) -> String {
        let version = try await list()
        scheduleReport()
        return version
    }

    /// Watches from `version` for as long as the server is there: a watch the server ends (its
    /// timeout) resumes from the last version seen (an object's or a bookmark's); 410 Gone,
    /// as the answer or as an ERROR event, means a fresh list and a watch from its version.
    /// Returns why the server was lost.
    private func watch<Object: KubernetesWatchable>(
        _ client: KubernetesClient, path: String, from start: String,
        relist: @Sendable () async throws(KubernetesAPIError) -> String,
        apply: @Sendable (KubernetesWatchEvent<Object>) async -> Void
    ) async -> String {
        var version = start
        /// Two expiries with nothing between them: the server answers 410 to its own list's
        /// version (a compaction racing the list); the next list waits a second, not a spin.
        var expiredInARow = 0
        while !Task.isCancelled {
            if expiredInARow > 1 { try? await clock.sleep(for: .seconds(1)) }
            do throws(KubernetesAPIError) {
                let body = try await client.stream(path, query: [
                    "watch": "1", "resourceVersion": version, "allowWatchBookmarks": "true", "timeoutSeconds": "300",
                ])
                var splitter = JSONLineSplitter()
                var expired = false
                do {
                    reading: for try await chunk in body {
                        for line in splitter.feed(chunk.readableBytesView) {
                            guard let event = try? KubernetesWatchEvent<Object>.decode(line) else { continue }
                            switch event {
                            case .added(let object), .modified(let object), .deleted(let object):
                                version = object.resourceVersion ?? version
                                expiredInARow = 0
                            case .bookmark(let resourceVersion):
                                version = resourceVersion
                            case .error(let status):
                                if status.code == 410 { expired = true }
                                break reading
                            }
                            await apply(event)
                        }
                    }
                } catch {
                    if Task.isCancelled { return "stopped" }
                    // The stream broke mid-way: the server may be gone; the next request says.
                }
                if expired {
                    expiredInARow += 1
                    version = try await relist()
                }
            } catch {
                if error.code == 410 {
                    expiredInARow += 1
                    do throws(KubernetesAPIError) { version = try await relist() } catch { return error.description }
                    continue
                }
                return Task.isCancelled ? "stopped" : error.description
            }
        }
        return "stopped"
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
        if shows { scheduleReport() }
    }

    private func apply(_ event: KubernetesWatchEvent<KubernetesWorkload>, kind: String) {
        let shows: Bool
        switch event {
        case .added(let workload), .modified(let workload): shows = inventory.update(workload, kind: kind)
        case .deleted(let workload): shows = inventory.remove(workload, kind: kind)
        case .bookmark, .error: return
        }
        if shows { scheduleReport() }
    }

    // MARK: - Metrics and autoscalers

    private func pollMetrics(_ client: KubernetesClient) async -> String {
        while !Task.isCancelled {
            do throws(KubernetesAPIError) {
                let list = try await client.get(KubernetesList<KubernetesPodMetrics>.self,
                                                "/apis/metrics.k8s.io/v1beta1\(namespacePath)/pods")
                inventory.usage = Dictionary(list.items.map { ($0.metadata.name, $0.usage) }, uniquingKeysWith: { _, last in last })
                inventory.statsUnavailable = nil
            } catch {
                if case .unreachable(let reason) = error { return reason }
                inventory.usage = [:]
                inventory.statsUnavailable = error.description
            }
            await refreshAutoscalers(client)
            scheduleReport()
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

    // MARK: - Reporting

    /// Changes close together make one snapshot: a busy namespace sends dozens a second.
    private func scheduleReport() {
        guard !reportScheduled else { return }
        reportScheduled = true
        let delay = reportCoalescing
        Task {
            try? await self.clock.sleep(for: delay)
            self.flushReport()
        }
    }

    private func flushReport() {
        reportScheduled = false
        let snapshot = inventory.snapshot(at: Date())
        emit?(.snapshot(snapshot))
        if followsLogs, let client { syncLogFollowers(snapshot, client) }
    }

    // MARK: - Logs

    /// One follower per container of every replica of a Big Pod; a deleted pod's followers end.
    private func syncLogFollowers(_ snapshot: RuntimeSnapshot, _ client: KubernetesClient) {
        var wanted: [String: (pod: KubernetesPod, container: String, owner: PodID)] = [:]
        for podSnapshot in snapshot.pods {
            for replica in podSnapshot.replicas {
                guard let pod = inventory.pods[replica.name] else { continue }
                for status in pod.status.containerStatuses ?? [] where status.state?.waiting == nil || status.restartCount > 0 {
                    wanted["\(pod.metadata.name)/\(status.name)"] = (pod, status.name, podSnapshot.id)
                }
            }
        }
        for (key, task) in logFollowers where wanted[key] == nil {
            task.cancel()
            logFollowers[key] = nil
            newestLogLine[key] = nil
        }
        for (key, entry) in wanted where logFollowers[key] == nil {
            let multiple = entry.pod.spec.containers.count > 1
            let source = LogSource(pod: entry.owner, service: nil,
                                   replica: multiple ? "\(entry.pod.metadata.name)/\(entry.container)" : entry.pod.metadata.name)
            logFollowers[key] = Task { await self.followLog(client, pod: entry.pod.metadata.name, container: entry.container, key: key, source: source) }
        }
    }

    /// Follows one container's log until cancelled: the last `logTail` lines first, then, after a
    /// stream ends (the container restarted, the connection broke), from the newest line seen.
    private func followLog(_ client: KubernetesClient, pod: String, container: String, key: String, source: LogSource) async {
        while !Task.isCancelled {
            var query = ["container": container, "follow": "true", "timestamps": "true"]
            let after = newestLogLine[key]
            if let after {
                // sinceTime has whole seconds: lines of that second already shown are dropped below.
                query["sinceTime"] = KubernetesTime.wholeSeconds(after.addingTimeInterval(-1))
            } else {
                query["tailLines"] = String(logTail)
            }
            do throws(KubernetesAPIError) {
                let body = try await client.stream("/api/v1\(namespacePath)/pods/\(pod)/log", query: query)
                var decoder = DockerLogDecoder(tty: true)
                do {
                    for try await chunk in body {
                        deliver(decoder.feed(chunk.readableBytesView), key: key, after: after, source: source)
                    }
                } catch {}
                deliver(decoder.finish(), key: key, after: after, source: source)
            } catch {
                // Not started yet, or the pod is going: try again shortly while it is wanted.
            }
            try? await clock.sleep(for: .seconds(2))
        }
    }

    private func deliver(_ decoded: [DockerLogDecoder.Line], key: String, after: Date?, source: LogSource) {
        let fresh = decoded.newer(than: after)
        guard !fresh.isEmpty else { return }
        if let newest = fresh.last?.time { newestLogLine[key] = newest }
        // The kubelet interleaves stdout and stderr with no framing: every line reads as stdout.
        emit?(.logs(fresh.map { $0.logLine(from: source) }))
    }

    // MARK: - Actions

    private func connectedClient() throws(RuntimeError) -> KubernetesClient {
        guard let client else { throw RuntimeError("not connected to the API server") }
        return client
    }

    private func workloads(of pod: PodID) throws(RuntimeError) -> (PodSpec, [KubernetesWorkload]) {
        guard let spec = topology.pod(pod) else { throw RuntimeError("no pod \(pod) in the config") }
        let workloads = inventory.workloads(of: spec.id)
        guard !workloads.isEmpty else {
            throw RuntimeError("\(spec.displayName): no Deployment or StatefulSet in \(target.namespace) matches its selector")
        }
        return (spec, workloads)
    }

    /// `kubectl rollout restart` for every workload of the pod, then the rollouts followed
    /// until each is complete.
    public func restart(_ pod: PodID, progress: @escaping @Sendable (String) -> Void) async throws(RuntimeError) -> String {
        let client = try connectedClient()
        let (spec, workloads) = try workloads(of: pod)
        let stamp = KubernetesTime.wholeSeconds(Date())
        let patch = #"{"spec":{"template":{"metadata":{"annotations":{"kubectl.kubernetes.io/restartedAt":"\#(stamp)"}}}}}"#
        var generations: [String: Int] = [:]
        for workload in workloads {
            do throws(KubernetesAPIError) {
                let reply = try await client.send(.PATCH, Self.workloadPath(workload.kind ?? "Deployment", in: target.namespace, name: workload.metadata.name),
                                                  query: ["fieldManager": "podtop-rollout"], body: Data(patch.utf8),
                                                  contentType: "application/strategic-merge-patch+json")
                let patched = try? JSONDecoder().decode(KubernetesWorkload.self, from: reply.body)
                generations[KubernetesInventory.key(workload)] = patched?.metadata.generation ?? 0
            } catch {
                throw error.runtimeError
            }
        }
        let deadline = clock.now + .seconds(600)
        while true {
            var pending: [String] = []
            for workload in workloads {
                let key = KubernetesInventory.key(workload)
                guard let current = inventory.workloads[key] else { continue }
                let observed = current.status?.observedGeneration ?? 0
                if observed < generations[key] ?? 0 || !current.rolloutComplete {
                    pending.append("\(workload.metadata.name) \(observed < generations[key] ?? 0 ? "waiting for the controller" : current.rolloutProgress)")
                }
            }
            if pending.isEmpty { break }
            progress("Restarting \(spec.displayName): \(pending.joined(separator: "; "))")
            guard clock.now < deadline else {
                throw RuntimeError("\(spec.displayName): the rollout did not finish in 10 min (\(pending.joined(separator: "; ")))")
            }
            do { try await clock.sleep(for: .milliseconds(200)) } catch { throw RuntimeError("restart of \(spec.displayName) cancelled") }
        }
        return "Restarted \(spec.displayName): \(workloads.map(\.metadata.name).joined(separator: ", ")) rolled out"
    }

    /// Sets every workload of the pod to `replicas` through its scale subresource.
    public func scale(_ pod: PodID, to replicas: Int) async throws(RuntimeError) -> String {
        let client = try connectedClient()
        let (spec, workloads) = try workloads(of: pod)
        for workload in workloads {
            do throws(KubernetesAPIError) {
                _ = try await client.send(.PATCH, Self.workloadPath(workload.kind ?? "Deployment", in: target.namespace, name: workload.metadata.name) + "/scale",
                                          body: Data(#"{"spec":{"replicas":\#(replicas)}}"#.utf8), contentType: "application/merge-patch+json")
            } catch {
                throw error.runtimeError
            }
        }
        var summary = "Scaled \(spec.displayName) to \(replicas) (\(workloads.map(\.metadata.name).joined(separator: ", ")))"
        if let workload = workloads.first(where: { inventory.autoscaler(of: $0) != nil }), let hpa = inventory.autoscaler(of: workload) {
            summary += "; autoscaler \(hpa.name) keeps \(workload.metadata.name) within \(hpa.minReplicas)–\(hpa.maxReplicas) and will override this"
        }
        return summary
    }

    /// The last lines of each container's previous instance (`previous=true`), for a replica
    /// whose container crashed; a container that never restarted is passed over.
    public func previousLogs(_ pod: PodID, replica: String) async throws(RuntimeError) -> [LogLine] {
        let client = try connectedClient()
        guard let object = inventory.pods[replica] else { throw RuntimeError("no pod \(replica) in \(target.namespace)") }
        let restarted = (object.status.containerStatuses ?? []).filter { $0.restartCount > 0 }
        guard !restarted.isEmpty else { throw RuntimeError("\(replica) has no previous container: none of its containers has restarted") }
        var lines: [LogLine] = []
        for container in restarted {
            let query = ["container": container.name, "previous": "true", "timestamps": "true", "tailLines": String(max(logTail, 100))]
            do throws(KubernetesAPIError) {
                let reply = try await client.send(.GET, "/api/v1\(namespacePath)/pods/\(replica)/log", query: query)
                var decoder = DockerLogDecoder(tty: true)
                let source = LogSource(pod: pod, service: nil, replica: "\(replica)/\(container.name) (previous)")
                lines += (decoder.feed(reply.body) + decoder.finish()).map { $0.logLine(from: source) }
            } catch {
                throw error.runtimeError
            }
        }
        return lines
    }

    /// Restarts one replica by deleting its pod: its controller creates a new one.
    public func restartReplica(_ pod: PodID, replica: String) async throws(RuntimeError) -> String {
        let client = try connectedClient()
        do throws(KubernetesAPIError) {
            _ = try await client.send(.DELETE, "/api/v1\(namespacePath)/pods/\(replica)",
                                      body: Data(#"{"propagationPolicy":"Background"}"#.utf8))
        } catch {
            throw error.runtimeError
        }
        return "Deleted pod \(replica); its controller starts a new one"
    }
}
