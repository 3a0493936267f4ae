/// A bounded ring of log lines. When full, the oldest line goes and `dropped` counts it, so the
/// memory of the log path stays flat however long podtop runs.
public struct LogBuffer: Sendable {
    public let capacity: Int
    private var storage: [LogLine] = []
    private var start = 0
    public private(set) var dropped = 0
    /// Total lines ever appended; lets a paused reader count what arrived since.
    public private(set) var appended = 0
    /// Lines ever stored in the ring: gives each line a sequence number that stays its own
    /// while older lines leave (a search keeps its place by it).
    private var stored = 0

    public init(capacity: Int = 10_000) {
        precondition(capacity > 0, "a log buffer needs room for at least one line")
        self.capacity = capacity
        storage.reserveCapacity(min(capacity, 1024))
    }

    public var count: Int { storage.count }

    public mutating func append(_ line: LogLine) {
        appended += 1
        stored += 1
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

    /// Appends in order; of more lines than the ring holds, only the newest are stored (the
    /// others would be overwritten at once) and the rest are counted as dropped.
    public mutating func append(contentsOf lines: some Collection<LogLine>) {
        let skipped = max(0, lines.count - capacity)
        if skipped > 0 {
            appended += skipped
            stored += skipped
            dropped += skipped
        }
        for line in lines.dropFirst(skipped) { append(line) }
    }

    /// Line `index`, 0 being the oldest kept.
    public subscript(index: Int) -> LogLine { storage[(start + index) % storage.count] }

    /// Sequence number of line `index`: 0 for the first line ever stored, and so on.
    public func sequence(ofIndex index: Int) -> Int { stored - storage.count + index }

    /// Index of the line with sequence number `sequence`, nil once it has left the ring.
    public func index(ofSequence sequence: Int) -> Int? {
        let index = sequence - (stored - storage.count)
        return storage.indices.contains(index) ? index : nil
    }

    /// The newest lines that satisfy `keep`, up to `limit`, oldest first, skipping the newest
    /// `skip` matches (used for scrolling back).
    public func tail(_ limit: Int, skip: Int = 0, where keep: (LogLine) -> Bool = { _ in true }) -> [LogLine] {
        tailIndices(limit, skip: skip, where: keep).map { self[$0] }
    }

    /// Indices of the lines `tail` returns.
    public func tailIndices(_ limit: Int, skip: Int = 0, where keep: (LogLine) -> Bool = { _ in true }) -> [Int] {
        var picked: [Int] = []
        var skipped = 0
        var index = storage.count - 1
        while index >= 0, picked.count < limit {
            if keep(self[index]) {
                if skipped < skip { skipped += 1 } else { picked.append(index) }
            }
            index -= 1
        }
        return picked.reversed()
    }

    /// Index of the nearest line before (`step` -1) or after (`step` +1) `start`, `start`
    /// included, that satisfies `keep`.
    public func firstIndex(from start: Int, step: Int, where keep: (LogLine) -> Bool) -> Int? {
        var index = start
        while index >= 0, index < storage.count {
            if keep(self[index]) { return index }
            index += step
        }
        return nil
    }

    /// How many lines after `index` satisfy `keep`.
    public func count(after index: Int, where keep: (LogLine) -> Bool) -> Int {
        var n = 0
        var i = index + 1
        while i < storage.count {
            if keep(self[i]) { n += 1 }
            i += 1
        }
        return n
    }

    public func count(where keep: (LogLine) -> Bool) -> Int { count(after: -1, where: keep) }
}
