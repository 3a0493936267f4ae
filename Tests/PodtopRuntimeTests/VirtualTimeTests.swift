import Foundation
import Glibc
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
                                    policy: RequestPolicy(journal: try RequestJournal(path: journalPath)), clock: clock)
        let recorder = RuntimeRecorder()
        // An interval no other pause of the runtime has, so that the test can tell when its poll
        // loop is asleep (the re-list spacing and report pacing sleep on the same clock).
        let refresh: Duration = .milliseconds(1500)
        let task = Task { await runtime.run(refresh: refresh) { recorder.record($0) } }
        defer { task.cancel() }
        _ = try #require(await recorder.waitForSnapshot { $0.pod(PodID("core"))?.readyCount == 1 })
        func fullLists() throws -> Int {
            try String(contentsOfFile: journalPath, encoding: .utf8).split(separator: "\n")
                .filter { $0.contains("/containers/json?") && !$0.contains("filters=") }.count
        }
        #expect(await clock.waitUntilSleeping(lasting: refresh))
        let listsAtStart = try fullLists()
        clock.advance(by: .seconds(29))
        #expect(await clock.waitUntilSleeping(lasting: refresh))
        #expect(try fullLists() == listsAtStart, "listed again before 30 s")
        clock.advance(by: .seconds(2))
        try await Eventually.holds(within: .seconds(10)) { try fullLists() != listsAtStart }
        #expect(try fullLists() == listsAtStart + 1, "one full list once 30 s had passed without one")
    }
}

@Suite(.timeLimit(.minutes(1)))
struct ProbeScheduleTests {
    @Test func eachServiceIsProbedOncePerItsOwnInterval() async throws {
        let clock = ManualClock()
        // Nothing listens on these ports: each probe is a quick DOWN, and only its count matters.
        func service(_ name: String, every seconds: Double) -> ServiceSpec {
            ServiceSpec(name: name, check: .http(url: "http://127.0.0.1:\(LoopbackPort.free())/health"),
                        schedule: ProbeSchedule(intervalMs: seconds * 1000, timeoutMs: 500))
        }
        let topology = Topology(pods: [PodSpec(id: PodID("p"), displayName: "P", services: [
            service("fast-a", every: 1), service("fast-b", every: 1), service("slow", every: 5),
        ], selector: ContainerSelector([]))], infrastructure: [])
        let prober = HealthProber(topology: topology, clock: clock)
        let recorder = RuntimeRecorder()
        let task = Task { await prober.run { recorder.record($0) } }
        defer { task.cancel() }
        func probes(of name: String) -> Int {
            recorder.all.filter { if case .health(.service(let id), _) = $0.1 { id.name == name } else { false } }.count
        }
        func expectProbes(_ fast: Int, _ slow: Int, after seconds: Int) async {
            let reached = await Eventually.holds(within: .seconds(10)) {
                probes(of: "fast-a") == fast && probes(of: "fast-b") == fast && probes(of: "slow") == slow
            }
            #expect(reached, "after \(seconds) s: fast-a \(probes(of: "fast-a")), fast-b \(probes(of: "fast-b")), slow \(probes(of: "slow"))")
        }
        #expect(await clock.waitUntilSleeping(2, timeout: .seconds(20)))
        await expectProbes(1, 1, after: 0)
        for second in 1...5 {
            clock.advance(by: .seconds(1))
            #expect(await clock.waitUntilSleeping(2, timeout: .seconds(20)))
            await expectProbes(1 + second, second < 5 ? 1 : 2, after: second)
        }
    }
}

@Suite(.timeLimit(.minutes(1)))
struct CheckTimeoutTests {
    /// A daemon that takes connections and never answers: `podtop check` gives up on it after its
    /// 10 s, counted on the session's clock.
    @Test func aDaemonThatNeverAnswersIsReportedOnceTheConnectTimeoutHasPassed() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("podtop-hung-\(UUID().uuidString.prefix(8)).sock").path
        let listener = try HungUnixListener(path: path)
        defer { listener.close() }
        let clock = ManualClock()
        let topology = Topology(pods: [], infrastructure: [])
        let runtime = DockerRuntime(endpoint: try DockerEndpoint.parse("unix://\(path)"), topology: topology, clock: clock)
        let session = CheckSession(runtime: runtime, prober: nil, topology: topology, refresh: .seconds(1), clock: clock)
        let ended = RuntimeRecorder()  // records the round's end, to tell whether it has come
        let round = Task {
            let report = await session.round()
            ended.record(.logs([]))
            return report
        }
        #expect(await clock.waitUntilSleeping())
        #expect(await Eventually.holds(within: .seconds(5)) { listener.connections > 0 }, "podtop did not even connect")
        clock.advance(by: CheckSession.connectTimeout - .milliseconds(100))
        #expect(await clock.waitUntilSleeping())
        #expect(ended.all.isEmpty, "gave up before 10 s")
        clock.advance(by: .milliseconds(100))
        let report = await round.value
        #expect(report.json().contains("no answer within 10"), "\(report.json())")
        await session.stop()
    }
}

/// A unix socket that accepts connections (the kernel's backlog does) and never answers.
final class HungUnixListener: @unchecked Sendable {
    // @unchecked: the descriptor is set once; `connections` only reads the kernel's queue.
    private let fd: Int32

    init(path: String) throws {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: path.utf8.prefix(raw.count - 1))
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else { throw RuntimeError("cannot listen on \(path)") }
    }

    /// Connections waiting in the backlog, never accepted (a socket that has one polls readable).
    var connections: Int {
        var ready = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&ready, 1, 0) > 0 ? 1 : 0
    }

    func close() { _ = Glibc.close(fd) }
}

