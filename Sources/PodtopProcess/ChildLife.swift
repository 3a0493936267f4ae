import Foundation
import Glibc

/// Whether a child is still ours to signal. Once it is reaped its pid (and its group's id) may be
/// given to another process, so a signal is sent only under the lock that reaping takes.
final class ChildLife: @unchecked Sendable {
    // @unchecked: every access holds `lock`.
    let pid: pid_t
    private let lock = NSLock()
    private var ending: ChildEnding?

    init(pid: pid_t) { self.pid = pid }

    var value: ChildEnding? { lock.withLock { ending } }

    /// Reaps the child if it has exited (never waits): its wait status, else nil.
    func reapIfExited() -> Int32? {
        lock.withLock {
            var status: Int32 = 0
            while true {
                let result = waitpid(pid, &status, WNOHANG)
                if result == pid {
                    ending = ChildEnding(waitStatus: status)
                    return status
                }
                if result < 0, errno == EINTR { continue }
                return nil
            }
        }
    }

    /// Sends `signal` to the child and, with `group`, to every process of its group — unless it
    /// has been reaped.
    func send(_ signal: Int32, group: Bool = false) {
        lock.withLock {
            guard ending == nil else { return }
            if group { kill(-pid, signal) }
            kill(pid, signal)
        }
    }
}
