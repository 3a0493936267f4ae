import PodtopCore

/// How a runtime keeps at it: one session after another until cancelled, each lost connection
/// said as `disconnected` with the wait before the next attempt — 1 s, doubling to 30 s, and 1 s
/// again once an attempt got through.
enum Reconnecting {
    /// Why a session ended, and whether it had connected first.
    struct SessionEnd: Sendable {
        var reason: String
        var connected: Bool
    }

    static let firstWait: Duration = .seconds(1)
    static let longestWait: Duration = .seconds(30)

    static func run(clock: RuntimeClock, emit: @escaping @Sendable (RuntimeEvent) -> Void,
                    session: @Sendable () async -> SessionEnd, endSession: @Sendable () async -> Void) async {
        var backoff = firstWait
        while !Task.isCancelled {
            let end = await session()
            await endSession()
            if Task.isCancelled { return }
            if end.connected { backoff = firstWait }
            emit(.disconnected(reason: end.reason, retryIn: backoff))
            do { try await clock.sleep(for: backoff) } catch { return }
            backoff = min(backoff * 2, longestWait)
        }
        await endSession()
    }
}
