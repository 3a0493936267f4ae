import Foundation
import PodtopCore
import PodtopProcess

/// The bearer token for the next request: a fixed one, a file read again every minute (a
/// projected service-account token rotates), or an exec plugin's credential kept until it
/// expires. After a 401 the client calls `invalidate`, and the next request reads or runs again.
actor BearerTokens {
    private let source: KubernetesTarget.BearerSource?
    private let server: String
    private let certificateAuthorityPEM: [UInt8]?
    private var cached: String?
    private var validUntil: Date?
    /// How many times the exec plugin ran (the tests check that it is cached).
    private(set) var execRuns = 0
    /// The plugin's run under way: requests refused together wait for one run, not one each
    /// (an actor method that awaits lets the next caller in, and a second run's token may be
    /// one the server does not know yet).
    private var pluginRun: Task<Result<ExecCredentialPlugin.Credential, RuntimeError>, Never>?

    static let fileRereadInterval: TimeInterval = 60

    init(_ target: KubernetesTarget) {
        source = target.bearer
        server = target.server
        certificateAuthorityPEM = target.certificateAuthorityPEM
    }

    func token() async throws(RuntimeError) -> String? {
        if let cached, validUntil.map({ $0 > Date() }) ?? true { return cached }
        switch source {
        case nil:
            return nil
        case .token(let token):
            cached = token
        case .file(let path):
            guard let data = FileManager.default.contents(atPath: path) else {
                throw RuntimeError("cannot read the token file \(path)")
            }
            cached = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            validUntil = Date().addingTimeInterval(Self.fileRereadInterval)
        case .exec(let plugin, let user):
            if let pluginRun { return try await pluginRun.value.get().token }
            execRuns += 1
            let runner = ExecCredentialPlugin(plugin, user: user, server: server, certificateAuthorityPEM: certificateAuthorityPEM)
            let run = Task { () async -> Result<ExecCredentialPlugin.Credential, RuntimeError> in
                do throws(RuntimeError) { return .success(try await runner.run()) } catch { return .failure(error) }
            }
            pluginRun = run
            let result = await run.value
            pluginRun = nil
            let credential = try result.get()
            cached = credential.token
            // A minute's margin, so a token is not sent in its last seconds.
            validUntil = credential.expiration.map { $0.addingTimeInterval(-60) }
        }
        return cached
    }

    /// The server refused the token: read or run again before the next request.
    /// `refused`: the token the server refused; a token renewed since (by another request
    /// refused at the same time) is kept, or each of them would run the plugin once more.
    func invalidate(refused: String? = nil) {
        if let refused, refused != cached { return }
        cached = nil
        validUntil = nil
    }

    var canRenew: Bool {
        switch source {
        case .file, .exec: true
        case .token, nil: false
        }
    }
}

/// Runs a `client.authentication.k8s.io` exec plugin as kubectl does: `KUBERNETES_EXEC_INFO` in
/// its environment (non-interactive: podtop owns the terminal), an `ExecCredential` on stdout.
struct ExecCredentialPlugin {
    let plugin: KubeConfig.ExecPlugin
    let user: String
    let server: String
    let certificateAuthorityPEM: [UInt8]?

    init(_ plugin: KubeConfig.ExecPlugin, user: String, server: String, certificateAuthorityPEM: [UInt8]?) {
        self.plugin = plugin
        self.user = user
        self.server = server
        self.certificateAuthorityPEM = certificateAuthorityPEM
    }

    struct Credential {
        var token: String
        var expiration: Date?
    }

    static let timeout: Duration = .seconds(30)
    /// An ExecCredential is a few kilobytes; more than this is not one.
    static let outputLimit = 1 << 20

    func run() async throws(RuntimeError) -> Credential {
        let output = try await runProcess()
        struct ExecCredential: Decodable {
            var status: Status?
            struct Status: Decodable {
                var token: String?
                var expirationTimestamp: String?
                var clientCertificateData: String?
            }
        }
        guard let credential = try? JSONDecoder().decode(ExecCredential.self, from: output), let status = credential.status else {
            throw RuntimeError("the exec plugin of user \"\(user)\" (\(plugin.command)) did not print an ExecCredential")
        }
        guard let token = status.token, !token.isEmpty else {
            if status.clientCertificateData != nil {
                throw RuntimeError("the exec plugin of user \"\(user)\" gave a client certificate; podtop takes tokens from exec plugins")
            }
            throw RuntimeError("the exec plugin of user \"\(user)\" gave no token")
        }
        let expiration = status.expirationTimestamp.flatMap { try? Date.ISO8601FormatStyle().parse($0) }
        return Credential(token: token, expiration: expiration)
    }

    private var execInfo: String {
        var spec: [String: Any] = ["interactive": false]
        if plugin.provideClusterInfo {
            var cluster: [String: Any] = ["server": server, "config": NSNull()]
            if let ca = certificateAuthorityPEM { cluster["certificate-authority-data"] = Data(ca).base64EncodedString() }
            spec["cluster"] = cluster
        }
        let info: [String: Any] = ["kind": "ExecCredential", "apiVersion": plugin.apiVersion, "spec": spec]
        let data = (try? JSONSerialization.data(withJSONObject: info, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    private func runProcess() async throws(RuntimeError) -> Data {
        let command = plugin.command.contains("/") ? KubeConfig.resolve(plugin.command, against: plugin.directory) : plugin.command
        var environment = ProcessInfo.processInfo.environment
        for (name, value) in plugin.env { environment[name] = value }
        environment["KUBERNETES_EXEC_INFO"] = execInfo
        let result: ChildProcess.Result
        do {
            // A bare name is looked up on PATH, as kubectl does.
            result = try await ChildProcess.run(command, plugin.args, environment: environment, timeout: Self.timeout,
                                                outputLimit: Self.outputLimit)
        } catch {
            throw RuntimeError("cannot run the exec plugin \(command) of user \"\(user)\": \(error)")
        }
        guard result.succeeded else {
            let said = String(decoding: result.standardError.prefix(500), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw RuntimeError("the exec plugin \(command) of user \"\(user)\" failed (\(result.ending))\(said.isEmpty ? "" : ": \(said)")")
        }
        return Data(result.standardOutput)
    }
}
