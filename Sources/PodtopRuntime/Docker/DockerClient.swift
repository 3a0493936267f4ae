import AsyncHTTPClient
import Foundation
import PodtopCore
import NIOCore
import NIOHTTP1

/// The Docker Engine API over HTTP (unix socket or TCP) through AsyncHTTPClient. Speaks the
/// version negotiated from `/_ping`, never a hard-coded one: Engine 29 refuses old prefixes.
public final class DockerClient: Sendable {
    /// The newest API version podtop knows; older daemons are spoken to in their own version.
    public static let newestKnownAPI = APIVersion(1, 52)

    public let endpoint: DockerEndpoint
    public let apiVersion: APIVersion
    public let engineVersion: String
    /// Podman answers the same API and says so in `/_ping`.
    public let isPodman: Bool
    /// Requests with an answer: at most `DescriptorBudget.requestConnections` connections, the
    /// rest wait their turn (an inspect per container of a fleet of 1,000 would otherwise open
    /// 1,000 sockets at once).
    let http: HTTPClient
    /// Streams (events, logs): a connection each, for as long as they last; how many log
    /// streams there are is the descriptor budget's to say.
    let streaming: HTTPClient
    let policy: RequestPolicy

    private init(endpoint: DockerEndpoint, http: HTTPClient, streaming: HTTPClient, policy: RequestPolicy, apiVersion: APIVersion,
                 engineVersion: String, isPodman: Bool) {
        self.endpoint = endpoint
        self.http = http
        self.streaming = streaming
        self.policy = policy
        self.apiVersion = apiVersion
        self.engineVersion = engineVersion
        self.isPodman = isPodman
    }

    /// Pings the daemon, negotiates the API version and reads the engine version.
    public static func connect(_ endpoint: DockerEndpoint, policy: RequestPolicy = RequestPolicy()) async throws(RuntimeError) -> DockerClient {
        if let problem = endpoint.socketProblem() { throw RuntimeError(problem) }
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = DescriptorBudget.requestConnections
        configuration.connectionPool.idleTimeout = .seconds(30)
        configuration.timeout.connect = .seconds(3)
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        // Every log stream and the event stream hold a connection each.
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = DescriptorBudget.process.logFollows + 8
        let streaming = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        do throws(RuntimeError) {
            let ping = try await send(http, endpoint, policy, method: .GET, path: "/_ping", timeout: .seconds(5))
            guard ping.status == .ok else {
                throw RuntimeError("\(endpoint) answered /_ping with HTTP \(ping.status.code); is it a Docker or Podman API?")
            }
            let server = ping.headers.first(name: "Api-Version").flatMap(APIVersion.init) ?? APIVersion(1, 24)
            let version = min(server, newestKnownAPI)
            let isPodman = ping.headers.first(name: "Libpod-Api-Version") != nil
            // The ping names the engine's version in its Server header; /version is asked only
            // when it does not, a round trip less before the first list.
            var engine = ping.headers.first(name: "Server").flatMap(Self.engineVersion(fromServerHeader:))
            if engine == nil {
                let versionReply = try await send(http, endpoint, policy, method: .GET, path: "/v\(version)/version", timeout: .seconds(5))
                engine = (try? JSONDecoder().decode(EngineVersion.self, from: versionReply.body))?.version
            }
            return DockerClient(endpoint: endpoint, http: http, streaming: streaming, policy: policy, apiVersion: version,
                                engineVersion: engine ?? "unknown", isPodman: isPodman)
        } catch {
            try? await http.shutdown()
            try? await streaming.shutdown()
            throw error
        }
    }

    /// "20.10.24+dfsg1" from Docker's `Docker/20.10.24+dfsg1 (linux)`, "4.3.1" from Podman's
    /// `Libpod/4.3.1 (linux)`: the same as /version's `Version`. Nil for any other server.
    static func engineVersion(fromServerHeader header: String) -> String? {
        let product = header.prefix { $0 != " " }
        for name in ["Docker/", "Libpod/"] where product.hasPrefix(name) {
            let version = product.dropFirst(name.count)
            return version.isEmpty ? nil : String(version)
        }
        return nil
    }

    private struct EngineVersion: Decodable {
        var version: String
        enum CodingKeys: String, CodingKey { case version = "Version" }
    }

    public func shutdown() async {
        try? await http.shutdown()
        try? await streaming.shutdown()
    }

    // MARK: - Requests

    struct Reply {
        var status: HTTPResponseStatus
        var headers: HTTPHeaders
        var body: Data
    }

    private static func send(
        _ http: HTTPClient, _ endpoint: DockerEndpoint, _ policy: RequestPolicy, method: HTTPMethod, path: String,
        json: Data? = nil, timeout: TimeAmount
    ) async throws(RuntimeError) -> Reply {
        try policy.admit(method, path)
        var request = HTTPClientRequest(url: endpoint.url(path))
        request.method = method
        request.headers.add(name: "Host", value: "docker")
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: json))
        }
        do {
            let response = try await http.execute(request, timeout: timeout)
            let body = try await response.body.collect(upTo: 256 * 1024 * 1024)
            return Reply(status: response.status, headers: response.headers, body: Data(body.readableBytesView))
        } catch {
            throw RuntimeError(describe(error, endpoint))
        }
    }

    static func describe(_ error: any Error, _ endpoint: DockerEndpoint) -> String {
        if let problem = endpoint.socketProblem() { return problem }
        let failure = TransportFailure(error)
        if failure == .refused {
            return "cannot reach Docker at \(endpoint): connection refused — is the daemon running? try --host or --demo"
        }
        return failure.describe(reaching: "Docker at \(endpoint)")
    }

    /// A versioned request; non-2xx answers become the daemon's own message.
    func request(_ method: HTTPMethod, _ path: String, query: [String: String] = [:], json: Data? = nil,
                 timeout: TimeAmount = .seconds(10)) async throws(RuntimeError) -> Reply {
        let reply = try await Self.send(http, endpoint, policy, method: method, path: versioned(path, query), json: json, timeout: timeout)
        guard (200..<300).contains(reply.status.code) || reply.status == .notModified else {
            let message = (try? JSONDecoder().decode(DockerErrorBody.self, from: reply.body))?.message
                ?? String(decoding: reply.body.prefix(500), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw RuntimeError(message.isEmpty ? "Docker answered HTTP \(reply.status.code)" : message)
        }
        return reply
    }

    func get<T: Decodable>(_ type: T.Type, _ path: String, query: [String: String] = [:]) async throws(RuntimeError) -> T {
        let reply = try await request(.GET, path, query: query)
        do {
            return try JSONDecoder().decode(T.self, from: reply.body)
        } catch {
            throw RuntimeError("unexpected answer from \(endpoint) for \(path): \(error)")
        }
    }

    /// A long-lived response (events, logs): the body arrives as it is written.
    func stream(_ path: String, query: [String: String]) async throws(RuntimeError) -> HTTPClientResponse.Body {
        try policy.admit(.GET, versioned(path, query))
        var request = HTTPClientRequest(url: endpoint.url(versioned(path, query)))
        request.headers.add(name: "Host", value: "docker")
        do {
            // A stream lasts as long as the container or the daemon; cancelling the task ends it.
            let response = try await streaming.execute(request, timeout: .hours(24 * 365))
            guard response.status == .ok else {
                let body = try await response.body.collect(upTo: 1024 * 1024)
                let message = (try? JSONDecoder().decode(DockerErrorBody.self, from: Data(body.readableBytesView)))?.message
                throw RuntimeError(message ?? "Docker answered HTTP \(response.status.code) for \(path)")
            }
            return response.body
        } catch let error as RuntimeError {
            throw error
        } catch {
            throw RuntimeError(Self.describe(error, endpoint))
        }
    }

    func versioned(_ path: String, _ query: [String: String]) -> String {
        var text = "/v\(apiVersion)\(path)"
        if !query.isEmpty {
            var allowed = CharacterSet.urlQueryAllowed
            allowed.remove(charactersIn: "&=+")
            text += "?" + query.sorted { $0.key < $1.key }.map {
                "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0.value)"
            }.joined(separator: "&")
        }
        return text
    }
}

public struct APIVersion: Sendable, Comparable, CustomStringConvertible {
    public var major: Int
    public var minor: Int
    public init(_ major: Int, _ minor: Int) {
        self.major = major
        self.minor = minor
    }

    public init?(_ text: String) {
        let parts = text.split(separator: ".").compactMap { Int($0) }
        guard parts.count >= 2 else { return nil }
        major = parts[0]
        minor = parts[1]
    }

    public var description: String { "\(major).\(minor)" }
    public static func < (a: APIVersion, b: APIVersion) -> Bool { (a.major, a.minor) < (b.major, b.minor) }
}
