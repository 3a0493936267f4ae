import Foundation
import Glibc
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

    /// Starts `arguments` for podtop in a shell that records its exit status, at width × height.
    init(_ arguments: String, width: Int = 120, height: Int = 40, environment: [String: String] = [:]) throws {
        workDirectory = FileManager.default.temporaryDirectory.appendingPathComponent(socket)
        try FileManager.default.createDirectory(at: workDirectory, withIntermediateDirectories: true)
        let exports = environment.map { "export \($0.key)='\($0.value)';" }.joined(separator: " ")
        let exitFile = workDirectory.appendingPathComponent("exit").path
        // Run in the session's own directory: files podtop writes (saved logs) land there.
        // `swift test` runs with NO_COLOR=1; a pane gets colour unless the test asks otherwise.
        let script = "cd \(workDirectory.path) && unset NO_COLOR; \(exports) \(Self.podtopBinary) \(arguments); echo $? > \(exitFile); sleep 60"
        // The server forked here keeps whatever output it was given: give it no pipe to hold open.
        try run(["new-session", "-d", "-s", name, "-x", "\(width)", "-y", "\(height)", "sh", "-c", script], capture: false)
    }

    deinit {
        // Killing the server hangs podtop up; should a podtop outlive it anyway, it must not
        // linger into the next test or benchmark.
        let podtop = try? podtopPID()
        _ = try? run(["kill-server"], capture: false)
        if let podtop, isRunning(podtop) {
            Thread.sleep(forTimeInterval: 0.5)
            kill(podtop, SIGKILL)
        }
        try? FileManager.default.removeItem(at: workDirectory)
    }

    @discardableResult
    func run(_ arguments: [String], capture: Bool = true) throws -> String {
        try Spawn.run(["/usr/bin/env", "TERM=xterm-256color", "TMUX=", "tmux", "-L", socket, "-f", "/dev/null"] + arguments,
                      capture: capture)
    }

    func screen() -> String { (try? run(["capture-pane", "-p", "-t", name])) ?? "" }

    func press(_ keys: String...) throws { try run(["send-keys", "-t", name] + keys) }

    func resize(width: Int, height: Int) throws {
        try run(["resize-window", "-t", name, "-x", "\(width)", "-y", "\(height)"])
    }

    /// Polls the screen until `condition` holds; returns the last screen either way.
    @discardableResult
    func waitFor(_ what: String, seconds: Double = 8, _ condition: (String) -> Bool) -> String {
        let deadline = Date().addingTimeInterval(seconds)
        var last = screen()
        while !condition(last), Date() < deadline {
            Thread.sleep(forTimeInterval: 0.1)
            last = screen()
        }
        if !condition(last) { Issue.record("timed out waiting for \(what); screen was:\n\(last)") }
        return last
    }

    /// podtop's exit status once it has ended, nil if it is still running after `seconds`.
    func exitStatus(within seconds: Double = 5) -> Int? {
        let file = workDirectory.appendingPathComponent("exit")
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let text = try? String(contentsOf: file, encoding: .utf8),
               let status = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                return status
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return nil
    }

    /// "alternate screen on" and "cursor visible" as tmux sees the pane.
    func terminalModes() throws -> (alternateScreen: Bool, cursorVisible: Bool) {
        let fields = try run(["display-message", "-p", "-t", name, "#{alternate_on} #{cursor_flag}"])
            .split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        return (fields.first == "1", fields.last == "1")
    }

    /// The pid of podtop itself (the pane runs a shell around it).
    func podtopPID() throws -> Int32? {
        let shell = try run(["display-message", "-p", "-t", name, "#{pane_pid}"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let children = try String(contentsOfFile: "/proc/\(shell)/task/\(shell)/children", encoding: .utf8)
        return children.split(separator: " ").first.flatMap { Int32($0) }
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
func runPodtop(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, stdout: String, stderr: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: TmuxSession.podtopBinary)
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
}
