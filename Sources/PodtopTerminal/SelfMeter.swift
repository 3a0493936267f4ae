import Glibc

/// What podtop itself costs, measured once a second on the UI thread: the process's CPU time,
/// and the bytes this thread has written — which are the bytes sent to the terminal, since
/// ncurses writes on this thread and nothing else here writes (Linux's per-thread I/O
/// accounting, /proc/thread-self/io).
public final class SelfMeter {
    private var last: (cpu: Double, written: Int, at: Double)?

    public init() {}

    /// CPU % of one core and terminal bytes per second since the previous call; nil on the first.
    public func sample() -> (cpuPercent: Double, terminalBytesPerSecond: Double)? {
        let now = Self.monotonicSeconds()
        let current = (cpu: Self.processCPUSeconds(), written: Self.threadBytesWritten() ?? 0, at: now)
        defer { last = current }
        guard let last, current.at > last.at else { return nil }
        let elapsed = current.at - last.at
        return (100 * (current.cpu - last.cpu) / elapsed, Double(current.written - last.written) / elapsed)
    }

    static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    static func monotonicSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// `wchar` of the calling thread, nil where the kernel keeps no such account.
    static func threadBytesWritten() -> Int? {
        let descriptor = open("/proc/thread-self/io", O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 512)
        let count = read(descriptor, &buffer, buffer.count)
        guard count > 0 else { return nil }
        let text = String(decoding: buffer[..<count], as: UTF8.self)
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("wchar:") }) else { return nil }
        return Int(String(line.dropFirst(6).filter(\.isNumber)))
    }
}
