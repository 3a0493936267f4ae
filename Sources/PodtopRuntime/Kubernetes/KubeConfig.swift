import Foundation
import PodtopCore
import Yams

/// One or more kubeconfig files merged as kubectl merges them: `--kubeconfig` alone, else every
/// file of `KUBECONFIG` (colon-separated; missing files skipped), else `~/.kube/config`. The
/// first file that names a cluster, user or context wins it; `current-context` comes from the
/// first file that sets one. Relative paths resolve against the directory of their own file.
public struct KubeConfig: Sendable, Equatable {
    public var currentContext: String?
    public var contexts: [String: Context] = [:]
    public var clusters: [String: Cluster] = [:]
    public var users: [String: User] = [:]
    /// Context names in the order the files list them, for the environment list.
    public var contextOrder: [String] = []
    /// The files that were read, for messages.
    public var files: [String] = []

    public struct Context: Sendable, Equatable {
        public var cluster: String
        public var user: String
        public var namespace: String?
    }

    public struct Cluster: Sendable, Equatable {
        public var server: String
        public var certificateAuthorityPEM: [UInt8]?
        public var insecureSkipTLSVerify = false
        public var tlsServerName: String?
    }

    public struct User: Sendable, Equatable {
        public var clientCertificatePEM: [UInt8]?
        public var clientKeyPEM: [UInt8]?
        public var token: String?
        public var tokenFile: String?
        public var exec: ExecPlugin?
    }

    public struct ExecPlugin: Sendable, Equatable {
        public var apiVersion: String
        public var command: String
        public var args: [String]
        public var env: [String: String]
        public var interactiveMode: String?
        public var provideClusterInfo: Bool
        /// The directory of the kubeconfig that named it: a relative command runs from there.
        public var directory: String
    }

    public init() {}

    /// The files kubectl would read, in order.
    public static func paths(explicit: String?, environment: [String: String]) -> [String] {
        if let explicit { return [explicit] }
        if let list = environment["KUBECONFIG"], !list.isEmpty {
            return list.split(separator: ":").map(String.init).filter { FileManager.default.fileExists(atPath: $0) }
        }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return ["\(home)/.kube/config"]
    }

    public static func load(paths: [String]) throws(FileProblem) -> KubeConfig {
        var merged = KubeConfig()
        for path in paths {
            let text: String
            do {
                text = try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                throw FileProblem(file: path, problem: "cannot read it: \((error as NSError).localizedDescription)")
            }
            try merged.merge(text, path: path)
        }
        return merged
    }

    mutating func merge(_ text: String, path: String) throws(FileProblem) {
        let file: KubeConfigFile
        do {
            file = try YAMLDecoder().decode(KubeConfigFile.self, from: text)
        } catch {
            let (line, problem) = Self.describe(error)
            throw FileProblem(file: path, line: line, field: nil, problem: "not a kubeconfig: \(problem)")
        }
        files.append(path)
        let directory = (path as NSString).deletingLastPathComponent
        if currentContext == nil, let current = file.currentContext, !current.isEmpty { currentContext = current }
        for entry in file.contexts ?? [] where contexts[entry.name] == nil {
            contexts[entry.name] = Context(cluster: entry.context.cluster, user: entry.context.user, namespace: entry.context.namespace)
            contextOrder.append(entry.name)
        }
        for entry in file.clusters ?? [] where clusters[entry.name] == nil {
            let cluster = entry.cluster
            clusters[entry.name] = Cluster(
                server: cluster.server,
                certificateAuthorityPEM: try Self.pem(data: cluster.certificateAuthorityData, file: cluster.certificateAuthority,
                                                      directory: directory, field: "certificate-authority", of: "cluster \(entry.name)", in: path),
                insecureSkipTLSVerify: cluster.insecureSkipTLSVerify ?? false, tlsServerName: cluster.tlsServerName)
        }
        for entry in file.users ?? [] where users[entry.name] == nil {
            let user = entry.user
            users[entry.name] = User(
                clientCertificatePEM: try Self.pem(data: user.clientCertificateData, file: user.clientCertificate, directory: directory,
                                                   field: "client-certificate", of: "user \(entry.name)", in: path),
                clientKeyPEM: try Self.pem(data: user.clientKeyData, file: user.clientKey, directory: directory,
                                           field: "client-key", of: "user \(entry.name)", in: path),
                token: user.token, tokenFile: user.tokenFile.map { Self.resolve($0, against: directory) },
                exec: user.exec.map {
                    ExecPlugin(apiVersion: $0.apiVersion ?? "", command: $0.command, args: $0.args ?? [],
                               env: Dictionary(($0.env ?? []).map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first }),
                               interactiveMode: $0.interactiveMode, provideClusterInfo: $0.provideClusterInfo ?? false, directory: directory)
                })
        }
    }

    /// A `-data` field (base64 of the PEM text) or a file path, read now so that a bad one is
    /// reported at start with the file that named it.
    private static func pem(data: String?, file: String?, directory: String, field: String, of owner: String,
                            in path: String) throws(FileProblem) -> [UInt8]? {
        if let data {
            guard let decoded = Data(base64Encoded: data.filter { !$0.isWhitespace }) else {
                throw FileProblem(file: path, problem: "\(owner): \(field)-data is not base64")
            }
            return Array(decoded)
        }
        guard let file else { return nil }
        let resolved = resolve(file, against: directory)
        guard let contents = FileManager.default.contents(atPath: resolved) else {
            throw FileProblem(file: path, problem: "\(owner): \(field): cannot read \(resolved)")
        }
        return Array(contents)
    }

    static func resolve(_ path: String, against directory: String) -> String {
        path.hasPrefix("/") ? path : (directory as NSString).appendingPathComponent(path)
    }

    /// Where and what, never the text itself: the line at fault may be a `token:` or a
    /// `client-key-data:` (Yams' own message quotes it).
    static func describe(_ error: any Error) -> (line: Int?, problem: String) {
        func path(_ context: DecodingError.Context) -> String { context.codingPath.map(\.stringValue).joined(separator: ".") }
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            return (nil, "\(path(context)) lacks \(key.stringValue)")
        case DecodingError.typeMismatch(let type, let context), DecodingError.valueNotFound(let type, let context):
            return (nil, "\(path(context)) is not a \(type)")
        case DecodingError.dataCorrupted(let context):
            return (nil, "\(path(context)) cannot be read")
        case YamlError.scanner(_, let problem, let mark, _), YamlError.parser(_, let problem, let mark, _),
             YamlError.composer(_, let problem, let mark, _):
            return (mark.line, "invalid YAML: \(problem)")
        case YamlError.duplicatedKeysInMapping(_, let context):
            return (context.mark.line, "invalid YAML: a key is given twice")
        default:
            return (nil, "invalid YAML")
        }
    }
}

/// The file's shape, as far as podtop reads it.
private struct KubeConfigFile: Decodable {
    var currentContext: String?
    var contexts: [NamedContext]?
    var clusters: [NamedCluster]?
    var users: [NamedUser]?

    enum CodingKeys: String, CodingKey {
        case currentContext = "current-context", contexts, clusters, users
    }

    struct NamedContext: Decodable {
        var name: String
        var context: ContextFields
    }

    struct ContextFields: Decodable {
        var cluster: String
        var user: String
        var namespace: String?
    }

    struct NamedCluster: Decodable {
        var name: String
        var cluster: ClusterFields
    }

    struct ClusterFields: Decodable {
        var server: String
        var certificateAuthority: String?
        var certificateAuthorityData: String?
        var insecureSkipTLSVerify: Bool?
        var tlsServerName: String?

        enum CodingKeys: String, CodingKey {
            case server
            case certificateAuthority = "certificate-authority"
            case certificateAuthorityData = "certificate-authority-data"
            case insecureSkipTLSVerify = "insecure-skip-tls-verify"
            case tlsServerName = "tls-server-name"
        }
    }

    struct NamedUser: Decodable {
        var name: String
        var user: UserFields
    }

    struct UserFields: Decodable {
        var clientCertificate: String?
        var clientCertificateData: String?
        var clientKey: String?
        var clientKeyData: String?
        var token: String?
        var tokenFile: String?
        var exec: ExecFields?

        enum CodingKeys: String, CodingKey {
            case clientCertificate = "client-certificate"
            case clientCertificateData = "client-certificate-data"
            case clientKey = "client-key"
            case clientKeyData = "client-key-data"
            case token, tokenFile, exec
        }
    }

    struct ExecFields: Decodable {
        var apiVersion: String?
        var command: String
        var args: [String]?
        var env: [EnvEntry]?
        var interactiveMode: String?
        var provideClusterInfo: Bool?
    }

    struct EnvEntry: Decodable {
        var name: String
        var value: String
    }
}
