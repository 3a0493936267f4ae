import Foundation
import PodtopCore
import TestSupport
import Testing
@testable import PodtopRuntime

/// Alerts as Prometheus and Alertmanager report them (PrometheusCaptures/README.md), hostile
/// ones, and the team's HighErrorRate rule firing in a real Prometheus.
@Suite(.timeLimit(.minutes(1))) struct AlertAnswersTests {
    func capture(_ name: String) throws -> Data {
        try Data(contentsOf: PrometheusAnswerTests.captures.appendingPathComponent(name))
    }

    @Test func prometheusGivesFiringAndPendingAlertsWithTheirSummaries() throws {
        let alerts = try AlertAnswers.prometheus(capture("alerts-prometheus.json"), status: 200)
        #expect(alerts.map(\.name) == ["HighErrorRate", "SlowAuth"])
        #expect(alerts.map(\.state) == [.firing, .pending])
        #expect(alerts.map(\.severity) == ["critical", "warning"])
        #expect(alerts.first?.summary == "High error rate detected")
        #expect(alerts.first?.labels["instance"] == "payment-service:3004")
        #expect(alerts.first?.since == DockerTime.parse("2026-12-07T21:02:13.472952946Z"))
    }

    @Test func alertmanagerGivesActiveAlertsAsFiringAndSilencedOnesAsSuppressed() throws {
        let alerts = try AlertAnswers.alertmanager(capture("alerts-alertmanager.json"), status: 200)
        #expect(alerts.map(\.name) == ["HighErrorRate"])
        #expect(alerts.map(\.state) == [.firing])
        #expect(alerts.first?.since == DockerTime.parse("2026-12-07T21:03:05.663Z"))
        let silenced = #"[{"labels":{"alertname":"X"},"status":{"state":"suppressed","silencedBy":["a"]},"startsAt":"2026-12-07T21:03:05Z"}]"#
        #expect(try AlertAnswers.alertmanager(Data(silenced.utf8), status: 200).map(\.state) == [.suppressed])
    }

    @Test func anAlertThatCannotBeReadIsLeftOutTheRestKeptAndNothingReachesTheTerminal() throws {
        let body = #"""
            {"status":"success","data":{"alerts":[
              {"labels":{"alertname":"A\u001b]0;owned\u0007","severity":"critical"},"annotations":{"summary":"\u009b31m red"},"state":"firing"},
              {"labels":{"alertname":7},"state":"firing"},
              {"labels":{"alertname":"B"},"state":"exploded"},
              {"labels":{"alertname":"C"},"annotations":[],"state":"pending","activeAt":"yesterday"}
            ]}}
            """#
        let alerts = try AlertAnswers.prometheus(Data(body.utf8), status: 200)
        #expect(alerts.count == 2)
        let text = alerts.map { $0.name + $0.summary }.joined()
        #expect(!text.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 || $0.value == 0x9B }, "\(text.debugDescription)")
        #expect(alerts.last?.name == "C")
        #expect(alerts.last?.since == nil)
        #expect(throws: RuntimeError.self) { try AlertAnswers.alertmanager(Data("<html>".utf8), status: 502) }
    }

    @Test func anAlertGoesToTheServiceItsJobAndPortName() throws {
        let settings = PrometheusSettings(url: "http://127.0.0.1:9")
        let topology = Topology(pods: [PodSpec(id: PodID("commerce"), displayName: "Commerce",
                                               services: [ServiceSpec(name: "payment", check: .http(url: "http://127.0.0.1:3004/health"))],
                                               selector: ContainerSelector([]))], infrastructure: [])
        let watcher = PrometheusWatcher(client: try PrometheusClient(settings), settings: settings, topology: topology)
        defer { Task { await watcher.client.shutdown() } }
        let alerts = try AlertAnswers.prometheus(capture("alerts-prometheus.json"), status: 200).map(watcher.assigned)
        #expect(alerts.map(\.service) == [ServiceID(pod: PodID("commerce"), name: "payment"), nil])
    }

    @Test(.enabled(if: TestPrometheus.url != nil, "needs Debian's prometheus, which scripts/test installs"))
    func theTeamsHighErrorRateRuleFiresOnTheFailingServiceInARealPrometheus() async throws {
        let services = try await TestPrometheus.services(errorRatios: [0, 0.2])
        // The team's rule as written, but for 0s instead of 5m.
        let rules = """
            groups:
              - name: dreamscape-alerts
                rules:
                - alert: HighErrorRate
                  expr: rate(http_requests_total{status=~"5.."}[5m]) > 0.1
                  for: 0s
                  labels: { severity: critical }
                  annotations: { summary: "High error rate detected" }
            """
        let prometheus = try await TestPrometheus.Own(scraping: services.ports, job: "dreamscape-services", rules: rules)
        defer { Task { await prometheus.stop() } }
        let settings = PrometheusSettings(url: prometheus.url)
        let checks = services.ports.enumerated().map { ServiceSpec(name: "s\($0.offset)", check: .http(url: "http://127.0.0.1:\($0.element)/health")) }
        let topology = Topology(pods: [PodSpec(id: PodID("core"), displayName: "Core", services: checks, selector: ContainerSelector([]))],
                                infrastructure: [])
        let watcher = PrometheusWatcher(client: try PrometheusClient(settings), settings: settings, topology: topology)
        // A 5-minute rate of 2 errors a second passes 0.1 once some 15 s of it have been scraped.
        let deadline = Date().addingTimeInterval(40)
        var round = await watcher.round()
        while !round.alerts.contains(where: { $0.state == .firing }), Date() < deadline {
            try await Task.sleep(for: .milliseconds(500))
            round = await watcher.round()
        }
        await watcher.client.shutdown()
        let firing = round.alerts.filter { $0.state == .firing }
        #expect(firing.map(\.name) == ["HighErrorRate"], "\(round.alerts)")
        #expect(firing.map(\.service) == [ServiceID(pod: PodID("core"), name: "s1")])
        #expect(firing.first?.summary == "High error rate detected")
        #expect(firing.first?.severity == "critical")
    }
}
