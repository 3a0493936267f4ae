import Foundation
import PodtopCore

/// One sample of a query's answer: the series' labels and its value at `time`. Prometheus
/// writes values as text; "NaN", "+Inf" and "-Inf" are read as such.
public struct PrometheusSample: Sendable, Equatable {
    public var labels: [String: String]
    public var value: Double
    public var time: Date

    public init(labels: [String: String], value: Double, time: Date) {
        self.labels = labels
        self.value = value
        self.time = time
    }
}

/// What one instant query answered: its samples, and how many series were left out because they
/// could not be read (a label that is not text, a value that is not a number).
public struct PrometheusQueryAnswer: Sendable, Equatable {
    public var samples: [PrometheusSample]
    public var unreadable: Int
}

/// Reads `/api/v1/query`'s envelope (`{"status":"success","data":{"resultType":…,"result":…}}`
/// or `{"status":"error","errorType":…,"error":…}`), series by series: one unreadable series is
/// left out and counted, never the whole answer. Every label is made inert here, once: they
/// come from whatever the scraped services chose to export.
enum PrometheusAnswer {
    /// The samples of an answer with HTTP status `status`; an error envelope, or a body that is
    /// not one, is thrown with Prometheus' own words (made inert).
    static func read(_ body: Data, status: Int) throws(RuntimeError) -> PrometheusQueryAnswer {
        guard let envelope = try? JSONDecoder().decode(Envelope.self, from: body) else {
            let start = InertText.of(String(decoding: body.prefix(200), as: UTF8.self)).trimmingCharacters(in: .whitespacesAndNewlines)
            throw RuntimeError("Prometheus answered HTTP \(status) with what is not its API's JSON\(start.isEmpty ? "" : ": \(start)")")
        }
        guard envelope.status == "success", let data = envelope.data else {
            let kind = envelope.errorType.map { "\(InertText.of($0)): " } ?? ""
            throw RuntimeError("Prometheus: \(kind)\(InertText.of(envelope.error ?? "HTTP \(status) without a message"))")
        }
        switch data.resultType {
        case "vector":
            let series = data.vector ?? []
            let samples = series.compactMap { $0.value?.sample }
            return PrometheusQueryAnswer(samples: samples, unreadable: series.count - samples.count)
        case "scalar":
            guard let sample = data.scalar?.sample(labels: [:]) else { return PrometheusQueryAnswer(samples: [], unreadable: 1) }
            return PrometheusQueryAnswer(samples: [sample], unreadable: 0)
        default:
            throw RuntimeError("Prometheus answered a \(InertText.of(data.resultType)) where an instant vector was asked for")
        }
    }

    private struct Envelope: Decodable {
        var status: String
        var data: Payload?
        var errorType: String?
        var error: String?

        enum CodingKeys: String, CodingKey { case status, data, errorType, error }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            status = try c.decode(String.self, forKey: .status)
            data = c.lenient(Payload.self, .data)
            errorType = c.lenient(String.self, .errorType)
            error = c.lenient(String.self, .error)
        }
    }

    private struct Payload: Decodable {
        var resultType: String
        var vector: [Readable<Series>]?
        var scalar: Point?

        enum CodingKeys: String, CodingKey { case resultType, result }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            resultType = try c.decode(String.self, forKey: .resultType)
            vector = resultType == "vector" ? c.lenient([Readable<Series>].self, .result) : nil
            scalar = resultType == "scalar" ? c.lenient(Point.self, .result) : nil
        }
    }

    private struct Series: Decodable {
        var sample: PrometheusSample

        enum CodingKeys: String, CodingKey { case metric, value }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let labels = InertText.of(labels: try c.decode([String: String].self, forKey: .metric))
            guard let sample = try c.decode(Point.self, forKey: .value).sample(labels: labels) else {
                throw DecodingError.dataCorruptedError(forKey: .value, in: c, debugDescription: "not a number")
            }
            self.sample = sample
        }
    }

    /// `[1712345678.123, "12.5"]`: seconds since the epoch, and the value as text.
    private struct Point: Decodable {
        var seconds: Double
        var text: String

        init(from decoder: any Decoder) throws {
            var c = try decoder.unkeyedContainer()
            seconds = try c.decode(Double.self)
            text = try c.decode(String.self)
        }

        func sample(labels: [String: String]) -> PrometheusSample? {
            guard seconds.isFinite, let value = Self.number(text) else { return nil }
            return PrometheusSample(labels: labels, value: value, time: Date(timeIntervalSince1970: seconds))
        }

        static func number(_ text: String) -> Double? {
            switch text {
            case "NaN": .nan
            case "+Inf", "Inf": .infinity
            case "-Inf": -.infinity
            default: Double(text)
            }
        }
    }
}
