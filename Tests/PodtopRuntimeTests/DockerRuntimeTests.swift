import Foundation
import Synchronization
import PodtopCore
import PodtopProcess
import Testing
import TestSupport
@testable import PodtopRuntime

/// DockerRuntime against the real daemon that scripts/test starts.
@Suite(.enabled(if: TestDocker.available, "needs the test daemon that scripts/test starts"), .timeLimit(.minutes(1)))
struct DockerRuntimeTests {
    func start(_ runtime: DockerRuntime, refresh: Duration = .seconds(1)) -> (RuntimeRecorder, Task<Void, Never>) {
        let recorder = RuntimeRecorder()
        let task = Task { await runtime.run(refresh: refresh) { recorder.record($0) } }
        return (recorder, task)
    }

    /// How late a change may show, measured from the daemon's own event: two refreshes of a
    /// one-second screen, which is when a person watching would notice. Beside the whole suite on
    /// 2 cores a change has shown up to 1.05 s after its event; alone, within 0.2 s.
    static let noticeable: TimeInterval = 2

    func endpoint() throws -> DockerEndpoint { try DockerEndpoint.parse(TestDocker.host!) }

    @Test func groupsALabelledFleetIntoPodsAndKeepsTheRestAsOther() async throws {
        let id = TestDocker.newID()
        defer { TestDocker.removeAll(id) }
        try await TestDocker.run(id, service: "core-pod", number: 1)
        try await TestDocker.run(id, service: "core-pod", number: 2)
        try await TestDocker.run(id, service: "experience-pod", number: 1)
        try await TestDocker.run(id, service: "worker", number: 1)
        let runtime = DockerRuntime(endpoint: try endpoint(), topology: TestDocker.topology(id))
        let (recorder, task) = start(runtime)
        defer { task.cancel() }
        let found = await recorder.waitForSnapshot { $0.pod(PodID("core"))?.replicas.count == 2 && $0.pod(PodID("experience"))?.replicas.count == 1 }
        let snapshot = try #require(found?.1)
        #expect(snapshot.pod(PodID("core"))?.replicas.map(\.name) == ["t\(id)-core-pod-1", "t\(id)-core-pod-2"])
        #expect(snapshot.pod(PodID("core"))?.readyCount == 2)
        #expect(snapshot.unmatched.map(\.name) == ["t\(id)-worker-1"])
        let engine = try await TestDaemon.docker(["version", "--format", "{{.Server.Version}} (API {{.Server.APIVersion}})"])
        #expect(recorder.all.contains { if case .connected(let identity) = $0.1 { identity.version == engine.trimmingCharacters(in: .whitespacesAndNewlines) } else { false } },
                "the header names the engine as `docker version` does: \(engine)")
    }

    @Test func aKilledContainerShowsAsDeadWithinOneSecondOfTheEvent() async throws {
        let id = TestDocker.newID()
        defer { TestDocker.removeAll(id) }
        let container = try await TestDocker.run(id, service: "core-pod", number: 1)
        // A slow poll, so that only the event stream can explain a prompt update.
        let runtime = DockerRuntime(endpoint: try endpoint(), topology: TestDocker.topology(id))
        let (recorder, task) = start(runtime, refresh: .seconds(30))
        defer { task.cancel() }
        _ = try #require(await recorder.waitForSnapshot { $0.pod(PodID("core"))?.readyCount == 1 })
        let died = try DaemonEventWatch(container, "die")
        try await TestDocker.docker(["kill", container])
        let seen = try #require(await recorder.waitForSnapshot(seconds: 5) { $0.pod(PodID("core"))?.replicas.first?.phase == .exited })
        let diedAt = try #require(await died.firstTime(), "no die event from the daemon")
        let delay = seen.0.timeIntervalSince(diedAt)
        #expect(delay < Self.noticeable, "seen \(delay) s after the daemon's die event")
        // And it stays dead: the list sent on the event trails it (it still said "running"),
        // and must not bring the container back to life on screen.
        try await Task.sleep(for: .seconds(1))
        let afterwards = firstCorePhases(in: recorder, after: seen.0)
        #expect(!afterwards.isEmpty && afterwards.allSatisfy { $0 == .exited }, "\(afterwards)")
    }

    @Test func aContainerExitingOnItsOwnStaysDeadAndShowsWithinOneSecondOfTheEvent() async throws {
        let id = TestDocker.newID()
        defer { TestDocker.removeAll(id) }
        // Exits with 3 once /tmp/stop exists: a death with no kill event before it, so the list
        // sent on its `die` event goes out at once, and the daemon's list still says "running"
        // then (18 of 18 tries here).
        let container = try await TestDocker.run(id, service: "core-pod", number: 1,
                                           command: "while [ ! -e /tmp/stop ]; do sleep 1; done; exit 3")
        let runtime = DockerRuntime(endpoint: try endpoint(), topology: TestDocker.topology(id))
        let (recorder, task) = start(runtime, refresh: .seconds(30))  // neither the poll nor the safety net
        defer { task.cancel() }
        _ = try #require(await recorder.waitForSnapshot { $0.pod(PodID("core"))?.readyCount == 1 })
        let died = try DaemonEventWatch(container, "die")
        try await TestDocker.docker(["exec", container, "touch", "/tmp/stop"])
        let seen = try #require(await recorder.waitForSnapshot(seconds: 10) { $0.pod(PodID("core"))?.replicas.first?.phase == .exited })
        let diedAt = try #require(await died.firstTime(), "no die event from the daemon")
        #expect(seen.0.timeIntervalSince(diedAt) < Self.noticeable, "seen \(seen.0.timeIntervalSince(diedAt)) s after the daemon's die event")
        try await Task.sleep(for: .seconds(2))  // the list and inspect the event asked for are done
        let afterwards = firstCorePhases(in: recorder, after: seen.0)
        #expect(!afterwards.isEmpty && afterwards.allSatisfy { $0 == .exited }, "after it died: \(afterwards)")
    }

    @Test func theFirstSnapshotComesFromTheListBeforeAnyInspect() async throws {
        // On a fleet the inspects take a while; the list alone says each container's state and
        // health, so the first frame shows the pods' ready counts without waiting for them.
        let id = TestDocker.newID()
        defer { TestDocker.removeAll(id) }
        for number in 1...3 { try await TestDocker.run(id, service: "core-pod", number: number) }
        let journalPath = FileManager.default.temporaryDirectory.appendingPathComponent("podtop-journal-\(id)").path
        defer { try? FileManager.default.removeItem(atPath: journalPath) }
        let runtime = DockerRuntime(endpoint: try endpoint(), topology: TestDocker.topology(id),
                                    policy: RequestPolicy(journal: try RequestJournal(path: journalPath)))
        let sentBeforeFirstSnapshot = Mutex<[String]?>(nil)
        let task = Task {
            await runtime.run(refresh: .seconds(30)) { event in
                guard case .snapshot = event else { return }
                sentBeforeFirstSnapshot.withLock { sent in
                    if sent == nil { sent = (try? String(contentsOfFile: journalPath, encoding: .utf8))?.split(separator: "\n").map(String.init) ?? [] }
                }
            }
        }
        defer { task.cancel() }
        var firstSent: [String]?
        await Eventually.holds(within: .seconds(15)) {
            firstSent = sentBeforeFirstSnapshot.withLock { $0 }
            return firstSent != nil
        }
        let sent = try #require(firstSent)
        #expect(sent.contains { $0.contains("/containers/json") }, "\(sent)")
        #expect(!sent.contains { $0.range(of: #"/containers/[0-9a-f]{64}/json"#, options: .regularExpression) != nil }, "\(sent)")
    }

    @Test func aBurstOfEventsCostsAFewListsNotOneEach() async throws {
        let id = TestDocker.newID()
        defer { TestDocker.removeAll(id) }
        var containers: [String] = []
        for number in 1...6 { containers.append(try await TestDocker.run(id, service: "core-pod", number: number)) }
        let journalPath = FileManager.default.temporaryDirectory.appendingPathComponent("podtop-journal-\(id)").path
        defer { try? FileManager.default.removeItem(atPath: journalPath) }
        let runtime = DockerRuntime(endpoint: try endpoint(), topology: TestDocker.topology(id),
                                    policy: RequestPolicy(journal: try RequestJournal(path: journalPath)))
        let (recorder, task) = start(runtime, refresh: .seconds(30))  // no poll, no periodic list in the window
        defer { task.cancel() }
        _ = try #require(await recorder.waitForSnapshot { $0.pod(PodID("core"))?.readyCount == 6 })
        let listsBefore = try lists(in: journalPath)
        // A burst of events: six kills in one command.
        try await TestDocker.docker(["kill"] + containers)
        // The deaths show from their events; the lists that confirm them follow, and may take
        // seconds while the daemon is busy (a list took 4 s beside the whole suite on 2 cores).
        // How soon is the timing tests' to say; this test's wait is only shorter than the 30 s
        // safety net, which alone would have shown a death the list got wrong.
        let allExited = await recorder.waitForSnapshot(seconds: 15) { $0.pod(PodID("core"))?.replicas.allSatisfy { $0.phase == .exited } == true }
        #expect(allExited != nil, "last seen: \(recorder.latestSnapshot?.pod(PodID("core"))?.replicas.map { "\($0.name) \($0.phase)" } ?? [])")
        // Each list asks for the containers the events named (other tests' containers on the
        // same daemon too, when their events come meanwhile), not for the whole fleet again;
        // together they name all six.
        var named: [Set<String>?] = []
        try await Eventually.holds(within: .seconds(20), every: .milliseconds(200)) {
            named = try listRequests(in: journalPath).dropFirst(listsBefore).map(Self.filteredIDs)
            return Set(containers).isSubset(of: named.reduce(into: Set<String>()) { $0.formUnion($1 ?? []) })
        }
        try await Task.sleep(for: .milliseconds(500))  // any list still to come for the burst
        named = try listRequests(in: journalPath).dropFirst(listsBefore).map(Self.filteredIDs)
        #expect(named.allSatisfy { $0 != nil }, "a list of everything among \(named)")
        #expect(Set(containers).isSubset(of: named.reduce(into: Set<String>()) { $0.formUnion($1 ?? []) }), "\(named)")
        // One list per event made 17–19 here (each kill brings a kill and a die, and more);
        // coalesced, 4–6 while the other Docker tests run beside it.
        #expect(named.count >= 1 && named.count <= 8, "\(named.count) lists for the burst")
        // And the lists agree with the events: the containers stay exited.
        let confirmed = recorder.latestSnapshot?.pod(PodID("core"))?.replicas.map(\.phase)
        #expect(confirmed == Array(repeating: .exited, count: 6))
    }

    @Test func containersStartedAndRemovedElsewhereComeAndGo() async throws {
        let id = TestDocker.newID()
        defer { TestDocker.removeAll(id) }
        try await TestDocker.run(id, service: "core-pod", number: 1)
        let runtime = DockerRuntime(endpoint: try endpoint(), topology: TestDocker.topology(id))
        let (recorder, task) = start(runtime, refresh: .seconds(30))  // only events can explain the changes
        defer { task.cancel() }
        _ = try #require(await recorder.waitForSnapshot { $0.pod(PodID("core"))?.replicas.count == 1 })
        let second = try await TestDocker.run(id, service: "core-pod", number: 2)
        // Well inside the 30 s poll and safety net: only the events can explain it.
        let grown = await recorder.waitForSnapshot(seconds: 15) { $0.pod(PodID("core"))?.replicas.count == 2 }
        #expect(grown?.1.pod(PodID("core"))?.replicas.map(\.name) == ["t\(id)-core-pod-1", "t\(id)-core-pod-2"])
        try await TestDocker.docker(["rm", "-f", second])
        #expect(await recorder.waitForSnapshot(seconds: 15) { $0.pod(PodID("core"))?.replicas.map(\.name) == ["t\(id)-core-pod-1"] } != nil)
    }

    /// The phase of the Core pod's first replica in every snapshot after `time`.
    private func firstCorePhases(in recorder: RuntimeRecorder, after time: Date) -> [ReplicaPhase] {
        recorder.all.filter { $0.0 > time }.compactMap { entry in
            if case .snapshot(let snapshot) = entry.1 { snapshot.pod(PodID("core"))?.replicas.first?.phase } else { nil }
        }
    }

    private func listRequests(in journal: String) throws -> [Substring] {
        try String(contentsOfFile: journal, encoding: .utf8).split(separator: "\n").filter { $0.contains("/containers/json?") }
    }

    private func lists(in journal: String) throws -> Int { try listRequests(in: journal).count }

    /// The IDs a list request's `filters` names; nil for a list of everything.
    static func filteredIDs(_ request: Substring) -> Set<String>? {
        guard let path = request.split(separator: " ").last,
              let filters = URLComponents(string: "http://docker" + path)?.queryItems?.first(where: { $0.name == "filters" })?.value,
              let object = try? JSONSerialization.jsonObject(with: Data(filters.utf8)) as? [String: [String]],
              let ids = object["id"] else { return nil }
        return Set(ids)
    }

    @Test func aContainerTurningUnhealthyShowsWithinOneSecondOfTheEvent() async throws {
        let id = TestDocker.newID()
        defer { TestDocker.removeAll(id) }
        // Healthy at first, then its check starts failing once /tmp/sick exists.
        let container = try await TestDocker.run(id, service: "core-pod", number: 1, extra: [
            "--health-cmd", "test ! -e /tmp/sick", "--health-interval", "1s", "--health-retries", "1", "--health-timeout", "1s",
        ])
        let runtime = DockerRuntime(endpoint: try endpoint(), topology: TestDocker.topology(id))
        let (recorder, task) = start(runtime, refresh: .seconds(30))  // neither the poll nor the re-list can explain it
        defer { task.cancel() }
        _ = try #require(await recorder.waitForSnapshot { $0.pod(PodID("core"))?.replicas.first?.phase == .healthy })
        let turned = try DaemonEventWatch(container, "health_status")
        try await TestDocker.docker(["exec", container, "touch", "/tmp/sick"])
        let seen = try #require(await recorder.waitForSnapshot(seconds: 10) { $0.pod(PodID("core"))?.replicas.first?.phase == .unhealthy })
        let unhealthyAt = try #require(await turned.firstTime(), "no health_status event from the daemon")
        let delay = seen.0.timeIntervalSince(unhealthyAt)
        #expect(delay < Self.noticeable, "seen \(delay) s after the daemon's health_status event")
    }

    @Test func restartingOneReplicaAndRollingAPod() async throws {
        let id = TestDocker.newID()
        defer { TestDocker.removeAll(id) }
        let first = try await TestDocker.run(id, service: "core-pod", number: 1)
        let second = try await TestDocker.run(id, service: "core-pod", number: 2)
        let runtime = DockerRuntime(endpoint: try endpoint(), topology: TestDocker.topology(id))
        let (recorder, task) = start(runtime)
        defer { task.cancel() }
        _ = try #require(await recorder.waitForSnapshot { $0.pod(PodID("core"))?.readyCount == 2 })
        _ = try await runtime.restartReplica(PodID("core"), replica: first)
        let once = await recorder.waitForSnapshot { $0.pod(PodID("core"))?.replicas.first { $0.id == first }?.restarts == 1 }
        #expect(once != nil, "the restarted replica's count rose to 1")

        let since = String(Date().timeIntervalSince1970)
        let progress = RuntimeRecorder()
        let summary = try await runtime.restart(PodID("core")) { progress.record(.logs([LogLine(at: Date(), source: LogSource(pod: nil, service: nil, replica: ""), stream: .stdout, level: .info, text: $0)])) }
        #expect(summary == "Restarted Core: 2 containers, one at a time")
        let counted = await recorder.waitForSnapshot {
            let replicas = $0.pod(PodID("core"))?.replicas ?? []
            return replicas.first { $0.id == first }?.restarts == 2 && replicas.first { $0.id == second }?.restarts == 1
        }
        #expect(counted != nil)
        // Order: replica 1 was started again before replica 2 was even stopped.
        let events = try await TestDocker.docker(["events", "--since", since, "--until", String(Date().timeIntervalSince1970),
                                             "--filter", "label=podtop.test=\(id)", "--format", "{{.Action}} {{.Actor.Attributes.name}}"])
            .split(separator: "\n").map(String.init)
        let firstStart = try #require(events.firstIndex(of: "start t\(id)-core-pod-1"))
        let secondKill = try #require(events.firstIndex { $0.hasPrefix("kill t\(id)-core-pod-2") || $0.hasPrefix("die t\(id)-core-pod-2") })
        #expect(firstStart < secondKill, "\(events)")
    }

    @Test func scalingOneToThreeAndBackTheWayComposeDoes() async throws {
        let id = TestDocker.newID()
        defer { TestDocker.removeAll(id) }
        try await TestDocker.run(id, service: "core-pod", number: 1)
        let runtime = DockerRuntime(endpoint: try endpoint(), topology: TestDocker.topology(id))
        let (recorder, task) = start(runtime)
        defer { task.cancel() }
        _ = try #require(await recorder.waitForSnapshot { $0.pod(PodID("core"))?.readyCount == 1 })
        #expect(try await runtime.scale(PodID("core"), to: 3) == "Scaled Core from 1 to 3 containers")
        let names = try await TestDocker.docker(["ps", "--filter", "label=podtop.test=\(id)", "--format",
                                           "{{.Names}} {{.Label \"com.docker.compose.container-number\"}} {{.Label \"com.docker.compose.service\"}}"])
            .split(separator: "\n").sorted()
        #expect(names == ["t\(id)-core-pod-1 1 core-pod", "t\(id)-core-pod-2 2 core-pod", "t\(id)-core-pod-3 3 core-pod"])
        #expect(await recorder.waitForSnapshot { $0.pod(PodID("core"))?.readyCount == 3 } != nil)
        #expect(try await runtime.scale(PodID("core"), to: 1) == "Scaled Core from 3 to 1 container")
        let left = try await TestDocker.docker(["ps", "-a", "--filter", "label=podtop.test=\(id)", "--format", "{{.Names}}"])
        #expect(left == "t\(id)-core-pod-1")
    }

    @Test func aPodWithoutComposeLabelsSaysWhyItCannotScale() async throws {
        let id = TestDocker.newID()
        defer { TestDocker.removeAll(id) }
        try await TestDocker.docker(["run", "-d", "--name", "t\(id)-plain", "--network", "none", "--label", "podtop.test=\(id)",
                               "--label", "app=plain", "podtop-busybox:local", "sleep", "1000"])
        let topology = Topology(pods: [PodSpec(id: PodID("plain"), displayName: "Plain", services: [],
                                               selector: ContainerSelector([.labels(["podtop.test": id, "app": "plain"])]))], infrastructure: [])
        let runtime = DockerRuntime(endpoint: try endpoint(), topology: topology)
        let (recorder, task) = start(runtime)
        defer { task.cancel() }
        _ = try #require(await recorder.waitForSnapshot { $0.pod(PodID("plain"))?.replicas.count == 1 })
        await #expect(throws: RuntimeError("Plain cannot be scaled: its containers carry no compose labels (project, service, container-number)")) {
            _ = try await runtime.scale(PodID("plain"), to: 2)
        }
    }

    @Test func aContainerNumberAtTheEdgeOfIntIsAnErrorNotATrap() async throws {
        // The label is anyone's to set: the next number after Int.max does not exist.
        let id = TestDocker.newID()
        defer { TestDocker.removeAll(id) }
        try await TestDocker.run(id, service: "core-pod", number: .max)
        let runtime = DockerRuntime(endpoint: try endpoint(), topology: TestDocker.topology(id))
        let (recorder, task) = start(runtime)
        defer { task.cancel() }
        _ = try #require(await recorder.waitForSnapshot { $0.pod(PodID("core"))?.readyCount == 1 })
        await #expect(throws: RuntimeError("cannot number new containers after Core's com.docker.compose.container-number \(Int.max)")) {
            _ = try await runtime.scale(PodID("core"), to: 2)
        }
        let left = try await TestDocker.docker(["ps", "-a", "--filter", "label=podtop.test=\(id)", "--format", "{{.Names}}"])
        #expect(left == "t\(id)-core-pod-\(Int.max)", "nothing was created")
    }

    /// Each log test runs twice: reading the json-file logs on disk (this daemon is local) and
    /// through the API's follow streams, as for a remote daemon.
    static let logReadings: [DockerRuntime.LogReading] = [.automatic, .apiOnly]

    @Test(arguments: logReadings)
    func logsFromTTYAndPlainContainersWithBothStreams(reading: DockerRuntime.LogReading) async throws {
        let id = TestDocker.newID()
        defer { TestDocker.removeAll(id) }
        let script = "i=0; while true; do i=$((i+1)); echo \"out $i\"; echo \"err $i\" >&2; sleep 0.2; done"
        try await TestDocker.run(id, service: "core-pod", number: 1, command: script)
        try await TestDocker.run(id, service: "experience-pod", number: 1, tty: true, command: script)
        let journalPath = FileManager.default.temporaryDirectory.appendingPathComponent("podtop-journal-\(id)").path
        defer { try? FileManager.default.removeItem(atPath: journalPath) }
        let runtime = DockerRuntime(endpoint: try endpoint(), topology: TestDocker.topology(id), logs: reading,
                                    policy: RequestPolicy(journal: try RequestJournal(path: journalPath)))
        let (recorder, task) = start(runtime)
        defer { task.cancel() }
        let enough = await recorder.waitFor { _ in
            let lines = recorder.logLines
            return lines.filter { $0.source.pod == PodID("core") }.count >= 10 && lines.filter { $0.source.pod == PodID("experience") }.count >= 10
        }
        #expect(enough)
        let plain = recorder.logLines.filter { $0.source.pod == PodID("core") }
        #expect(plain.contains { $0.stream == .stdout && $0.text.hasPrefix("out ") })
        #expect(plain.contains { $0.stream == .stderr && $0.text.hasPrefix("err ") })
        #expect(plain.allSatisfy { ($0.stream == .stdout) == $0.text.hasPrefix("out ") })
        let outNumbers = plain.filter { $0.stream == .stdout }.compactMap { Int($0.text.dropFirst(4)) }
        #expect(outNumbers == outNumbers.sorted() && outNumbers.count >= 5, "in order per container")
        let tty = recorder.logLines.filter { $0.source.pod == PodID("experience") }
        #expect(tty.contains { $0.text.hasPrefix("out ") } && tty.contains { $0.text.hasPrefix("err ") })
        #expect(tty.allSatisfy { !$0.text.contains("^M") && !$0.text.hasSuffix("\r") }, "CRLF from the pty is removed")
        #expect(plain.first?.source.replica == "1")
        let logRequests = try String(contentsOfFile: journalPath, encoding: .utf8).split(separator: "\n").filter { $0.contains("/logs") }
        #expect(logRequests.count == (reading == .apiOnly ? 2 : 0))
    }

    @Test func aReadOnlyTransportRefusesAnythingButGETEvenWhenAsked() async throws {
        let id = TestDocker.newID()
        defer { TestDocker.removeAll(id) }
        let container = try await TestDocker.run(id, service: "core-pod", number: 1)
        let journalPath = FileManager.default.temporaryDirectory.appendingPathComponent("podtop-journal-\(id)").path
        defer { try? FileManager.default.removeItem(atPath: journalPath) }
        let runtime = DockerRuntime(endpoint: try endpoint(), topology: TestDocker.topology(id),
                                    policy: RequestPolicy(readOnly: true, journal: try RequestJournal(path: journalPath)))
        let (recorder, task) = start(runtime)
        defer { task.cancel() }
        #expect(await recorder.waitForSnapshot { $0.pod(PodID("core"))?.replicas.count == 1 } != nil)
        // Below the UI, straight at the runtime: the transport itself says no.
        await #expect(throws: RuntimeError.self) { _ = try await runtime.restartReplica(PodID("core"), replica: container) }
        await #expect(throws: RuntimeError.self) { _ = try await runtime.scale(PodID("core"), to: 2) }
        // Refused before anything was sent: the container has never been restarted.
        #expect(try await TestDocker.docker(["inspect", "--format", "{{.RestartCount}}", container]) == "0")
        #expect(try await TestDocker.docker(["ps", "-q", "--filter", "label=podtop.test=\(id)"]).split(separator: "\n").count == 1)
        let journal = try String(contentsOfFile: journalPath, encoding: .utf8).split(separator: "\n")
        #expect(journal.contains { $0.hasPrefix("refused POST ") && $0.contains("/restart") })
        #expect(journal.allSatisfy { $0.hasPrefix("GET ") || $0.hasPrefix("refused ") })
    }

    @Test(arguments: logReadings)
    func aMegabyteLineArrivesAsOneLineCutWithItsRealSize(reading: DockerRuntime.LogReading) async throws {
        let id = TestDocker.newID()
        defer { TestDocker.removeAll(id) }
        // The daemon stores a line over 16 KiB as partial messages, each sent with its own
        // timestamp; podtop must put the line back together without those timestamps inside it.
        // The line is printed once podtop follows the container (the test touches /tmp/go when
        // "ready" has arrived): the start-up tail counts partial messages and would begin mid-line.
        let script = "echo ready; while [ ! -e /tmp/go ]; do usleep 50000; done; printf 'huge '; yes x | tr -d '\\n' | head -c 1048576; echo; echo after; exec sleep 3600"
        try await TestDocker.run(id, service: "core-pod", number: 1, command: script)
        let runtime = DockerRuntime(endpoint: try endpoint(), topology: TestDocker.topology(id), logs: reading)
        let (recorder, task) = start(runtime)
        defer { task.cancel() }
        #expect(await recorder.waitFor(seconds: 20) { _ in recorder.logLines.contains { $0.text == "ready" } })
        try await TestDocker.docker(["exec", "t\(id)-core-pod-1", "touch", "/tmp/go"])
        #expect(await recorder.waitFor(seconds: 20) { _ in recorder.logLines.contains { $0.text == "after" } })
        let lines = recorder.logLines.filter { $0.source.pod == PodID("core") }
        #expect(lines.count == 3)
        let huge = try #require(lines.dropFirst().first)
        #expect(huge.text.hasPrefix("huge xxxxxxxx"))
        #expect(huge.text.hasSuffix(" …[cut at 16 KiB of 1024 KiB]"))
        #expect(huge.text.dropFirst(5).dropLast(" …[cut at 16 KiB of 1024 KiB]".count).allSatisfy { $0 == "x" }, "no timestamps inside")
    }

    @Test func cpuAndMemoryAgreeWithDockerStats() async throws {
        let id = TestDocker.newID()
        defer { TestDocker.removeAll(id) }
        // Capped at 10 % of a core, 1 ms in every 10 ms (with the default 100 ms period a one-second
        // window holds 9 to 11 periods' worth), so that it gets a steady 10 % however busy the suite
        // keeps both cores: all containers share one cgroup's part of the machine, and uncapped, or
        // capped at 30 %, the busy container's use moved by 2 to 8 points from one second to the next.
        let busy = try await TestDocker.run(id, service: "core-pod", number: 1, extra: ["--cpu-period", "10000", "--cpu-quota", "1000"],
                                      command: "dd if=/dev/zero of=/tmp/fill bs=1M count=24 2>/dev/null; while :; do :; done")
        let runtime = DockerRuntime(endpoint: try endpoint(), topology: TestDocker.topology(id))
        let (recorder, task) = start(runtime)
        defer { task.cancel() }
        // Busy: its loop runs, so its fill has been written.
        let measured = await recorder.waitForSnapshot(seconds: 20) { ($0.pod(PodID("core"))?.replicas.first?.cpuPercent ?? 0) > 5 }
        #expect(measured != nil, "last seen: \(String(describing: recorder.latestSnapshot?.pod(PodID("core"))?.replicas.first))")
        // Three rounds, each docker stats' one-second window beside podtop's latest sample; the
        // median difference counts, so one scheduling hiccup of a busy loop on 2 cores does not.
        var differences: [Double] = []
        var cli: [Substring] = []
        var ours: Replica?
        for _ in 0..<3 {
            cli = try await TestDocker.docker(["stats", "--no-stream", "--format", "{{.CPUPerc}} {{.MemUsage}}", busy]).split(separator: " ")
            ours = recorder.latestSnapshot?.pod(PodID("core"))?.replicas.first
            let cliCPU = try #require(Double(cli[0].dropLast()))
            differences.append(abs(try #require(ours?.cpuPercent) - cliCPU))
        }
        differences.sort()
        #expect(differences[1] <= 2, "CPU % differences from docker stats: \(differences)")
        let cliMemory = try #require(parseSize(String(cli[1])))
        let memory = Double(try #require(ours?.memoryBytes))
        // Memory within ±2 % of what the CLI prints (both leave the inactive file cache out).
        #expect(abs(memory - cliMemory) <= max(cliMemory * 0.02, 256 * 1024), "podtop \(memory) vs docker stats \(cliMemory)")
    }

    @Test func statsComeFromCgroupsWhenLocalAndFromTheAPIWhenTheyAreUnreadable() async throws {
        let id = TestDocker.newID()
        defer { TestDocker.removeAll(id) }
        try await TestDocker.run(id, service: "core-pod", number: 1)
        let measured: (RuntimeSnapshot) -> Bool = { $0.pod(PodID("core"))?.replicas.first.map { $0.cpuPercent != nil && $0.memoryBytes != nil } == true }

        let local = DockerRuntime(endpoint: try endpoint(), topology: TestDocker.topology(id))
        let (fromCgroups, localTask) = start(local)
        let cgroupSnapshot = try #require(await fromCgroups.waitForSnapshot(seconds: 20, measured)?.1,
                                          "last seen: \(String(describing: fromCgroups.latestSnapshot?.pod(PodID("core"))?.replicas.first)), \(fromCgroups.latestSnapshot?.statsSource ?? "no source")")
        localTask.cancel()
        let version = try #require(CgroupStatsReader.host()).mounts.hasV1 ? "v1" : "v2"
        #expect(cgroupSnapshot.statsSource == "cgroup \(version)")

        // A cgroup tree with none of the files: every figure comes from the daemon instead.
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("no-cgroups-\(id)")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: empty) }
        let nowhere = CgroupMounts.Mount(mountPoint: empty.path, root: "/")
        let unreadable = CgroupStatsReader(mounts: CgroupMounts(cpuacct: nowhere, memory: nowhere, unified: nowhere))
        let remote = DockerRuntime(endpoint: try endpoint(), topology: TestDocker.topology(id), stats: .cgroups(unreadable))
        let (fromAPI, remoteTask) = start(remote)
        defer { remoteTask.cancel() }
        let apiSnapshot = try #require(await fromAPI.waitForSnapshot(seconds: 20, measured)).1
        #expect(apiSnapshot.statsSource == "the API's one-shot stats")
    }

    func parseSize(_ text: String) -> Double? {
        let units: [(String, Double)] = [("GiB", 1_073_741_824), ("MiB", 1_048_576), ("KiB", 1024), ("B", 1)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            return Double(text.dropLast(suffix.count)).map { $0 * scale }
        }
        return nil
    }

    @Test func aDaemonThatStopsAndComesBackIsFollowedWithoutARestart() async throws {
        // A daemon of its own: stopping the shared one would break the other tests.
        let directory = "/tmp/podtop-restart-\(TestDocker.newID())"
        let script = TestDocker.repositoryRoot.appendingPathComponent("scripts/private-dockerd").path
        let host = try await TestDocker.shell([script, "start", directory])
        defer { _ = try? LaunchedChild(script, ["stop", directory], endsWithOwner: false) }
        let id = TestDocker.newID()
        try await TestDocker.run(id, service: "core-pod", number: 1, extra: ["--restart", "always"], host: host)
        let runtime = DockerRuntime(endpoint: try DockerEndpoint.parse(host), topology: TestDocker.topology(id))
        let (recorder, task) = start(runtime)
        defer { task.cancel() }
        _ = try #require(await recorder.waitForSnapshot { $0.pod(PodID("core"))?.readyCount == 1 })
        let pid = try String(contentsOfFile: "\(directory)/dockerd.pid", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        try await TestDocker.shell(["kill", pid])
        let lost = await recorder.waitFor(seconds: 20) { $0.contains { if case .disconnected = $0.1 { true } else { false } } }
        #expect(lost, "the loss is reported as a state")
        // A reconnect attempt has failed while the daemon was away, before it comes back.
        let retried = await recorder.waitFor(seconds: 20) { $0.filter { if case .disconnected = $0.1 { true } else { false } }.count >= 2 }
        #expect(retried, "no second attempt while the daemon was away")
        let before = recorder.all.count
        _ = try await TestDocker.shell([script, "start", directory])
        let back = await recorder.waitFor(seconds: 40) { events in
            events.dropFirst(before).contains { if case .snapshot(let s) = $0.1 { s.pod(PodID("core"))?.readyCount == 1 } else { false } }
        }
        #expect(back, "podtop reconnected and re-listed by itself")
    }
}

/// The daemon's own time for the first `event` of a container from the moment this is made: a
/// `docker events` stream that replays from then. (Looked up afterwards instead, the event can
/// already have left the daemon's buffer of its last 256, beside the other tests' health checks.)
final class DaemonEventWatch: Sendable {
    private let stream: LaunchedChild
    private let output: String

    init(_ container: String, _ event: String) throws {
        output = FileManager.default.temporaryDirectory.appendingPathComponent("podtop-events-\(UUID().uuidString.prefix(8))").path
        let since = String(format: "%.6f", Date().timeIntervalSince1970)
        stream = try LaunchedChild("docker", ["-H", TestDocker.host ?? "", "events", "--since", since, "--filter", "container=\(container)",
                                              "--filter", "event=\(event)", "--format", "{{.TimeNano}}"], standardOutput: output)
    }

    deinit { try? FileManager.default.removeItem(atPath: output) }

    /// When the daemon sent the event, once it has (nil after `timeout`).
    func firstTime(within timeout: Duration = .seconds(10)) async -> Date? {
        var time: Date?
        await Eventually.holds(within: timeout) {
            let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
            time = text.split(separator: "\n").first.flatMap { Int64($0) }.map { Date(timeIntervalSince1970: Double($0) / 1e9) }
            return time != nil
        }
        return time
    }
}
