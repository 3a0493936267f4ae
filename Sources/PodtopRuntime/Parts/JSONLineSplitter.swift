/// Splits a stream of JSON lines (`/events`) across chunk boundaries.
public struct JSONLineSplitter: Sendable {
    private var pending: [UInt8] = []
    public init() {}

    public mutating func feed(_ bytes: some Collection<UInt8>) -> [[UInt8]] {
        pending.append(contentsOf: bytes)
        var lines: [[UInt8]] = []
        var start = 0
        for (index, byte) in pending.enumerated() where byte == UInt8(ascii: "\n") {
            if index > start { lines.append(Array(pending[start..<index])) }
            start = index + 1
        }
        pending.removeFirst(start)
        return lines
    }
}
