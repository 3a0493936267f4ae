import Foundation
import Glibc

/// A program that runs beside the caller (a test's server, podtop under test): started with its
/// outputs in files or discarded, reaped by a thread of its own the moment it exits, so that ending
/// or waiting for it never blocks a task's thread.
public final class LaunchedChild: Sendable {
    public var pid: pid_t { life.pid }
    private let life: ChildLife

    private let endsWithOwner: Bool

    /// - Parameters:
    ///   - standardOutput, standardError: files the outputs go to; nil discards them.
    ///   - endsWithOwner: it is killed when this object goes; false lets a clean-up command that
    ///     nobody waits for run to its end.
    public init(_ command: String, _ arguments: [String] = [], environment: [String: String]? = nil,
                standardOutput: String? = nil, standardError: String? = nil, endsWithOwner: Bool = true) throws(ChildProcessError) {
        self.endsWithOwner = endsWithOwner
        let spawned = try ProcessSpawner.spawn(command, arguments, environment: environment,
                                               standardOutput: standardOutput.map { .file($0) } ?? .discard,
                                               standardError: standardError.map { .file($0) } ?? .discard)
        let life = ChildLife(pid: spawned.pid)
        self.life = life
        // Waits for the exit without reaping (WNOWAIT), then reaps under the life's lock.
        let reaper = Thread {
            var info = siginfo_t()
            while waitid(P_PID, id_t(life.pid), &info, WEXITED | WNOWAIT) < 0, errno == EINTR {}
            _ = life.reapIfExited()
        }
        reaper.name = "reaper \(spawned.pid)"
        reaper.start()
    }

    deinit {
        if endsWithOwner { kill() }
    }

    /// How it ended, nil while it runs.
    public var ending: ChildEnding? { life.value }

    /// Sends `signal` to it (nothing once it has ended: its pid may belong to another process by then).
    public func send(_ signal: Int32) {
        life.send(signal)
    }

    /// Ends it and every process of its group at once (SIGKILL).
    public func kill() {
        life.send(SIGKILL, group: true)
    }

    /// Waits until it has ended or `timeout` has passed; how it ended, nil if it still runs.
    public func ended(within timeout: Duration) async -> ChildEnding? {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while life.value == nil, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        return life.value
    }
}
