import AsyncHTTPClient
import Foundation
import NIOCore
import PodtopCore
import Testing
import TestSupport
@testable import PodtopRuntime

/// The parts both runtimes are built from, each alone: the pacing of work, the merge rule of
/// Docker's answers, the resume rule of log streams, and how a lost connection is told.
@Suite(.timeLimit(.minutes(1)))
struct PacedWorkTests {
    actor Counter {
        var runs = 0
        func add() { runs += 1 }
    }

    @Test func aRequestAfterACalmRunsAtOnceAndABurstMakesOneMoreRunAfterTheSpacing() async throws {
        let clock = ManualClock()
        let work = PacedWork(spacing: .milliseconds(100), clock: RuntimeClock(clock))
        let counter = Counter()
        let task = Task { await work.run { await counter.add() } }
        defer { task.cancel() }

        work.request()
        #expect(await Eventually.holds(within: .seconds(10)) { await counter.runs == 1 }, "the first request ran without the clock moving")
        // A burst within the spacing: one more run, when the spacing is up.
        for _ in 0..<20 { work.request() }
        #expect(await clock.waitUntilSleeping(lasting: .milliseconds(100)))
        #expect(await counter.runs == 1)
        clock.advance(by: .milliseconds(99))
        #expect(await counter.runs == 1)
        clock.advance(by: .milliseconds(1))
        #expect(await Eventually.holds(within: .seconds(10)) { await counter.runs == 2 })
        // Nothing asked for since: nothing more, however long the wait.
        clock.advance(by: .seconds(60))
        #expect(await clock.sleeping == 0)
        #expect(await counter.runs == 2)
        // After a calm longer than the spacing, at once again.
        work.request()
        #expect(await Eventually.holds(within: .seconds(10)) { await counter.runs == 3 })
    }

    @Test func itsRunEndsWithTheTaskThatOwnsIt() async {
        let work = PacedWork(spacing: .milliseconds(100), clock: RuntimeClock(ManualClock()))
        let task = Task { await work.run {} }
        task.cancel()
        await task.value  // returns: the loop ends with its session's task
    }
}

@Suite(.timeLimit(.minutes(1)))
struct DockerContainersTests {
    static let topology = Topology(pods: [
        PodSpec(id: PodID("core"), displayName: "Core", services: [],
                selector: ContainerSelector([.labels(["com.docker.compose.service": "core-pod"])]), minReplicas: 0, maxReplicas: 4),
    ], infrastructure: [])

    func summary(_ state: String, _ status: String, compose: Bool = true) throws -> DockerContainerSummary {
        var labels = ["com.docker.compose.service": "core-pod"]
        if compose { labels.merge(["com.docker.compose.project": "dream", "com.docker.compose.container-number": "1"]) { $1 } }
        let json: [String: Any] = ["Id": "c1", "Names": ["/dream-core-pod-1"], "Image": "core:1", "Labels": labels,
                                   "State": state, "Status": status, "Created": 0]
        return try JSONDecoder().decode(DockerContainerSummary.self, from: JSONSerialization.data(withJSONObject: json))
    }

    func event(_ action: String, exitCode: String? = nil) throws -> DockerEvent {
        let json: [String: Any] = ["Type": "container", "Action": action, "timeNano": 1,
                                   "Actor": ["ID": "c1", "Attributes": exitCode.map { ["exitCode": $0] } ?? [:]]]
        return try JSONDecoder().decode(DockerEvent.self, from: JSONSerialization.data(withJSONObject: json))
    }

    func inspect(_ status: String, health: String?, exitCode: Int = 0) throws -> DockerContainerInspect {
        var state: [String: Any] = ["Status": status, "Running": status == "running", "StartedAt": "2026-12-07T06:00:00Z",
                                    "Pid": status == "running" ? 4242 : 0, "ExitCode": exitCode]
        if let health { state["Health"] = ["Status": health, "FailingStreak": 0] }
        let json: [String: Any] = ["Id": "c1", "Name": "/dream-core-pod-1", "RestartCount": 0, "State": state, "Config": [:]]
        return try JSONDecoder().decode(DockerContainerInspect.self, from: JSONSerialization.data(withJSONObject: json))
    }

    func shown(_ containers: DockerContainers) -> String? {
        containers.snapshot(at: Date()) { _ in nil }.pod(PodID("core"))?.replicas.first?.statusWord
    }

    @Test func aDeathShowsAtOnceAndAListSentBeforeItDoesNotUndoIt() throws {
        var containers = DockerContainers(topology: Self.topology)
        _ = containers.merge([try summary("running", "Up 5 minutes (healthy)")], only: nil, eventsBefore: containers.conditionEvents)
        #expect(shown(containers) == "healthy")

        let listSentBeforeTheDeath = containers.conditionEvents
        #expect(containers.take(try event("die", exitCode: "137"), setsCondition: true) == .changed(shown: true))
        #expect(shown(containers) == "exited (137)")
        // The daemon's list trails its own event: it still says running.
        let outcome = containers.merge([try summary("running", "Up 5 minutes (healthy)")], only: ["c1"], eventsBefore: listSentBeforeTheDeath)
        #expect(shown(containers) == "exited (137)")
        #expect(outcome.toInspect == ["c1"], "the event's word waits for an inspect to confirm it")

        // An inspect sent before the event is older news too; one sent after it is taken.
        containers.take(try inspect("running", health: "healthy"), of: "c1", eventsBefore: listSentBeforeTheDeath)
        #expect(shown(containers) == "exited (137)")
        containers.take(try inspect("exited", health: nil, exitCode: 137), of: "c1", eventsBefore: containers.conditionEvents)
        #expect(shown(containers) == "exited (137)")
        #expect(containers["c1"]?.conditionAwaitsInspect == false)

        // From now on a list speaks for it again.
        _ = containers.merge([try summary("running", "Up 1 second (health: starting)")], only: ["c1"], eventsBefore: containers.conditionEvents)
        #expect(shown(containers) == "running")
    }

    @Test func replayedEventsAndHealthVerdictsOfTheDeadChangeNothing() throws {
        var containers = DockerContainers(topology: Self.topology)
        _ = containers.merge([try summary("exited", "Exited (1) 2 minutes ago")], only: nil, eventsBefore: 0)
        #expect(containers.take(try event("start"), setsCondition: false) == .changed(shown: false))
        #expect(containers.take(try event("health_status: healthy"), setsCondition: true) == .changed(shown: false))
        #expect(shown(containers) == "exited (1)")
        #expect(containers.take(try event("destroy"), setsCondition: true) == .removed(shown: true))
        #expect(containers["c1"] == nil)
    }

    @Test func thePodSaysWhichActionsItOffersAndWhyNot() throws {
        var containers = DockerContainers(topology: Self.topology)
        let empty = containers.snapshot(at: Date()) { _ in nil }.pod(PodID("core"))!.actions
        #expect(empty.refusal(of: .restart) == "Core has no containers to restart")
        _ = containers.merge([try summary("running", "Up 1 minute", compose: false)], only: nil, eventsBefore: 0)
        let actions = containers.snapshot(at: Date()) { _ in nil }.pod(PodID("core"))!.actions
        #expect(actions.offers(.restart) && actions.offers(.restartReplica))
        #expect(actions.refusal(of: .scale)?.contains("no compose labels") == true)
        #expect(actions.refusal(of: .previousLogs) != nil)
    }
}

@Suite(.timeLimit(.minutes(1)))
struct StreamLogFollowerTests {
    final class Lines: @unchecked Sendable {
        private let lock = NSLock()
        private var texts: [String] = []
        func add(_ event: RuntimeEvent) {
            guard case .logs(let lines) = event else { return }
            lock.withLock { texts += lines.map(\.text) }
        }
        var all: [String] { lock.withLock { texts } }
    }

    @Test func aReopenedStreamShowsOnlyWhatCameAfterTheNewestLineShown() async throws {
        let clock = ManualClock()
        let lines = Lines()
        let asked = Lines()
        // Each stream answers every line so far, as an API asked from a coarse `since` would.
        let written = ["2026-12-07T06:00:01.000000000Z one", "2026-12-07T06:00:02.000000000Z two", "2026-12-07T06:00:03.000000000Z three"]
        let opened = ManagedAtomicCounter()
        let follower = StreamLogFollower(reopenAfter: .seconds(2), clock: RuntimeClock(clock), emit: { lines.add($0) }) { _, after, onBytes in
            let count = opened.increment()
            asked.add(.logs([LogLine(at: Date(), source: LogSource(pod: PodID("core"), service: nil, replica: "1"), stream: .stdout,
                                     level: .unknown, text: after.map { "after \($0.timeIntervalSince1970)" } ?? "tail")]))
            let shown = written.prefix(count + 1).joined(separator: "\n") + "\n"
            onBytes(ByteBuffer(string: shown).readableBytesView)
        }
        _ = follower.follow(LogTarget(key: "pod/app", source: LogSource(pod: PodID("core"), service: nil, replica: "pod"), tty: true))
        #expect(await clock.waitUntilSleeping(lasting: .seconds(2)))
        #expect(lines.all == ["one", "two"])
        clock.advance(by: .seconds(2))
        #expect(await clock.waitUntilSleeping(lasting: .seconds(2)))
        #expect(lines.all == ["one", "two", "three"], "the second stream's repeats of one and two were dropped")
        #expect(asked.all.first == "tail")
        #expect(asked.all.last?.hasPrefix("after ") == true)
        _ = follower.stop("pod/app")
        await follower.stopAll()
        #expect(follower.followedKeys.isEmpty)
    }
}

/// Counts across the streams a follower opens.
final class ManagedAtomicCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func increment() -> Int { lock.withLock { value += 1; return value } }
}

@Suite(.timeLimit(.minutes(1)))
struct TransportFailureTests {
    @Test func aClosedPortIsToldAsRefusedFromTheErrorsType() async throws {
        let http = HTTPClient.shared
        let port = LoopbackPort.free()
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/health")
        request.method = .GET
        do {
            _ = try await http.execute(request, timeout: .seconds(5))
            Issue.record("nothing listens on \(port), yet it answered")
        } catch {
            #expect(TransportFailure(error) == .refused, "\(error)")
            #expect(TransportFailure(error).describe(reaching: "Docker at tcp://127.0.0.1:\(port)") == "cannot reach Docker at tcp://127.0.0.1:\(port): connection refused")
        }
    }
}

@Suite(.timeLimit(.minutes(1)))
struct UsageIntervalTests {
    @Test func aBigFleetIsSampledEveryFewRefreshes() {
        let refreshes = [1, 150, 250, 251, 627, 1000].map { DockerRuntime.refreshesPerSample(members: $0) }
        #expect(refreshes == [1, 1, 1, 2, 3, 4])
    }
}
