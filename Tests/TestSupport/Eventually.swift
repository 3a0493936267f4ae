/// The tests' one way to wait in real time: for a condition, with a deadline, looking again every
/// `interval` — never a fixed sleep.
public enum Eventually {
    /// Whether `condition` held before `timeout` passed (it is asked once more at the deadline).
    @discardableResult
    public static func holds(within timeout: Duration, every interval: Duration = .milliseconds(20),
                             _ condition: () async throws -> Bool) async rethrows -> Bool {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try? await Task.sleep(for: interval)
        }
        return try await condition()
    }
}
