import Foundation

/// What a structured log line says: its level and a compact form, `msg` first and then the
/// other fields as `key=value`. Reads flat JSON objects (`{"level":"info","msg":"…"}`) and
/// logfmt (`level=info msg="…" user=42`); anything else is plain text (nil).
public struct LogStructure: Sendable, Equatable {
    public var level: LogLevel?
    public var compact: String

    // Arrays, not sets: a few short keys compare faster than they hash, for every field of
    // every line.
    static let levelKeys = ["level", "severity", "lvl"]
    static let messageKeys = ["msg", "message"]
    /// Shown in the pane's own time column already.
    static let timeKeys = ["time", "ts", "timestamp", "@timestamp"]

    public static func parse(_ text: String) -> LogStructure? {
        let trimmed = text.drop { $0 == " " }
        if trimmed.first == "{" {
            guard let fields = FlatJSON.fields(Substring(trimmed)) else { return nil }
            return from(fields)
        }
        // Plain prose and access logs often hold an "a=b" too: parse only what names a level
        // or a message the logfmt way, which a quick look at the bytes can tell.
        guard Logfmt.namesLevelOrMessage(text) else { return nil }
        let fields = Logfmt.fields(text)
        // Plain prose can hold an "a=b"; logfmt names a level or a message.
        guard fields.count >= 2, fields.contains(where: { levelKeys.contains($0.key) || messageKeys.contains($0.key) }) else { return nil }
        return from(fields)
    }

    static func from(_ fields: [(key: String, value: String)]) -> LogStructure {
        var level: LogLevel?
        var message: String?
        var rest = ""
        for (key, value) in fields {
            if level == nil, levelKeys.contains(key) || levelKeys.contains(key.lowercased()) {
                level = LogLevelDetector.level(named: value)
            } else if message == nil, messageKeys.contains(key) {
                message = value
            } else if !timeKeys.contains(key) {
                if !rest.isEmpty { rest += " " }
                rest += key
                rest += "="
                rest += Logfmt.quotedIfNeeded(value)
            }
        }
        guard var compact = message else { return LogStructure(level: level, compact: rest) }
        if !rest.isEmpty {
            compact += " "
            compact += rest
        }
        return LogStructure(level: level, compact: compact)
    }
}

/// The top-level fields of a JSON object, values as text (nested objects and arrays verbatim).
/// Not a general JSON parser: enough for log lines, and many times faster than a full decode.
enum FlatJSON {
    static func fields(_ text: Substring) -> [(key: String, value: String)]? {
        var bytes = Array(text.utf8)[...]
        func skipSpaces() { while let b = bytes.first, b == 0x20 || b == 0x09 { bytes.removeFirst() } }
        guard bytes.popFirst() == UInt8(ascii: "{") else { return nil }
        var fields: [(key: String, value: String)] = []
        while true {
            skipSpaces()
            if bytes.first == UInt8(ascii: "}") { return fields }
            guard let key = string(&bytes) else { return nil }
            skipSpaces()
            guard bytes.popFirst() == UInt8(ascii: ":") else { return nil }
            skipSpaces()
            guard let value = value(&bytes) else { return nil }
            fields.append((key, value))
            skipSpaces()
            switch bytes.popFirst() {
            case UInt8(ascii: ","): continue
            case UInt8(ascii: "}"): return fields
            default: return nil
            }
        }
    }

    static func value(_ bytes: inout ArraySlice<UInt8>) -> String? {
        guard let first = bytes.first else { return nil }
        if first == UInt8(ascii: "\"") { return string(&bytes) }
        if first == UInt8(ascii: "{") || first == UInt8(ascii: "[") {
            // Nested: kept verbatim, brackets balanced outside strings.
            var depth = 0
            var inString = false
            var escaped = false
            for index in bytes.indices {
                let byte = bytes[index]
                if inString {
                    if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
                    continue
                }
                switch byte {
                case UInt8(ascii: "\""): inString = true
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 {
                        let text = String(decoding: bytes[...index], as: UTF8.self)
                        bytes = bytes[(index + 1)...]
                        return text
                    }
                default: break
                }
            }
            return nil
        }
        // Number, true, false, null: up to the next delimiter.
        let end = bytes.firstIndex { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "}") || $0 == 0x20 } ?? bytes.endIndex
        guard end > bytes.startIndex else { return nil }
        let text = String(decoding: bytes[..<end], as: UTF8.self)
        bytes = bytes[end...]
        return text
    }

    static func string(_ bytes: inout ArraySlice<UInt8>) -> String? {
        guard bytes.popFirst() == UInt8(ascii: "\"") else { return nil }
        // Most strings hold no escape: cut out at once rather than copied byte by byte.
        if let end = bytes.firstIndex(where: { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }), bytes[end] == UInt8(ascii: "\"") {
            let text = String(decoding: bytes[..<end], as: UTF8.self)
            bytes = bytes[(end + 1)...]
            return text
        }
        var out: [UInt8] = []
        while let byte = bytes.popFirst() {
            switch byte {
            case UInt8(ascii: "\""):
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard let escaped = bytes.popFirst() else { return nil }
                switch escaped {
                case UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"): out.append(0x20)
                case UInt8(ascii: "u"):
                    // \uXXXX: decoded, then sanitised like any text (a \u001b stays harmless).
                    let hex = bytes.prefix(4)
                    guard hex.count == 4, let value = UInt32(String(decoding: hex, as: UTF8.self), radix: 16) else { return nil }
                    bytes = bytes.dropFirst(4)
                    let scalar = Unicode.Scalar(value) ?? "\u{FFFD}"
                    out.append(contentsOf: Array(LogSanitizer.visibleControls(String(scalar)).utf8))
                default: out.append(escaped)
                }
            default:
                out.append(byte)
            }
        }
        return nil
    }
}

/// `key=value key2="quoted value"` pairs, as logfmt writes them.
enum Logfmt {
    static let telling: [[UInt8]] = ["level", "lvl", "severity", "msg", "message"].map { Array($0.utf8) }

    /// Whether a word at the start of the line or after a space is `level=`, `msg=` or the like.
    static func namesLevelOrMessage(_ text: String) -> Bool {
        // Over the string's own bytes: through the UTF-8 view, this quick look cost as much as
        // parsing the lines it lets through.
        if let answer = text.utf8.withContiguousStorageIfAvailable({ namesLevelOrMessage(bytes: $0) }) { return answer }
        return namesLevelOrMessage(bytes: Array(text.utf8))
    }

    static func namesLevelOrMessage(bytes: some RandomAccessCollection<UInt8>) -> Bool {
        var wordStart = bytes.startIndex
        var index = bytes.startIndex
        while index != bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: " ") {
                wordStart = bytes.index(after: index)
            } else if byte == UInt8(ascii: "=") {
                if wordStart != bytes.endIndex {
                    let length = bytes.distance(from: wordStart, to: index)
                    if length >= 3, length <= 8 {
                        let word = bytes[wordStart..<index]
                        if telling.contains(where: { $0.elementsEqual(word) }) { return true }
                    }
                }
                wordStart = bytes.endIndex  // the rest of this word is its value
            }
            index = bytes.index(after: index)
        }
        return false
    }

    /// Read byte by byte: every delimiter is ASCII, so no character needs to be formed until
    /// a key or value is cut out.
    static func fields(_ text: String) -> [(key: String, value: String)] {
        var fields: [(key: String, value: String)] = []
        let bytes = text.utf8
        let end = bytes.endIndex
        var i = bytes.startIndex
        func skip(while condition: (UInt8) -> Bool) {
            while i < end, condition(bytes[i]) { bytes.formIndex(after: &i) }
        }
        while true {
            skip { $0 == 0x20 }
            guard i < end else { return fields }
            let keyStart = i
            skip { $0 != 0x3D && $0 != 0x20 }  // up to "=" or a space
            let keyEnd = i
            guard i < end, bytes[i] == 0x3D, keyStart < keyEnd else {
                skip { $0 != 0x20 }
                continue
            }
            bytes.formIndex(after: &i)
            var value: String
            if i < end, bytes[i] == 0x22 {  // a quoted value, with \" escapes
                bytes.formIndex(after: &i)
                let valueStart = i
                var escaped = false
                var hasEscapes = false
                while i < end {
                    let byte = bytes[i]
                    if escaped { escaped = false } else if byte == 0x5C { escaped = true; hasEscapes = true } else if byte == 0x22 { break }
                    bytes.formIndex(after: &i)
                }
                value = String(decoding: bytes[valueStart..<i], as: UTF8.self)
                if i < end { bytes.formIndex(after: &i) }
                if hasEscapes { value = value.replacingOccurrences(of: "\\\"", with: "\"") }
            } else {
                let valueStart = i
                skip { $0 != 0x20 }
                value = String(decoding: bytes[valueStart..<i], as: UTF8.self)
            }
            fields.append((String(decoding: bytes[keyStart..<keyEnd], as: UTF8.self), value))
        }
    }

    static func quotedIfNeeded(_ value: String) -> String {
        value.isEmpty || value.utf8.contains(0x20) ? "\"\(value)\"" : value
    }
}
