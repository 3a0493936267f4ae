import Foundation
import Glibc
import PodtopProcess
import Testing
import TestSupport

/// podtop on a fleet of 600 containers under `ulimit -n 1024`, the limit many logins get, on a
/// daemon of its own (torn down by stopping it and wiping its directories), with a health server
/// on every service's port so that any DOWN would be false. Runs alone, in the test command's
/// last pass: creating the fleet keeps both cores busy for minutes.
@Suite(.enabled(if: TestDaemon.host != nil, "needs dockerd, as scripts/test installs it"), .timeLimit(.minutes(10)))
final class FleetEndToEndTests {
    static let perPod = 200
    static let openFileLimit = 1024
    /// scripts/test names it, to wipe it should the test be ended before its deinit.
    let directory = ProcessInfo.processInfo.environment["PODTOP_FLEET_DIR"].map { URL(fileURLWithPath: $0) }
        ?? FileManager.default.temporaryDirectory.appendingPathComponent("podtop-fleet-\(UUID().uuidString.prefix(8))")
    var daemonDirectory: String { directory.appendingPathComponent("dockerd").path }

    deinit {
        let script = TmuxSession.repositoryRoot.appendingPathComponent("scripts/private-dockerd").path
        _ = try? LaunchedChild("sh", ["-c", "'\(script)' wipe '\(daemonDirectory)'; rm -rf '\(directory.path)'"], endsWithOwner: false)
    }

    @Test func sixHundredContainersUnderALimitOf1024() async throws {
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("www"), withIntermediateDirectories: true)
        try #"{"status":"ok"}"#.write(to: directory.appendingPathComponent("www/health"), atomically: true, encoding: .utf8)
        let script = TmuxSession.repositoryRoot.appendingPathComponent("scripts/private-dockerd").path
        let host = try await Spawn.run([script, "start", daemonDirectory], capture: true, check: true, timeout: .seconds(120))
            .split(separator: "\n").last.map(String.init) ?? ""
        let port = LoopbackPort.free()
        try await TestDaemon.docker(["run", "-d", "--network", "host", "-v", "\(directory.path)/www:/www:ro", "podtop-busybox:local",
                                     "httpd", "-f", "-p", "127.0.0.1:\(port)", "-h", "/www"], host: host)
        // Sixteen at a time: the daemon makes about four a second on two cores. Each container
        // logs a line every five seconds.
        let pods = ["core", "experience", "commerce"]
        let makeOne = directory.appendingPathComponent("make-one.sh").path
        try """
        name=$2; pod=${name%-*}; number=${name#*-}
        exec docker -H "$1" run -d --network none --name "fleet-$name" --label com.docker.compose.project=fleet \\
          --label "com.docker.compose.service=$pod-pod" --label "com.docker.compose.container-number=$number" \\
          podtop-busybox:local sh -c 'trap "exit 0" TERM; i=0; while true; do i=$((i+1)); echo tick $i; sleep 5 & wait $!; done' >/dev/null
        """.write(toFile: makeOne, atomically: true, encoding: .utf8)
        let names = pods.flatMap { pod in (1...Self.perPod).map { "\(pod)-\($0)" } }.joined(separator: " ")
        try await Spawn.run(["sh", "-c", "printf '%s\\n' \(names) | xargs -P 16 -n 1 sh \(makeOne) \(host)"],
                            capture: false, check: true, timeout: .seconds(480))
        let config = directory.appendingPathComponent("fleet.yaml").path
        try """
        pods:
        \(pods.map { pod in """
          - id: \(pod)
            name: \(pod.capitalized)
            match:
              - labels: { com.docker.compose.project: fleet, com.docker.compose.service: \(pod)-pod }
            services:
              - { name: \(pod)-api, health: "http://127.0.0.1:\(port)/health" }
              - { name: \(pod)-worker, health: "http://127.0.0.1:\(port)/health" }
        """ }.joined(separator: "\n"))
        infrastructure:
          - { name: cache, tcp: "127.0.0.1:\(port)" }
        """.write(toFile: config, atomically: true, encoding: .utf8)

        // A ring big enough that its count shows lines still coming.
        let tmux = try await TmuxSession("--host \(host) --config \(config) --log-tail 5 --log-lines 1000000", width: 200, height: 50, openFileLimit: Self.openFileLimit)
        let ready = "\(Self.perPod)/\(Self.perPod) ready"
        var screen = await tmux.waitFor("every pod's true ready count and CPU figures", seconds: 90) { screen in
            screen.components(separatedBy: ready).count == pods.count + 1 && !screen.contains("cpu –") && screen.contains("UP")
        }
        let pid = try #require(tmux.podtopPID())
        let limits = try String(contentsOfFile: "/proc/\(pid)/limits", encoding: .utf8)
        #expect(limits.split(separator: "\n").contains { $0.hasPrefix("Max open files") && $0.contains(" \(Self.openFileLimit) ") },
                "podtop ran under \(Self.openFileLimit): \(limits)")
        // Half a minute of the fleet: descriptors looked at every half second, logs keep coming.
        var mostDescriptors = 0
        var lineCounts: [Int] = []
        for _ in 0..<6 {
            for _ in 0..<10 {
                mostDescriptors = max(mostDescriptors, (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? 0)
                try await Task.sleep(for: .milliseconds(500))
            }
            screen = await tmux.screen()
            lineCounts.append(Self.logLineCount(screen) ?? -1)
            #expect(!screen.contains("DOWN"), "a DOWN with every service answering:\n\(screen)")
        }
        #expect(isRunning(pid), "podtop died")
        #expect(screen.components(separatedBy: ready).count == pods.count + 1, "\(screen)")
        #expect(!screen.contains("cpu –") && !screen.contains("descriptors exhausted"), "\(screen)")
        // Past its share for logs (a quarter of the limit), the header says how many are not followed.
        #expect(screen.contains("not followed: descriptor limit \(Self.openFileLimit)"), "\(screen)")
        #expect(zip(lineCounts, lineCounts.dropFirst()).allSatisfy { $0 < $1 }, "log lines stopped coming: \(lineCounts)")
        #expect(mostDescriptors > 0 && mostDescriptors < Self.openFileLimit * 3 / 4,
                "podtop held up to \(mostDescriptors) descriptors under a limit of \(Self.openFileLimit)")
        print("fleet of \(pods.count * Self.perPod): up to \(mostDescriptors) descriptors; log lines \(lineCounts)")
        try await tmux.press("q")
        #expect(await tmux.exitStatus() == 0)
    }

    /// "Logs  4578 lines" in the log pane's title.
    static func logLineCount(_ screen: String) -> Int? {
        guard let range = screen.range(of: #"Logs +[0-9]+ lines"#, options: .regularExpression) else { return nil }
        return Int(screen[range].split(separator: " ", omittingEmptySubsequences: true)[1])
    }
}
