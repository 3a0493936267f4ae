import Foundation
import PodtopCore
import Testing
import TestSupport
@testable import PodtopRuntime

/// A steerable server (Servers/steerable_server.py) on 127.0.0.1, for the life of a test.
/// The timing tests here run in a pass of their own (scripts/test), not beside the other suites
/// on two cores: they measure milliseconds.
@Suite(.timeLimit(.minutes(1)))
final class SteerableServer: @unchecked Sendable {
    let server: ServerProcess
    let port: Int

    init(tcpOnly: Bool = false) async throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Servers/steerable_server.py").path
        server = try await ServerProcess(script: script, arguments: tcpOnly ? ["--tcp"] : [])
        guard let port = server.ports.first else { throw RuntimeError("the steerable server did not start") }
        self.port = port
    }

    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    /// Connections accepted so far, counting the one this question comes over.
    func connectionsAccepted() async throws -> Int {
        let fetch = "import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1]).read().decode())"
        let answer = try await Spawn.run(["python3", "-c", fetch, url("/connections")], capture: true, check: true)
        let object = try JSONSerialization.jsonObject(with: Data(answer.utf8)) as? [String: Any]
        return object?["connections"] as? Int ?? -1
    }
}

@Suite(.serialized, .timeLimit(.minutes(1))) struct HealthProberTests {
    let thresholds = LatencyThresholds(warnMs: 30, criticalMs: 150)

    func target(_ check: HealthCheck, timeoutMs: Double = 800, thresholds: LatencyThresholds? = nil) -> HealthProber.Target {
        HealthProber.Target(key: .infrastructure("t"), check: check, thresholds: thresholds ?? self.thresholds,
                            schedule: ProbeSchedule(intervalMs: 1000, timeoutMs: timeoutMs))
    }

    func probe(_ check: HealthCheck, timeoutMs: Double = 800, thresholds: LatencyThresholds? = nil) async -> HealthSample {
        let prober = HealthProber(topology: Topology(pods: [], infrastructure: []))
        let sample = await prober.probeOnce(target(check, timeoutMs: timeoutMs, thresholds: thresholds))
        await prober.shutdown()
        return sample
    }

    @Test func eachClassIsReached() async throws {
        let server = try await SteerableServer()
        _ = await probe(.http(url: server.url("/ok")), timeoutMs: 5000)  // warm up server and event loop
        // The thresholds are set above what a plain answer takes at this moment (beside the rest of
        // the suite on 2 cores, tens of milliseconds), so that the delays reach each class, not the load.
        var baseline = 0.0
        for _ in 0..<3 { baseline = max(baseline, await probe(.http(url: server.url("/ok")), timeoutMs: 5000).latencyMs ?? 0) }
        let warn = max(100, (baseline * 3 + 50).rounded())
        let classes = LatencyThresholds(warnMs: warn, criticalMs: warn * 4)
        let timeoutMs = warn * 12
        // Up to three probes each: a loaded machine only ever adds latency (beside a CPU hog a
        // plain answer once took 382 ms, a moment after the baseline's 24), so one of them
        // reaching the class is what the class takes.
        @discardableResult
        func expect(_ path: String, _ expected: HealthClass) async -> HealthSample? {
            var seen: [String] = []
            for _ in 0..<3 {
                let sample = await probe(.http(url: server.url(path)), timeoutMs: timeoutMs, thresholds: classes)
                if sample.verdict == expected { return sample }
                seen.append("\(sample.verdict) after \(sample.latencyMs ?? -1) ms (\(sample.detail))")
            }
            Issue.record("\(path) never \(expected): \(seen); warn at \(warn) ms")
            return nil
        }
        await expect("/ok", .up)
        await expect("/plain", .up)
        await expect("/delay/\(Int(warn * 2))", .slow)
        await expect("/delay/\(Int(warn * 6))", .degraded)
        let degraded = await probe(.http(url: server.url("/degraded")), timeoutMs: timeoutMs, thresholds: classes)
        #expect(degraded.verdict == .degraded)
        #expect(degraded.detail.contains("checks: {cache: ok, db: slow}"))
        let failing = await probe(.http(url: server.url("/status/503")), timeoutMs: timeoutMs, thresholds: classes)
        #expect(failing.verdict == .down)
        #expect(failing.detail.hasPrefix("HTTP 503"))
        #expect(failing.latencyMs == nil || failing.verdict.answered == false)
        let closed = await probe(.http(url: server.url("/close")), timeoutMs: timeoutMs, thresholds: classes)
        #expect(closed.verdict == .down)
        let invalid = await expect("/invalid-json", .up)
        #expect(invalid?.detail.contains("not valid JSON") == true)
        let hang = await probe(.http(url: server.url("/hang")), timeoutMs: 300)
        #expect(hang.verdict == .timeout)
    }

    /// Probes of a keep-alive server share one connection; a server that closes a kept-alive
    /// connection as the next probe arrives costs that probe a new connection, not a false DOWN;
    /// a server that closes after each answer gets a new connection per probe.
    @Test func connectionsAreKeptAliveAndReopenedWhenTheServerClosesThem() async throws {
        let server = try await SteerableServer()
        let prober = HealthProber(topology: Topology(pods: [], infrastructure: []))
        func connectionsOpened(probing path: String, times: Int) async throws -> Int {
            let before = try await server.connectionsAccepted()
            for _ in 0..<times {
                let sample = await prober.probeOnce(target(.http(url: server.url(path))))
                // Answered is what counts here (slow or not: beside the whole suite a probe can take long).
                #expect(sample.verdict.answered, "\(path): \(sample.detail)")
            }
            // Less the connection that asked the second time.
            return try await server.connectionsAccepted() - before - 1
        }
        var opened: [Int] = []
        var failure: (any Error)?
        do {
            opened.append(try await connectionsOpened(probing: "/ok", times: 5))
            // The first probe opens one; each next finds it closed under its request and opens another.
            opened.append(try await connectionsOpened(probing: "/first-only", times: 3))
            opened.append(try await connectionsOpened(probing: "/answer-and-close", times: 3))
        } catch {
            failure = error
        }
        await prober.shutdown()
        if let failure { throw failure }
        #expect(opened == [1, 3, 3])
    }

    /// Two services with the same health URL (one process serving both) are probed in the same
    /// round; each gets its own answer, not a TIMEOUT from the other's probe.
    @Test func servicesSharingAURLAreEachProbed() async throws {
        let server = try await SteerableServer()
        let schedule = ProbeSchedule(intervalMs: 1000, timeoutMs: 500)
        let topology = Topology(pods: [PodSpec(id: PodID("p"), displayName: "P", services: [
            ServiceSpec(name: "first", check: .http(url: server.url("/ok")), schedule: schedule),
            ServiceSpec(name: "second", check: .http(url: server.url("/ok")), schedule: schedule),
        ], selector: ContainerSelector([]))], infrastructure: [])
        let prober = HealthProber(topology: topology)
        let recorder = RuntimeRecorder()
        let task = Task { await prober.run { recorder.record($0) } }
        let rounds = await recorder.waitFor(seconds: 4) { events in
            events.filter { if case .health = $0.1 { true } else { false } }.count >= 4
        }
        task.cancel()
        await task.value
        #expect(rounds)
        var verdicts: [String: [HealthClass]] = [:]
        for (_, event) in recorder.all {
            guard case .health(.service(let id), let sample) = event else { continue }
            verdicts[id.name, default: []].append(sample.verdict)
        }
        // Answered, each of them (UP, or SLOW when the suite loads the machine): none a TIMEOUT.
        #expect(verdicts["first"]?.allSatisfy(\.answered) == true, "\(verdicts)")
        #expect(verdicts["second"]?.allSatisfy(\.answered) == true, "\(verdicts)")
    }

    @Test func refusedConnectionsAreDown() async throws {
        let port = LoopbackPort.free()
        let http = await probe(.http(url: "http://127.0.0.1:\(port)/health"))
        #expect(http.verdict == .down && http.detail == "connection refused")
        let tcp = await probe(.tcp(host: "127.0.0.1", port: port))
        #expect(tcp.verdict == .down && tcp.detail == "connection refused")
    }

    @Test func tcpProbesMeasureTheConnect() async throws {
        let server = try await SteerableServer(tcpOnly: true)
        _ = await probe(.tcp(host: "127.0.0.1", port: server.port), timeoutMs: 5000)  // warm up
        // The quickest of three connects: a loaded machine only ever adds latency.
        var samples: [HealthSample] = []
        for _ in 0..<3 { samples.append(await probe(.tcp(host: "127.0.0.1", port: server.port))) }
        let quickest = try #require(samples.min { ($0.latencyMs ?? .infinity) < ($1.latencyMs ?? .infinity) })
        #expect(quickest.verdict == .up, "\(samples.map(\.detail))")
        #expect((quickest.latencyMs ?? 99) < 30)
    }

    /// The server's own "slept_ms" from a probe's detail ("HTTP 200, {slept_ms: 50.08, status: ok}").
    static func sleptMs(_ detail: String) -> Double? {
        guard let range = detail.range(of: "slept_ms: ") else { return nil }
        return Double(detail[range.upperBound...].prefix { $0.isNumber || $0 == "." })
    }

    @Test func anInjectedDelayIsMeasuredWithinFiveMilliseconds() async throws {
        let server = try await SteerableServer()
        _ = await probe(.http(url: server.url("/ok")))  // warm the server up
        let prober = HealthProber(topology: Topology(pods: [], infrastructure: []))
        // Each delayed probe beside an undelayed one at the same moment: what the delay adds to
        // the load's own cost must be the time the server says it waited (50 ms asked; beside a
        // CPU hog its sleep overran by up to 8 ms). The closest pair counts: beside the suite on
        // 2 cores the event loop's wake-ups stray by up to 15 ms either way, and a measuring
        // fault (a delay counted twice, a hop timed in) would be in every pair.
        var errors: [Double] = []
        for _ in 0..<5 {
            let reference = await prober.probeOnce(target(.http(url: server.url("/ok"))))
            let sample = await prober.probeOnce(target(.http(url: server.url("/delay/50"))))
            let slept = try #require(Self.sleptMs(sample.detail), "\(sample.detail)")
            errors.append(abs((sample.latencyMs ?? 0) - (reference.latencyMs ?? 0) - slept))
        }
        await prober.shutdown()
        #expect(errors.min()! <= 5, "closest of 5 probes \(errors.min()!) ms off: \(errors)")
    }

    @Test func aHangingEndpointTimesOutOnTimeWhileAHealthyOneReportsOnTime() async throws {
        let server = try await SteerableServer()
        let topology = Topology(pods: [PodSpec(id: PodID("p"), displayName: "P", services: [
            ServiceSpec(name: "stuck", check: .http(url: server.url("/hang")), schedule: ProbeSchedule(intervalMs: 1000, timeoutMs: 400)),
            ServiceSpec(name: "fine", check: .http(url: server.url("/ok")), schedule: ProbeSchedule(intervalMs: 1000, timeoutMs: 400)),
        ], selector: ContainerSelector([]))], infrastructure: [])
        let prober = HealthProber(topology: topology)
        _ = await prober.probeOnce(HealthProber.Target(key: .infrastructure("warm"), check: .http(url: server.url("/ok")),
                                                       thresholds: .standard, schedule: .standard))
        let recorder = RuntimeRecorder()
        let task = Task { await prober.run { recorder.record($0) } }
        let both = await recorder.waitFor(seconds: 3) { events in
            events.filter { if case .health = $0.1 { true } else { false } }.count >= 2
        }
        task.cancel()
        await task.value  // run() closes its connections on the way out
        #expect(both)
        for (at, event) in recorder.all {
            guard case .health(.service(let id), let sample) = event else { continue }
            // From the probe's own start to its verdict reaching the dashboard's inbox.
            let delay = at.timeIntervalSince(sample.at) * 1000
            if id.name == "stuck" {
                #expect(sample.verdict == .timeout)
                #expect(delay < 400 + 150, "TIMEOUT after \(delay) ms")
            } else {
                // Answered, and not held up by the hanging one: it reports before that one's 400 ms.
                #expect(sample.verdict.answered)
                #expect(delay < 400, "the healthy service reported after \(delay) ms")
            }
        }
    }
}
