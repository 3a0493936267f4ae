import Foundation
import Testing
import TestSupport

/// The hostile corpus printed by a real container on the test daemon, read by the real binary
/// on a pseudo-terminal: what podtop writes must carry none of the sequences the lines smuggle,
/// and the screen must show each line's expected visible form.
@Suite(.serialized, .timeLimit(.minutes(1))) struct HostileLogsEndToEndTests {
    static let dockerHost = TestDaemon.host

    @discardableResult
    func docker(_ arguments: [String]) async throws -> String { try await TestDaemon.docker(arguments) }

    @Test(.enabled(if: dockerHost != nil, "needs the test daemon that scripts/test starts"))
    func hostileLinesFromARealContainerReachTheTerminalInert() async throws {
        let testID = String(UUID().uuidString.prefix(8)).lowercased()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("podtop-hostile-\(testID)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let corpus = HostileLogCorpus.lines
        // A line after the corpus tells the test that everything before it has been shown.
        let lastLine = "corpus-end-\(testID)"
        let corpusBytes = corpus.flatMap { $0.bytes + [0x0A] } + Array(lastLine.utf8) + [0x0A]
        try Data(corpusBytes).write(to: directory.appendingPathComponent("hostile.log"))
        let config = directory.appendingPathComponent("podtop.yaml")
        try """
        log_lines: 1000
        pods:
          - id: hostile
            name: Hostile
            match:
              - labels: { podtop.test: "\(testID)" }
            services: []
        infrastructure: []
        """.write(to: config, atomically: true, encoding: .utf8)

        let tmux = try await TmuxSession("--host \(Self.dockerHost!) --config \(config.path)", width: 320, height: 80)
        let written = tmux.workDirectory.appendingPathComponent("pty-bytes")
        // Everything podtop writes to its terminal, byte for byte, as the terminal receives it.
        try await tmux.run(["pipe-pane", "-o", "-t", tmux.name, "cat >> \(written.path)"])
        await tmux.waitFor("the dashboard on the test daemon") { $0.contains("Hostile") && $0.contains("Logs") }
        defer { TestDaemon.removeInBackground(label: "podtop.test=\(testID)") }
        // The corpus is printed once podtop follows the container (the test touches /tmp/go when
        // "corpus-ready" is on screen): a 1 MiB line is 64 of the daemon's 16 KiB partial messages,
        // which the start-up tail (50 messages) would not reach back over.
        let container = "hostile-\(testID)"
        try await docker(["run", "-d", "--name", container, "--network", "none", "--label", "podtop.test=\(testID)",
                    "-v", "\(directory.path):/corpus:ro", "podtop-busybox:local", "sh", "-c",
                    "echo corpus-ready; while [ ! -e /tmp/go ]; do usleep 50000; done; cat /corpus/hostile.log; exec sleep 3600"])
        await tmux.waitFor("the container's first line", seconds: 20) { $0.contains("corpus-ready") }
        try await docker(["exec", container, "touch", "/tmp/go"])
        // Full screen, JSON lines as written, times hidden: one corpus line per row, text from column 27.
        try await tmux.press("l", "f", "c", "t")
        let screen = await tmux.waitFor("the corpus on screen", seconds: 20) { $0.contains(lastLine) }
        let rows = screen.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let textColumn = 27
        let texts = rows.map { String($0.dropFirst(textColumn)).trimmingTrailingSpaces }
        for entry in corpus {
            guard let visible = entry.visible?.trimmingTrailingSpaces else { continue }
            // The whole line, or, when it is wider than the pane, a long start of it.
            let shown = texts.contains { $0 == visible || ($0.count >= 100 && visible.hasPrefix($0)) }
            #expect(shown, "\(entry.name): \(visible.debugDescription) not on screen")
        }
        #expect(texts.contains { $0.hasPrefix("huge xxxxxxxx") }, "the 1 MiB line's start is shown")

        try await tmux.press("q")
        #expect(await tmux.exitStatus() == 0)
        let bytes = try [UInt8](Data(contentsOf: written))
        #expect(bytes.contains(sequence: Array("␛]0;pwned-title after".utf8)), "the pipe caught the log lines as podtop drew them")
        for entry in corpus {
            guard let smuggled = entry.smuggled else { continue }
            #expect(!bytes.contains(sequence: smuggled), "\(entry.name): \(String(decoding: smuggled, as: UTF8.self).debugDescription) reached the terminal")
        }
    }
}

extension String {
    var trimmingTrailingSpaces: String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}

extension Array where Element == UInt8 {
    func contains(sequence: [UInt8]) -> Bool {
        guard !sequence.isEmpty, sequence.count <= count else { return false }
        let first = sequence[0]
        var index = 0
        while let start = self[index...].firstIndex(of: first) {
            if start + sequence.count > count { return false }
            if self[start..<(start + sequence.count)].elementsEqual(sequence) { return true }
            index = start + 1
        }
        return false
    }
}
