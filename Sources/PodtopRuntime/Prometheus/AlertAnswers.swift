import Foundation
import PodtopCore

/// Reads the alerts Prometheus (`/api/v1/alerts`) and Alertmanager (`/api/v2/alerts`) report,
/// alert by alert: one that cannot be read is left out, never the whole answer. Names, labels
/// and summaries come from the team's rules and whatever the services export: made inert here.
enum AlertAnswers {
    static func prometheus(_ body: Data, status: Int) throws(RuntimeError) -> [MonitoringAlert] {
        guard let envelope = try? JSONDecoder().decode(PrometheusEnvelope.self, from: body) else {
            throw RuntimeError("Prometheus answered its alerts with HTTP \(status) and what is not its API's JSON")
        }
        guard envelope.status == "success" else {
            throw RuntimeError("Prometheus: \(InertText.of(envelope.error ?? "HTTP \(status) without a message"))")
        }
        return envelope.data?.alerts.compactMap(\.value?.alert) ?? []
    }

    static func alertmanager(_ body: Data, status: Int) throws(RuntimeError) -> [MonitoringAlert] {
        guard (200..<300).contains(status), let alerts = try? JSONDecoder().decode([Readable<AlertmanagerAlert>].self, from: body) else {
            let start = InertText.of(String(decoding: body.prefix(200), as: UTF8.self)).trimmingCharacters(in: .whitespacesAndNewlines)
            throw RuntimeError("Alertmanager answered HTTP \(status)\(start.isEmpty ? "" : ": \(start)")")
        }
        return alerts.compactMap(\.value?.alert)
    }

    // MARK: - Prometheus

    private struct PrometheusEnvelope: Decodable {
        var status: String
        var data: Payload?
        var error: String?

        struct Payload: Decodable {
            var alerts: [Readable<PrometheusAlert>]
        }
    }

    private struct PrometheusAlert: Decodable {
        var alert: MonitoringAlert

        enum CodingKeys: String, CodingKey { case labels, annotations, state, activeAt }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let labels = InertText.of(labels: try c.decode([String: String].self, forKey: .labels))
            let annotations = InertText.of(labels: c.lenient([String: String].self, .annotations) ?? [:])
            let state: MonitoringAlert.State = switch try c.decode(String.self, forKey: .state) {
            case "firing": .firing
            case "pending": .pending
            default: throw DecodingError.dataCorruptedError(forKey: .state, in: c, debugDescription: "an unknown state")
            }
            alert = AlertAnswers.alert(labels: labels, annotations: annotations, state: state,
                                       since: c.lenient(String.self, .activeAt).flatMap(AlertAnswers.date))
        }
    }

    // MARK: - Alertmanager

    private struct AlertmanagerAlert: Decodable {
        var alert: MonitoringAlert

        enum CodingKeys: String, CodingKey { case labels, annotations, startsAt, status }
        struct Status: Decodable { var state: String }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let labels = InertText.of(labels: try c.decode([String: String].self, forKey: .labels))
            let annotations = InertText.of(labels: c.lenient([String: String].self, .annotations) ?? [:])
            // "active" fires; "suppressed" is silenced or inhibited; "unprocessed" has just come in.
            let state: MonitoringAlert.State = c.lenient(Status.self, .status)?.state == "suppressed" ? .suppressed : .firing
            alert = AlertAnswers.alert(labels: labels, annotations: annotations, state: state,
                                       since: c.lenient(String.self, .startsAt).flatMap(AlertAnswers.date))
        }
    }

    // MARK: - Shared

    static func alert(labels: [String: String], annotations: [String: String], state: MonitoringAlert.State, since: Date?) -> MonitoringAlert {
        MonitoringAlert(name: labels["alertname"] ?? "unnamed alert", severity: labels["severity"] ?? "none", state: state, since: since,
                        summary: annotations["summary"] ?? annotations["description"] ?? "", labels: labels)
    }

    /// RFC 3339 with or without a fraction (Prometheus sends nanoseconds, Alertmanager milliseconds).
    static func date(_ text: String) -> Date? {
        DockerTime.parse(text)
    }
}
