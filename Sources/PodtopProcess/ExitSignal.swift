import Glibc

/// A descriptor that becomes readable when a child exits (Linux's pidfd), so one `poll` waits
/// for its output and its end together. Where the kernel or libc has no pidfd, `descriptor` is -1
/// and the caller looks with `waitpid(WNOHANG)` between short polls instead.
struct ExitSignal {
    let descriptor: Int32

    init(pid: pid_t) {
        descriptor = LibC.pidfdOpen.map { $0(pid, 0) } ?? -1
    }

    func close() {
        if descriptor >= 0 { _ = Glibc.close(descriptor) }
    }
}
