import Foundation
import Glibc

/// posix_spawn and waitpid, without Foundation's Process: a tmux client forks the tmux server,
/// which must inherit none of the test runner's descriptors (it would hold them open for ever),
/// and Foundation's child monitoring was seen to miss such a client's exit here.
public enum Spawn {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Runs `argv` (argv[0] an absolute path) to completion; returns its output when `capture`.
    /// Throws when it cannot start, or when `check` is set and it exits non-zero.
    @discardableResult
    public static func run(_ argv: [String], capture: Bool, check: Bool = false) throws -> String {
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
        let text = String(decoding: output, as: UTF8.self)
        if check, exitStatus != 0 {
            throw Failure(description: "\(argv.joined(separator: " ")) failed (status \(exitStatus)): \(text)")
        }
        return text
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
