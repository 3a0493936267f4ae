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

    public init(at: Date, source: LogSource, stream: LogStream, level: LogLevel, text: String) {
        self.at = at
        self.source = source
        self.stream = stream
        self.level = level
        self.text = text
    }

    /// Sanitises raw bytes from a container and detects the level.
    public static func fromUntrusted(
        _ raw: some Collection<UInt8>, at: Date, source: LogSource, stream: LogStream,
        sanitizer: LogSanitizer = LogSanitizer()
    ) -> LogLine {
        let text = sanitizer.sanitize(raw)
        return LogLine(at: at, source: source, stream: stream, level: LogLevelDetector.detect(text), text: text)
    }
}

/// Reads a level from plain text ("ERROR", "[warn]", "W1130"), JSON (`"level"`, `"severity"`,
/// `"lvl"`) or logfmt (`level=`). Looks only at the start of long lines.
public enum LogLevelDetector {
    public static func detect(_ text: String) -> LogLevel {
        let head = text.utf8.prefix(256)
        var word: [UInt8] = []
        word.reserveCapacity(8)
        var best = LogLevel.unknown
        func finish() {
            if !word.isEmpty, let level = level(of: word) {
                best = max(best, level)
            }
            word.removeAll(keepingCapacity: true)
        }
        for byte in head {
            let isLetter = (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122)
            if isLetter {
                if word.count < 9 { word.append(byte | 0x20) } else { word.append(0) }
            } else {
                finish()
            }
            if best == .error { return best }
        }
        finish()
        return best
    }

    private static func level(of lowercased: [UInt8]) -> LogLevel? {
        switch String(decoding: lowercased, as: UTF8.self) {
        case "error", "err", "fatal", "panic", "critical", "crit", "emerg", "alert": .error
        case "warn", "warning", "wrn": .warn
        case "info", "inf", "notice": .info
        case "debug", "dbg", "trace": .debug
        default: nil
        }
    }
}
