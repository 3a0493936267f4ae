import Foundation
import PodtopCore
import Testing
import TestSupport
@testable import PodtopRuntime

/// Rules about time, tested on a manual clock: the test advances it instead of waiting.
@Suite(.timeLimit(.minutes(1)))
struct ReconnectingTests {
    /// Hands out session endings in order: whether each attempt had connected.
    actor Sessions {
        private var connected: [Bool]
        init(_ connected: [Bool]) { self.connected = connected }
        func next() -> Reconnecting.SessionEnd {
            .init(reason: "refused", connected: connected.isEmpty ? false : connected.removeFirst())
        }
    }

    @Test func waitsDoubleUpToThirtySecondsAndStartOverOnceAnAttemptConnected() async throws {
        let clock = ManualClock()
        let sessions = Sessions([false, false, false, false, false, false, false, true, false])
        let recorder = RuntimeRecorder()
        let task = Task {
            await Reconnecting.run(clock: RuntimeClock(clock), emit: { recorder.record($0) },
                                   session: { await sessions.next() }, endSession: {})
        }
        defer { task.cancel() }
        var waits: [Duration] = []
        for _ in 0..<9 {
            #expect(await clock.waitUntilSleeping(), "no wait after attempt \(waits.count + 1)")
            guard case .disconnected(_, let retryIn)? = recorder.all.last?.1 else { Issue.record("no disconnected state"); return }
            waits.append(retryIn)
            clock.advance(by: retryIn)
        }
        #expect(waits == [1, 2, 4, 8, 16, 30, 30, 1, 2].map { Duration.seconds($0) })
    }
}

@Suite(.enabled(if: TestDocker.available, "needs the test daemon that scripts/test starts"), .timeLimit(.minutes(1)))
struct DockerSafetyNetTests {
    @Test func withoutEventsTheContainersAreListedAgainAfterThirtySeconds() async throws {
        let id = TestDocker.newID()
        defer { TestDocker.removeAll(id) }
        try await TestDocker.run(id, service: "core-pod", number: 1)
        let journalPath = FileManager.default.temporaryDirectory.appendingPathComponent("podtop-journal-\(id)").path
        defer { try? FileManager.default.removeItem(atPath: journalPath) }
        let clock = ManualClock()
        let runtime = DockerRuntime(endpoint: try DockerEndpoint.parse(TestDocker.host!), topology: TestDocker.topology(id),
                                    policy: DockerRequestPolicy(journal: try RequestJournal(path: journalPath)), clock: clock)
        let recorder = RuntimeRecorder()
        let task = Task { await runtime.run(refresh: .seconds(1)) { recorder.record($0) } }
        defer { task.cancel() }
        _ = try #require(await recorder.waitForSnapshot { $0.pod(PodID("core"))?.readyCount == 1 })
        func fullLists() throws -> Int {
            try String(contentsOfFile: journalPath, encoding: .utf8).split(separator: "\n")
                .filter { $0.contains("/containers/json?") && !$0.contains("filters=") }.count
        }
        #expect(await clock.waitUntilSleeping())
        let listsAtStart = try fullLists()
        clock.advance(by: .seconds(29))
        #expect(await clock.waitUntilSleeping())
        #expect(try fullLists() == listsAtStart, "listed again before 30 s")
        clock.advance(by: .seconds(2))
        try await Eventually.holds(within: .seconds(10)) { try fullLists() != listsAtStart }
        #expect(try fullLists() == listsAtStart + 1, "one full list once 30 s had passed without one")
    }
}
