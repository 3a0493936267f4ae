/// A fixed-size ring of latency samples in milliseconds. A failed probe is stored as nil, a gap,
/// so that it is never mistaken for a fast answer.
public struct LatencySeries: Sendable, Equatable {
    public static let defaultCapacity = 300

    public let capacity: Int
    private var storage: [Double?]
    private var nextSlot = 0
    public private(set) var count = 0

    public init(capacity: Int = defaultCapacity) {
        precondition(capacity > 0, "a latency series needs room for at least one sample")
        self.capacity = capacity
        storage = Array(repeating: nil, count: capacity)
    }

    public mutating func append(_ sample: Double?) {
        storage[nextSlot] = sample
        nextSlot = (nextSlot + 1) % capacity
        count = Swift.min(count + 1, capacity)
    }

    /// The most recent `n` samples, oldest first.
    public func suffix(_ n: Int) -> [Double?] {
        let take = Swift.max(0, Swift.min(n, count))
        var result: [Double?] = []
        result.reserveCapacity(take)
        var index = (nextSlot - take + capacity) % capacity
        for _ in 0..<take {
            result.append(storage[index])
            index = (index + 1) % capacity
        }
        return result
    }

    public var last: Double?? { count == 0 ? nil : storage[(nextSlot - 1 + capacity) % capacity] }

    /// Percentile of the answered samples among the most recent `window`, nearest-rank method.
    public func percentile(_ p: Double, window: Int? = nil) -> Double? {
        let values = suffix(window ?? count).compactMap { $0 }.sorted()
        guard !values.isEmpty else { return nil }
        let rank = Int((p / 100 * Double(values.count)).rounded(.up))
        return values[Swift.min(Swift.max(rank, 1), values.count) - 1]
    }

    /// Share of failed probes among the most recent `window` samples, 0...1.
    public func errorRate(window: Int? = nil) -> Double {
        let recent = suffix(window ?? count)
        guard !recent.isEmpty else { return 0 }
        return Double(recent.filter { $0 == nil }.count) / Double(recent.count)
    }
}
