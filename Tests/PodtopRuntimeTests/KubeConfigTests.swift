import Foundation
import PodtopCore
import Testing
@testable import PodtopRuntime

/// kubeconfig files read and merged as kubectl does, and the in-cluster account.
@Suite(.timeLimit(.minutes(1))) struct KubeConfigTests {
    let directory: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("podtop-kubeconfig-\(UUID().uuidString.prefix(8))")
        try? FileManager.default.createDirectory(at: url.appendingPathComponent("second"), withIntermediateDirectories: true)
        return url
    }()

    func write(_ text: String, to name: String) throws -> String {
        let path = directory.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func severalFilesMergeFirstNameWinsAndPathsAreRelativeToTheirFile() throws {
        let first = try write("""
            current-context: dev
            contexts: [{name: dev, context: {cluster: lab, user: me, namespace: dreamscape-dev}}]
            clusters: [{name: lab, cluster: {server: "https://127.0.0.1:6443", insecure-skip-tls-verify: true}}]
            users: [{name: me, user: {token: first-token}}]
            """, to: "first")
        try "CA PEM".write(toFile: directory.appendingPathComponent("second/ca.pem").path, atomically: true, encoding: .utf8)
        let second = try write("""
            current-context: prod
            contexts:
            - {name: dev, context: {cluster: elsewhere, user: other}}
            - {name: prod, context: {cluster: prod, user: me}}
            clusters: [{name: prod, cluster: {server: "https://10.0.0.1:6443", certificate-authority: ca.pem}}]
            users: [{name: me, user: {token: second-token}}]
            """, to: "second/config")
        let paths = KubeConfig.paths(explicit: nil, environment: ["KUBECONFIG": "\(first):/nonexistent/config:\(second)"])
        #expect(paths == [first, second])
        let config = try KubeConfig.load(paths: paths)
        #expect(config.currentContext == "dev")
        #expect(config.contextOrder == ["dev", "prod"])
        let dev = try config.target()
        #expect(dev.server == "https://127.0.0.1:6443")
        #expect(dev.namespace == "dreamscape-dev")
        #expect(dev.insecureSkipTLSVerify)
        #expect(dev.bearer == .token("first-token"))
        let prod = try config.target(context: "prod", namespace: "dreamscape-prod")
        #expect(prod.server == "https://10.0.0.1:6443")
        #expect(prod.certificateAuthorityPEM == Array("CA PEM".utf8))
        #expect(prod.namespace == "dreamscape-prod")
        #expect(try config.target(context: "prod", namespace: nil).namespace == "default")
        #expect(KubeConfig.paths(explicit: nil, environment: ["HOME": "/home/ops"]) == ["/home/ops/.kube/config"])
        #expect(KubeConfig.paths(explicit: "/x/config", environment: ["KUBECONFIG": first]) == ["/x/config"])
    }

    @Test func whatKubectlRefusesIsRefusedInItsWords() throws {
        let base = """
            contexts: [{name: a, context: {cluster: c, user: u}}, {name: b, context: {cluster: missing, user: u}}]
            clusters: [{name: c, cluster: {server: "https://127.0.0.1:6443"}}]
            """
        let noInteractiveMode = try KubeConfig.load(paths: [try write(base + """

            users: [{name: u, user: {exec: {apiVersion: client.authentication.k8s.io/v1, command: get-token}}}]
            """, to: "exec")])
        #expect(throws: RuntimeError("interactiveMode must be specified for u to use exec authentication plugin")) {
            try noInteractiveMode.target(context: "a")
        }
        let config = try KubeConfig.load(paths: [try write(base + "\nusers: [{name: u, user: {token: t}}]\n", to: "plain")])
        #expect(throws: RuntimeError("\(config.files[0]) sets no current-context; name one with --context (a, b)")) { try config.target() }
        #expect(throws: RuntimeError("no context \"z\" in \(config.files[0]) (it has: a, b)")) { try config.target(context: "z") }
        #expect(throws: RuntimeError("context \"b\" names cluster \"missing\", which \(config.files[0]) does not define")) {
            try config.target(context: "b")
        }
        let badData = try write(base + "\nusers: [{name: u, user: {client-certificate-data: '%%%', client-key-data: 'a2V5'}}]\n", to: "bad")
        #expect(throws: FileProblem(file: badData, problem: "user u: client-certificate-data is not base64")) {
            try KubeConfig.load(paths: [badData])
        }
        let notYAML = try write("clusters: {this is: [not, a list", to: "broken")
        #expect(throws: FileProblem.self) { try KubeConfig.load(paths: [notYAML]) }
    }

    @Test func inAPodTheServiceAccountIsUsed() throws {
        let account = directory.appendingPathComponent("serviceaccount")
        try FileManager.default.createDirectory(at: account, withIntermediateDirectories: true)
        #expect(KubernetesTarget.inCluster(environment: ["KUBERNETES_SERVICE_HOST": "10.43.0.1", "KUBERNETES_SERVICE_PORT": "443"],
                                           directory: account.path) == nil, "no token: not in a pod")
        try "token-1\n".write(to: account.appendingPathComponent("token"), atomically: true, encoding: .utf8)
        try "dreamscape-prod\n".write(to: account.appendingPathComponent("namespace"), atomically: true, encoding: .utf8)
        try "CA".write(to: account.appendingPathComponent("ca.crt"), atomically: true, encoding: .utf8)
        let v4 = try #require(KubernetesTarget.inCluster(environment: ["KUBERNETES_SERVICE_HOST": "10.43.0.1", "KUBERNETES_SERVICE_PORT": "443"],
                                                         directory: account.path))
        #expect(v4.server == "https://10.43.0.1:443")
        #expect(v4.namespace == "dreamscape-prod")
        #expect(v4.bearer == .file(account.appendingPathComponent("token").path))
        #expect(v4.certificateAuthorityPEM == Array("CA".utf8))
        let v6 = KubernetesTarget.inCluster(environment: ["KUBERNETES_SERVICE_HOST": "fd00::1", "KUBERNETES_SERVICE_PORT": "443"], directory: account.path)
        #expect(v6?.server == "https://[fd00::1]:443")
    }
}

/// Tokens for the next request, and the exec plugin run once for requests that need one together.
@Suite(.timeLimit(.minutes(1))) struct BearerTokensTests {
    @Test func requestsRefusedTogetherWaitForOneRunOfThePlugin() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("podtop-tokens-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let runs = directory.appendingPathComponent("runs").path
        let plugin = directory.appendingPathComponent("plugin").path
        try """
            #!/bin/sh
            echo x >> \(runs)
            sleep 0.3
            echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"t-'$(wc -l < \(runs))'"}}'
            """.write(toFile: plugin, atomically: true, encoding: .utf8)
        chmod(plugin, 0o755)
        let exec = KubeConfig.ExecPlugin(apiVersion: "client.authentication.k8s.io/v1", command: plugin, args: [], env: [:],
                                         interactiveMode: "Never", provideClusterInfo: false, directory: directory.path)
        let tokens = BearerTokens(KubernetesTarget(contextName: "c", server: "https://127.0.0.1:1", namespace: "n", bearer: .exec(exec, user: "u")))
        // Five requests at once, as a 401 on every open request would make them.
        let got = try await withThrowingTaskGroup(of: String?.self) { group in
            for _ in 0..<5 { group.addTask { try await tokens.token() } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(got == Array(repeating: "t-1", count: 5))
        #expect(await tokens.execRuns == 1)
        await tokens.invalidate()
        #expect(try await tokens.token() == "t-2")
    }
}

extension BearerTokensTests {
    @Test func aRefusalOfATokenAlreadyRenewedKeepsTheNewOne() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("podtop-token-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        try "fresh".write(toFile: file, atomically: true, encoding: .utf8)
        let tokens = BearerTokens(KubernetesTarget(contextName: "c", server: "https://127.0.0.1:1", namespace: "n", bearer: .file(file)))
        #expect(try await tokens.token() == "fresh")
        try "newer".write(toFile: file, atomically: true, encoding: .utf8)
        // A request that went out with an older token comes back refused: "fresh" stays.
        await tokens.invalidate(refused: "stale")
        #expect(try await tokens.token() == "fresh")
        // The token in use refused: the file is read again.
        await tokens.invalidate(refused: "fresh")
        #expect(try await tokens.token() == "newer")
    }
}
