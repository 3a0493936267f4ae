import Foundation
import Testing
import TestSupport

/// The podtop binary on the test API server (TLS, a client certificate), as a person at a
/// terminal uses it: the pods, a crash, a switch to production, a rollout restart, and the
/// check command.
@Suite(.serialized, .timeLimit(.minutes(1))) struct KubernetesEndToEndTests {
    /// DreamScape's eight services as Deployments labelled with their Big Pod, in a namespace.
    func fleet(_ server: FakeKubeAPIServer, namespace: String, replicas: Int) async throws {
        for (name, pod) in [("nginx", "core"), ("auth-service", "core"), ("user-service", "core"), ("voyage", "experience"),
                            ("ai", "experience"), ("panorama", "experience"), ("payment", "commerce"), ("analytics", "commerce")] {
            try await server.addDeployment(name, pod: pod, replicas: replicas, namespace: namespace)
        }
    }

    /// The DreamScape pods with no services to probe: `fleet` has Deployments but no Services.
    func config(_ server: FakeKubeAPIServer) async throws -> String {
        let path = server.directory.appendingPathComponent("podtop.yaml").path
        try """
        pods:
          - { id: core, name: Core, services: [] }
          - { id: experience, name: Experience, services: [] }
          - { id: commerce, name: Commerce, services: [] }
        infrastructure: []
        """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func theClusterIsWatchedSwitchedAndRestartedFromTheKeyboard() async throws {
        let server = try await FakeKubeAPIServer()
        try await fleet(server, namespace: "dreamscape-dev", replicas: 1)
        try await fleet(server, namespace: "dreamscape-prod", replicas: 2)
        let tmux = try await TmuxSession("--kubeconfig \(try server.kubeconfig()) --config \(try config(server))", width: 140, height: 40)
        var screen = await tmux.waitFor("dev's pods") { $0.contains(" dev ") && $0.contains("3/3 ready") && $0.contains("2/2 ready") }
        #expect(screen.contains("kubernetes · v1.32.4+k3s1 · dev/dreamscape-dev"))
        // A pod crash-loops: the pod turns DEGRADED and says which and why.
        let devPods = try await server.pods().keys.filter { $0.hasPrefix("dreamscape-dev/voyage-") }
        let crashing = String(try #require(devPods.first).split(separator: "/")[1])
        try await server.control("pod-state", ["namespace": "dreamscape-dev", "name": crashing, "state": "crashloop"])
        screen = await tmux.waitFor("the crash") { $0.contains("replica \(crashing) CrashLoopBackOff") }
        #expect(screen.contains("DEGRADED"))
        // To production: its name in capitals, its own pods.
        try await tmux.press("e")
        await tmux.waitFor("the environment picker") { $0.contains("dreamscape-prod  PRODUCTION") }
        try await tmux.press("Down", "Down", "Enter")
        screen = await tmux.waitFor("prod's pods") { $0.contains("PROD · PRODUCTION") && $0.contains("6/6 ready") && $0.contains("4/4 ready") }
        #expect(screen.contains("dev/dreamscape-prod"))
        #expect(!screen.contains("CrashLoopBackOff"))
        // A rollout restart of Core in production, confirmed, followed to its end.
        try await tmux.press("r")
        await tmux.waitFor("the confirmation") { $0.contains("Rollout restart (as kubectl rollout restart) of") }
        try await tmux.press("y")
        await tmux.waitFor("the restart's end", seconds: 30) { $0.contains("Restarted Core: auth-service, nginx, user-service rolled out") }
        let deployments = try await server.deployments()
        for name in ["nginx", "auth-service", "user-service"] {
            let annotations = deployments["dreamscape-prod/\(name)"]?["templateAnnotations"] as? [String: String]
            #expect(annotations?["kubectl.kubernetes.io/restartedAt"] != nil)
            #expect((deployments["dreamscape-dev/\(name)"]?["templateAnnotations"] as? [String: String])?.isEmpty ?? true)
        }
        try await tmux.press("q")
        #expect(await tmux.exitStatus() == 0)
    }

    @Test func theWallboardWatchesWithGETsAndNoLogs() async throws {
        let server = try await FakeKubeAPIServer()
        try await fleet(server, namespace: "dreamscape-dev", replicas: 1)
        let tmux = try await TmuxSession("--wallboard --kubeconfig \(try server.kubeconfig()) --config \(try config(server))", width: 120, height: 30)
        await tmux.waitFor("the three pods") { $0.contains("Core") && $0.contains("Experience") && $0.contains("Commerce") && $0.contains("3/3 ready") }
        // The keys are read in order: by the time q has ended podtop, every key before it was handled.
        try await tmux.press("r", "y", "s", "+", "Enter", "e", "Enter", "x", "y")
        try await tmux.press("q")
        #expect(await tmux.exitStatus() == 0)
        let requests = try await server.requests()
        #expect(requests.allSatisfy { $0["method"] as? String == "GET" })
        #expect(!requests.contains { ($0["path"] as? String)?.hasSuffix("/log") == true })
    }

    /// No Docker socket, no --host, a kubeconfig split over two KUBECONFIG files: podtop finds
    /// the cluster by itself.
    @Test(.enabled(if: !["/var/run/docker.sock", "/run/podman/podman.sock"].contains { FileManager.default.fileExists(atPath: $0) },
                   "a Docker or Podman socket here would rightly be chosen first"))
    func withoutDockerAKubeconfigIsFoundAndItsFilesMerged() async throws {
        let server = try await FakeKubeAPIServer()
        try await fleet(server, namespace: "dreamscape-staging", replicas: 1)
        let whole = try String(contentsOfFile: try server.kubeconfig(namespace: "dreamscape-staging"), encoding: .utf8)
        // The context in one file, the cluster and the user in another, as kubectl allows.
        let contextsAt = try #require(whole.range(of: "contexts:"))
        let first = server.directory.appendingPathComponent("contexts.yaml").path
        let second = server.directory.appendingPathComponent("clusters.yaml").path
        try ("current-context: dev\n" + whole[contextsAt.lowerBound...]).write(toFile: first, atomically: true, encoding: .utf8)
        try String(whole[..<contextsAt.lowerBound]).replacingOccurrences(of: "current-context: dev\n", with: "")
            .write(toFile: second, atomically: true, encoding: .utf8)
        let report = try await Spawn.run(["/usr/bin/env", "-u", "DOCKER_HOST", "KUBECONFIG=\(first):\(second)", TmuxSession.podtopBinary,
                                    "check", "--json", "--config", try await config(server)], capture: true)
        let object = try JSONSerialization.jsonObject(with: Data(report.utf8)) as? [String: Any]
        let runtime = object?["runtime"] as? [String: Any]
        #expect(runtime?["kind"] as? String == "kubernetes", "\(report)")
        #expect(runtime?["endpoint"] as? String == "dev/dreamscape-staging")
    }

    @Test func checkReadsTheClusterToo() async throws {
        let server = try await FakeKubeAPIServer()
        try await fleet(server, namespace: "dreamscape-dev", replicas: 1)
        let arguments = [TmuxSession.podtopBinary, "check", "--kubeconfig", try server.kubeconfig(), "--config", try await config(server)]
        let healthy = try await Spawn.run(arguments, capture: true)
        #expect(healthy.contains("kubernetes"))
        #expect(healthy.contains("Core"))
        let json = try await Spawn.run(arguments + ["--json"], capture: true)
        let report = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        #expect((report?["runtime"] as? [String: Any])?["kind"] as? String == "kubernetes")
        // Read-only: the check sent nothing but GETs.
        #expect(try await server.requests().allSatisfy { $0["method"] as? String == "GET" })
    }

    /// The built-in DreamScape topology, no config: every service probed through the API server's
    /// service proxy, MongoDB and Redis by readiness.
    @Test func theDefaultsAreHealthyThroughTheServiceProxyOnEveryScreenAndInCheck() async throws {
        let server = try await FakeKubeAPIServer()
        try await server.addDreamScape()
        let kubeconfig = try server.kubeconfig()
        let tmux = try await TmuxSession("--kubeconfig \(kubeconfig)", width: 140, height: 40)
        let screen = await tmux.waitFor("every service up") { screen in
            ["nginx", "auth", "user", "voyage", "ai", "panorama", "payment", "analytics"].allSatisfy { name in
                screen.split(separator: "\n").contains { $0.contains(" \(name) ") && $0.contains(" UP ") }
            } && screen.contains("mongodb UP") && screen.contains("redis UP")
        }
        #expect(!screen.contains("DOWN") && !screen.contains("DEGRADED") && !screen.contains("UNKNOWN"), "\(screen)")
        try await tmux.press("q")
        #expect(await tmux.exitStatus() == 0)
        let board = try await TmuxSession("--wallboard --kubeconfig \(kubeconfig)", width: 200, height: 50)
        let wall = await board.waitFor("all healthy") { $0.contains("All 3 pods healthy") }
        #expect(!wall.contains("NOT HEALTHY"))
        try await board.press("q")
        #expect(await board.exitStatus() == 0)
        let check = try await runPodtop(["check", "--kubeconfig", kubeconfig])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        #expect(check.stdout.contains("overall: HEALTHY (exit 0)"))
        // Read-only: the probes through the proxy are GETs like everything else.
        #expect(try await server.requests().allSatisfy { $0["method"] as? String == "GET" })
    }

    /// RBAC forbids the service proxy: podtop cannot tell, says why, and paints nothing red.
    @Test func aForbiddenProxyIsCannotTellNotRed() async throws {
        let server = try await FakeKubeAPIServer()
        try await server.addDreamScape()
        try await server.control("deny", ["verb": "get", "resource": "services/proxy"])
        let kubeconfig = try server.kubeconfig()
        let check = try await runPodtop(["check", "--kubeconfig", kubeconfig])
        #expect(check.status == 1, "\(check.stdout)\(check.stderr)")
        #expect(check.stdout.contains("overall: UNKNOWN — cannot tell: a probe could not be made (exit 1)"), "\(check.stdout)")
        #expect(check.stdout.contains("cannot tell: the service proxy is forbidden (403)"))
        #expect(!check.stdout.contains("DEGRADED") && !check.stdout.contains("DOWN"), "\(check.stdout)")
        let board = try await TmuxSession("--wallboard --kubeconfig \(kubeconfig)", width: 200, height: 50)
        let wall = await board.waitFor("the reason on the board") { $0.contains("UNKNOWN  ready 1/1 · cannot tell: the service proxy") }
        #expect(wall.contains("All 3 pods healthy"), "\(wall)")
        try await board.press("q")
        #expect(await board.exitStatus() == 0)
    }
}
