import Foundation
import Glibc

/// posix_spawn for podtop's children: standard input from /dev/null, each output to a pipe, a file
/// or /dev/null, no other descriptor of ours inherited, default signal dispositions and an empty
/// signal mask (the test runner's threads block SIGTERM, and a child would inherit that), and a
/// process group of its own so that a timeout can end its children too.
enum ProcessSpawner {
    enum Output {
        case discard
        case pipe
        case file(String)
        /// Standard error only: wherever standard output goes.
        case sameAsStandardOutput
    }

    struct Spawned {
        var pid: pid_t
        /// Read ends (non-blocking) of the pipes asked for, else -1.
        var standardOutput: Int32 = -1
        var standardError: Int32 = -1
    }

    static func spawn(_ command: String, _ arguments: [String], environment: [String: String]?,
                      standardOutput: Output, standardError: Output) throws(ChildProcessError) -> Spawned {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }

        var pipes: [Int32] = []
        defer { pipes.forEach { close($0) } }  // the write ends: the child holds its own copies
        var spawned = Spawned(pid: 0)
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        for (fd, output) in [(Int32(1), standardOutput), (2, standardError)] {
            switch output {
            case .discard:
                posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", O_WRONLY, 0)
            case .file(let path):
                posix_spawn_file_actions_addopen(&actions, fd, path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            case .sameAsStandardOutput:
                posix_spawn_file_actions_adddup2(&actions, 1, fd)
            case .pipe:
                var ends: [Int32] = [-1, -1]
                guard LibC.pipe2(&ends, O_CLOEXEC) == 0 else {
                    if spawned.standardOutput >= 0 { close(spawned.standardOutput) }
                    throw ChildProcessError("cannot make a pipe for \(command): \(String(cString: strerror(errno)))")
                }
                _ = fcntl(ends[0], F_SETFL, fcntl(ends[0], F_GETFL) | O_NONBLOCK)
                posix_spawn_file_actions_adddup2(&actions, ends[1], fd)
                pipes.append(ends[1])
                if fd == 1 { spawned.standardOutput = ends[0] } else { spawned.standardError = ends[0] }
            }
        }
        if let closeFrom = LibC.addCloseFrom {
            _ = closeFrom(&actions, 3)
        } else {
            LibC.markCloseOnExecAboveStandardStreams()
        }

        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGINT, SIGTERM, SIGQUIT, SIGHUP, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))

        let argv = ([command] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let environmentStrings = environment.map { $0.map { strdup("\($0.key)=\($0.value)") } + [nil] }
        defer { environmentStrings?.forEach { free($0) } }
        let status = environmentStrings.withPointerOrEnviron { environmentPointer in
            command.contains("/") ? posix_spawn(&spawned.pid, command, &actions, &attributes, argv, environmentPointer)
                : posix_spawnp(&spawned.pid, command, &actions, &attributes, argv, environmentPointer)
        }
        guard status == 0 else {
            [spawned.standardOutput, spawned.standardError].filter { $0 >= 0 }.forEach { close($0) }
            throw ChildProcessError("cannot start \(command): \(String(cString: strerror(status)))")
        }
        return spawned
    }
}

private extension Optional where Wrapped == [UnsafeMutablePointer<CChar>?] {
    func withPointerOrEnviron<R>(_ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
        guard var strings = self else { return body(environ) }
        return strings.withUnsafeMutableBufferPointer { body(UnsafePointer($0.baseAddress!)) }
    }
}

/// The GNU extensions Swift's Glibc module leaves out (they need _GNU_SOURCE), looked up at run time.
enum LibC {
    /// `posix_spawn_file_actions_addclosefrom_np` (glibc 2.34 and later): the child keeps no
    /// descriptor above 2 but those the file actions give it.
    static let addCloseFrom: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? =
        symbol("posix_spawn_file_actions_addclosefrom_np")

    /// `pidfd_open` (glibc 2.36 and later): Swift cannot call the variadic `syscall` it wraps.
    static let pidfdOpen: (@convention(c) (pid_t, UInt32) -> Int32)? = symbol("pidfd_open")

    private static let pipe2Function: (@convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32)? = symbol("pipe2")

    /// A pipe whose ends are close-on-exec from the start where libc has `pipe2`; else set just
    /// after (another thread's spawn may then catch them in between).
    static func pipe2(_ ends: UnsafeMutablePointer<Int32>, _ flags: Int32) -> Int32 {
        if let pipe2Function { return pipe2Function(ends, flags) }
        guard pipe(ends) == 0 else { return -1 }
        for end in 0..<2 { _ = fcntl(ends[end], F_SETFD, FD_CLOEXEC) }
        return 0
    }

    /// Without closefrom: every descriptor of ours above 2 is made close-on-exec before a spawn.
    static func markCloseOnExecAboveStandardStreams() {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else { return }
        for entry in entries {
            guard let fd = Int32(entry), fd > 2 else { continue }
            let flags = fcntl(fd, F_GETFD)
            if flags >= 0 { _ = fcntl(fd, F_SETFD, flags | FD_CLOEXEC) }
        }
    }

    private static func symbol<T>(_ name: String) -> T? {
        dlsym(nil, name).map { unsafeBitCast($0, to: T.self) }
    }
}
