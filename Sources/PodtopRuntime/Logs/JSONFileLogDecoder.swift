import Foundation
import PodtopCore

/// Turns the bytes of a container's json-file log (`<id>-json.log`, one JSON object per line:
/// `{"log":"text\n","stream":"stdout","time":"2026-…Z"}`) into the same lines the API's log
/// stream gives. Chunk boundaries are not line boundaries; messages longer than 16 KiB are written
/// as several entries, of which only the last ends in "\n", and are joined here again under the
/// first entry's time, as the API decoder does.
public struct JSONFileLogDecoder: Sendable {
    public typealias Line = LogStreamDecoder.Line

    private var pending: [UInt8] = []
    private var partial: [LogStreamDecoder.LogStreamKind: PartialLine] = [:]
    /// Longest line kept whole, as in `LogStreamDecoder`.
    public var maxLineBytes = 64 * 1024

    private struct PartialLine: Sendable {
        var time: Date?
        var bytes: [UInt8] = []
        var dropped = 0
    }

    public init() {}

    public mutating func feed(_ bytes: some Collection<UInt8>) -> [Line] {
        feed(ArraySlice(bytes))
    }

    public mutating func feed(_ bytes: ArraySlice<UInt8>) -> [Line] {
        // A read of a log file mostly ends where a line does: its lines are decoded where they
        // are, and only a torn last line is kept for the next read: copying every read into
        // `pending` first would copy every byte of every busy log once more.
        let chunk: ArraySlice<UInt8>
        if pending.isEmpty {
            chunk = bytes
        } else {
            pending.append(contentsOf: bytes)
            chunk = pending[...]
        }
        var lines: [Line] = []
        var start = chunk.startIndex
        while let newline = chunk[start...].firstIndex(of: UInt8(ascii: "\n")) {
            if let entry = Self.entry(chunk[start..<newline]) { add(entry, to: &lines) }
            start = newline + 1
        }
        pending = Array(chunk[start...])
        return lines
    }

    /// Messages left unfinished (no final "\n") when the file is let go of.
    public mutating func finish() -> [Line] {
        let rest = partial.sorted { ($0.value.time ?? .distantPast) < ($1.value.time ?? .distantPast) }
            .map { makeLine($0.key, $0.value) }
        partial.removeAll()
        return rest
    }

    private mutating func add(_ entry: Entry, to lines: inout [Line]) {
        if partial[entry.stream] == nil, entry.log.last == UInt8(ascii: "\n"), entry.log.count <= maxLineBytes {
            // The common case, a whole message in one entry: its bytes are the line's.
            var bytes = entry.log
            bytes.removeLast()
            if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }  // a TTY's CRLF
            lines.append(Line(stream: entry.stream, time: entry.time, bytes: bytes, writtenLength: nil))
            return
        }
        var current = partial.removeValue(forKey: entry.stream) ?? PartialLine(time: entry.time)
        var text = entry.log[...]
        let ends = text.last == UInt8(ascii: "\n")
        if ends { text = text.dropLast() }
        let room = max(0, maxLineBytes - current.bytes.count)
        current.bytes.append(contentsOf: text.prefix(room))
        current.dropped += max(0, text.count - room)
        if ends {
            lines.append(makeLine(entry.stream, current))
        } else {
            partial[entry.stream] = current
        }
    }

    private func makeLine(_ stream: LogStreamDecoder.LogStreamKind, _ line: PartialLine) -> Line {
        var body = line.bytes[...]
        // A TTY's output is stored as written, CRLF included.
        if line.dropped == 0, body.last == UInt8(ascii: "\r") { body = body.dropLast() }
        return Line(stream: stream, time: line.time, bytes: Array(body),
                    writtenLength: line.dropped > 0 ? body.count + line.dropped : nil)
    }

    // MARK: - One entry

    struct Entry: Equatable {
        var log: [UInt8]
        var stream: LogStreamDecoder.LogStreamKind
        var time: Date?
    }

    private static let logKey = Array("log".utf8), streamKey = Array("stream".utf8), timeKey = Array("time".utf8)
    private static let stderrValue = Array("stderr".utf8)

    /// One line of the file; nil when it is not a JSON object with a `log` string (a line torn by
    /// a crash, say), which is skipped rather than shown as JSON.
    static func entry(_ bytes: ArraySlice<UInt8>) -> Entry? {
        var reader = FlatJSONReader(bytes)
        guard reader.consume(UInt8(ascii: "{")) else { return nil }
        var log: [UInt8]?
        var stream = LogStreamDecoder.LogStreamKind.stdout
        var time: Date?
        while !reader.consume(UInt8(ascii: "}")) {
            _ = reader.consume(UInt8(ascii: ","))
            guard let key = reader.string(), reader.consume(UInt8(ascii: ":")) else { return nil }
            switch key {
            case Self.logKey: log = reader.string()
            case Self.streamKey: if reader.string() == Self.stderrValue { stream = .stderr }
            case Self.timeKey: time = reader.string().flatMap { DockerTime.parse(utf8: $0) }
            default: guard reader.skipValue() else { return nil }  // "attrs", from log options
            }
            guard !reader.atEnd else { return nil }
        }
        guard let log else { return nil }
        return Entry(log: log, stream: stream, time: time)
    }
}

/// Just enough JSON for the json-file driver's entries: strings with every escape Go's encoder
/// writes (`\u003c`, `\u001b`, surrogate pairs…), and values skipped by bracket depth.
struct FlatJSONReader {
    private let bytes: ArraySlice<UInt8>
    private var index: Int

    init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        index = bytes.startIndex
    }

    var atEnd: Bool { index >= bytes.endIndex }

    mutating func consume(_ byte: UInt8) -> Bool {
        skipSpace()
        guard index < bytes.endIndex, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    private mutating func skipSpace() {
        while index < bytes.endIndex, bytes[index] == 0x20 || bytes[index] == 0x09 || bytes[index] == 0x0D { index += 1 }
    }

    /// A string's decoded bytes; nil when the next value is not a (complete) string.
    mutating func string() -> [UInt8]? {
        guard consume(UInt8(ascii: "\"")) else { return nil }
        var out: [UInt8] = []
        while index < bytes.endIndex {
            // Copy the run up to the next quote or backslash in one go.
            let runEnd = bytes[index...].firstIndex { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") } ?? bytes.endIndex
            out.append(contentsOf: bytes[index..<runEnd])
            index = runEnd
            guard index < bytes.endIndex else { return nil }
            if bytes[index] == UInt8(ascii: "\"") {
                index += 1
                return out
            }
            guard index + 1 < bytes.endIndex else { return nil }
            let escaped = bytes[index + 1]
            index += 2
            switch escaped {
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "u"):
                guard var scalar = hex4() else { return nil }
                if (0xD800..<0xDC00).contains(scalar), bytes[index...].starts(with: [UInt8(ascii: "\\"), UInt8(ascii: "u")]) {
                    let save = index
                    index += 2
                    if let low = hex4(), (0xDC00..<0xE000).contains(low) {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else {
                        index = save
                    }
                }
                Self.appendUTF8(Unicode.Scalar(scalar) ?? "\u{FFFD}", to: &out)
            default: out.append(escaped)  // \" \\ \/
            }
        }
        return nil
    }

    private static func appendUTF8(_ scalar: Unicode.Scalar, to out: inout [UInt8]) {
        let value = scalar.value
        switch value {
        case ..<0x80: out.append(UInt8(value))
        case ..<0x800: out += [0xC0 | UInt8(value >> 6), 0x80 | UInt8(value & 0x3F)]
        case ..<0x10000: out += [0xE0 | UInt8(value >> 12), 0x80 | UInt8(value >> 6 & 0x3F), 0x80 | UInt8(value & 0x3F)]
        default: out += [0xF0 | UInt8(value >> 18), 0x80 | UInt8(value >> 12 & 0x3F), 0x80 | UInt8(value >> 6 & 0x3F), 0x80 | UInt8(value & 0x3F)]
        }
    }

    private mutating func hex4() -> UInt32? {
        guard index + 4 <= bytes.endIndex else { return nil }
        var value: UInt32 = 0
        for byte in bytes[index..<(index + 4)] {
            let digit: UInt8
            switch byte {
            case 0x30...0x39: digit = byte - 0x30
            case 0x41...0x46: digit = byte - 0x41 + 10
            case 0x61...0x66: digit = byte - 0x61 + 10
            default: return nil
            }
            value = value << 4 | UInt32(digit)
        }
        index += 4
        return value
    }

    /// Skips a number, literal, string, object or array.
    mutating func skipValue() -> Bool {
        skipSpace()
        guard index < bytes.endIndex else { return false }
        if bytes[index] == UInt8(ascii: "\"") { return string() != nil }
        var depth = 0
        while index < bytes.endIndex {
            switch bytes[index] {
            case UInt8(ascii: "\""):
                guard string() != nil else { return false }
                continue
            case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if depth == 0 { return true }
                depth -= 1
                if depth == 0 {
                    index += 1
                    return true
                }
            case UInt8(ascii: ","):
                if depth == 0 { return true }
            default: break
            }
            index += 1
        }
        return false
    }
}
