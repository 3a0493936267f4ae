/// Splits a stream of JSON lines (Docker's `/events`, Kubernetes watches) across chunk
/// boundaries. Each byte is looked at once, whatever the chunks; a line longer than
/// `maxLineBytes` is dropped whole and counted: no stream can make podtop hold more than that.
public struct JSONLineSplitter: Sendable {
    public let maxLineBytes: Int
    /// Lines dropped for their length so far.
    public private(set) var droppedLines = 0
    private var pending: [UInt8] = []
    /// Inside a line being dropped: its bytes are skipped up to its newline.
    private var skipping = false

    /// A Kubernetes object is at most 1.5 MiB in etcd; 16 MiB leaves room for any real event.
    public init(maxLineBytes: Int = 16 * 1024 * 1024) {
        self.maxLineBytes = maxLineBytes
    }

    public mutating func feed(_ bytes: some Collection<UInt8>) -> [[UInt8]] {
        var lines: [[UInt8]] = []
        var start = bytes.startIndex
        while start != bytes.endIndex {
            let newline = bytes[start...].firstIndex(of: UInt8(ascii: "\n"))
            let piece = bytes[start..<(newline ?? bytes.endIndex)]
            if !skipping {
                if pending.count + piece.count > maxLineBytes {
                    skipping = true
                    droppedLines += 1
                    pending = []
                } else {
                    pending.append(contentsOf: piece)
                }
            }
            guard let newline else { break }
            if !skipping, !pending.isEmpty { lines.append(pending) }
            pending.removeAll(keepingCapacity: !skipping)
            skipping = false
            start = bytes.index(after: newline)
        }
        return lines
    }
}
