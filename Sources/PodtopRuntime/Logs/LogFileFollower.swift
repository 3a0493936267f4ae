import Foundation
import PodtopCore

/// Reads local containers' json-file logs straight from disk, instead of keeping one HTTP
/// follow stream per container open on the daemon: such a stream costs podtop a request, a
/// channel and a chunk decode per line, and the daemon a reader per container.
///
/// Twice a second it reads the files that inotify says were written (one `read` of the inotify
/// descriptor, then one `pread` per written file); every `looksPerSweep` looks, and whenever
/// inotify lost track, it looks at every file, as it does where inotify is not available.
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
    private let changes = FileChangeWatch()
    /// Containers looked at on every look: their file could not be watched, or was just
    /// replaced by a rotation (what was written before its watch began is read next time).
    private var lookedAtEveryTime: Set<String> = []
    private var lookedAtOnce: Set<String> = []
    private var looksSinceSweep = 0
    /// A look at every file every 5 s, in case a change ever slips past inotify.
    let looksPerSweep: Int
    /// The screen takes in new log lines at least once a second; twice as often is enough.
    static let lookInterval: Duration = .milliseconds(500)

    /// Paces the looks, and times how long a rotation has looked unfinished.
    private let clock: RuntimeClock

    /// How many of a file's last lines are shown when following it begins.
    let lastLines: Int

    /// Each followed file holds a descriptor from here.
    private let budget: DescriptorBudget

    init(looksPerSweep: Int = 10, lastLines: Int = 50, clock: RuntimeClock = RuntimeClock(ContinuousClock()), budget: DescriptorBudget = .process) {
        self.looksPerSweep = looksPerSweep
        self.budget = budget
        self.lastLines = lastLines
        self.clock = clock
    }

    /// Starts following a container's file; false when it cannot be read (then the API must) or
    /// the descriptor budget's share for logs is spent.
    func follow(_ id: String, path: String, rotates: Bool, source: LogSource, lastLines: Int) -> Bool {
        if followed[id] != nil { return true }
        // The daemon names the file after the container: never follow some other file.
        guard path.hasPrefix("/"), path.contains(id), budget.takeLogFollow(id) else { return false }
        guard let tail = LogFileTail(path: path, rotates: rotates, lastLines: lastLines, clock: clock, budget: budget) else {
            budget.returnLogFollow(id, taken: true)
            return false
        }
        followed[id] = Followed(tail: tail, source: source)
        watch(tail, as: id)
        return true
    }

    /// Watches the file a tail reads now (its first, or the one a rotation moved it to), and
    /// looks at it at the next look too, for what was written before the watch began.
    private func watch(_ tail: LogFileTail, as id: String) {
        if changes?.watch(tail.openFilePath, as: id) != true { lookedAtEveryTime.insert(id) }
        lookedAtOnce.insert(id)
    }

    /// Stops following a container that was removed; hands on its unfinished last message.
    func forget(_ id: String) -> [LogLine] {
        guard let gone = followed.removeValue(forKey: id) else { return [] }
        budget.returnLogFollow(id, taken: true)
        changes?.forget(id)
        lookedAtEveryTime.remove(id)
        lookedAtOnce.remove(id)
        return gone.tail.finish().map { $0.logLine(from: gone.source) }
    }

    func forgetAll(except kept: Set<String>) -> [LogLine] {
        followed.keys.filter { !kept.contains($0) }.flatMap { forget($0) }
    }

    /// Everything appended to any followed file since the last look.
    func look() -> [LogLine] {
        looksSinceSweep += 1
        // Nil: no inotify here, or its queue overflowed.
        let changed = changes?.changed()
        let sweep = changed == nil || looksSinceSweep >= looksPerSweep
        if sweep { looksSinceSweep = 0 }
        let due = sweep ? Set(followed.keys) : (changed.map { Set($0.keys) } ?? []).union(lookedAtEveryTime).union(lookedAtOnce)
        lookedAtOnce = []
        var lines: [LogLine] = []
        for id in due {
            guard let entry = followed[id] else { continue }
            let inode = entry.tail.inode
            // Even in a sweep: a file both written and renamed since the last look must be followed
            // to its successor now, or it would wait for the next sweep, many rotations later.
            // When inotify lost events, any file may have been renamed.
            let renamed = changed.map { $0[id] == .renamed } ?? (changes != nil)
            lines += entry.tail.readNew(through: &readBuffer, renamed: renamed).map { $0.logLine(from: entry.source) }
            if entry.tail.inode != inode {
                watch(entry.tail, as: id)  // rotated
            } else if entry.tail.midRotation {
                lookedAtOnce.insert(id)  // the driver has not finished renaming: look again next time
            }
        }
        return lines
    }

    /// Looks every `lookInterval` until cancelled, handing each look's lines on in one batch.
    func run(emit: @escaping @Sendable (RuntimeEvent) -> Void) async {
        while !Task.isCancelled {
            let lines = look()
            if !lines.isEmpty { emit(.logs(lines)) }
            do { try await clock.sleep(for: Self.lookInterval) } catch { return }
        }
    }
}
