import Foundation
import PodtopCore
import TestSupport
import Testing
@testable import PodtopRuntime

/// The client against Debian's Prometheus, which scripts/test starts on loopback scraping itself
/// every second (scripts/private-prometheus).
@Suite(.enabled(if: TestPrometheus.url != nil, "needs the Prometheus that scripts/test starts"), .timeLimit(.minutes(1)))
struct PrometheusClientTests {
    func client(_ settings: PrometheusSettings? = nil, policy: RequestPolicy = RequestPolicy()) throws -> PrometheusClient {
        let url = try #require(TestPrometheus.url)
        return try PrometheusClient(settings ?? PrometheusSettings(url: url), policy: policy)
    }

    @Test func anInstantQueryGivesTheSeriesPrometheusScrapes() async throws {
        let prometheus = try client()
        defer { Task { await prometheus.shutdown() } }
        // The first scrape comes within a second of the server's start: wait for it, up to 10 s.
        let deadline = Date().addingTimeInterval(10)
        var up: [PrometheusSample] = []
        while up.isEmpty, Date() < deadline {
            up = try await prometheus.query(#"up{job="prometheus"}"#).samples
            if up.isEmpty { try await Task.sleep(for: .milliseconds(200)) }
        }
        let url = try #require(TestPrometheus.url)
        let port = try #require(URL(string: url)?.port)
        #expect(up.map(\.labels["instance"]) == ["127.0.0.1:\(port)"])
        #expect(up.map(\.value) == [1])
        let sample = try #require(up.first)
        #expect(abs(sample.time.timeIntervalSinceNow) < 30)
    }

    @Test func aPromQLErrorIsSaidAsPrometheusSaysIt() async throws {
        let prometheus = try client()
        defer { Task { await prometheus.shutdown() } }
        await #expect(throws: RuntimeError("Prometheus: bad_data: invalid parameter \"query\": 1:20: parse error: unexpected end of input inside braces")) {
            try await prometheus.query(#"up{job="prometheus""#)
        }
    }

    @Test func aServerThatIsNotThereIsSaidNotWaitedFor() async throws {
        // A port nothing listens on: refused at once.
        let prometheus = try client(PrometheusSettings(url: "http://127.0.0.1:9"))
        defer { Task { await prometheus.shutdown() } }
        do {
            _ = try await prometheus.query("up")
            Issue.record("an answer came from a closed port")
        } catch {
            #expect(error.message.contains("Prometheus at http://127.0.0.1:9"), "\(error.message)")
        }
    }

    @Test func onlyGETGoesOutAndTheRequestLogSaysSo() async throws {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("podtop-prometheus-\(UUID().uuidString).log").path
        defer { try? FileManager.default.removeItem(atPath: log) }
        let prometheus = try client(policy: RequestPolicy(readOnly: true, journal: try RequestJournal(path: log)))
        defer { Task { await prometheus.shutdown() } }
        _ = try await prometheus.query("up")
        let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
        #expect(lines == ["GET /api/v1/query?query=up"])
    }

    @Test func aCredentialsFileThatCannotBeReadIsNamedAndItsContentNeverShown() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("podtop-token-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: RuntimeError("prometheus: cannot read the credentials file \(path)")) {
            try PrometheusClient(PrometheusSettings(url: "http://127.0.0.1:9090", credentials: .bearerTokenFile(path)))
        }
        try Data("secret-\u{1B}[2J-token\n".utf8).write(to: URL(fileURLWithPath: path))
        do {
            _ = try PrometheusClient(PrometheusSettings(url: "http://127.0.0.1:9090", credentials: .bearerTokenFile(path)))
            Issue.record("a token with an escape sequence was taken")
        } catch {
            #expect(!error.message.contains("secret"), "\(error.message)")
        }
    }
}
