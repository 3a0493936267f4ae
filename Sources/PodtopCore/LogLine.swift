import Foundation

public enum LogLevel: Int, Sendable, Comparable, CaseIterable {
    case unknown = 0, debug, info, warn, error

    public static func < (a: LogLevel, b: LogLevel) -> Bool { a.rawValue < b.rawValue }

    public var tag: String {
        switch self {
        case .unknown: "   "
        case .debug: "DBG"
        case .info: "INF"
        case .warn: "WRN"
        case .error: "ERR"
        }
    }
}

public enum LogStream: Sendable, Equatable {
    case stdout, stderr
}

/// Where a line came from: a pod, optionally the service inside it, and the replica.
public struct LogSource: Hashable, Sendable {
    public var pod: PodID?
    public var service: String?
    public var replica: String

    public init(pod: PodID?, service: String?, replica: String) {
        self.pod = pod
        self.service = service
        self.replica = replica
    }

    public var label: String {
        var parts: [String] = []
        if let pod { parts.append(pod.rawValue) }
        if let service { parts.append(service) }
        parts.append(replica)
        return parts.joined(separator: "/")
    }
}

/// One line, already sanitised: `text` is safe to put on a screen.
public struct LogLine: Sendable, Equatable {
    public var at: Date
    public var source: LogSource
    public var stream: LogStream
    public var level: LogLevel
    public var text: String
    /// For JSON and logfmt lines: `msg` first, then the other fields as key=value (also safe).
    public var compact: String?

    public init(at: Date, source: LogSource, stream: LogStream, level: LogLevel, text: String, compact: String? = nil) {
        self.at = at
        self.source = source
        self.stream = stream
        self.level = level
        self.text = text
        self.compact = compact
    }

    /// Sanitises raw bytes from a container and detects the level. `writtenLength` is the
    /// line's length as the container wrote it, when a reader already kept only its start.
    public static func fromUntrusted(
        _ raw: some Collection<UInt8>, at: Date, source: LogSource, stream: LogStream,
        writtenLength: Int? = nil, sanitizer: LogSanitizer = LogSanitizer()
    ) -> LogLine {
        let text = sanitizer.sanitize(raw, writtenLength: writtenLength)
        if let structure = LogStructure.parse(text) {
            return LogLine(at: at, source: source, stream: stream, level: structure.level ?? .unknown, text: text, compact: structure.compact)
        }
        return LogLine(at: at, source: source, stream: stream, level: LogLevelDetector.detect(text), text: text)
    }
}

/// Reads a level from plain text: a level word among the line's first three words
/// ("2026-11-30T10:00:00Z ERROR db down", "[warn] slow", "level: debug"). Structured lines
/// (JSON, logfmt) are read by `LogStructure` from their level field instead, so that a
/// message that merely mentions an error is not taken for one.
public enum LogLevelDetector {
    public static func detect(_ text: String) -> LogLevel {
        var word: [UInt8] = []
        word.reserveCapacity(8)
        var words = 0
        for byte in text.utf8.prefix(80) {
            let isLetter = (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122)
            if isLetter {
                if word.count < 9 { word.append(byte | 0x20) }
                continue
            }
            if !word.isEmpty {
                if let level = level(ofLowercased: word) { return level }
                // One-letter words are a timestamp's T and Z, not prose.
                if word.count > 1 { words += 1 }
                word.removeAll(keepingCapacity: true)
                if words >= 3 { return .unknown }
            }
        }
        if !word.isEmpty, let level = level(ofLowercased: word) { return level }
        return .unknown
    }

    /// A level field's value: a name in any case, or pino/bunyan's numbers (10 trace … 60 fatal).
    public static func level(named value: String) -> LogLevel? {
        if let number = Int(value) {
            switch number {
            case ..<30: return .debug
            case 30..<40: return .info
            case 40..<50: return .warn
            default: return .error
            }
        }
        return level(ofLowercased: Array(value.lowercased().utf8))
    }

    private static func level(ofLowercased word: [UInt8]) -> LogLevel? {
        switch String(decoding: word, as: UTF8.self) {
        case "error", "err", "fatal", "panic", "critical", "crit", "emerg", "alert": .error
        case "warn", "warning", "wrn": .warn
        case "info", "inf", "notice": .info
        case "debug", "dbg", "trace": .debug
        default: nil
        }
    }
}
