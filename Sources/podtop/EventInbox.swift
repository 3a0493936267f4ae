import Glibc
import PodtopUI
import Synchronization

/// Where runtime tasks leave inputs for the UI loop. Posting also writes one byte to a pipe,
/// so the loop, asleep in poll() on the terminal and this pipe, wakes at once: no busy polling.
final class EventInbox: Sendable {
    private let pending = Mutex<[DashboardInput]>([])
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

    func post(_ input: DashboardInput) {
        let wasEmpty = pending.withLock { queue in
            queue.append(input)
            return queue.count == 1
        }
        if wasEmpty {
            var byte: UInt8 = 1
            _ = write(writeEnd, &byte, 1)
        }
    }

    func drain() -> [DashboardInput] {
        var buffer = [UInt8](repeating: 0, count: 64)
        while read(readEnd, &buffer, buffer.count) > 0 {}
        return pending.withLock { queue in
            defer { queue.removeAll(keepingCapacity: true) }
            return queue
        }
    }
}
