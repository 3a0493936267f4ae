/// The clock a runtime paces itself by: the continuous clock in podtop, a manual one in tests
/// (which advance it instead of waiting). Its readings are durations since it was made, so code
/// can keep and compare them without knowing the clock's own instant type.
struct RuntimeClock: Sendable {
    private let reading: @Sendable () -> Duration
    private let sleeping: @Sendable (Duration) async throws -> Void

    init(_ clock: any Clock<Duration>) {
        self.init(opening: clock)
    }

    private init<C: Clock<Duration>>(opening clock: C) {
        let origin = clock.now
        reading = { origin.duration(to: clock.now) }
        sleeping = { try await clock.sleep(until: clock.now.advanced(by: $0), tolerance: nil) }
    }

    /// Time since the clock was made.
    var now: Duration { reading() }

    /// Sleeps for `duration` of this clock's time; throws when the task is cancelled.
    func sleep(for duration: Duration) async throws {
        try await sleeping(duration)
    }

    /// Sleeps until the reading `deadline`.
    func sleep(until deadline: Duration) async throws {
        try await sleeping(deadline - now)
    }
}
