import Foundation
import Glibc
import PodtopProcess
import Testing
import TestSupport

/// `podtop check`, the binary, against the real test daemon and real local endpoints: busybox
/// httpd containers on the host network answering /health (one through a CGI that naps, for
/// SLOW), and a port where nothing listens (DOWN).
@Suite(.enabled(if: TestDaemon.host != nil, "needs the test daemon that scripts/test starts"), .timeLimit(.minutes(1)))
final class CheckEndToEndTests {
    let testID = String(UUID().uuidString.prefix(8)).lowercased()
    let directory: URL
    let fastPort: Int
    let slowPort: Int
    let closedPort: Int

    init() async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("podtop-check-\(testID)")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("www/cgi-bin"), withIntermediateDirectories: true)
        try #"{"status":"ok","checks":{"db":"ok"}}"#.write(to: directory.appendingPathComponent("www/health"), atomically: true, encoding: .utf8)
        let nap = directory.appendingPathComponent("www/cgi-bin/health")
        try "#!/bin/sh\nusleep 300000\nprintf 'Content-Type: application/json\\r\\n\\r\\n{\"status\":\"ok\"}'\n"
            .write(to: nap, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: nap.path)
        (fastPort, slowPort, closedPort) = (LoopbackPort.free(), LoopbackPort.free(), LoopbackPort.free())
        for (role, port) in [("fast", fastPort), ("slow", slowPort)] {
            try await TestDaemon.docker(["run", "-d", "--name", "check-\(testID)-\(role)", "--network", "host",
                                   "--label", "podtop.test=\(testID)", "--label", "podtop.role=\(role)",
                                   "-v", "\(directory.path)/www:/www:ro", "podtop-busybox:local",
                                   "httpd", "-f", "-p", "127.0.0.1:\(port)", "-h", "/www"])
        }
        try await waitUntilAnswering(fastPort)
        try await waitUntilAnswering(slowPort)
    }

    deinit {
        TestDaemon.removeInBackground(label: "podtop.test=\(testID)")
        try? FileManager.default.removeItem(at: directory)
    }

    /// A config with one pod of the two httpd containers and the services given.
    func config(_ services: [(name: String, url: String)]) throws -> String {
        let path = directory.appendingPathComponent("podtop-\(UUID().uuidString.prefix(4)).yaml").path
        let lines = services.map { "      - { name: \($0.name), health: \"\($0.url)\", warn_ms: 150, critical_ms: 2000 }" }
        try """
        pods:
          - id: core
            name: Core
            match:
              - labels: { podtop.test: "\(testID)" }
            services:
        \(lines.joined(separator: "\n"))
        infrastructure:
          - { name: cache, tcp: "127.0.0.1:\(fastPort)" }
        """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func check(_ arguments: [String]) async throws -> (status: Int32, stdout: String, stderr: String) {
        try await runPodtop(["check", "--host", TestDaemon.host!] + arguments)
    }

    /// `check` again (three rounds at most) while a service that should be fast reads SLOW: a
    /// check probes each service once, and beside the rest of the suite one answer of a static
    /// file took 154 ms against the 150 ms threshold (and 382 ms a moment after 24 ms in the
    /// prober's own tests). A podtop that misjudged a fast answer would do it every round.
    func checkOfFastServices(_ arguments: [String]) async throws -> (status: Int32, stdout: String, stderr: String) {
        var result = try await check(arguments)
        for _ in 1..<3 where result.stdout.contains("over the warn threshold") { result = try await check(arguments) }
        return result
    }

    @Test func allHealthyIsZeroWithATableOfPodsAndServices() async throws {
        let result = try await checkOfFastServices(["--config", try config([("auth", "http://127.0.0.1:\(fastPort)/health")])])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let core = try #require(result.stdout.split(separator: "\n").first { $0.hasPrefix("Core") })
        #expect(core.contains("HEALTHY") && core.contains("2/2"))
        #expect(result.stdout.contains("  auth") && result.stdout.contains("UP"))
        #expect(result.stdout.contains("overall: HEALTHY (exit 0)"))
        #expect(!result.stdout.contains("\u{1B}"), "no colour when stdout is not a terminal")
    }

    @Test func oneSlowServiceIsOne() async throws {
        let result = try await check(["--config", try config([("auth", "http://127.0.0.1:\(fastPort)/health"),
                                                        ("user", "http://127.0.0.1:\(slowPort)/cgi-bin/health")])])
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        let user = try #require(result.stdout.split(separator: "\n").first { $0.hasPrefix("  user") })
        #expect(user.contains("SLOW"))
    }

    @Test func oneServiceDownIsTwoAndQuietPrintsOnlyIt() async throws {
        let file = try config([("auth", "http://127.0.0.1:\(fastPort)/health"), ("user", "http://127.0.0.1:\(closedPort)/health")])
        let result = try await check(["--config", file])
        #expect(result.status == 2, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("DOWN"))
        let quiet = try await check(["--config", file, "--quiet"])
        #expect(quiet.status == 2)
        #expect(quiet.stdout.contains("  user") && !quiet.stdout.contains("  auth"), "\(quiet.stdout)")
        let healthy = try await checkOfFastServices(["--config", try config([("auth", "http://127.0.0.1:\(fastPort)/health")]), "--quiet"])
        #expect(healthy.status == 0 && healthy.stdout.isEmpty, "quiet and healthy prints nothing: \(healthy.stdout)")
    }

    @Test func anUnreachableRuntimeIsTwoWithTheReason() async throws {
        let result = try await runPodtop(["check", "--host", "unix://\(directory.path)/no-such.sock",
                                    "--config", try config([("auth", "http://127.0.0.1:\(fastPort)/health")])])
        #expect(result.status == 2)
        #expect(result.stdout.contains("runtime unreachable") && result.stdout.contains("no-such.sock"), "\(result.stdout)")
    }

    @Test func aBadConfigOrUsageIsThreeOnStderr() async throws {
        let broken = directory.appendingPathComponent("broken.yaml")
        try "pods: [\n".write(to: broken, atomically: true, encoding: .utf8)
        let result = try await check(["--config", broken.path])
        #expect(result.status == 3)
        #expect(result.stdout.isEmpty && result.stderr.contains("broken.yaml"))
        let usage = try await runPodtop(["check", "--watch", "0"])
        #expect(usage.status == 3 && usage.stderr.contains("--watch"))
        let unknownPod = try await runPodtop(["check", "--demo", "--pod", "nosuch"])
        #expect(unknownPod.status == 3 && unknownPod.stderr.contains("no pod named nosuch"))
    }

    @Test func theJSONFollowsTheSchemaInTheRepository() async throws {
        let file = try config([("auth", "http://127.0.0.1:\(fastPort)/health"), ("user", "http://127.0.0.1:\(closedPort)/health")])
        let result = try await check(["--config", file, "--json"])
        #expect(result.status == 2)
        let schema = try JSONSchemaValidator(schemaFile: TmuxSession.repositoryRoot.appendingPathComponent("schemas/check.schema.json"))
        #expect(schema.violations(of: result.stdout) == [])
        let document = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(document["exit_code"] as? Int == 2)
        let pods = try #require(document["pods"] as? [[String: Any]])
        let services = try #require(pods.first?["services"] as? [[String: Any]])
        #expect((services.first { $0["name"] as? String == "auth" }?["detail"] as? String)?.contains("db") == true, "the body's checks")
        #expect(services.first { $0["name"] as? String == "user" }?["latency_ms"] == nil)
        // The same schema rejects what it should: the validator is not a rubber stamp.
        #expect(!schema.violations(of: #"{"status":"fine"}"#).isEmpty)
        let unreachable = try await runPodtop(["check", "--json", "--host", "unix://\(directory.path)/no-such.sock", "--config", file])
        #expect(schema.violations(of: unreachable.stdout) == [])
    }

    @Test func watchPrintsALineARoundAndStopsWhenTheReaderGoes() async throws {
        let started = Date()
        let result = try await Spawn.run(["/bin/sh", "-c", "'\(TmuxSession.podtopBinary)' check --demo --watch 1 --json | head -3"], capture: true)
        let lines = result.split(separator: "\n")
        #expect(lines.count == 3)
        for line in lines {
            let document = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(document?["pods"] != nil)
        }
        #expect(Date().timeIntervalSince(started) < 8, "the pipeline took \(Date().timeIntervalSince(started)) s")
    }

    @Test func watchStopsOnInterrupt() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("podtop-watch-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = directory.appendingPathComponent("out").path
        let podtop = try LaunchedChild(TmuxSession.podtopBinary, ["check", "--demo", "--watch", "1", "--json"], standardOutput: output)
        let printed = await Eventually.holds(within: .seconds(10)) {
            !((try? String(contentsOfFile: output, encoding: .utf8)) ?? "").isEmpty
        }
        #expect(printed, "no first round within 10 s")
        // Sent from this test runner, whose threads block SIGINT: podtop must unblock it itself.
        let interrupted = ContinuousClock.now
        podtop.send(SIGINT)
        let ending = await podtop.ended(within: .seconds(5))
        #expect(ending != nil, "still running 5 s after SIGINT")
        #expect(interrupted.duration(to: .now) < .seconds(2))
        #expect(ending == .signalled(SIGINT))
    }

    func waitUntilAnswering(_ port: Int) async throws {
        let answering = await Eventually.holds(within: .seconds(10), every: .milliseconds(100)) { LoopbackPort.answers(port) }
        if !answering { Issue.record("nothing answered on 127.0.0.1:\(port)") }
    }
}
