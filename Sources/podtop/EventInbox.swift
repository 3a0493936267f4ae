import Glibc
import PodtopUI
import Synchronization

/// Where runtime tasks leave inputs for the UI loop. Posting also writes one byte to a pipe,
/// so the loop, asleep in poll() on the terminal and this pipe, wakes at once: no busy polling.
final class EventInbox: Sendable {
    /// The inputs, and whether a wake-up byte is already on its way since the last drain.
    private let pending = Mutex<(queue: [DashboardInput], signalled: Bool)>(([], false))
    private let readEnd: Int32
    private let writeEnd: Int32

    init() {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { fatalError("podtop could not create a pipe: \(String(cString: strerror(errno)))") }
        readEnd = fds[0]
        writeEnd = fds[1]
        for fd in fds { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
    }

    var wakeDescriptor: Int32 { readEnd }

    /// `wake: false` leaves the input for the loop's next wake-up (at the latest the clock's,
    /// once a second) instead of waking it now: for log lines, which a fleet or a flood sends
    /// thousands of times a second and which are shown on the clock's frame anyway.
    func post(_ input: DashboardInput, wake: Bool = true) {
        let mustSignal = pending.withLock { state in
            state.queue.append(input)
            guard wake, !state.signalled else { return false }
            state.signalled = true
            return true
        }
        if mustSignal {
            var byte: UInt8 = 1
            _ = write(writeEnd, &byte, 1)
        }
    }

    /// Drops what a runtime said and the loop has not read yet: after a switch of environment,
    /// the old runtime's last words must not land on the new screen.
    func discardRuntimeEvents() {
        pending.withLock { state in
            state.queue.removeAll { if case .runtime = $0 { true } else { false } }
        }
    }

    func drain() -> [DashboardInput] {
        var buffer = [UInt8](repeating: 0, count: 64)
        while read(readEnd, &buffer, buffer.count) > 0 {}
        return pending.withLock { state in
            defer {
                state.queue.removeAll(keepingCapacity: true)
                state.signalled = false
            }
            return state.queue
        }
    }
}
