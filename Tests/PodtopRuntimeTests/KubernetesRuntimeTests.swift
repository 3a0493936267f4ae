import Foundation
import PodtopCore
import Testing
import TestSupport
@testable import PodtopRuntime

/// podtop's Kubernetes runtime against the test API server (TLS, client certificates unless a
/// test says otherwise); the server's own state is the judge of every action.
@Suite(.serialized, .timeLimit(.minutes(1))) struct KubernetesRuntimeTests {
    /// The DreamScape pods as production runs them: Deployments labelled with their Big Pod.
    static let topology = Topology(pods: ["core", "experience", "commerce"].map { id in
        PodSpec(id: PodID(id), displayName: id.capitalized, services: [], selector: ContainerSelector([.labels(["dreamscape.pod": id])]))
    }, infrastructure: [])

    /// A runtime for `server`, running and recorded until the returned task is cancelled.
    func start(_ server: FakeKubeAPIServer, _ credential: FakeKubeAPIServer.Credential = .clientCertificate,
               metricsInterval: Duration = .seconds(15)) throws -> (KubernetesRuntime, RuntimeRecorder, Task<Void, Never>) {
        let runtime = KubernetesRuntime(target: try server.target(credential), topology: Self.topology, logTail: 10,
                                        metricsInterval: metricsInterval)
        let recorder = RuntimeRecorder()
        let task = Task { await runtime.run(refresh: .seconds(1)) { recorder.record($0) } }
        return (runtime, recorder, task)
    }

    /// The pods of these deployments, by name.
    func podNames(of deployments: [String], in server: FakeKubeAPIServer) async throws -> [String] {
        var names: [String] = []
        for deployment in deployments { names += try await server.podNames(of: deployment) }
        return names
    }

    func fleet(_ server: FakeKubeAPIServer) async throws {
        try await server.addDeployment("nginx", pod: "core")
        try await server.addDeployment("auth-service", pod: "core", replicas: 2)
        try await server.addDeployment("user-service", pod: "core")
        try await server.addDeployment("voyage", pod: "experience")
        try await server.addDeployment("payment", pod: "commerce")
        try await server.addDeployment("grafana", pod: nil)
    }

    @Test func deploymentsAreGroupedIntoBigPodsByTheirLabels() async throws {
        let server = try await FakeKubeAPIServer()
        try await fleet(server)
        let (_, recorder, task) = try start(server)
        defer { task.cancel() }
        let seen = await recorder.waitForSnapshot { $0.pod(PodID("core"))?.replicas.count == 4 }
        let snapshot = try #require(seen?.1)
        let core = try #require(snapshot.pod(PodID("core")))
        #expect(core.workloads.map(\.name) == ["auth-service", "nginx", "user-service"])
        #expect(core.desiredReplicas == 4)
        #expect(core.readyCount == 4)
        #expect(Set(core.replicas.map(\.name)) == Set(try await podNames(of: ["nginx", "auth-service", "user-service"], in: server)))
        #expect(core.replicas.allSatisfy { $0.statusText == "Running" && $0.node == "k3s-node-1" && $0.phase == .healthy })
        #expect(snapshot.pod(PodID("experience"))?.replicas.map(\.name) == (try await server.podNames(of: "voyage")))
        #expect(snapshot.pod(PodID("commerce"))?.replicas.count == 1)
        // A pod of no Big Pod is listed as "other", not dropped.
        #expect(snapshot.unmatched.map(\.name) == (try await server.podNames(of: "grafana")))
        let identities = recorder.all.compactMap { if case .connected(let identity) = $0.1 { identity } else { nil } }
        #expect(identities.first == RuntimeIdentity(kind: "kubernetes", endpoint: "dev/dreamscape-dev", version: "v1.32.4+k3s1"),
                "\(recorder.all.filter { if case .logs = $0.1 { false } else if case .snapshot = $0.1 { false } else { true } })")
    }

    @Test func aCrashingPodShowsWithinOneSecondOfTheEvent() async throws {
        let server = try await FakeKubeAPIServer()
        try await fleet(server)
        let (_, recorder, task) = try start(server)
        defer { task.cancel() }
        _ = await recorder.waitForSnapshot { $0.pod(PodID("experience"))?.replicas.count == 1 }
        // "Within 1 s of the event" holds for a watch that is open: wait until it is.
        #expect(try await server.wait { try await server.requests().contains { ($0["query"] as? [String: String])?["watch"] == "1" && ($0["path"] as? String)?.hasSuffix("/pods") == true } })
        let pod = try #require(try await server.podNames(of: "voyage").first)
        let answer = try await server.control("pod-state", ["namespace": FakeKubeAPIServer.namespace, "name": pod, "state": "crashloop"]) as? [String: Any]
        let changedAt = Date(timeIntervalSince1970: try #require(answer?["at"] as? Double))
        let seen = await recorder.waitForSnapshot(seconds: 5) { $0.pod(PodID("experience"))?.replicas.first?.statusText == "CrashLoopBackOff" }
        let (at, snapshot) = try #require(seen)
        let replica = try #require(snapshot.pod(PodID("experience"))?.replicas.first)
        #expect(replica.phase == .exited)
        #expect(replica.restarts == 1)
        #expect(at.timeIntervalSince(changedAt) < DockerRuntimeTests.noticeable, "seen \(at.timeIntervalSince(changedAt)) s after the event")
        // And an OOM kill reads as kubectl prints it.
        try await server.control("pod-state", ["namespace": FakeKubeAPIServer.namespace, "name": pod, "state": "oomkilled"])
        #expect(await recorder.waitForSnapshot(seconds: 5) { $0.pod(PodID("experience"))?.replicas.first?.statusText == "OOMKilled" } != nil)
    }

    @Test func anExpiredWatchIsListedAgainAndResumed() async throws {
        let server = try await FakeKubeAPIServer()
        try await fleet(server)
        let (_, recorder, task) = try start(server)
        defer { task.cancel() }
        _ = await recorder.waitForSnapshot { $0.pod(PodID("core"))?.replicas.count == 4 }
        // History before now is gone and every watch ends: the resumed watches get 410 Expired.
        try await server.control("compact")
        try await server.control("end-watches")
        // The resumed pod watch has been refused (410) and the pods listed again.
        func podLists() async throws -> Int {
            try await server.requests().filter {
                $0["method"] as? String == "GET" && $0["path"] as? String == "/api/v1/namespaces/dreamscape-dev/pods"
                    && ($0["query"] as? [String: String])?["watch"] == nil
            }.count
        }
        #expect(try await server.wait(seconds: 20) { try await podLists() == 2 }, "no list after 410")
        try await server.control("deployment", ["namespace": FakeKubeAPIServer.namespace, "name": "panorama",
                                          "labels": ["dreamscape.pod": "experience"], "replicas": 1, "ready": true])
        // Recovery is what is tested here, not its speed: beside the whole suite, the test server's
        // controller and watches have taken over 5 s (2.5 s for the whole test alone).
        let seen = await recorder.waitForSnapshot(seconds: 20) { $0.pod(PodID("experience"))?.replicas.count == 2 }
        #expect(seen != nil)
        #expect(try await podLists() == 2, "one list at the start, one after 410")
        // Recovered inside the session: the server was never taken for lost.
        let lost = recorder.all.compactMap { if case .disconnected(let reason, _) = $0.1 { reason } else { nil } }
        #expect(lost.isEmpty)
        let watches = try await server.requests().filter { ($0["query"] as? [String: String])?["watch"] == "1" }
        #expect(watches.allSatisfy { ($0["query"] as? [String: String])?["allowWatchBookmarks"] == "true" })
    }

    @Test func bookmarksMoveTheResumePointOn() async throws {
        let server = try await FakeKubeAPIServer()
        try await fleet(server)
        try await server.control("bookmarks", ["every": 0.2])
        let (_, recorder, task) = try start(server)
        defer { task.cancel() }
        _ = await recorder.waitForSnapshot { $0.pod(PodID("core"))?.replicas.count == 4 }
        // Changes elsewhere move the server's version on; the bookmarks carry it to podtop.
        try await server.addDeployment("unrelated", pod: nil)
        let version = try await server.state()["resourceVersion"] as? Int ?? 0
        // A bookmark has carried that version to podtop (one went out after the change).
        #expect(try await server.wait(seconds: 5) { try await server.state()["newestBookmark"] as? Int ?? 0 >= version })
        try await server.control("end-watches")
        #expect(try await server.wait(seconds: 5) {
            try await server.requests().contains { request in
                let query = request["query"] as? [String: String] ?? [:]
                return query["watch"] == "1" && Int(query["resourceVersion"] ?? "") ?? 0 >= version - 2
            }
        })
    }

    @Test func metricsGiveCPUAndWorkingSetOrSayWhyNot() async throws {
        let server = try await FakeKubeAPIServer()
        try await fleet(server)
        let pod = try #require(try await server.podNames(of: "payment").first)
        try await server.control("metrics", ["pods": ["\(FakeKubeAPIServer.namespace)/\(pod)": ["payment": ["250m", "18924Ki"]]]])
        let (_, recorder, task) = try start(server, metricsInterval: .milliseconds(300))
        defer { task.cancel() }
        let seen = await recorder.waitForSnapshot { $0.pod(PodID("commerce"))?.replicas.first?.cpuPercent != nil }
        let replica = try #require(seen?.1.pod(PodID("commerce"))?.replicas.first)
        #expect(replica.cpuPercent == 25)
        #expect(replica.memoryBytes == 19_378_176)
        #expect(seen?.1.statsUnavailable == nil)
        try await server.control("metrics", ["enabled": false])
        let without = await recorder.waitForSnapshot { $0.statsUnavailable != nil }
        #expect(without?.1.statsUnavailable == "metrics.k8s.io is not served (404): is metrics-server installed?")
        #expect(without?.1.pod(PodID("commerce"))?.replicas.first?.cpuPercent == nil)
    }

    @Test func logsOfEveryContainerArriveWithTheirSource() async throws {
        let server = try await FakeKubeAPIServer()
        try await fleet(server)
        let pod = try #require(try await server.podNames(of: "payment").first)
        try await server.control("log", ["namespace": FakeKubeAPIServer.namespace, "pod": pod, "container": "payment", "lines": ["before podtop"]])
        let (_, recorder, task) = try start(server)
        defer { task.cancel() }
        #expect(await recorder.waitFor { _ in recorder.logLines.contains { $0.text == "before podtop" } })
        try await server.control("log", ["namespace": FakeKubeAPIServer.namespace, "pod": pod, "container": "payment",
                                   "lines": ["ERROR card declined", "\u{1b}[31mred\u{1b}[0m text"]])
        #expect(await recorder.waitFor { _ in recorder.logLines.contains { $0.text == "red text" } })
        let lines = recorder.logLines.filter { $0.source.replica == pod }
        #expect(lines.map(\.text).suffix(3) == ["before podtop", "ERROR card declined", "red text"])
        #expect(lines.allSatisfy { $0.source.pod == PodID("commerce") })
        #expect(lines.first { $0.text == "ERROR card declined" }?.level == .error)
        // Each line once, though the stream was followed from the start.
        #expect(lines.filter { $0.text == "before podtop" }.count == 1)
    }

    @Test func aCrashedContainersPreviousLogIsFetchedOnRequest() async throws {
        let server = try await FakeKubeAPIServer()
        try await fleet(server)
        let (runtime, recorder, task) = try start(server)
        defer { task.cancel() }
        _ = await recorder.waitForSnapshot { $0.pod(PodID("experience"))?.replicas.count == 1 }
        let pod = try #require(try await server.podNames(of: "voyage").first)
        await #expect(throws: RuntimeError("\(pod) has no previous container: none of its containers has restarted")) {
            try await runtime.previousLogs(PodID("experience"), replica: pod)
        }
        try await server.control("pod-state", ["namespace": FakeKubeAPIServer.namespace, "name": pod, "state": "crashloop"])
        _ = await recorder.waitForSnapshot { $0.pod(PodID("experience"))?.replicas.first?.restarts == 1 }
        let lines = try await runtime.previousLogs(PodID("experience"), replica: pod)
        #expect(lines.last?.text == "fatal: cannot reach mongodb")
        #expect(lines.last?.source == LogSource(pod: PodID("experience"), service: nil, replica: "\(pod)/voyage (previous)"))
        let request = try #require(try await server.requests().last { ($0["path"] as? String)?.hasSuffix("/log") == true && ($0["query"] as? [String: String])?["previous"] != nil })
        #expect((request["query"] as? [String: String])?["previous"] == "true")
    }

    @Test func restartRollsEveryDeploymentOfThePodOut() async throws {
        let server = try await FakeKubeAPIServer()
        try await fleet(server)
        let (runtime, recorder, task) = try start(server)
        defer { task.cancel() }
        _ = await recorder.waitForSnapshot { $0.pod(PodID("core"))?.replicas.count == 4 }
        let before = try await podNames(of: ["nginx", "auth-service", "user-service"], in: server)
        let progress = ProgressLog()
        let summary = try await runtime.restart(PodID("core")) { progress.add($0) }
        #expect(summary == "Restarted Core: auth-service, nginx, user-service rolled out")
        let deployments = try await server.deployments()
        for name in ["nginx", "auth-service", "user-service"] {
            let annotations = deployments["\(FakeKubeAPIServer.namespace)/\(name)"]?["templateAnnotations"] as? [String: String]
            #expect(annotations?["kubectl.kubernetes.io/restartedAt"] != nil, "\(name) was not patched")
        }
        let after = try await podNames(of: ["nginx", "auth-service", "user-service"], in: server)
        #expect(after.count == 4)
        #expect(Set(after).isDisjoint(with: before))
        #expect(progress.all.contains { $0.contains("updated") || $0.contains("pending termination") })
        // The patch is the one kubectl sends.
        let patch = try #require(try await server.requests().first { $0["method"] as? String == "PATCH" })
        #expect(patch["contentType"] as? String == "application/strategic-merge-patch+json")
        #expect((patch["body"] as? String)?.hasPrefix(#"{"spec":{"template":{"metadata":{"annotations":{"kubectl.kubernetes.io/restartedAt":""#) == true)
    }

    @Test func scaleGoesThroughTheScaleSubresourceAndWarnsOfAnAutoscaler() async throws {
        let server = try await FakeKubeAPIServer()
        try await fleet(server)
        try await server.control("hpa", ["namespace": FakeKubeAPIServer.namespace, "name": "voyage-hpa", "target": "voyage", "min": 2, "max": 10])
        let (runtime, recorder, task) = try start(server)
        defer { task.cancel() }
        let seen = await recorder.waitForSnapshot { $0.pod(PodID("experience"))?.workloads.first?.autoscaler != nil }
        #expect(seen?.1.pod(PodID("experience"))?.workloads.first?.autoscaler == WorkloadInfo.Autoscaler(name: "voyage-hpa", minReplicas: 2, maxReplicas: 10))
        let summary = try await runtime.scale(PodID("experience"), to: 3)
        #expect(summary == "Scaled Experience to 3 (voyage); autoscaler voyage-hpa keeps voyage within 2–10 and will override this")
        #expect(try await server.deployments()["\(FakeKubeAPIServer.namespace)/voyage"]?["replicas"] as? Int == 3)
        #expect(await recorder.waitForSnapshot { $0.pod(PodID("experience"))?.replicas.filter(\.isReady).count == 3 } != nil)
        let patch = try #require(try await server.requests().first { $0["method"] as? String == "PATCH" })
        #expect(patch["path"] as? String == "/apis/apps/v1/namespaces/dreamscape-dev/deployments/voyage/scale")
        #expect(patch["body"] as? String == #"{"spec":{"replicas":3}}"#)
        _ = try await runtime.scale(PodID("commerce"), to: 0)
        #expect(await recorder.waitForSnapshot { $0.pod(PodID("commerce"))?.replicas.isEmpty == true } != nil)
    }

    @Test func aStatefulSetIsPartOfItsBigPodAndIsRestartedAndScaledLikeADeployment() async throws {
        let server = try await FakeKubeAPIServer()
        try await fleet(server)
        try await server.addStatefulSet("ledger", pod: "commerce", replicas: 2)
        let (runtime, recorder, task) = try start(server)
        defer { task.cancel() }
        let seen = await recorder.waitForSnapshot { $0.pod(PodID("commerce"))?.replicas.count == 3 }
        let commerce = try #require(seen?.1.pod(PodID("commerce")))
        #expect(commerce.workloads.map { "\($0.kind)/\($0.name)" } == ["StatefulSet/ledger", "Deployment/payment"])
        #expect(commerce.replicas.map(\.name).filter { $0.hasPrefix("ledger") } == ["ledger-0", "ledger-1"])
        _ = try await runtime.scale(PodID("commerce"), to: 3)
        #expect(try await server.state()["statefulsets"].flatMap { ($0 as? [String: [String: Any]])?["\(FakeKubeAPIServer.namespace)/ledger"]?["replicas"] as? Int } == 3)
        #expect(try await server.wait { try await server.podNames(of: "ledger") == ["ledger-0", "ledger-1", "ledger-2"] })
        let summary = try await runtime.restart(PodID("commerce")) { _ in }
        #expect(summary == "Restarted Commerce: ledger, payment rolled out")
        let patched = try await server.requests().filter { $0["method"] as? String == "PATCH" }.compactMap { $0["path"] as? String }
        #expect(patched.contains("/apis/apps/v1/namespaces/dreamscape-dev/statefulsets/ledger/scale"))
        #expect(patched.contains("/apis/apps/v1/namespaces/dreamscape-dev/statefulsets/ledger"))
    }

    @Test func restartingOneReplicaDeletesItsPod() async throws {
        let server = try await FakeKubeAPIServer()
        try await fleet(server)
        let (runtime, recorder, task) = try start(server)
        defer { task.cancel() }
        _ = await recorder.waitForSnapshot { $0.pod(PodID("core"))?.replicas.count == 4 }
        let victim = try #require(try await server.podNames(of: "auth-service").first)
        _ = try await runtime.restartReplica(PodID("core"), replica: victim)
        // Terminating lasts one step of the server's controller; what must be seen is the new pod.
        #expect(await recorder.waitForSnapshot { core in
            let replicas = core.pod(PodID("core"))?.replicas ?? []
            return replicas.count == 4 && !replicas.contains { $0.name == victim } && replicas.allSatisfy(\.isReady)
        } != nil)
        #expect(try await server.wait { let names = try await server.podNames(of: "auth-service"); return names.count == 2 && !names.contains(victim) })
        let delete = try #require(try await server.requests().first { $0["method"] as? String == "DELETE" })
        #expect(delete["path"] as? String == "/api/v1/namespaces/dreamscape-dev/pods/\(victim)")
    }

    /// The same request policy as Docker's: read-only sends nothing but GET, whatever is asked
    /// below the UI, and `PODTOP_REQUEST_LOG`'s journal lists every request and refusal.
    @Test func readOnlySendsOnlyGETsAndTheJournalSaysSo() async throws {
        let server = try await FakeKubeAPIServer()
        try await fleet(server)
        let journalPath = FileManager.default.temporaryDirectory.appendingPathComponent("podtop-k8s-journal-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: journalPath) }
        let runtime = KubernetesRuntime(target: try server.target(.clientCertificate), topology: Self.topology, logTail: 10,
                                        policy: RequestPolicy(readOnly: true, journal: try RequestJournal(path: journalPath)))
        let recorder = RuntimeRecorder()
        let task = Task { await ReadOnlyRuntime(runtime).run(refresh: .seconds(1)) { recorder.record($0) } }
        defer { task.cancel() }
        let seen = try #require(await recorder.waitForSnapshot { $0.pod(PodID("core"))?.replicas.count == 4 })
        #expect(seen.1.pod(PodID("core"))?.actions.refusal(of: .scale) == "read-only: podtop does not scale pods (started with --read-only)")
        #expect(seen.1.pod(PodID("core"))?.actions.offers(.previousLogs) == true)
        let victim = try #require(try await server.podNames(of: "auth-service").first)
        await #expect(throws: RuntimeError.self) { _ = try await runtime.scale(PodID("core"), to: 3) }
        await #expect(throws: RuntimeError.self) { _ = try await runtime.restartReplica(PodID("core"), replica: victim) }
        #expect(try await server.requests().allSatisfy { $0["method"] as? String == "GET" })
        let journal = try String(contentsOfFile: journalPath, encoding: .utf8).split(separator: "\n")
        #expect(journal.contains { $0.hasPrefix("GET /api/v1/namespaces/dreamscape-dev/pods") })
        #expect(journal.contains { $0.hasPrefix("refused PATCH /apis/apps/v1/namespaces/dreamscape-dev/deployments/") })
        #expect(journal.contains { $0.hasPrefix("refused DELETE /api/v1/namespaces/dreamscape-dev/pods/\(victim)") })
    }
}

/// Progress lines an action reports, collected across tasks.
@Suite(.timeLimit(.minutes(1)))
final class ProgressLog: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func add(_ line: String) { lock.withLock { lines.append(line) } }
    var all: [String] { lock.withLock { lines } }
}

/// Who podtop is to the API server, and what it shows when the server says no.
@Suite(.serialized, .timeLimit(.minutes(1))) struct KubernetesAuthenticationTests {
    func start(_ target: KubernetesTarget, metricsInterval: Duration = .seconds(15)) -> (KubernetesRuntime, RuntimeRecorder, Task<Void, Never>) {
        let runtime = KubernetesRuntime(target: target, topology: KubernetesRuntimeTests.topology, followsLogs: false,
                                        metricsInterval: metricsInterval)
        let recorder = RuntimeRecorder()
        let task = Task { await runtime.run(refresh: .seconds(1)) { recorder.record($0) } }
        return (runtime, recorder, task)
    }

    func firstLoss(_ recorder: RuntimeRecorder) async -> String? {
        _ = await recorder.waitFor(seconds: 10) { events in events.contains { if case .disconnected = $0.1 { true } else { false } } }
        return recorder.all.lazy.compactMap { if case .disconnected(let reason, _) = $0.1 { reason } else { nil } }.first
    }

    @Test func aBearerTokenFromTheConfigOrAFileIsSent() async throws {
        let server = try await FakeKubeAPIServer()
        try await server.addDeployment("auth-service", pod: "core")
        try await server.control("token", ["token": "static-token", "user": "dash"])
        try await server.control("token", ["token": "file-token", "user": "robot"])
        let tokenFile = server.directory.appendingPathComponent("token")
        try "file-token\n".write(to: tokenFile, atomically: true, encoding: .utf8)
        for (credential, user) in [(FakeKubeAPIServer.Credential.token("static-token"), "dash"), (.tokenFile(tokenFile.path), "robot")] {
            try await server.control("forget-requests")
            let (_, recorder, task) = start(try server.target(credential))
            #expect(await recorder.waitForSnapshot { $0.pod(PodID("core"))?.replicas.count == 1 } != nil)
            task.cancel()
            await task.value
            #expect(try await server.requests().allSatisfy { $0["user"] as? String == user })
        }
    }

    @Test func anExecPluginIsRunOnceUntilItsTokenIsRefused() async throws {
        let server = try await FakeKubeAPIServer()
        try await server.addDeployment("auth-service", pod: "core")
        try await server.control("token", ["token": "exec-token-1", "user": "sso-user"])
        try await server.control("token", ["token": "exec-token-2", "user": "sso-user"])
        let runs = server.directory.appendingPathComponent("runs")
        let info = server.directory.appendingPathComponent("exec-info")
        let plugin = server.directory.appendingPathComponent("credential-plugin")
        try """
            #!/bin/sh
            echo x >> \(runs.path)
            printf '%s' "$KUBERNETES_EXEC_INFO" > \(info.path)
            n=$(wc -l < \(runs.path))
            echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"exec-token-'$n'","expirationTimestamp":"2099-01-01T00:00:00Z"}}'
            """.write(to: plugin, atomically: true, encoding: .utf8)
        chmod(plugin.path, 0o755)
        let (_, recorder, task) = start(try server.target(.exec(script: plugin.path)), metricsInterval: .milliseconds(300))
        defer { task.cancel() }
        #expect(await recorder.waitForSnapshot { $0.pod(PodID("core"))?.replicas.count == 1 } != nil)
        // Cached: every request of the start-up went out on one run.
        #expect(try String(contentsOf: runs, encoding: .utf8).split(separator: "\n").count == 1)
        let sent = try JSONSerialization.jsonObject(with: Data(contentsOf: info)) as? [String: Any]
        #expect(sent?["kind"] as? String == "ExecCredential")
        let spec = sent?["spec"] as? [String: Any]
        #expect(spec?["interactive"] as? Bool == false)
        #expect((spec?["cluster"] as? [String: Any])?["server"] as? String == server.server)
        // The server stops taking the first token: after its 401 the plugin runs again and work goes on.
        try await server.control("token", ["token": "exec-token-1", "user": "sso-user", "expiresIn": 0])
        #expect(try await server.wait(seconds: 10) { (try? String(contentsOf: runs, encoding: .utf8))?.split(separator: "\n").count == 2 })
        // The runs file is written as the plugin starts; beside the whole suite its shell can take
        // longer than a fixed pause to hand over the new token (the full run once saw it so).
        #expect(try await server.wait(seconds: 10) { try await server.requests().suffix(2).allSatisfy { $0["user"] as? String == "sso-user" } })
        #expect(!recorder.all.contains { if case .disconnected = $0.1 { true } else { false } })
    }

    @Test func inAPodTheServiceAccountsTokenAndCAAreUsed() async throws {
        let server = try await FakeKubeAPIServer()
        try await server.addDeployment("auth-service", pod: "core")
        try await server.control("token", ["token": "sa-token", "user": "system:serviceaccount:dreamscape-dev:podtop"])
        let account = server.directory.appendingPathComponent("serviceaccount")
        try FileManager.default.createDirectory(at: account, withIntermediateDirectories: true)
        try "sa-token\n".write(to: account.appendingPathComponent("token"), atomically: true, encoding: .utf8)
        try "dreamscape-dev".write(to: account.appendingPathComponent("namespace"), atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(at: server.certificates.appendingPathComponent("ca.crt"), to: account.appendingPathComponent("ca.crt"))
        let target = try #require(KubernetesTarget.inCluster(
            environment: ["KUBERNETES_SERVICE_HOST": "127.0.0.1", "KUBERNETES_SERVICE_PORT": "\(server.port)"], directory: account.path))
        let (_, recorder, task) = start(target)
        defer { task.cancel() }
        #expect(await recorder.waitForSnapshot { $0.pod(PodID("core"))?.replicas.count == 1 } != nil)
        #expect(try await server.requests().allSatisfy { $0["user"] as? String == "system:serviceaccount:dreamscape-dev:podtop" })
    }

    @Test func anExecCredentialIsRenewedBeforeItExpires() async throws {
        let server = try await FakeKubeAPIServer()
        try await server.addDeployment("auth-service", pod: "core")
        for n in 1...9 { try await server.control("token", ["token": "short-\(n)", "user": "sso-user"]) }
        let runs = server.directory.appendingPathComponent("runs")
        let plugin = server.directory.appendingPathComponent("short-lived-plugin")
        // Each credential expires 62 s after it is made; podtop keeps a minute's margin, so it
        // is good for about 2 s here, and the server never refuses one.
        try """
            #!/bin/sh
            echo x >> \(runs.path)
            n=$(wc -l < \(runs.path))
            expiry=$(date -u -d '+62 seconds' +%Y-%m-%dT%H:%M:%SZ)
            echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"short-'$n'","expirationTimestamp":"'$expiry'"}}'
            """.write(to: plugin, atomically: true, encoding: .utf8)
        chmod(plugin.path, 0o755)
        let (_, recorder, task) = start(try server.target(.exec(script: plugin.path)), metricsInterval: .milliseconds(300))
        defer { task.cancel() }
        #expect(await recorder.waitForSnapshot { $0.pod(PodID("core"))?.replicas.count == 1 } != nil)
        #expect(try await server.wait(seconds: 8) { (try? String(contentsOf: runs, encoding: .utf8))?.split(separator: "\n").count ?? 0 >= 2 })
        // Renewed ahead of its expiry, not after a refusal: no request was answered 401.
        #expect(try await server.requests().allSatisfy { $0["user"] as? String == "sso-user" })
    }

    @Test func refusalsAreStatesWithTheServersWords() async throws {
        let server = try await FakeKubeAPIServer()
        try await server.addDeployment("auth-service", pod: "core")
        // No credentials at all: 401.
        do {
            let (_, recorder, task) = start(try server.target(.none))
            defer { task.cancel() }
            #expect(await firstLoss(recorder) == "unauthorized (401): Unauthorized — the token or certificate was refused or has expired")
        }
        // The certificate's user may not list pods: 403 with the verb and resource refused.
        try await server.control("deny", ["user": "podtop-test", "verb": "list", "resource": "pods"])
        do {
            let (_, recorder, task) = start(try server.target())
            defer { task.cancel() }
            #expect(await firstLoss(recorder) == #"forbidden (403): pods is forbidden: User "podtop-test" cannot list resource "pods" in API group "" in the namespace "dreamscape-dev""#)
        }
        // Watching works but scaling is refused: the action fails with the server's words.
        try await server.control("allow-all")
        try await server.control("deny", ["verb": "patch", "resource": "deployments/scale"])
        let (runtime, recorder, task) = start(try server.target())
        defer { task.cancel() }
        _ = await recorder.waitForSnapshot { $0.pod(PodID("core"))?.replicas.count == 1 }
        await #expect(throws: RuntimeError(#"forbidden (403): deployments is forbidden: User "podtop-test" cannot patch resource "deployments" with subresource scale in API group "apps" in the namespace "dreamscape-dev""#)) {
            try await runtime.scale(PodID("core"), to: 2)
        }
    }

    @Test func anUnreachableOrUntrustedServerIsAState() async throws {
        let server = try await FakeKubeAPIServer()
        var target = try server.target()
        target.server = "https://127.0.0.1:\(LoopbackPort.free())"
        do {
            let (_, recorder, task) = start(target)
            defer { task.cancel() }
            #expect(await firstLoss(recorder) == "cannot reach the API server \(target.server): connection refused")
        }
        // A CA that did not sign the server's certificate.
        var untrusted = try server.target()
        untrusted.certificateAuthorityPEM = try Array(Data(contentsOf: server.certificates.appendingPathComponent("client.crt")))
        let (_, recorder, task) = start(untrusted)
        defer { task.cancel() }
        let reason = try #require(await firstLoss(recorder))
        #expect(reason.hasPrefix("TLS with \(server.server) failed"))
        #expect(reason.hasSuffix("check the context's certificate-authority"))
        // insecure-skip-tls-verify: the same untrusted server is spoken to.
        try await server.addDeployment("auth-service", pod: "core")
        untrusted.insecureSkipTLSVerify = true
        let (_, trusting, trustingTask) = start(untrusted)
        defer { trustingTask.cancel() }
        #expect(await trusting.waitForSnapshot { $0.pod(PodID("core"))?.replicas.count == 1 } != nil)
    }
}

extension FakeKubeAPIServer {
    /// podtop's target for this server, read from a kubeconfig written with `credential`.
    func target(_ credential: Credential = .clientCertificate) throws -> KubernetesTarget {
        let config = try KubeConfig.load(paths: [try kubeconfig(credential, name: "kubeconfig-\(UUID().uuidString.prefix(6))")])
        return try config.target()
    }
}
