import Foundation

/// Turns what a health endpoint answered into a verdict, with the words that explain it.
///
/// - UP: a 2xx, and a JSON body's `status` (when present) is ok/up/healthy/pass;
/// - SLOW: UP, but slower than the service's warn threshold;
/// - DEGRADED: a 2xx whose body says degraded/warn, or slower than the critical threshold;
/// - DOWN: refused, reset, a non-2xx, or a body that says down/fail/unhealthy/error;
/// - TIMEOUT: no answer within the probe's timeout (decided by the prober).
public enum HealthClassifier {
    public static func classify(
        statusCode: Int, body: [UInt8], latencyMs: Double, thresholds: LatencyThresholds
    ) -> (verdict: HealthClass, detail: String) {
        guard (200..<300).contains(statusCode) else {
            return (.down, "HTTP \(statusCode)" + bodySummary(body))
        }
        var verdict = HealthClass.up
        var detail = "HTTP \(statusCode)"
        if let (status, summary) = jsonStatus(body) {
            detail += ", " + summary
            switch status?.lowercased() {
            case "degraded", "warn", "warning": verdict = .degraded
            case "down", "fail", "failed", "unhealthy", "error", "critical": verdict = .down
            default: break
            }
        } else if looksLikeJSON(body) {
            detail += ", body is not valid JSON"
        }
        if verdict == .up { judgeLatency(latencyMs, thresholds, verdict: &verdict, detail: &detail) }
        return (verdict, detail)
    }

    /// A TCP probe: the connect succeeded in `latencyMs`.
    public static func classifyConnect(latencyMs: Double, thresholds: LatencyThresholds) -> (verdict: HealthClass, detail: String) {
        var verdict = HealthClass.up
        var detail = "connected"
        judgeLatency(latencyMs, thresholds, verdict: &verdict, detail: &detail)
        return (verdict, detail)
    }

    /// An UP answer slower than the warn threshold is SLOW, slower than the critical one DEGRADED.
    static func judgeLatency(_ latencyMs: Double, _ thresholds: LatencyThresholds, verdict: inout HealthClass, detail: inout String) {
        if latencyMs > thresholds.criticalMs {
            verdict = .degraded
            detail += ", over the critical threshold \(Format.milliseconds(thresholds.criticalMs))"
        } else if latencyMs > thresholds.warnMs {
            verdict = .slow
            detail += ", over the warn threshold \(Format.milliseconds(thresholds.warnMs))"
        }
    }

    /// The body's `status` field and a compact rendering of the whole object (checks included).
    static func jsonStatus(_ body: [UInt8]) -> (String?, String)? {
        guard looksLikeJSON(body), let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
            return nil
        }
        let status = object["status"] as? String
        return (status, compact(object))
    }

    static func compact(_ value: Any) -> String {
        switch value {
        case let object as [String: Any]:
            "{" + object.keys.sorted().map { "\($0): \(compact(object[$0]!))" }.joined(separator: ", ") + "}"
        case let array as [Any]:
            "[" + array.map(compact).joined(separator: ", ") + "]"
        case let text as String:
            text
        case let number as NSNumber:
            number.stringValue
        default:
            "null"
        }
    }

    static func looksLikeJSON(_ body: [UInt8]) -> Bool {
        body.first { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 } == UInt8(ascii: "{")
    }

    static func bodySummary(_ body: [UInt8]) -> String {
        guard !body.isEmpty else { return "" }
        let text = LogSanitizer(maxBytes: 200).sanitize(body.prefix(200)).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? "" : ": \(text)"
    }
}
