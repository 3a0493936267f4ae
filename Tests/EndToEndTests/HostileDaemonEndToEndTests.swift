import Foundation
import Testing
import TestSupport

/// podtop against an Engine API that answers like a compromised daemon
/// (`Servers/hostile_engine.py`), over tcp:// and over a unix socket: it does not crash, nothing
/// the daemon sends reaches the terminal as a control sequence, and the honest container still
/// shows.
@Suite(.serialized, .timeLimit(.minutes(1))) struct HostileDaemonEndToEndTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("TestSupport/Servers/hostile_engine.py").path

    /// What the daemon smuggles in its strings: none of it may reach stdout or the terminal.
    static let smuggled: [(name: String, bytes: [UInt8])] = [
        ("OSC title", Array("\u{1B}]0;owned".utf8)), ("OSC 52 clipboard", Array("\u{1B}]52;".utf8)),
        ("clear screen", Array("\u{1B}[2J".utf8)), ("C1 CSI", Array("\u{9B}".utf8)), ("bidi override", Array("\u{202E}".utf8)),
        ("zero-width space", Array("\u{200B}".utf8)), ("BEL", [0x07]),
    ]

    func hosts() async throws -> [(host: String, server: ServerProcess)] {
        let tcp = try await ServerProcess(script: Self.script, arguments: [])
        let socket = FileManager.default.temporaryDirectory.appendingPathComponent("podtop-hostile-\(UUID().uuidString.prefix(8)).sock").path
        let unix = try await ServerProcess(script: Self.script, arguments: ["--unix", socket])
        return [("tcp://127.0.0.1:\(tcp.ports[0])", tcp), ("unix://\(unix.firstLine)", unix)]
    }

    @Test func checkPrintsNothingTheDaemonSmuggles() async throws {
        let servers = try await hosts()
        for (host, _) in servers {
            for format in [[], ["--json"]] {
                let result = try await runPodtop(["check", "--host", host] + format, timeout: .seconds(30))
                #expect((0...2).contains(result.status), "\(host) \(format): exit \(result.status)\n\(result.stderr)")
                let bytes = Array(result.stdout.utf8) + Array(result.stderr.utf8)
                for (name, sequence) in Self.smuggled {
                    #expect(!bytes.contains(sequence: sequence), "\(host) \(format): \(name) reached the output")
                }
                #expect(!bytes.contains { $0 < 0x20 && $0 != 0x0A }, "\(host) \(format): a C0 control reached the output")
                #expect(result.stdout.contains("Core"), "\(result.stdout)")
            }
        }
        withExtendedLifetime(servers) {}
    }

    @Test func theDashboardShowsTheHonestContainerAndWritesNothingSmuggled() async throws {
        let servers = try await hosts()
        for (host, _) in servers {
            let tmux = try await TmuxSession("--host \(host) --log-tail 50", width: 200, height: 50)
            let written = tmux.workDirectory.appendingPathComponent("pty-bytes")
            try await tmux.run(["pipe-pane", "-o", "-t", tmux.name, "cat >> \(written.path)"])
            let screen = await tmux.waitFor("the honest container's log line", seconds: 20) { $0.contains("honest line one") }
            #expect(screen.contains("INSECURE") == host.hasPrefix("tcp://"), "\(screen)")
            // A few seconds of the event stream's junk and the giant frames.
            _ = await tmux.waitFor("the hostile lines", seconds: 10) { $0.contains("ERROR charge failed␍INFO ok") }
            // A 4 GiB frame, lines of tabs and a 2.4 MB event line later, podtop holds what it
            // holds with a calm daemon (about 40 MiB).
            let peak = tmux.podtopPID().flatMap { pid in
                (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8))?.split(separator: "\n")
                    .first { $0.hasPrefix("VmHWM:") }.flatMap { Int($0.split(separator: " ", omittingEmptySubsequences: true)[1]) }
            }
            #expect((peak ?? 0) > 0 && (peak ?? .max) < 120 * 1024, "\(host): peak RSS \(peak ?? -1) KiB")
            try await tmux.press("q")
            #expect(await tmux.exitStatus() == 0, "podtop ended badly against \(host)")
            let bytes = try [UInt8](Data(contentsOf: written))
            #expect(bytes.count > 1000, "the pipe caught what podtop drew")
            for (name, sequence) in Self.smuggled where name != "BEL" {
                #expect(!bytes.contains(sequence: sequence), "\(host): \(name) reached the terminal")
            }
        }
        withExtendedLifetime(servers) {}
    }
}
