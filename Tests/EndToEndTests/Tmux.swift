import Foundation
import Glibc
import Testing

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
        let script = "\(exports) \(Self.podtopBinary) \(arguments); echo $? > \(exitFile); sleep 60"
        // The server forked here keeps whatever output it was given: give it no pipe to hold open.
        try run(["new-session", "-d", "-s", name, "-x", "\(width)", "-y", "\(height)", "sh", "-c", script], capture: false)
    }

    deinit {
        _ = try? run(["kill-server"], capture: false)
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

/// posix_spawn and waitpid, without Foundation's Process: a tmux client forks the tmux server,
/// which must inherit none of the test runner's descriptors (it would hold them open for ever),
/// and Foundation's child monitoring was seen to miss such a client's exit here.
enum Spawn {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func run(_ argv: [String], capture: Bool) throws -> String {
        var pipeFDs: [Int32] = [-1, -1]
        if capture, pipe(&pipeFDs) != 0 { throw Failure(description: "pipe failed") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        if capture {
            posix_spawn_file_actions_adddup2(&actions, pipeFDs[1], 1)
            posix_spawn_file_actions_adddup2(&actions, pipeFDs[1], 2)
        } else {
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        }
        closeOnExecAboveStandardStreams()
        var pid: pid_t = 0
        let cArguments = argv.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        let status = posix_spawn(&pid, argv[0], &actions, nil, cArguments, environ)
        if capture { close(pipeFDs[1]) }
        guard status == 0 else {
            if capture { close(pipeFDs[0]) }
            throw Failure(description: "cannot start \(argv[0]): \(String(cString: strerror(status)))")
        }
        var output = [UInt8]()
        if capture {
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = read(pipeFDs[0], &buffer, buffer.count)
                if n <= 0 { break }
                output += buffer[0..<n]
            }
            close(pipeFDs[0])
        }
        var exitStatus: Int32 = 0
        while waitpid(pid, &exitStatus, 0) < 0, errno == EINTR {}
        return String(decoding: output, as: UTF8.self)
    }

    /// No descriptor of the test runner beyond 0–2 may leak into a child (see above).
    private static func closeOnExecAboveStandardStreams() {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else { return }
        for entry in entries {
            guard let fd = Int32(entry), fd > 2 else { continue }
            let flags = fcntl(fd, F_GETFD)
            if flags >= 0 { _ = fcntl(fd, F_SETFD, flags | FD_CLOEXEC) }
        }
    }
}
