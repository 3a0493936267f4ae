import Synchronization

/// Work that many callers ask for and that runs once for all of them, no closer together than
/// `spacing`: the first request after a calm runs at once; the requests that come while it runs,
/// or within `spacing` after it ended, make one more run when that time is up. Reports to the
/// screen and the re-lists Docker's events ask for are paced by it.
///
/// `run` is a task of the session that owns the work, so the work ends with the session.
final class PacedWork: Sendable {
    private let spacing: Duration
    private let clock: RuntimeClock
    private let wakeUps: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation

    init(spacing: Duration, clock: RuntimeClock) {
        self.spacing = spacing
        self.clock = clock
        // One pending wake-up stands for any number of requests.
        (wakeUps, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Asks for the work to run; returns at once.
    func request() {
        wake.yield()
    }

    /// Runs `work` for the requests until the calling task is cancelled. Call it once.
    func run(_ work: @Sendable () async -> Void) async {
        var lastEnded: Duration?
        for await _ in wakeUps {
            if let lastEnded {
                do { try await clock.sleep(until: lastEnded + spacing) } catch { return }
            }
            await work()
            lastEnded = clock.now
        }
    }

    deinit { wake.finish() }
}
