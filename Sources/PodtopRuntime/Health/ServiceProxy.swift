import Foundation
import PodtopCore

/// Reaches a Kubernetes Service's port through the API server's service proxy
/// (`GET /api/v1/namespaces/{ns}/services/{name}:{port}/proxy{path}`), on the connection and with
/// the credentials of the runtime's watches.
public protocol ServiceProxy: Sendable {
    func get(service: String, port: Int, path: String, timeout: Duration) async -> ServiceProxyAnswer
}

/// What a probe through the service proxy got back.
public enum ServiceProxyAnswer: Sendable, Equatable {
    /// An HTTP answer: the service's own, or the API server's `Status` about the proxying.
    case answered(status: Int, body: [UInt8], latencyMs: Double)
    /// The request could not be made or got no answer from the API server (not connected,
    /// refused, no credentials, read-only policy): podtop's reason, not the service's.
    case notMade(String)
    /// No answer within the probe's timeout: the API server or the service was slow.
    case timedOut
}

/// Tells the service's answer from the API server's, and the service being down from podtop
/// being unable to look. Only what the service itself said, or the API server's finding that no
/// ready pod stands behind the Service or that the pod refused the connection, is DOWN; what
/// stops podtop from looking (RBAC, an unreachable API server, a missing Service, a slow hop) is
/// UNKNOWN with the reason.
enum ServiceProxyVerdict {
    static func sample(_ answer: ServiceProxyAnswer, service: String, thresholds: LatencyThresholds, timeoutMs: Double,
                       at started: Date) -> HealthSample {
        switch answer {
        case .notMade(let reason):
            return HealthSample(at: started, verdict: .unknown, latencyMs: nil, detail: "not probed: \(reason)")
        case .timedOut:
            return HealthSample(at: started, verdict: .unknown, latencyMs: nil,
                                detail: "no answer through the API server within \(Format.milliseconds(timeoutMs)) (the API server or the service is slow)")
        case .answered(let status, let body, let latencyMs):
            if let refusal = APIServerStatus(body) {
                let (verdict, detail) = judge(refusal, code: status, service: service)
                return HealthSample(at: started, verdict: verdict, latencyMs: nil, detail: detail)
            }
            let (verdict, detail) = HealthClassifier.classify(statusCode: status, body: body, latencyMs: latencyMs, thresholds: thresholds)
            return HealthSample(at: started, verdict: verdict, latencyMs: latencyMs, detail: detail)
        }
    }

    private static func judge(_ status: APIServerStatus, code: Int, service: String) -> (HealthClass, String) {
        let message = LogSanitizer(maxBytes: 300).sanitize(Array(status.message.utf8)).trimmingCharacters(in: .whitespaces)
        if message.contains("no endpoints available") {
            return (.down, "no ready pod behind Service \(service) (the API server: \(message))")
        }
        if message.contains("connection refused") {
            return (.down, "the pod behind Service \(service) refused the connection (the API server: \(message))")
        }
        switch code {
        case 403: return (.unknown, "cannot tell: the service proxy is forbidden (403): \(message)")
        case 401: return (.unknown, "cannot tell: the API server refused the credentials (401): \(message)")
        case 404: return (.unknown, "cannot tell: no Service \(service) here (404): \(message)")
        default: return (.unknown, "cannot tell: the API server could not reach the service (\(code)): \(message)")
        }
    }
}

/// The API server's own error document (`kind: Status`), as opposed to a body the service sent.
private struct APIServerStatus: Decodable {
    var kind: String
    var apiVersion: String
    var message: String

    init?(_ body: [UInt8]) {
        guard body.count < 64 * 1024, let status = try? JSONDecoder().decode(APIServerStatus.self, from: Data(body)),
              status.kind == "Status", status.apiVersion == "v1" else { return nil }
        self = status
    }
}
