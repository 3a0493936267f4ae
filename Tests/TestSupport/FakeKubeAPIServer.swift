import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The test API server (Servers/fake_kube_apiserver.py) on 127.0.0.1 with TLS, for the life of a
/// test: a CA, server and client certificates made for the run, kubeconfigs for kubectl and for
/// podtop, and the control port that steers it.
public final class FakeKubeAPIServer: @unchecked Sendable {
    let process: ServerProcess
    public let directory: URL
    public let port: Int
    public let controlPort: Int
    public var server: String { "https://127.0.0.1:\(port)" }
    public var certificates: URL { directory.appendingPathComponent("certs") }

    public static let namespace = "dreamscape-dev"
    /// The real kubectl, wherever PATH has it.
    public static let kubectl: String = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin"
        return path.split(separator: ":").map { "\($0)/kubectl" }.first { FileManager.default.isExecutableFile(atPath: $0) }
            ?? "/usr/bin/kubectl"
    }()

    public init() async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("podtop-kube-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Servers/fake_kube_apiserver.py").path
        process = try await ServerProcess(script: script, arguments: [directory.appendingPathComponent("certs").path])
        let ports = process.ports
        guard ports.count == 2 else { throw Spawn.Failure(description: "the test API server did not start (is openssl installed?)") }
        port = ports[0]
        controlPort = ports[1]
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    // MARK: - Steering

    @discardableResult
    public func control(_ what: String, _ arguments: [String: Any] = [:]) async throws -> Any {
        let body = String(decoding: try JSONSerialization.data(withJSONObject: arguments), as: UTF8.self)
        let post = """
            import sys, urllib.request
            request = urllib.request.Request(sys.argv[1], data=sys.argv[2].encode(), method="POST")
            print(urllib.request.urlopen(request).read().decode())
            """
        let answer = try await Spawn.run(["python3", "-c", post, "http://127.0.0.1:\(controlPort)/control/\(what)", body],
                                   capture: true, check: true)
        return try JSONSerialization.jsonObject(with: Data(answer.utf8))
    }

    /// What the server holds: deployments (replicas, template annotations, status) and pods.
    public func state() async throws -> [String: Any] {
        try await get("state") as? [String: Any] ?? [:]
    }

    /// Every request the server has answered: method, path, query, user, content type, body.
    public func requests() async throws -> [[String: Any]] {
        try await get("requests") as? [[String: Any]] ?? []
    }

    /// How many watches of StatefulSets the server has been asked for.
    public func statefulSetWatches() async throws -> Int {
        try await requests().count { ($0["path"] as? String)?.contains("statefulsets") == true && "\($0["query"] ?? "")".contains("watch") }
    }

    private func get(_ what: String) async throws -> Any {
        let fetch = "import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1]).read().decode())"
        let answer = try await Spawn.run(["python3", "-c", fetch, "http://127.0.0.1:\(controlPort)/control/\(what)"],
                                   capture: true, check: true)
        return try JSONSerialization.jsonObject(with: Data(answer.utf8))
    }

    public func deployments() async throws -> [String: [String: Any]] {
        try await state()["deployments"] as? [String: [String: Any]] ?? [:]
    }

    public func pods() async throws -> [String: [String: Any]] {
        try await state()["pods"] as? [String: [String: Any]] ?? [:]
    }

    /// Pod names of a deployment, by its app label.
    public func podNames(of deployment: String, includingTerminating: Bool = false) async throws -> [String] {
        try await pods().filter { ($0.value["labels"] as? [String: String])?["app"] == deployment
            && (includingTerminating || !($0.value["terminating"] as? Bool ?? false)) }
            .map { String($0.key.split(separator: "/")[1]) }.sorted()
    }

    public func addDeployment(_ name: String, pod: String?, replicas: Int = 1, containers: [String]? = nil,
                       namespace: String = FakeKubeAPIServer.namespace, kind: String = "deployment") async throws {
        var labels: [String: String] = ["app.kubernetes.io/part-of": "dreamscape"]
        if let pod { labels["dreamscape.pod"] = pod }
        try await control(kind, ["namespace": namespace, "name": name, "labels": labels, "replicas": replicas,
                           "containers": containers ?? [name], "ready": true])
    }

    /// A StatefulSet: pods `<name>-0`, `<name>-1`…, replaced under the same names.
    public func addStatefulSet(_ name: String, pod: String?, replicas: Int = 1, namespace: String = FakeKubeAPIServer.namespace) async throws {
        try await addDeployment(name, pod: pod, replicas: replicas, namespace: namespace, kind: "statefulset")
    }

    /// A Service named `service` on `port` whose selector picks the pods of Deployment `deployment`.
    public func addService(_ service: String, port: Int, selecting deployment: String,
                           namespace: String = FakeKubeAPIServer.namespace) async throws {
        try await control("service", ["namespace": namespace, "name": service, "port": port, "selector": ["app": deployment]])
    }

    /// What the pods behind `service` answer through the proxy: `status` and `body`, or
    /// `refuse: true` (the API server reports the connection refused), or a `delay` in seconds.
    public func setServiceHealth(_ service: String, _ answer: [String: Any], namespace: String = FakeKubeAPIServer.namespace) async throws {
        try await control("service-health", answer.merging(["namespace": namespace, "name": service]) { $1 })
    }

    /// Sets a Deployment's replicas on the server, as another client's scale would.
    public func scale(_ deployment: String, to replicas: Int, namespace: String = FakeKubeAPIServer.namespace) async throws {
        try await control("scale", ["namespace": namespace, "name": deployment, "replicas": replicas])
    }

    /// DreamScape as deployed: a Deployment and a Service `<name>-service` for each of the eight
    /// services of the default topology, on its port, in its Big Pod; MongoDB and Redis as
    /// StatefulSets of their own.
    public static let dreamScapeServices: [(name: String, pod: String, port: Int)] = [
        ("nginx", "core", 80), ("auth", "core", 3001), ("user", "core", 3002), ("voyage", "experience", 3003),
        ("ai", "experience", 3005), ("panorama", "experience", 3006), ("payment", "commerce", 3004), ("analytics", "commerce", 3007),
    ]

    public func addDreamScape(replicas: Int = 1, namespace: String = FakeKubeAPIServer.namespace) async throws {
        for service in Self.dreamScapeServices {
            try await addDeployment("\(service.name)-service", pod: service.pod, replicas: replicas, namespace: namespace)
            try await addService("\(service.name)-service", port: service.port, selecting: "\(service.name)-service", namespace: namespace)
        }
        try await addStatefulSet("mongodb", pod: nil, namespace: namespace)
        try await addStatefulSet("redis", pod: nil, namespace: namespace)
    }

    // MARK: - kubeconfig

    public enum Credential {
        case clientCertificate
        case clientCertificateData
        case token(String)
        case tokenFile(String)
        case exec(script: String)
        case none
    }

    /// Writes a kubeconfig for this server with one user of the given kind; returns its path.
    public func kubeconfig(_ credential: Credential = .clientCertificate, namespace: String = FakeKubeAPIServer.namespace,
                    name: String = "kubeconfig") throws -> String {
        let certs = certificates.path
        let user: String
        switch credential {
        case .clientCertificate:
            user = "client-certificate: \(certs)/client.crt\n    client-key: \(certs)/client.key"
        case .clientCertificateData:
            let cert = try Data(contentsOf: certificates.appendingPathComponent("client.crt")).base64EncodedString()
            let key = try Data(contentsOf: certificates.appendingPathComponent("client.key")).base64EncodedString()
            user = "client-certificate-data: \(cert)\n    client-key-data: \(key)"
        case .token(let token):
            user = "token: \(token)"
        case .tokenFile(let path):
            user = "tokenFile: \(path)"
        case .exec(let script):
            user = """
                exec:
                      apiVersion: client.authentication.k8s.io/v1
                      command: \(script)
                      interactiveMode: Never
                      provideClusterInfo: true
                """
        case .none:
            user = "{}"
        }
        let text = """
            apiVersion: v1
            kind: Config
            current-context: dev
            clusters:
            - name: fake
              cluster:
                server: \(server)
                certificate-authority: certs/ca.crt
            users:
            - name: ops
              user:
                \(user)
            contexts:
            - name: dev
              context: {cluster: fake, user: ops, namespace: \(namespace)}
            """
        let path = directory.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Runs the real kubectl against this server; returns its output (stderr included).
    @discardableResult
    public func kubectl(_ arguments: [String], kubeconfig: String? = nil, check: Bool = true) async throws -> String {
        let config = try kubeconfig ?? self.kubeconfig()
        return try await Spawn.run([Self.kubectl, "--kubeconfig", config, "--cache-dir", directory.appendingPathComponent("kubectl-cache").path]
                             + arguments, capture: true, check: check)
    }

    /// Waits (polling the server's state) until `condition` holds; false on time-out.
    public func wait(seconds: Double = 10, until condition: () async throws -> Bool) async throws -> Bool {
        try await Eventually.holds(within: .seconds(seconds), every: .milliseconds(50), condition)
    }
}
