/// A bounded ring of log lines. When full, the oldest line goes and `dropped` counts it, so the
/// memory of the log path stays flat however long podtop runs.
public struct LogBuffer: Sendable {
    public let capacity: Int
    private var storage: [LogLine] = []
    private var start = 0
    public private(set) var dropped = 0
    /// Total lines ever appended; lets a paused reader count what arrived since.
    public private(set) var appended = 0

    public init(capacity: Int = 10_000) {
        precondition(capacity > 0, "a log buffer needs room for at least one line")
        self.capacity = capacity
        storage.reserveCapacity(min(capacity, 1024))
    }

    public var count: Int { storage.count }

    public mutating func append(_ line: LogLine) {
        appended += 1
        if storage.count < capacity {
            storage.append(line)
        } else {
            storage[start] = line
            start = (start + 1) % capacity
            dropped += 1
        }
    }

    /// Lines lost before they reached the ring (a flood faster than the reorder window).
    public mutating func countDropped(_ count: Int) {
        dropped += count
        appended += count
    }

    public mutating func append(contentsOf lines: [LogLine]) {
        for line in lines { append(line) }
    }

    /// Line `index`, 0 being the oldest kept.
    public subscript(index: Int) -> LogLine { storage[(start + index) % storage.count] }

    /// The newest lines that satisfy `keep`, up to `limit`, oldest first, skipping the newest
    /// `skip` matches (used for scrolling back).
    public func tail(_ limit: Int, skip: Int = 0, where keep: (LogLine) -> Bool = { _ in true }) -> [LogLine] {
        var picked: [LogLine] = []
        var skipped = 0
        var index = storage.count - 1
        while index >= 0, picked.count < limit {
            let line = self[index]
            if keep(line) {
                if skipped < skip { skipped += 1 } else { picked.append(line) }
            }
            index -= 1
        }
        return picked.reversed()
    }

    public func count(where keep: (LogLine) -> Bool) -> Int {
        var n = 0
        for i in 0..<storage.count where keep(self[i]) { n += 1 }
        return n
    }
}
