import Foundation
import PodtopCore
import Testing
@testable import PodtopUI

/// Which inputs the dashboard draws at once (they change what a glance at the screen says) and
/// which wait for the clock's frame (figures, latencies, log lines).
@Suite(.timeLimit(.minutes(1)))
struct GlanceChangeTests {
    let payment = HealthTarget.service(ServiceID(pod: PodID("commerce"), name: "payment"))

    @Test func newFiguresLatenciesAndLogLinesWaitForTheClockFrame() throws {
        let state = Fixtures.state()
        var snapshot = try #require(state.snapshot)
        snapshot.pods[0].replicas[0].cpuPercent = 42.5
        snapshot.pods[0].replicas[0].memoryBytes = 123_456_789
        #expect(!state.changesAtAGlance(.runtime(.snapshot(snapshot))))
        let latest = try #require(state.history(payment)?.latest)
        #expect(!state.changesAtAGlance(.runtime(.health(payment, HealthSample(at: state.now, verdict: latest.verdict,
                                                                                      latencyMs: (latest.latencyMs ?? 5) + 1)))))
        let line = LogLine.fromUntrusted(Array("hello".utf8), at: state.now, source: LogSource(pod: PodID("core"), service: nil, replica: "1"), stream: .stdout)
        #expect(!state.changesAtAGlance(.runtime(.logs([line]))))
    }

    @Test func aReplicaChangingPhaseOrGoingAwayIsDrawnAtOnce() throws {
        let state = Fixtures.state()
        var unhealthy = try #require(state.snapshot)
        unhealthy.pods[0].replicas[0].phase = .unhealthy
        #expect(state.changesAtAGlance(.runtime(.snapshot(unhealthy))))
        var fewer = try #require(state.snapshot)
        fewer.pods[0].replicas.removeLast()
        #expect(state.changesAtAGlance(.runtime(.snapshot(fewer))))
    }

    @Test func aServiceChangingClassIsDrawnAtOnce() {
        let state = Fixtures.state()
        #expect(state.history(payment)?.verdict != .timeout)
        #expect(state.changesAtAGlance(.runtime(.health(payment, HealthSample(at: state.now, verdict: .timeout, latencyMs: nil)))))
    }

    @Test func theConnectionKeysAndActionsAreDrawnAtOnce() {
        let state = Fixtures.state()
        #expect(state.changesAtAGlance(.runtime(.disconnected(reason: "connection refused", retryIn: .seconds(2)))))
        #expect(state.changesAtAGlance(.key(.down)))
        #expect(state.changesAtAGlance(.actionProgress(PodID("core"), "Restarting Core…")))
    }
}
