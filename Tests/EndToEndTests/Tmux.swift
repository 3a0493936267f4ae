import Foundation
import Glibc
import PodtopProcess
import Testing
import TestSupport

/// Runs the real podtop binary inside a private tmux server, types into it and reads the
/// screen back, the way a person at a terminal would.
final class TmuxSession {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../..").standardizedFileURL
    static var podtopBinary: String {
        ProcessInfo.processInfo.environment["PODTOP_BINARY"]
            ?? repositoryRoot.appendingPathComponent(".build/debug/podtop").path
    }

    let socket = "podtop-e2e-\(getpid())-\(UUID().uuidString.prefix(8))"
    let name = "e2e"
    let workDirectory: URL

    /// Starts `arguments` for podtop in a shell that records its exit status, at width × height;
    /// `openFileLimit` sets its soft and hard limit on descriptors, as `ulimit -n` does.
    init(_ arguments: String, width: Int = 120, height: Int = 40, environment: [String: String] = [:],
         openFileLimit: Int? = nil) async throws {
        workDirectory = FileManager.default.temporaryDirectory.appendingPathComponent(socket)
        try FileManager.default.createDirectory(at: workDirectory, withIntermediateDirectories: true)
        let exports = environment.map { "export \($0.key)='\($0.value)';" }.joined(separator: " ")
        let exitFile = workDirectory.appendingPathComponent("exit").path
        // Run in the session's own directory: files podtop writes (saved logs) land there.
        // `swift test` runs with NO_COLOR=1; a pane gets colour unless the test asks otherwise.
        // The inner shell writes its pid and becomes podtop, so that podtop's pid is known without asking tmux.
        let pidFile = workDirectory.appendingPathComponent("podtop.pid").path
        let limit = openFileLimit.map { "ulimit -n \($0); " } ?? ""
        let script = "cd \(workDirectory.path) && unset NO_COLOR; \(exports) sh -c '\(limit)echo $$ > \(pidFile); exec \(Self.podtopBinary) \(arguments)'; echo $? > \(exitFile); sleep 60"
        try await run(["new-session", "-d", "-s", name, "-x", "\(width)", "-y", "\(height)", "sh", "-c", script], capture: false)
    }

    deinit {
        // Killing the server hangs podtop up; should a podtop outlive it anyway by half a second,
        // it must not linger into the next test or benchmark. Nothing here waits: a deinit may run
        // on a thread of the cooperative pool.
        let podtop = podtopPID()
        let command = tmuxCommand + ["kill-server"]
        _ = try? LaunchedChild(command[0], Array(command.dropFirst()), endsWithOwner: false)
        if let podtop {
            Task.detached {
                try? await Task.sleep(for: .milliseconds(500))
                if isRunning(podtop) { kill(podtop, SIGKILL) }
            }
        }
        try? FileManager.default.removeItem(at: workDirectory)
    }

    /// tmux on this session's own server, outside any tmux the tests themselves run in.
    var tmuxCommand: [String] { ["env", "TERM=xterm-256color", "TMUX=", "tmux", "-L", socket, "-f", "/dev/null"] }

    @discardableResult
    func run(_ arguments: [String], capture: Bool = true) async throws -> String {
        try await Spawn.run(tmuxCommand + arguments,
                            capture: capture, timeout: .seconds(30))
    }

    func screen() async -> String { (try? await run(["capture-pane", "-p", "-t", name])) ?? "" }

    func press(_ keys: String...) async throws { try await run(["send-keys", "-t", name] + keys) }

    func resize(width: Int, height: Int) async throws {
        try await run(["resize-window", "-t", name, "-x", "\(width)", "-y", "\(height)"])
    }

    /// Polls the screen until `condition` holds; returns the last screen either way.
    @discardableResult
    func waitFor(_ what: String, seconds: Double = 8, _ condition: (String) -> Bool) async -> String {
        var last = ""
        await Eventually.holds(within: .seconds(seconds), every: .milliseconds(100)) {
            last = await screen()
            return condition(last)
        }
        if !condition(last) { Issue.record("timed out waiting for \(what); screen was:\n\(last)") }
        return last
    }

    /// podtop's exit status once it has ended, nil if it is still running after `seconds`.
    func exitStatus(within seconds: Double = 5) async -> Int? {
        let file = workDirectory.appendingPathComponent("exit")
        var status: Int?
        await Eventually.holds(within: .seconds(seconds), every: .milliseconds(50)) {
            status = (try? String(contentsOf: file, encoding: .utf8)).flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            return status != nil
        }
        return status
    }

    /// "alternate screen on" and "cursor visible" as tmux sees the pane.
    func terminalModes() async throws -> (alternateScreen: Bool, cursorVisible: Bool) {
        let fields = try await run(["display-message", "-p", "-t", name, "#{alternate_on} #{cursor_flag}"])
            .split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        return (fields.first == "1", fields.last == "1")
    }

    /// The pid of podtop itself, once it has started.
    func podtopPID() -> Int32? {
        let text = try? String(contentsOf: workDirectory.appendingPathComponent("podtop.pid"), encoding: .utf8)
        return text.flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }
}

/// Whether `pid` is still running. A process that has exited but not yet been reaped (a zombie)
/// has ended: once its parent shell is gone, only init reaps it, and here that takes up to 2 s.
func isRunning(_ pid: Int32) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let afterName = stat.range(of: ") ", options: .backwards) else { return false }
    return stat[afterName.upperBound...].first != "Z"
}

/// Runs podtop without a terminal, for the checks that happen before any screen.
func runPodtop(_ arguments: [String], environment: [String: String] = [:],
               timeout: Duration = .seconds(60)) async throws -> (status: Int32, stdout: String, stderr: String) {
    let result = try await ChildProcess.run(TmuxSession.podtopBinary, arguments,
                                            environment: ProcessInfo.processInfo.environment.merging(environment) { $1 },
                                            timeout: timeout)
    guard case .exited(let status) = result.ending else {
        throw Spawn.Failure(description: "podtop \(arguments.joined(separator: " ")) did not exit: \(result.ending)")
    }
    return (status, result.output, result.errors)
}
