import Foundation
import PodtopCore
import Testing
import TestSupport
@testable import PodtopRuntime

/// Health on Kubernetes, against the test API server's Services and service proxy: DOWN only for
/// a service that is down, UNKNOWN with the reason where podtop cannot look, readiness beside it.
@Suite(.serialized, .timeLimit(.minutes(1))) struct KubernetesHealthTests {
    /// The default DreamScape topology: its services' Kubernetes probes are derived from the
    /// Compose URLs (`auth` → `auth-service:3001/health`), MongoDB and Redis by readiness.
    static let topology = DreamScapeDefaults.topology

    func start(_ server: FakeKubeAPIServer, policy: RequestPolicy = RequestPolicy(), clock: any Clock<Duration> = ContinuousClock(),
               watchSilenceLimit: Duration = .seconds(90)) throws -> (KubernetesRuntime, RuntimeRecorder, Task<Void, Never>) {
        let runtime = KubernetesRuntime(target: try server.target(), topology: Self.topology, followsLogs: false, policy: policy,
                                        watchSilenceLimit: watchSilenceLimit, clock: clock)
        let recorder = RuntimeRecorder()
        let task = Task { await runtime.run(refresh: .seconds(1)) { recorder.record($0) } }
        return (runtime, recorder, task)
    }

    static let services = DreamScapeDefaults.topology.pods.flatMap { pod in pod.services.map { HealthTarget.service(ServiceID(pod: pod.id, name: $0.name)) } }
    static let infrastructure = DreamScapeDefaults.topology.infrastructure.map { HealthTarget.infrastructure($0.name) }

    @Test func everyServiceIsUpThroughTheServiceProxy() async throws {
        let server = try await FakeKubeAPIServer()
        try await server.addDreamScape()
        let (_, recorder, task) = try start(server)
        defer { task.cancel() }
        #expect(await recorder.waitForHealth(of: Self.services + Self.infrastructure) { $0.verdict == .up })
        let auth = try #require(recorder.latestHealth(.service(ServiceID(pod: PodID("core"), name: "auth"))))
        #expect(auth.route == "GET auth-service:3001/health via the API server's service proxy (latency includes its hop)")
        #expect(auth.detail.hasPrefix("HTTP 200"))
        #expect(auth.latencyMs != nil)
        let mongo = try #require(recorder.latestHealth(.infrastructure("mongodb")))
        #expect(mongo.detail == "ready 1/1 (pods of StatefulSet mongodb)")
        // The proxy's requests are the probes, each a GET on the Service's proxy path.
        let proxied = try await server.requests().filter { ($0["path"] as? String)?.contains("/proxy/") == true }
        #expect(proxied.contains { $0["path"] as? String == "/api/v1/namespaces/dreamscape-dev/services/auth-service:3001/proxy/health" })
        #expect(proxied.allSatisfy { $0["method"] as? String == "GET" })
        // Readiness, the second voice, is in the snapshot beside the probe.
        let snapshot = try #require(await recorder.waitForSnapshot { $0.pod(PodID("core"))?.readiness["auth"] != nil }?.1)
        #expect(snapshot.pod(PodID("core"))?.readiness["auth"] == ServiceReadiness(ready: 1, total: 1, source: "pods of Deployment auth-service"))
    }

    @Test func aDeploymentScaledToZeroIsDownAndTheOthersStayUp() async throws {
        let server = try await FakeKubeAPIServer()
        try await server.addDreamScape()
        let (_, recorder, task) = try start(server)
        defer { task.cancel() }
        let payment = HealthTarget.service(ServiceID(pod: PodID("commerce"), name: "payment"))
        #expect(await recorder.waitForHealth(of: [payment]) { $0.verdict == .up })
        try await server.scale("payment-service", to: 0)
        #expect(await recorder.waitForHealth(of: [payment]) { $0.verdict == .down })
        let down = try #require(recorder.latestHealth(payment))
        #expect(down.detail.hasPrefix("no ready pod behind Service payment-service"), "\(down.detail)")
        #expect(recorder.latestHealth(.service(ServiceID(pod: PodID("commerce"), name: "analytics")))?.verdict == .up)
    }

    @Test func aForbiddenProxyIsUnknownWithTheReasonAndReadinessStillSpeaks() async throws {
        let server = try await FakeKubeAPIServer()
        try await server.addDreamScape()
        try await server.control("deny", ["verb": "get", "resource": "services/proxy"])
        let (_, recorder, task) = try start(server)
        defer { task.cancel() }
        #expect(await recorder.waitForHealth(of: Self.services) { $0.verdict == .unknown && $0.detail.contains("forbidden (403)") })
        let auth = try #require(recorder.latestHealth(.service(ServiceID(pod: PodID("core"), name: "auth"))))
        #expect(auth.detail.hasPrefix("cannot tell: the service proxy is forbidden (403): services"), "\(auth.detail)")
        #expect(auth.latencyMs == nil)
        let snapshot = try #require(await recorder.waitForSnapshot { $0.pod(PodID("core"))?.readyCount == 3 }?.1)
        #expect(snapshot.pod(PodID("core"))?.readiness["user"]?.short == "ready 1/1")
        // What the screen and `check` make of it: no pod red, "cannot tell" (exit 1).
        let health = Dictionary(Self.services.compactMap { key in recorder.latestHealth(key).map { (key, $0) } }) { $1 }
        for spec in Self.topology.pods {
            let rollup = PodRollup.of(spec: spec, snapshot: snapshot.pod(spec.id), health: spec.serviceVerdicts { health[$0]?.verdict })
            #expect(rollup.status == .healthy, "\(spec.id): \(rollup.reason)")
        }
    }

    @Test func aRefusedConnectionBehindTheProxyIsDownAndAnUnreachableAPIServerIsUnknown() async throws {
        let server = try await FakeKubeAPIServer()
        try await server.addDreamScape()
        try await server.setServiceHealth("voyage-service", ["refuse": true])
        let (_, recorder, task) = try start(server)
        defer { task.cancel() }
        let voyage = HealthTarget.service(ServiceID(pod: PodID("experience"), name: "voyage"))
        #expect(await recorder.waitForHealth(of: [voyage]) { $0.verdict == .down && $0.detail.contains("refused the connection") })
        // The service's own 503 is its own verdict.
        try await server.setServiceHealth("voyage-service", ["status": 503, "body": ["status": "down"]])
        #expect(await recorder.waitForHealth(of: [voyage]) { $0.verdict == .down && $0.detail.hasPrefix("HTTP 503") })
    }

    @Test func servicesSharingOnePodAreReadyByTheirOwnContainers() async throws {
        let server = try await FakeKubeAPIServer()
        // Core as one Deployment whose pod runs NGINX, Auth and User under a supervisor.
        try await server.addDeployment("core-pod", pod: "core", containers: ["nginx", "auth", "user"])
        let (_, recorder, task) = try start(server)
        defer { task.cancel() }
        let ready = try #require(await recorder.waitForSnapshot { $0.pod(PodID("core"))?.readiness["auth"] != nil }?.1)
        #expect(ready.pod(PodID("core"))?.readiness["auth"] == ServiceReadiness(ready: 1, total: 1, source: "container auth in each pod"))
        let pod = try #require(try await server.podNames(of: "core-pod").first)
        try await server.control("pod-state", ["namespace": FakeKubeAPIServer.namespace, "name": pod, "state": "crashloop"])
        let crashed = try #require(await recorder.waitForSnapshot { $0.pod(PodID("core"))?.readiness["auth"]?.ready == 0 }?.1)
        #expect(crashed.pod(PodID("core"))?.readiness["auth"]?.words == "ready 0/1 (container auth in each pod): \(pod): container auth CrashLoopBackOff")
    }

    @Test func aQuietWatchStaysFreshUntilItFallsSilentPastItsLimit() async throws {
        let server = try await FakeKubeAPIServer()
        try await server.addDreamScape()
        let clock = ManualClock()
        let (_, recorder, task) = try start(server, clock: clock)
        defer { task.cancel() }
        #expect(await recorder.waitForSnapshot { $0.pod(PodID("core"))?.replicas.count == 3 } != nil)
        // Every watch open before time moves: each has been heard from at 0.
        #expect(try await server.wait { try await server.requests().count { ($0["query"] as? [String: String])?["watch"] == "1" } >= 3 })
        func confirmations() -> Int { recorder.all.count { if case .confirmed = $0.1 { true } else { false } } }
        /// Until the probe round and the confirmation loop both wait for the next second.
        func settle() async {
            _ = await Eventually.holds(within: .seconds(10), every: .milliseconds(2)) { clock.sleeping(lasting: .seconds(1)) >= 2 }
        }
        func tick() async {
            await settle()
            clock.advance(by: .seconds(1))
        }
        // 60 s of virtual time with nothing happening: confirmed every second.
        for second in 1...60 {
            await tick()
            #expect(await recorder.waitFor(seconds: 5) { _ in confirmations() >= second }, "second \(second)")
        }
        // Silent past the 90 s limit: no more confirmations, so the screen's data ages.
        for _ in 61...95 { await tick() }
        await settle()
        let silent = confirmations()
        for _ in 1...3 { await tick() }
        await settle()
        #expect(confirmations() == silent)
        #expect(silent <= 95)
        // Bookmarks are every watch heard from again: confirmations resume.
        try await server.control("bookmarks", ["every": 0.1])
        #expect(await Eventually.holds(within: .seconds(10), every: .milliseconds(50)) {
            await tick()
            await settle()
            return confirmations() > silent
        })
    }
}

extension RuntimeRecorder {
    func latestHealth(_ key: HealthTarget) -> HealthSample? {
        all.reversed().lazy.compactMap { entry -> HealthSample? in
            if case .health(let target, let sample) = entry.1, target == key { return sample }
            return nil
        }.first
    }

    /// Waits until the latest sample of every key satisfies `condition`.
    func waitForHealth(of keys: [HealthTarget], seconds: Double = 15, _ condition: @escaping (HealthSample) -> Bool) async -> Bool {
        await waitFor(seconds: seconds) { _ in keys.allSatisfy { self.latestHealth($0).map(condition) ?? false } }
    }
}

/// Which way each target goes, from outside the cluster and from inside it.
@Suite(.timeLimit(.minutes(1))) struct KubernetesHealthPlanTests {
    @Test func fromOutsideThroughTheProxyFromInsideAtTheClusterAddress() {
        let auth = HealthTarget.service(ServiceID(pod: PodID("core"), name: "auth"))
        let outside = KubernetesHealthPlan(topology: DreamScapeDefaults.topology, namespace: "dreamscape-prod", inCluster: false)
        #expect(outside.probed.first { $0.key == auth }?.way == .serviceProxy(service: "auth-service", port: 3001, path: "/health"))
        #expect(outside.byReadiness.map(\.workload) == ["mongodb", "redis"])
        let inside = KubernetesHealthPlan(topology: DreamScapeDefaults.topology, namespace: "dreamscape-prod", inCluster: true)
        #expect(inside.probed.first { $0.key == auth }?.way == .direct(.http(url: "http://auth-service.dreamscape-prod.svc:3001/health")))
        #expect(inside.probed.first { $0.key == auth }?.route == "GET http://auth-service.dreamscape-prod.svc:3001/health, the Service's cluster address")
    }

    @Test func readinessSpeaksForWhatNoProbeReaches() {
        let now = Date(timeIntervalSince1970: 1_796_040_000)
        #expect(KubernetesHealthPlan.sample(ServiceReadiness(ready: 1, total: 1, source: "pods of StatefulSet mongodb"), workload: "mongodb",
                                            namespace: "ns", at: now).verdict == .up)
        #expect(KubernetesHealthPlan.sample(ServiceReadiness(ready: 1, total: 3, source: "pods of StatefulSet mongodb"), workload: "mongodb",
                                            namespace: "ns", at: now).verdict == .degraded)
        let none = KubernetesHealthPlan.sample(ServiceReadiness(ready: 0, total: 1, source: "pods of StatefulSet mongodb", notReadyReason: "mongodb-0 CrashLoopBackOff"),
                                               workload: "mongodb", namespace: "ns", at: now)
        #expect(none.verdict == .down)
        #expect(none.detail == "ready 0/1 (pods of StatefulSet mongodb): mongodb-0 CrashLoopBackOff")
        let missing = KubernetesHealthPlan.sample(nil, workload: "mongodb", namespace: "ns", at: now)
        #expect(missing.verdict == .unknown)
        #expect(missing.detail.hasPrefix("cannot tell: no workload mongodb in ns"))
    }
}
