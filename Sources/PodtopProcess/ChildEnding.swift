import Glibc

/// How a child process ended.
public enum ChildEnding: Sendable, Equatable, CustomStringConvertible {
    case exited(Int32)
    case signalled(Int32)
    /// It ran past its time limit and was killed (SIGKILL to its process group).
    case timedOut

    /// From a `waitpid` status word (the WIFEXITED / WTERMSIG macros, which Swift cannot import).
    init(waitStatus status: Int32) {
        let signal = status & 0x7f
        self = signal == 0 ? .exited((status >> 8) & 0xff) : .signalled(signal)
    }

    public var description: String {
        switch self {
        case .exited(let code): "exit \(code)"
        case .signalled(let signal): "killed by signal \(signal)"
        case .timedOut: "timed out"
        }
    }
}

/// A child that could not be started.
public struct ChildProcessError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
