import Foundation
import Testing
import TestSupport

/// `--read-only` against the real test daemon: every key pressed, and afterwards the daemon's
/// own event log and podtop's request journal show that nothing was changed or even asked for.
@Suite(.serialized, .timeLimit(.minutes(1))) struct ReadOnlyEndToEndTests {
    static let dockerHost = TestDaemon.host

    @discardableResult
    func docker(_ arguments: [String]) async throws -> String { try await TestDaemon.docker(arguments) }

    @Test(.enabled(if: dockerHost != nil, "needs the test daemon that scripts/test starts"))
    func everyKeyInReadOnlyChangesNothingAndSendsOnlyGETs() async throws {
        let testID = String(UUID().uuidString.prefix(8)).lowercased()
        defer { TestDaemon.removeInBackground(label: "podtop.test=\(testID)") }
        for number in 1...2 {
            try await docker(["run", "-d", "--name", "t\(testID)-core-pod-\(number)", "--network", "none",
                        "--label", "podtop.test=\(testID)", "--label", "com.docker.compose.project=t\(testID)",
                        "--label", "com.docker.compose.service=core-pod", "--label", "com.docker.compose.container-number=\(number)",
                        "--label", "com.docker.compose.oneoff=False",
                        "podtop-busybox:local", "sh", "-c", "while true; do echo tick; sleep 1; done"])
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("podtop-ro-\(testID)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("podtop.yaml")
        try """
        pods:
          - id: core
            name: Core
            match:
              - labels: { podtop.test: "\(testID)" }
            services: []
        infrastructure: []
        """.write(to: config, atomically: true, encoding: .utf8)
        let journal = directory.appendingPathComponent("requests.log")
        // The containers are up: `docker run -d` returns after the daemon recorded their start, so
        // from this moment on (same machine, same clock) it must record no change to them.
        let since = String(format: "%.6f", Date().timeIntervalSince1970)

        let tmux = try await TmuxSession("--read-only --host \(Self.dockerHost!) --config \(config.path)", width: 120, height: 40,
                                   environment: ["PODTOP_REQUEST_LOG": journal.path])
        await tmux.waitFor("the pod with both replicas, and the RO badge") { $0.contains("2/2 ready") && $0.contains(" RO ") }
        try await tmux.press("r")
        await tmux.waitFor("the refusal") { $0.contains("read-only: podtop does not restart pods") }
        try await tmux.press("y", "s")
        await tmux.waitFor("the scale refusal") { $0.contains("read-only: podtop does not scale pods") }
        // Every other key, in every context, including the dialog keys.
        for key in ["+", "-", "Enter", "Escape", "Enter", "q", "y", "n", "Tab", "BTab", "Right", "Left", "j", "k", "Up", "Down",
                    "?", "?", "t", "p", "l", "PageUp", "PageDown", "Home", "End", "g", "G", "v", "w", "t", "c", "f", "f",
                    "/", "t", "Enter", "n", "N", "Escape", "\\", "x", "Escape", "S", "Escape", "Escape", "r", "y", "s", "+", "Enter"] {
            try await tmux.press(key)
        }
        // The last Enter opened the details; Esc closes them.
        let screen = await tmux.waitFor("the details of Core") { $0.contains("Core") && $0.contains("Esc close") }
        #expect(screen.contains(" RO "))
        try await tmux.press("Escape", "q")
        #expect(await tmux.exitStatus() == 0)

        let until = String(format: "%.3f", Date().timeIntervalSince1970)
        let actions = try await docker(["events", "--since", since, "--until", until, "--filter", "label=podtop.test=\(testID)",
                                  "--format", "{{.Action}}"]).split(separator: "\n").map(String.init)
        let changes = actions.filter { ["create", "start", "restart", "stop", "kill", "die", "destroy", "pause", "update", "rename"].contains($0) }
        #expect(changes.isEmpty, "the daemon recorded \(changes)")
        let requests = try String(contentsOf: journal, encoding: .utf8).split(separator: "\n")
        #expect(requests.contains { $0.hasPrefix("GET ") && $0.contains("/containers/json") })
        #expect(requests.allSatisfy { $0.hasPrefix("GET ") || $0.hasPrefix("HEAD ") }, "\(requests.filter { !$0.hasPrefix("GET ") })")
    }
}
