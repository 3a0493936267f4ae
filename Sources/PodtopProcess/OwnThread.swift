import Foundation

/// Work that must block (a `poll`, a `waitpid`, a blocking read) runs here, on a thread made for
/// it, never on a thread of Swift's cooperative pool: on 2 cores that pool has 2 threads, and two
/// blocked callers would stop every task in the process.
public enum OwnThread {
    /// Runs `body` on a new thread and resumes the caller with its result.
    public static func run<T: Sendable>(_ name: String, _ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: body()) }
            thread.name = name
            thread.start()
        }
    }
}
