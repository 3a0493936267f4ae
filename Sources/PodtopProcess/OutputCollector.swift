import Glibc

/// Reads a child's two pipes as they fill and notices its exit, on a thread of its own: the child
/// never blocks on a full pipe (a megabyte on standard error while we wait for standard output),
/// and a grandchild that keeps a pipe open after the child has gone does not keep us waiting.
struct OutputCollector {
    var life: ChildLife
    var standardOutput: Int32
    var standardError: Int32
    var deadline: ContinuousClock.Instant
    /// Bytes kept of each stream; the rest is read and dropped.
    var limit: Int

    struct Collected: Sendable {
        var ending: ChildEnding
        var standardOutput: [UInt8]
        var standardError: [UInt8]
        var truncated: Bool
    }

    /// Blocks until the child has exited or been killed at the deadline, and has been reaped.
    func collect() -> Collected {
        let exit = ExitSignal(pid: life.pid)
        defer { exit.close() }
        var streams = [Stream(fd: standardOutput, limit: limit), Stream(fd: standardError, limit: limit)]
        var ending: ChildEnding?
        var timedOut = false
        while ending == nil {
            var remaining = ContinuousClock.now.duration(to: deadline)
            if remaining <= .zero {
                if !timedOut { life.send(SIGKILL, group: true) }
                timedOut = true
                remaining = .milliseconds(10)
            }
            var watched = streams.filter(\.isOpen).map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
            if exit.descriptor >= 0 { watched.append(pollfd(fd: exit.descriptor, events: Int16(POLLIN), revents: 0)) }
            // Without a pidfd the exit is looked for every 10 ms.
            let wait = exit.descriptor >= 0 ? remaining : min(remaining, .milliseconds(10))
            _ = poll(&watched, nfds_t(watched.count), wait.pollMilliseconds)
            for index in streams.indices where streams[index].isOpen { streams[index].readAvailable() }
            if let status = life.reapIfExited() { ending = timedOut ? .timedOut : ChildEnding(waitStatus: status) }
        }
        // What the child wrote before it ended is in the pipes; a grandchild's later writes are not waited for.
        for index in streams.indices where streams[index].isOpen { streams[index].readAvailable() }
        streams.forEach { $0.close() }
        return Collected(ending: ending ?? .timedOut, standardOutput: streams[0].bytes, standardError: streams[1].bytes,
                         truncated: streams.contains(where: \.truncated))
    }

    /// One pipe's read end and what came through it.
    private struct Stream {
        var fd: Int32
        var limit: Int
        var bytes: [UInt8] = []
        var truncated = false
        var isOpen: Bool { fd >= 0 }

        init(fd: Int32, limit: Int) {
            self.fd = fd
            self.limit = limit
        }

        /// Reads until the pipe is empty (it is non-blocking) or at its end.
        mutating func readAvailable() {
            var buffer = [UInt8](repeating: 0, count: 65536)
            while fd >= 0 {
                let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if count > 0 {
                    let room = max(0, limit - bytes.count)
                    bytes += buffer[..<min(count, room)]
                    if count > room { truncated = true }
                } else if count < 0, errno == EINTR {
                    continue
                } else {
                    if count == 0 { close(); fd = -1 }
                    return
                }
            }
        }

        func close() {
            if fd >= 0 { _ = Glibc.close(fd) }
        }
    }
}

extension Duration {
    /// Whole milliseconds for `poll`, rounded up so that a wait never ends early.
    var pollMilliseconds: Int32 {
        let (seconds, attoseconds) = components
        return Int32(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000 + 1)
    }
}
