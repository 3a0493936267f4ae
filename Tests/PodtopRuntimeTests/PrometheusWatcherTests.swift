import Foundation
import PodtopCore
import TestSupport
import Testing
@testable import PodtopRuntime

/// The services' figures: which series are whose, and a round against a real Prometheus that
/// scrapes services with a known request rate, 5xx share and latency (metrics_server.py).
@Suite(.timeLimit(.minutes(1))) struct PrometheusWatcherTests {
    func topology(ports: [Int]) -> Topology {
        let services = ports.enumerated().map { ServiceSpec(name: "s\($0.offset)", check: .http(url: "http://127.0.0.1:\($0.element)/health")) }
        return Topology(pods: [PodSpec(id: PodID("core"), displayName: "Core", services: services, selector: ContainerSelector([]))],
                        infrastructure: [])
    }

    func watcher(_ url: String, ports: [Int], rateWindowSeconds: Int = 60) throws -> PrometheusWatcher {
        var settings = PrometheusSettings(url: url)
        settings.rateWindowSeconds = rateWindowSeconds
        return PrometheusWatcher(client: try PrometheusClient(settings), settings: settings, topology: topology(ports: ports))
    }

    func sample(_ labels: [String: String], _ value: Double) -> PrometheusSample {
        PrometheusSample(labels: labels, value: value, time: Date(timeIntervalSince1970: 0))
    }

    @Test func eachSeriesGoesToTheServiceOfItsJobAndPort() async throws {
        let watcher = try watcher("http://127.0.0.1:9", ports: [3001, 3004])
        defer { Task { await watcher.client.shutdown() } }
        let job = "dreamscape-services"
        let figures = watcher.figures(
            requests: [sample(["job": job, "instance": "auth-service:3001"], 6), sample(["job": job, "instance": "10.0.0.7:3001"], 4),
                       sample(["job": job, "instance": "payment-service:3004"], 0), sample(["job": "other", "instance": "x:3001"], 99)],
            errors: [sample(["job": job, "instance": "auth-service:3001"], 1)],
            p95: [sample(["job": job, "instance": "auth-service:3001"], 0.2), sample(["job": job, "instance": "10.0.0.7:3001"], 0.3),
                  sample(["job": job, "instance": "payment-service:3004"], .nan)])
        let auth = figures[ServiceID(pod: PodID("core"), name: "s0")]
        #expect(auth == ServiceREDFigures(requestsPerSecond: 10, errorRatio: 0.1, p95Seconds: 0.3))
        // No request in the last minute: no share of errors, and NaN is no latency.
        #expect(figures[ServiceID(pod: PodID("core"), name: "s1")] == ServiceREDFigures(requestsPerSecond: 0, errorRatio: nil, p95Seconds: nil))
    }

    @Test func oneQueryPerFigureGroupedByWhatTellsServicesApart() {
        let queries = PrometheusWatcher.queries(grouping: ["job", "instance"], window: 60)
        #expect(queries.requests == "sum by (instance, job) (rate(http_requests_total[1m]))")
        #expect(queries.errors == #"sum by (instance, job) (rate(http_requests_total{status=~"5.."}[1m]))"#)
        #expect(queries.p95 == "histogram_quantile(0.95, sum by (instance, job, le) (rate(http_request_duration_seconds_bucket[1m])))")
        #expect(PrometheusWatcher.queries(grouping: ["job"], window: 5).requests == "sum by (job) (rate(http_requests_total[5s]))")
    }

    @Test(.enabled(if: TestPrometheus.url != nil, "needs Debian's prometheus, which scripts/test installs"))
    func aRealPrometheusGivesEachServiceItsRateErrorShareAndP95() async throws {
        let services = try await TestPrometheus.services(errorRatios: [0, 0.2])
        let prometheus = try await TestPrometheus.Own(scraping: services.ports, job: "dreamscape-services")
        defer { Task { await prometheus.stop() } }  // should the test end early; stopping twice is harmless
        // A rate over a range not yet filled reads low: 4 s of 1 s scrapes, full within seconds.
        let watcher = try watcher(prometheus.url, ports: services.ports, rateWindowSeconds: 4)
        let ok = ServiceID(pod: PodID("core"), name: "s0")
        let failing = ServiceID(pod: PodID("core"), name: "s1")
        // Until the range has filled (four scrapes after the first), the figures read low or none.
        func settled(_ round: MonitoringSnapshot) -> Bool {
            round.figures[failing]?.errorRatio != nil && round.figures[ok]?.p95Seconds != nil
                && (8...12).contains(round.figures[ok]?.requestsPerSecond ?? 0)
        }
        let deadline = Date().addingTimeInterval(20)
        var round = await watcher.round()
        while !settled(round), Date() < deadline {
            try await Task.sleep(for: .milliseconds(500))
            round = await watcher.round()
        }
        await prometheus.stop()
        await watcher.client.shutdown()
        #expect(round.problem == nil)
        let okFigures = try #require(round.figures[ok])
        let failingFigures = try #require(round.figures[failing])
        #expect((8...12).contains(okFigures.requestsPerSecond ?? 0), "\(okFigures)")
        #expect(okFigures.errorRatio == 0, "\(okFigures)")
        #expect(abs((failingFigures.errorRatio ?? 0) - 0.2) < 0.02, "\(failingFigures)")
        #expect(abs((okFigures.p95Seconds ?? 0) - 0.375) < 0.01, "\(okFigures)")
    }

    @Test func aPrometheusThatIsNotThereMakesTheRoundsProblem() async throws {
        let watcher = try watcher("http://127.0.0.1:9", ports: [3001])
        let round = await watcher.round()
        await watcher.client.shutdown()
        #expect(round.figures.isEmpty)
        #expect(round.problem?.contains("Prometheus at http://127.0.0.1:9") == true, "\(round.problem ?? "")")
    }

    @Test(.enabled(if: TestPrometheus.url != nil, "needs the Prometheus that scripts/test starts"))
    func anAlertmanagerThatIsNotThereLeavesTheFiguresAndSaysAlertsCannotBeTold() async throws {
        let url = try #require(TestPrometheus.url)
        let settings = PrometheusSettings(url: url)
        let absent = try PrometheusClient(PrometheusSettings(url: "http://127.0.0.1:9"), serverName: "Alertmanager")
        let watcher = PrometheusWatcher(client: try PrometheusClient(settings), alertmanager: absent, settings: settings,
                                        topology: topology(ports: [3001]))
        let round = await watcher.round()
        await watcher.client.shutdown()
        await absent.shutdown()
        #expect(round.problem == nil, "\(round.problem ?? "")")
        #expect(round.figures.count == 1)
        #expect(round.alerts.isEmpty)
        #expect(round.alertsProblem?.contains("Alertmanager at http://127.0.0.1:9") == true, "\(round.alertsProblem ?? "")")
    }
}
