import Foundation
import PodtopCore
import Testing
@testable import PodtopUI

/// What the team's Prometheus adds to the screen: each service's request rate, 5xx share and
/// p95 on its row, and in the header where the figures come from or why they are n/a.
@Suite(.timeLimit(.minutes(1))) struct MonitoringScreenTests {
    let payment = ServiceID(pod: PodID("commerce"), name: "payment")
    let auth = ServiceID(pod: PodID("core"), name: "auth")

    /// 100 columns: the pods are stacked, each row the screen's width.
    func screen(_ state: DashboardState, width: Int = 100) -> [String] {
        Screen.render(state, width: width, height: 50).textLines()
    }

    func row(_ lines: [String], _ name: String) -> String {
        lines.first { $0.contains(" \(name) ") && ($0.contains("UP") || $0.contains("UNKNOWN")) } ?? ""
    }

    @Test func withoutPrometheusNothingChanges() {
        let state = Fixtures.state()
        #expect(!screen(state).joined().contains("req/s"))
        #expect(!screen(state).joined().contains("prometheus"))
    }

    @Test func eachServiceRowShowsItsFiguresAndTheHeaderNamesTheSource() {
        var state = Fixtures.state()
        _ = state.handle(.runtime(.monitoring(MonitoringSnapshot(source: "http://127.0.0.1:9090", takenAt: Fixtures.epoch, figures: [
            payment: ServiceREDFigures(requestsPerSecond: 12.34, errorRatio: 0.041, p95Seconds: 0.18),
            auth: ServiceREDFigures(requestsPerSecond: 0, errorRatio: nil, p95Seconds: nil),
        ]))))
        let lines = screen(state)
        #expect(row(lines, "payment").contains("12.3 req/s  5xx 4.1%  p95 180ms"), "\(row(lines, "payment"))")
        #expect(row(lines, "auth").contains("0.0 req/s  5xx –  p95 –"), "\(row(lines, "auth"))")
        // A service Prometheus has no series of reads as no figure, not as zero.
        #expect(row(lines, "nginx").contains("– req/s  5xx –  p95 –"), "\(row(lines, "nginx"))")
        #expect(lines[0].contains("prometheus http://127.0.0.1:9090"), "\(lines[0])")
    }

    @Test func aPrometheusThatCannotBeReadIsSaidAndItsFiguresAreNA() {
        var state = Fixtures.state()
        _ = state.handle(.runtime(.monitoring(MonitoringSnapshot(source: "http://127.0.0.1:9090", takenAt: Fixtures.epoch,
                                                                 figures: [payment: ServiceREDFigures(requestsPerSecond: 12.34)]))))
        _ = state.handle(.runtime(.monitoring(MonitoringSnapshot(source: "http://127.0.0.1:9090", takenAt: Fixtures.epoch,
                                                                 problem: "Prometheus at http://127.0.0.1:9090 did not answer in time"))))
        let lines = screen(state)
        let header = screen(state, width: 200)[0]
        #expect(header.contains("prometheus n/a: Prometheus at http://127.0.0.1:9090 did not answer in time"), "\(header)")
        #expect(row(lines, "payment").contains("n/a req/s  5xx n/a  p95 n/a"), "\(row(lines, "payment"))")
        #expect(!lines.joined().contains("12.3 req/s"), "the last round's figures are not shown as current")
    }

    @Test func aNarrowRowKeepsItsSparklineAndLeavesTheFiguresOut() {
        var state = Fixtures.state()
        _ = state.handle(.runtime(.monitoring(MonitoringSnapshot(source: "http://127.0.0.1:9090", takenAt: Fixtures.epoch,
                                                                 figures: [payment: ServiceREDFigures(requestsPerSecond: 12.34)]))))
        // 200 columns put the three pods side by side: a row of 66 has no room beside its sparkline.
        let lines = screen(state, width: 200)
        #expect(!row(lines, "payment").contains("req/s"), "\(row(lines, "payment"))")
        #expect(row(lines, "payment").contains("p95"), "\(row(lines, "payment"))")
    }

    @Test func theDetailsAlwaysShowTheFiguresWhateverTheWidth() {
        var state = Fixtures.state()
        _ = state.handle(.runtime(.monitoring(MonitoringSnapshot(source: "http://127.0.0.1:9090", takenAt: Fixtures.epoch, figures: [
            payment: ServiceREDFigures(requestsPerSecond: 12.34, errorRatio: 0.041, p95Seconds: 0.18),
        ]))))
        state.modal = .details(.service(payment))
        let details = screen(state, width: 200).joined(separator: "\n")
        #expect(details.contains("prometheus  12.3 req/s  5xx 4.1%  p95 180ms (last minute)"), "\(details)")
    }

    func alert(_ name: String, _ severity: String, _ state: MonitoringAlert.State, on service: ServiceID?) -> MonitoringAlert {
        MonitoringAlert(name: name, severity: severity, state: state, since: Fixtures.epoch, summary: "High error rate detected",
                        labels: ["alertname": name, "severity": severity], service: service)
    }

    @Test func aFiringCriticalAlertTurnsItsPodCriticalWithTheAlertAsTheReason() {
        var state = Fixtures.state()
        _ = state.handle(.runtime(.monitoring(MonitoringSnapshot(source: "http://127.0.0.1:9090", takenAt: Fixtures.epoch, alerts: [
            alert("HighErrorRate", "critical", .firing, on: payment),
            alert("SlowAuth", "warning", .firing, on: auth),
            alert("Pending", "critical", .pending, on: ServiceID(pod: PodID("experience"), name: "ai")),
        ]))))
        let commerce = state.rollup(of: state.topology.pods[2])
        #expect(commerce.status == .critical)
        #expect(commerce.reason == "HighErrorRate: High error rate detected")
        #expect(state.rollup(of: state.topology.pods[0]).status == .degraded)
        #expect(state.rollup(of: state.topology.pods[1]).status == .healthy, "a pending alert does not fire")
        let lines = screen(state, width: 200)
        #expect(lines[0].contains("FIRING HighErrorRate (commerce/payment) · SlowAuth (core/auth)"), "\(lines[0])")
        #expect(lines.contains { $0.contains("Commerce CRITICAL") }, "\(lines.prefix(3).joined(separator: "\n"))")
    }

    @Test func alertsThatCannotBeReadAreSaidSoNoAlertDoesNotReadAsNoneFiring() {
        var state = Fixtures.state()
        _ = state.handle(.runtime(.monitoring(MonitoringSnapshot(source: "http://127.0.0.1:9090", takenAt: Fixtures.epoch,
                                                                 alertsProblem: "cannot reach Alertmanager at http://127.0.0.1:9093"))))
        let header = screen(state, width: 200)[0]
        #expect(header.contains("alerts n/a: cannot reach Alertmanager at http://127.0.0.1:9093"), "\(header)")
        #expect(header.contains("prometheus http://127.0.0.1:9090"), "the figures still come: \(header)")
    }
}
