import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL
import PodtopCore

/// GET requests to the team's Prometheus, or to its Alertmanager (made with the Alertmanager's
/// URL in `settings.url`, the same credentials and CA): the type has no other request. An answer slower than `timeout` (2 s: past that the figures are stale for a screen
/// refreshed every second) is a failure like an unreachable server, never a wait.
public final class PrometheusClient: Sendable {
    public let baseURL: String
    /// "Prometheus" or "Alertmanager", as errors name it.
    let serverName: String
    private let http: HTTPClient
    private let authorization: String?
    private let policy: RequestPolicy
    let timeout: TimeAmount

    /// Reads the credentials' files now, so that a missing or unreadable one is said at start.
    public init(_ settings: PrometheusSettings, serverName: String = "Prometheus", policy: RequestPolicy = RequestPolicy(),
                timeout: TimeAmount = .seconds(2)) throws(RuntimeError) {
        if let problem = PrometheusSettings.problem(withURL: settings.url) { throw RuntimeError("prometheus: \(problem)") }
        self.serverName = serverName
        baseURL = settings.url.hasSuffix("/") ? String(settings.url.dropLast()) : settings.url
        self.policy = policy
        self.timeout = timeout
        authorization = try settings.credentials.map { (credentials) throws(RuntimeError) in try Self.authorization(credentials) }
        var tls = TLSConfiguration.makeClientConfiguration()
        if let caFile = settings.caFile {
            do {
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile))
            } catch {
                throw RuntimeError("prometheus: the ca_file \(caFile) is not a readable PEM file of certificates")
            }
        }
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 4
        configuration.timeout.connect = timeout
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    public func shutdown() async {
        try? await http.shutdown()
    }

    /// One instant query (`/api/v1/query`): the samples it answered.
    public func query(_ promql: String) async throws(RuntimeError) -> PrometheusQueryAnswer {
        let (status, body) = try await get("/api/v1/query?query=" + Self.encoded(promql))
        return try PrometheusAnswer.read(body, status: status)
    }

    /// Prometheus' firing and pending alerts (`/api/v1/alerts`).
    public func prometheusAlerts() async throws(RuntimeError) -> [MonitoringAlert] {
        let (status, body) = try await get("/api/v1/alerts")
        return try AlertAnswers.prometheus(body, status: status)
    }

    /// Alertmanager's alerts (`/api/v2/alerts`), silenced and inhibited ones marked so.
    public func alertmanagerAlerts() async throws(RuntimeError) -> [MonitoringAlert] {
        let (status, body) = try await get("/api/v2/alerts")
        return try AlertAnswers.alertmanager(body, status: status)
    }

    private func get(_ path: String) async throws(RuntimeError) -> (status: Int, body: Data) {
        try policy.admit(.GET, path)
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = .GET
        if let authorization { request.headers.add(name: "Authorization", value: authorization) }
        let status: Int
        let body: Data
        do {
            let response = try await http.execute(request, timeout: timeout)
            status = Int(response.status.code)
            // An instant vector for a few dozen services is kilobytes; more is not an answer to this.
            body = Data(try await response.body.collect(upTo: 8 * 1024 * 1024).readableBytesView)
        } catch {
            throw RuntimeError(TransportFailure(error).describe(reaching: "\(serverName) at \(baseURL)"))
        }
        return (status, body)
    }

    /// The query string's value, with everything but RFC 3986's unreserved characters escaped.
    static func encoded(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)...Unicode.Scalar(127)))
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }

    private static func authorization(_ credentials: PrometheusSettings.Credentials) throws(RuntimeError) -> String {
        switch credentials {
        case .bearerTokenFile(let path):
            return "Bearer " + (try secret(in: path))
        case .basicAuth(let username, let passwordFile):
            let password = try secret(in: passwordFile)
            return "Basic " + Data("\(username):\(password)".utf8).base64EncodedString()
        }
    }

    /// The first line of a credentials file; the file is named in an error, its content never.
    private static func secret(in path: String) throws(RuntimeError) -> String {
        guard let data = FileManager.default.contents(atPath: path), data.count <= 64 * 1024 else {
            throw RuntimeError("prometheus: cannot read the credentials file \(path)")
        }
        let line = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        guard !line.isEmpty, line.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7F }) else {
            throw RuntimeError("prometheus: the credentials file \(path) holds no printable ASCII line")
        }
        return line
    }
}
