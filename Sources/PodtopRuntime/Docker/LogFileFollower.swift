import Foundation
import PodtopCore

/// Reads local containers' json-file logs straight from disk, instead of keeping one HTTP
/// follow stream per container open on the daemon: on a fleet of 150 those streams cost podtop
/// two thirds of its CPU (a request, a channel and a chunk decode per line) and the daemon a
/// reader per container. One look at every file twice a second costs a `pread` each (and, when
/// nothing was new, an `fstat`, plus a `stat` of its path for a file the driver rotates).
///
/// Used only when the daemon is on a local socket, the container logs with the json-file driver
/// and its file is readable by this user; anything else is followed through the API.
actor LogFileFollower {
    private struct Followed {
        let tail: LogFileTail
        let source: LogSource
    }

    private var followed: [String: Followed] = [:]
    private var readBuffer = [UInt8](repeating: 0, count: 64 * 1024)
    /// The screen takes in new log lines at least once a second; twice as often is enough.
    static let lookInterval: Duration = .milliseconds(500)

    /// Starts following a container's file; false when it cannot be read (then the API must).
    func follow(_ id: String, path: String, rotates: Bool, source: LogSource, lastLines: Int) -> Bool {
        if followed[id] != nil { return true }
        // The daemon names the file after the container: never follow some other file.
        guard path.hasPrefix("/"), path.contains(id), let tail = LogFileTail(path: path, rotates: rotates, lastLines: lastLines) else { return false }
        followed[id] = Followed(tail: tail, source: source)
        return true
    }

    /// Stops following a container that was removed; hands on its unfinished last message.
    func forget(_ id: String) -> [LogLine] {
        guard let gone = followed.removeValue(forKey: id) else { return [] }
        return gone.tail.finish().map { $0.logLine(from: gone.source) }
    }

    func forgetAll(except kept: Set<String>) -> [LogLine] {
        followed.keys.filter { !kept.contains($0) }.flatMap { forget($0) }
    }

    /// Everything appended to any followed file since the last look.
    func look() -> [LogLine] {
        var lines: [LogLine] = []
        for entry in followed.values {
            lines += entry.tail.readNew(through: &readBuffer).map { $0.logLine(from: entry.source) }
        }
        return lines
    }

    /// Looks every `lookInterval` until cancelled, handing each look's lines on in one batch.
    func run(emit: @escaping @Sendable (RuntimeEvent) -> Void) async {
        while !Task.isCancelled {
            let lines = look()
            if !lines.isEmpty { emit(.logs(lines)) }
            do { try await Task.sleep(for: Self.lookInterval) } catch { return }
        }
    }
}
