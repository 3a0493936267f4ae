import Foundation
import PodtopCore

/// Turns the bytes of a `logs?follow=1&timestamps=1` stream into lines with their stream and
/// time. Multiplexed streams (no TTY) carry 8-byte frame headers; TTY streams are raw bytes
/// with CRLF. Chunk boundaries are not frame or line boundaries, so both are reassembled here,
/// and each stream keeps its own partial line.
public struct DockerLogDecoder: Sendable {
    public struct Line: Sendable, Equatable {
        public var stream: LogStreamKind
        public var time: Date?
        public var bytes: [UInt8]
    }

    public enum LogStreamKind: Sendable, Equatable { case stdout, stderr }

    public let multiplexed: Bool
    private var pending: [UInt8] = []
    private var partial: [LogStreamKind: [UInt8]] = [:]
    /// Longest line kept whole; longer ones are cut here and the sanitiser marks them.
    public var maxLineBytes = 64 * 1024

    public init(tty: Bool) { multiplexed = !tty }

    public mutating func feed(_ bytes: some Collection<UInt8>) -> [Line] {
        var lines: [Line] = []
        if multiplexed {
            pending.append(contentsOf: bytes)
            var offset = 0
            while pending.count - offset >= 8 {
                let kind: LogStreamKind = pending[offset] == 2 ? .stderr : .stdout
                let length = Int(pending[offset + 4]) << 24 | Int(pending[offset + 5]) << 16 | Int(pending[offset + 6]) << 8 | Int(pending[offset + 7])
                guard pending.count - offset - 8 >= length else { break }
                split(pending[(offset + 8)..<(offset + 8 + length)], kind, into: &lines)
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
        let rest = partial.filter { !$0.value.isEmpty }.map { makeLine($0.key, $0.value) }
        partial.removeAll()
        return rest
    }

    private mutating func split(_ bytes: some Collection<UInt8>, _ kind: LogStreamKind, into lines: inout [Line]) {
        var current = partial[kind] ?? []
        for byte in bytes {
            if byte == UInt8(ascii: "\n") {
                lines.append(makeLine(kind, current))
                current.removeAll(keepingCapacity: true)
            } else if current.count < maxLineBytes {
                current.append(byte)
            }
        }
        partial[kind] = current
    }

    private func makeLine(_ kind: LogStreamKind, _ raw: [UInt8]) -> Line {
        var body = raw[...]
        if body.last == UInt8(ascii: "\r") { body = body.dropLast() }
        // "2026-11-30T10:28:32.462213858Z " — the timestamp Docker puts in front of every line.
        var time: Date?
        if body.count > 20, let space = body.prefix(40).firstIndex(of: UInt8(ascii: " ")),
           body[body.index(before: space)] == UInt8(ascii: "Z") {
            time = DockerTime.parse(String(decoding: body[body.startIndex..<space], as: UTF8.self))
            if time != nil { body = body[body.index(after: space)...] }
        }
        return Line(stream: kind, time: time, bytes: Array(body))
    }
}

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
