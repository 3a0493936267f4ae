import Foundation
import Synchronization
import PodtopCore

/// One replica's log that a runtime wants on screen.
struct LogTarget: Sendable {
    /// Names the log among its runtime's: a container id, "pod/container".
    var key: String
    var source: LogSource
    /// Docker: the container has a TTY, so its stream is raw text rather than framed.
    var tty = false
    /// A json-file log on this host, when the container has one (Docker).
    var file: (path: String, rotates: Bool)?
}

/// Follows replicas' logs into the log pane, from the last `tail` lines on. The three kinds —
/// json-file logs on disk, Docker's log streams, Kubernetes's log streams — take the same
/// questions, so a runtime asks them alike.
protocol LogFollower: Sendable {
    /// Starts following `target` unless it is followed already; false when this follower cannot
    /// (then another must).
    func follow(_ target: LogTarget) async -> Bool
    /// Stops following a log whose replica is gone; returns its unfinished last line, if any.
    func stop(_ key: String) async -> [LogLine]
}

extension LogFileFollower: LogFollower {
    func follow(_ target: LogTarget) -> Bool {
        guard let file = target.file else { return false }
        return follow(target.key, path: file.path, rotates: file.rotates, source: target.source, lastLines: lastLines)
    }

    func stop(_ key: String) -> [LogLine] { forget(key) }
}

/// Where each followed log resumes after its stream ends: the time of the newest line shown.
/// A new stream asks from that time on, and the lines at or before it are dropped, so that no
/// line shows twice (the APIs' `since` is inclusive, Kubernetes's in whole seconds).
final class LogResumePoints: Sendable {
    private let newest = Mutex<[String: Date]>([:])

    func mark(of key: String) -> Date? { newest.withLock { $0[key] } }

    func advance(_ key: String, to time: Date?) {
        guard let time else { return }
        newest.withLock { $0[key] = max(time, $0[key] ?? time) }
    }

    func forget(_ key: String) {
        _ = newest.withLock { $0.removeValue(forKey: key) }
    }
}

extension [LogStreamDecoder.Line] {
    /// The lines after `time`, which an earlier stream of the same log already showed (a line
    /// without a time is kept); all of them without one.
    func newer(than time: Date?) -> [LogStreamDecoder.Line] {
        guard let time else { return self }
        return filter { ($0.time ?? .distantFuture) > time }
    }
}

extension LogStreamDecoder.Line {
    /// The line as the log pane takes it, sanitised.
    func logLine(from source: LogSource) -> LogLine {
        LogLine.fromUntrusted(bytes, at: time ?? Date(), source: source, stream: stream == .stderr ? .stderr : .stdout,
                              writtenLength: writtenLength)
    }
}
