import Foundation
import Glibc

/// Runs a program to its end without blocking a task's thread: spawned in a process group of its
/// own, both outputs read as they come on a thread of its own, and killed with its whole group
/// (SIGKILL) when it runs past `timeout` or the calling task is cancelled.
public enum ChildProcess {
    public struct Result: Sendable {
        public var ending: ChildEnding
        public var standardOutput: [UInt8]
        public var standardError: [UInt8]
        /// More was written than `outputLimit` kept.
        public var truncated: Bool

        public var succeeded: Bool { ending == .exited(0) }
        public var output: String { String(decoding: standardOutput, as: UTF8.self) }
        public var errors: String { String(decoding: standardError, as: UTF8.self) }
    }

    /// Runs `command` (a path, or a name looked up on PATH) with `arguments`.
    /// - Parameters:
    ///   - environment: the child's whole environment; nil passes ours on.
    ///   - mergeErrors: standard error goes to standard output (as `2>&1`).
    ///   - outputLimit: bytes kept of each output; the rest is read and dropped.
    public static func run(_ command: String, _ arguments: [String] = [], environment: [String: String]? = nil,
                           timeout: Duration, mergeErrors: Bool = false,
                           outputLimit: Int = 8 << 20) async throws(ChildProcessError) -> Result {
        let spawned = try ProcessSpawner.spawn(command, arguments, environment: environment, standardOutput: .pipe,
                                               standardError: mergeErrors ? .sameAsStandardOutput : .pipe)
        let life = ChildLife(pid: spawned.pid)
        let collector = OutputCollector(life: life, standardOutput: spawned.standardOutput,
                                        standardError: spawned.standardError,
                                        deadline: ContinuousClock.now.advanced(by: timeout), limit: outputLimit)
        let collected = await withTaskCancellationHandler {
            await OwnThread.run("child \(spawned.pid)") { collector.collect() }
        } onCancel: {
            life.send(SIGKILL, group: true)
        }
        return Result(ending: collected.ending, standardOutput: collected.standardOutput,
                      standardError: collected.standardError, truncated: collected.truncated)
    }
}
