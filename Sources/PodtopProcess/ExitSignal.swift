import Glibc

/// A descriptor that becomes readable when a child exits (Linux's pidfd), so one `poll` waits
/// for its output and its end together. Where the kernel or libc has no pidfd, `descriptor` is -1
/// and the caller looks with `waitpid(WNOHANG)` between short polls instead.
struct ExitSignal {
    let descriptor: Int32

    init(pid: pid_t) {
        descriptor = Self.pidfdOpen.map { $0(pid, 0) } ?? -1
    }

    func close() {
        if descriptor >= 0 { _ = Glibc.close(descriptor) }
    }

    /// glibc's `pidfd_open` (2.36 and later), looked up at run time: Swift cannot call the
    /// variadic `syscall`, and an older libc simply lacks the symbol.
    private static let pidfdOpen: (@convention(c) (pid_t, UInt32) -> Int32)? = {
        guard let symbol = dlsym(nil, "pidfd_open") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (pid_t, UInt32) -> Int32).self)
    }()
}
