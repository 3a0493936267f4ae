import Foundation
import PodtopCore
import Testing
@testable import PodtopRuntime

/// Prometheus' instant-query answers, real (PrometheusCaptures/README.md) and hostile.
@Suite(.timeLimit(.minutes(1))) struct PrometheusAnswerTests {
    static let captures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("PrometheusCaptures")

    func capture(_ name: String) throws -> Data {
        try Data(contentsOf: Self.captures.appendingPathComponent(name))
    }

    @Test func aVectorGivesEachSeriesWithItsLabelsValueAndTime() throws {
        let up = try PrometheusAnswer.read(capture("query-up.json"), status: 200)
        #expect(up.samples.map(\.labels) == [["__name__": "up", "instance": "127.0.0.1:19090", "job": "prometheus"]])
        #expect(up.samples.first?.value == 1)
        #expect(up.samples.first?.time == Date(timeIntervalSince1970: 1_796_676_495.274))
        let rates = try PrometheusAnswer.read(capture("query-rate-by-handler.json"), status: 200)
        #expect(rates.samples.count == 4)
        #expect(rates.samples.first { $0.labels["handler"] == "/metrics" }?.value == 0.046266666666666664)
        #expect(rates.unreadable == 0)
    }

    @Test func infinityAndAScalarAreRead() throws {
        #expect(try PrometheusAnswer.read(capture("query-inf.json"), status: 200).samples.first?.value == .infinity)
        let scalar = try PrometheusAnswer.read(capture("query-scalar.json"), status: 200)
        #expect(scalar.samples.map(\.value) == [1])
        #expect(scalar.samples.first?.labels == [:])
    }

    @Test func aPromQLErrorIsThrownInPrometheusOwnWords() throws {
        #expect(throws: RuntimeError("Prometheus: bad_data: invalid parameter \"query\": 1:4: parse error: unexpected end of input inside braces")) {
            try PrometheusAnswer.read(capture("query-parse-error.json"), status: 400)
        }
        do {
            _ = try PrometheusAnswer.read(Data("<html>502 Bad Gateway</html>".utf8), status: 502)
            Issue.record("a proxy's page was taken for an answer")
        } catch {
            #expect(error.message.contains("HTTP 502"), "\(error.message)")
            #expect(error.message.contains("502 Bad Gateway"), "\(error.message)")
        }
    }

    @Test func aSeriesThatCannotBeReadIsLeftOutAndCountedTheRestKept() throws {
        let body = #"""
            {"status":"success","data":{"resultType":"vector","result":[
              {"metric":{"job":"a"},"value":[1700000000,"2.5"]},
              {"metric":{"job":7},"value":[1700000000,"1"]},
              {"metric":{"job":"c"},"value":[1700000000,"lots"]},
              {"metric":{"job":"d"},"value":[1e999,"1"]},
              {"metric":{"job":"e"},"value":[1700000000]},
              {"metric":{"job":"f"},"value":[1700000000,"NaN"]}
            ]}}
            """#
        let answer = try PrometheusAnswer.read(Data(body.utf8), status: 200)
        #expect(answer.samples.map { $0.labels["job"] } == ["a", "f"])
        #expect(answer.samples.last?.value.isNaN == true)
        #expect(answer.unreadable == 4)
    }

    @Test func labelsAndErrorsReachNoTerminalAsControls() throws {
        let hostile = "\u{1B}]0;owned\u{07}\u{9B}31m\u{202E}x"
        let escaped = hostile.unicodeScalars.map { String(format: "\\u%04x", $0.value) }.joined()
        let body = #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"job":"\#(escaped)"},"value":[1,"1"]}]}}"#
        let job = try #require(try PrometheusAnswer.read(Data(body.utf8), status: 200).samples.first?.labels["job"])
        #expect(!job.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) || $0.value == 0x202E }, "\(job.debugDescription)")
        let error = #"{"status":"error","errorType":"x","error":"\#(escaped)"}"#
        do {
            _ = try PrometheusAnswer.read(Data(error.utf8), status: 422)
            Issue.record("an error envelope was taken")
        } catch {
            #expect(!error.message.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x9B }, "\(error.message.debugDescription)")
        }
    }

    @Test func aQueryIsEscapedForTheQueryString() {
        #expect(PrometheusClient.encoded(#"sum(rate(http_requests_total{status=~"5.."}[1m])) by (job)"#)
                == "sum%28rate%28http_requests_total%7Bstatus%3D~%225..%22%7D%5B1m%5D%29%29%20by%20%28job%29")
    }
}
