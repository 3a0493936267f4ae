import Foundation
import PodtopCore

/// Turns the bytes of a `logs?follow=1&timestamps=1` stream into lines with their stream and
/// time. Multiplexed streams (no TTY) carry 8-byte frame headers; TTY streams are raw bytes
/// with CRLF. Chunk boundaries are not frame or line boundaries, so both are reassembled here,
/// and each stream keeps its own partial line.
public struct LogStreamDecoder: Sendable {
    public struct Line: Sendable, Equatable {
        public var stream: LogStreamKind
        public var time: Date?
        public var bytes: [UInt8]
        /// The line's length as written, when longer than the bytes kept (`maxLineBytes`).
        public var writtenLength: Int? = nil
    }

    public enum LogStreamKind: Sendable, Equatable { case stdout, stderr }

    public let multiplexed: Bool
    private var pending: [UInt8] = []
    private var partial: [LogStreamKind: [UInt8]] = [:]
    /// Bytes of the current line beyond `maxLineBytes`, counted rather than kept.
    private var overflow: [LogStreamKind: Int] = [:]
    /// A frame longer than a line can be (`maxFrameBytes`), passed on as its bytes arrive
    /// instead of kept whole: a header may claim 4 GiB.
    private var longFrame: (kind: LogStreamKind, remaining: Int)?
    /// Longest line kept whole; longer ones are cut here and the sanitiser marks them.
    public var maxLineBytes = 64 * 1024

    public init(tty: Bool) { multiplexed = !tty }

    /// What is held between feeds: frames not yet whole and lines not yet ended.
    var bufferedBytes: Int { pending.count + partial.values.reduce(0) { $0 + $1.count } }

    /// The longest frame kept whole: a line, its timestamp and its newline.
    var maxFrameBytes: Int { maxLineBytes + Self.longestTimestamp + 1 }

    public mutating func feed(_ bytes: some Collection<UInt8>) -> [Line] {
        var lines: [Line] = []
        if multiplexed {
            pending.append(contentsOf: bytes)
            var offset = 0
            while true {
                if let frame = longFrame {
                    let take = min(frame.remaining, pending.count - offset)
                    split(pending[offset..<(offset + take)], frame.kind, into: &lines)
                    offset += take
                    longFrame = frame.remaining > take ? (frame.kind, frame.remaining - take) : nil
                    if longFrame != nil { break }
                    continue
                }
                guard pending.count - offset >= 8 else { break }
                let kind: LogStreamKind = pending[offset] == 2 ? .stderr : .stdout
                let length = Int(pending[offset + 4]) << 24 | Int(pending[offset + 5]) << 16 | Int(pending[offset + 6]) << 8 | Int(pending[offset + 7])
                if length > maxFrameBytes {
                    longFrame = (kind, length)
                    offset += 8
                    continue
                }
                guard pending.count - offset - 8 >= length else { break }
                var payload = pending[(offset + 8)..<(offset + 8 + length)]
                // The daemon cuts lines longer than 16 KiB into partial messages, each its own
                // frame with its own timestamp: inside a line, that timestamp is not the line's text.
                if !(partial[kind]?.isEmpty ?? true) || overflow[kind, default: 0] > 0, let stamp = Self.timestampLength(payload) {
                    payload = payload.dropFirst(stamp + 1)
                }
                split(payload, kind, into: &lines)
                offset += 8 + length
            }
            pending.removeFirst(offset)
        } else {
            split(bytes, .stdout, into: &lines)
        }
        return lines
    }

    /// Whatever is left without a newline when the stream ends.
    public mutating func finish() -> [Line] {
        let rest = partial.filter { !$0.value.isEmpty }.map { makeLine($0.key, $0.value, overflow: overflow[$0.key, default: 0]) }
        partial.removeAll()
        overflow.removeAll()
        return rest
    }

    private mutating func split(_ bytes: some Collection<UInt8>, _ kind: LogStreamKind, into lines: inout [Line]) {
        // Taken out of the dictionary while it grows, so that appending does not copy it.
        var current = partial.removeValue(forKey: kind) ?? []
        var dropped = overflow.removeValue(forKey: kind) ?? 0
        var start = bytes.startIndex
        while start != bytes.endIndex {
            let newline = bytes[start...].firstIndex(of: UInt8(ascii: "\n"))
            let piece = bytes[start..<(newline ?? bytes.endIndex)]
            // Room for the line's own timestamp too: it is taken off in makeLine.
            let room = max(0, maxLineBytes + Self.longestTimestamp - current.count)
            current.append(contentsOf: piece.prefix(room))
            dropped += max(0, piece.count - room)
            guard let newline else { break }
            lines.append(makeLine(kind, current, overflow: dropped))
            current.removeAll(keepingCapacity: true)
            dropped = 0
            start = bytes.index(after: newline)
        }
        partial[kind] = current
        overflow[kind] = dropped
    }

    private func makeLine(_ kind: LogStreamKind, _ raw: [UInt8], overflow: Int) -> Line {
        var body = raw[...]
        var time: Date?
        if let stamp = Self.timestampLength(body) {
            time = DockerTime.parse(utf8: Array(body.prefix(stamp)))
            if time != nil { body = body.dropFirst(stamp + 1) }
        }
        let dropped = overflow + max(0, body.count - maxLineBytes)
        body = body.prefix(maxLineBytes)
        if dropped == 0, body.last == UInt8(ascii: "\r") { body = body.dropLast() }
        return Line(stream: kind, time: time, bytes: Array(body), writtenLength: dropped > 0 ? body.count + dropped : nil)
    }

    /// "2026-11-30T10:28:32.462213858Z" and its space.
    static let longestTimestamp = 31

    /// Length of the "2026-11-30T10:28:32.462213858Z" that Docker puts, with a space, in front
    /// of every message, if `bytes` starts with one.
    static func timestampLength(_ bytes: some Collection<UInt8>) -> Int? {
        guard bytes.count > 20, let space = bytes.prefix(40).firstIndex(of: UInt8(ascii: " ")), space != bytes.startIndex,
              bytes[bytes.index(space, offsetBy: -1)] == UInt8(ascii: "Z") else { return nil }
        return bytes.distance(from: bytes.startIndex, to: space)
    }
}
