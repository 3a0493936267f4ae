import Synchronization

/// A counter the runtime's emit closure checks before posting, so that a replaced runtime,
/// still winding down, cannot post into the new environment's screen.
final class RuntimeGeneration: Sendable {
    private let value = Atomic<Int>(0)

    /// Starts a new generation and returns it.
    func next() -> Int { value.add(1, ordering: .sequentiallyConsistent).newValue }
    /// Ends the current generation without starting one.
    func endCurrent() { _ = next() }
    func isCurrent(_ generation: Int) -> Bool { value.load(ordering: .sequentiallyConsistent) == generation }
}
