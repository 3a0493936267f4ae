import Foundation
import PodtopCore

/// One stream of a replica's log, decoded as its bytes arrive and handed on as log lines, less
/// those an earlier stream of the same log already showed.
final class DecodingLogStream: @unchecked Sendable {
    // @unchecked: one stream's bytes are fed by one caller at a time (an event loop, or the
    // task reading the stream), and `finish` comes after the last of them.
    private var decoder: LogStreamDecoder
    private let source: LogSource
    /// Lines at or before this time were shown by an earlier stream of the same log.
    private let after: Date?
    private let emit: @Sendable (RuntimeEvent) -> Void
    /// The time of the newest line seen, where a later stream will resume.
    private(set) var newest: Date?

    init(tty: Bool, source: LogSource, after: Date?, emit: @escaping @Sendable (RuntimeEvent) -> Void) {
        decoder = LogStreamDecoder(tty: tty)
        self.source = source
        self.after = after
        self.emit = emit
    }

    func feed(_ bytes: some Collection<UInt8>) {
        hand(decoder.feed(bytes))
    }

    func finish() {
        hand(decoder.finish())
    }

    private func hand(_ decoded: [LogStreamDecoder.Line]) {
        let lines = decoded.newer(than: after)
        guard !lines.isEmpty else { return }
        newest = lines.last?.time ?? newest
        emit(.logs(lines.map { $0.logLine(from: source) }))
    }
}
