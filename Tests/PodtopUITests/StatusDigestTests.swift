import Foundation
import PodtopCore
import Testing
@testable import PodtopUI

/// Which changes the dashboard draws at once (the status digest changes) and which wait for
/// the clock's frame (figures, latencies, log lines).
struct StatusDigestTests {
    let payment = HealthTarget.service(ServiceID(pod: PodID("commerce"), name: "payment"))

    @Test func newFiguresAndLogLinesWaitForTheClockFrame() throws {
        var state = Fixtures.state()
        let before = state.statusDigest
        var snapshot = try #require(state.snapshot)
        snapshot.pods[0].replicas[0].cpuPercent = 42.5
        snapshot.pods[0].replicas[0].memoryBytes = 123_456_789
        _ = state.handle(.runtime(.snapshot(snapshot)))
        let latest = try #require(state.history(payment)?.latest)
        _ = state.handle(.runtime(.health(payment, HealthSample(at: state.now, verdict: latest.verdict, latencyMs: (latest.latencyMs ?? 5) + 1))))
        _ = state.handle(.runtime(.logs([LogLine.fromUntrusted(Array("hello".utf8), at: state.now,
                                                               source: LogSource(pod: PodID("core"), service: nil, replica: "1"), stream: .stdout)])))
        #expect(state.statusDigest == before)
    }

    @Test func aReplicaChangingPhaseIsDrawnAtOnce() throws {
        var state = Fixtures.state()
        let before = state.statusDigest
        var snapshot = try #require(state.snapshot)
        snapshot.pods[0].replicas[0].phase = .unhealthy
        _ = state.handle(.runtime(.snapshot(snapshot)))
        #expect(state.statusDigest != before)
    }

    @Test func aServiceChangingClassIsDrawnAtOnce() {
        var state = Fixtures.state()
        let before = state.statusDigest
        _ = state.handle(.runtime(.health(payment, HealthSample(at: state.now, verdict: .timeout, latencyMs: nil, detail: "no answer"))))
        #expect(state.statusDigest != before)
    }

    @Test func losingTheRuntimeIsDrawnAtOnce() {
        var state = Fixtures.state()
        let before = state.statusDigest
        _ = state.handle(.runtime(.disconnected(reason: "connection refused", retryIn: .seconds(2))))
        #expect(state.statusDigest != before)
    }
}
