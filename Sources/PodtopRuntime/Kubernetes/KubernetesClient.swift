import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL
import PodtopCore

/// The Kubernetes API over HTTPS through AsyncHTTPClient, with the kubeconfig's CA, client
/// certificate and bearer token. Errors come back as the server's `Status`, with its message;
/// a 401 renews a renewable token (file, exec plugin) and tries once more.
public final class KubernetesClient: Sendable {
    public let target: KubernetesTarget
    let http: HTTPClient
    let tokens: BearerTokens
    /// Read-only refusal and the request journal.
    let policy: RequestPolicy

    public init(_ target: KubernetesTarget, policy: RequestPolicy = RequestPolicy()) throws(RuntimeError) {
        self.target = target
        self.policy = policy
        guard target.server.hasPrefix("https://") || target.server.hasPrefix("http://") else {
            throw RuntimeError("the API server \"\(target.server)\" is not an https:// URL")
        }
        var tls = TLSConfiguration.makeClientConfiguration()
        do {
            if let ca = target.certificateAuthorityPEM {
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(ca))
            }
            if let client = target.clientCertificate {
                tls.certificateChain = try NIOSSLCertificate.fromPEMBytes(client.certificatePEM).map { .certificate($0) }
                tls.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: client.keyPEM, format: .pem))
            }
        } catch {
            throw RuntimeError("context \"\(target.contextName)\": a certificate or key is not valid PEM (\(error))")
        }
        if target.insecureSkipTLSVerify { tls.certificateVerification = .none }
        // A stream podtop stops (a log no longer shown) is closed without waiting the default
        // 5 s for the server's close_notify.
        tls.shutdownTimeout = .milliseconds(500)
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
        // Two watches, the metrics poll and one log stream per followed container.
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 512
        configuration.connectionPool.idleTimeout = .seconds(60)
        configuration.timeout.connect = .seconds(5)
        configuration.decompression = .disabled
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        tokens = BearerTokens(target)
    }

    public func shutdown() async {
        try? await http.shutdown()
    }

    // MARK: - Requests

    public struct Reply: Sendable {
        public var status: HTTPResponseStatus
        public var body: Data
    }

    /// One request; a non-2xx answer throws the server's Status.
    public func send(_ method: HTTPMethod, _ path: String, query: [String: String] = [:], body: Data? = nil,
                     contentType: String = "application/json", timeout: TimeAmount = .seconds(15)) async throws(KubernetesAPIError) -> Reply {
        let response = try await answer(method, path, query: query, body: body, contentType: contentType, timeout: timeout)
        do {
            let bytes = try await response.body.collect(upTo: 512 * 1024 * 1024)
            return Reply(status: response.status, body: Data(bytes.readableBytesView))
        } catch {
            throw .unreachable(describe(error))
        }
    }

    public func get<T: Decodable>(_ type: T.Type, _ path: String, query: [String: String] = [:]) async throws(KubernetesAPIError) -> T {
        let reply = try await send(.GET, path, query: query, timeout: .seconds(60))
        do {
            return try JSONDecoder().decode(T.self, from: reply.body)
        } catch {
            throw .unreachable("unexpected answer from \(target.server) for \(path): \(error)")
        }
    }

    /// A GET whose answer is wanted whatever its status (a service's own answer through the
    /// service proxy); the body is kept up to `limit` bytes.
    public func fetch(_ path: String, timeout: TimeAmount, limit: Int = 256 * 1024) async throws(KubernetesAPIError) -> Reply {
        let response = try await answer(.GET, path, query: [:], body: nil, contentType: "application/json", timeout: timeout,
                                        acceptingAnyStatus: true)
        var kept = Data()
        do {
            for try await part in response.body where kept.count < limit {
                kept.append(contentsOf: part.readableBytesView.prefix(limit - kept.count))
            }
        } catch {
            throw TransportFailure(error) == .timedOut ? .timedOut(describe(error)) : .unreachable(describe(error))
        }
        return Reply(status: response.status, body: kept)
    }

    /// A long answer that arrives as it is written (a watch, a followed log): the body, once the
    /// server has said 200.
    public func stream(_ path: String, query: [String: String]) async throws(KubernetesAPIError) -> HTTPClientResponse.Body {
        try await answer(.GET, path, query: query, body: nil, contentType: "application/json", timeout: .hours(24 * 365)).body
    }

    /// The server's 2xx answer, its body still to come. A GET sent on a pooled connection the
    /// server had just closed is sent once more; a 401 renews a renewable token and tries once
    /// more; any other non-2xx answer throws the server's Status.
    private func answer(_ method: HTTPMethod, _ path: String, query: [String: String], body: Data?, contentType: String,
                        timeout: TimeAmount, acceptingAnyStatus: Bool = false) async throws(KubernetesAPIError) -> HTTPClientResponse {
        do throws(RuntimeError) {
            try policy.admit(method, Self.pathWithQuery(path, query))
        } catch {
            throw .refused(error.message)
        }
        var attempt = 0
        while true {
            attempt += 1
            let request = try await makeRequest(method, path, query: query, body: body, contentType: contentType)
            let response: HTTPClientResponse
            do {
                response = try await http.execute(request, timeout: timeout)
            } catch {
                if method == .GET, attempt == 1, Self.isStaleConnection(error), !Task.isCancelled { continue }
                throw TransportFailure(error) == .timedOut ? .timedOut(describe(error)) : .unreachable(describe(error))
            }
            if (200..<300).contains(response.status.code) { return response }
            if acceptingAnyStatus, response.status != .unauthorized || attempt > 1 { return response }
            let bytes = (try? await response.body.collect(upTo: 1024 * 1024)).map { Data($0.readableBytesView) } ?? Data()
            if response.status == .unauthorized, attempt == 1, await tokens.canRenew {
                await tokens.invalidate(refused: request.headers.first(name: "Authorization").map { String($0.dropFirst("Bearer ".count)) })
                continue
            }
            throw .status(Self.status(from: bytes, code: Int(response.status.code)), verb: Self.verb(method, query: query), path: path)
        }
    }

    private func makeRequest(_ method: HTTPMethod, _ path: String, query: [String: String], body: Data?,
                             contentType: String) async throws(KubernetesAPIError) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: target.server + Self.pathWithQuery(path, query))
        request.method = method
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: "podtop")
        // kubectl sends no credentials to a plain-http server, and neither does podtop.
        if target.server.hasPrefix("https://") {
            let token: String?
            do {
                token = try await tokens.token()
            } catch {
                throw .credentials(error.message)
            }
            if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        }
        if let body {
            request.headers.add(name: "Content-Type", value: contentType)
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        return request
    }

    static func pathWithQuery(_ path: String, _ query: [String: String]) -> String {
        guard !query.isEmpty else { return path }
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+,:")
        return path + "?" + query.sorted { $0.key < $1.key }.map {
            "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0.value)"
        }.joined(separator: "&")
    }

    static func status(from body: Data, code: Int) -> KubernetesStatus {
        if var status = try? JSONDecoder().decode(KubernetesStatus.self, from: body), status.message != nil {
            status.code = status.code ?? code
            return status
        }
        let text = String(decoding: body.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return KubernetesStatus(code: code, reason: nil, message: text.isEmpty ? "HTTP \(code)" : text)
    }

    static func verb(_ method: HTTPMethod, query: [String: String]) -> String {
        switch method {
        case .GET: query["watch"] == "true" || query["watch"] == "1" ? "watch" : "get"
        case .PATCH: "patch"
        case .PUT: "update"
        case .DELETE: "delete"
        case .POST: "create"
        default: method.rawValue.lowercased()
        }
    }

    /// The error of a request sent on a kept-alive connection that the server closed meanwhile.
    static func isStaleConnection(_ error: any Error) -> Bool {
        TransportFailure(error) == .closed
    }

    func describe(_ error: any Error) -> String {
        switch TransportFailure(error) {
        case .tls(let text): "TLS with \(target.server) failed: \(text) — check the context's certificate-authority"
        case let failure: failure.describe(reaching: "the API server \(target.server)")
        }
    }
}

/// Why a request to the API server failed, in words for the status line.
public enum KubernetesAPIError: Error, Sendable, CustomStringConvertible {
    /// The server answered with an error Status.
    case status(KubernetesStatus, verb: String, path: String)
    /// No answer: refused, reset, TLS failed.
    case unreachable(String)
    /// No answer within the request's time.
    case timedOut(String)
    /// No credential could be had (token file unreadable, exec plugin failed).
    case credentials(String)
    /// podtop's own policy kept the request from leaving (read-only).
    case refused(String)

    public var code: Int? {
        if case .status(let status, _, _) = self { return status.code }
        return nil
    }

    public var description: String {
        switch self {
        case .status(let status, let verb, let path):
            let message = status.message ?? "HTTP \(status.code ?? 0)"
            switch status.code {
            case 401: return "unauthorized (401): \(message) — the token or certificate was refused or has expired"
            case 403: return "forbidden (403): \(message)"
            case 404 where path.hasPrefix("/apis/metrics.k8s.io"): return "metrics.k8s.io is not served (404): is metrics-server installed?"
            default: return "\(message) (\(status.code ?? 0) on \(verb) \(path))"
            }
        case .unreachable(let text), .timedOut(let text), .credentials(let text), .refused(let text):
            return text
        }
    }

    public var runtimeError: RuntimeError { RuntimeError(description) }
}
