import Foundation

/// A clock that moves only when a test advances it: code that sleeps on it wakes when the test
/// says its time has come, so a rule about 30 seconds is tested in milliseconds.
public final class ManualClock: Clock, @unchecked Sendable {
    // @unchecked: `current` and `sleepers` are touched only under `lock`.
    public struct Instant: InstantProtocol {
        public var offset: Duration
        public func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        public func duration(to other: Instant) -> Duration { other.offset - offset }
        public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }

    private struct Sleeper {
        var deadline: Instant
        /// How long it asked to sleep, to tell one loop's sleep from another's.
        var length: Duration
        var continuation: CheckedContinuation<Void, any Error>
    }

    private let lock = NSLock()
    private var current = Instant(offset: .zero)
    private var sleepers: [UUID: Sleeper] = [:]

    public init() {}

    public var now: Instant { lock.withLock { current } }
    public var minimumResolution: Duration { .zero }

    /// How many sleeps are waiting on this clock.
    public var sleeping: Int { lock.withLock { sleepers.count } }

    /// How many sleeps of exactly `length` are waiting on this clock.
    public func sleeping(lasting length: Duration) -> Int {
        lock.withLock { sleepers.values.filter { $0.length == length }.count }
    }

    public func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        let id = UUID()
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                lock.withLock {
                    if Task.isCancelled {
                        continuation.resume(throwing: CancellationError())
                    } else if deadline <= current {
                        continuation.resume()
                    } else {
                        sleepers[id] = Sleeper(deadline: deadline, length: current.duration(to: deadline), continuation: continuation)
                    }
                }
            }
        } onCancel: {
            lock.withLock { sleepers.removeValue(forKey: id) }?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves time on by `duration` and wakes every sleep that is then due, earliest first.
    public func advance(by duration: Duration) {
        let due: [Sleeper] = lock.withLock {
            current = current.advanced(by: duration)
            let due = sleepers.filter { $0.value.deadline <= current }
            for id in due.keys { sleepers.removeValue(forKey: id) }
            return due.values.sorted { $0.deadline < $1.deadline }
        }
        for sleeper in due { sleeper.continuation.resume() }
    }

    /// Waits (in real time, up to `timeout`) until at least `count` sleeps wait on the clock: the
    /// code under test has done what it does before its next pause.
    @discardableResult
    public func waitUntilSleeping(_ count: Int = 1, timeout: Duration = .seconds(10)) async -> Bool {
        await Eventually.holds(within: timeout, every: .milliseconds(2)) { sleeping >= count }
    }

    /// Waits (in real time) until a sleep of exactly `length` waits on the clock: one loop of the
    /// code under test is at its pause, whatever else sleeps beside it.
    @discardableResult
    public func waitUntilSleeping(lasting length: Duration, timeout: Duration = .seconds(10)) async -> Bool {
        await Eventually.holds(within: timeout, every: .milliseconds(2)) { sleeping(lasting: length) > 0 }
    }
}
