import Foundation
import PodtopCore

/// One container's followed log, decoded where its bytes arrive (on an event loop) and handed
/// on as log lines with their source.
final class DockerLogStream: @unchecked Sendable {
    // @unchecked: fed only by one request's event loop (see DockerStreamFollower), then read
    // once in that request's completion, on the same loop.
    private var decoder: DockerLogDecoder
    private let source: LogSource
    /// Lines at or before this time were shown by an earlier stream of the same container.
    private let after: Date?
    private let emit: (@Sendable (RuntimeEvent) -> Void)?
    /// The time of the newest line seen, where a later stream will resume.
    private(set) var newest: Date?

    init(tty: Bool, source: LogSource, after: Date?, emit: (@Sendable (RuntimeEvent) -> Void)?) {
        decoder = DockerLogDecoder(tty: tty)
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

    private func hand(_ decoded: [DockerLogDecoder.Line]) {
        let lines = decoded.newer(than: after)
        guard !lines.isEmpty else { return }
        newest = lines.last?.time ?? newest
        emit?(.logs(lines.map { $0.logLine(from: source) }))
    }
}

extension [DockerLogDecoder.Line] {
    /// The lines after `time`, which an earlier stream of the same log already showed (a line
    /// without a time is kept); all of them without one.
    func newer(than time: Date?) -> [DockerLogDecoder.Line] {
        guard let time else { return self }
        return filter { ($0.time ?? .distantFuture) > time }
    }
}

extension DockerLogDecoder.Line {
    /// The line as the log pane takes it, sanitised, from either of Docker's log sources.
    func logLine(from source: LogSource) -> LogLine {
        LogLine.fromUntrusted(bytes, at: time ?? Date(), source: source, stream: stream == .stderr ? .stderr : .stdout,
                              writtenLength: writtenLength)
    }
}
