import Foundation

/// When the dashboard loop takes in the runtimes' inbox. A person waiting comes first: a turn
/// that answered keys draws their frame before taking in the inbox (up to a second of a flood's
/// lines). But keys can come in every turn — a key held down, or keys queued behind a slow
/// terminal over SSH — and then the inbox is still taken in every `interval`, or it would only
/// grow while the screen stood still.
public struct InboxPacing: Sendable {
    public let interval: TimeInterval
    private var lastDrain: Date

    public init(interval: TimeInterval, now: Date) {
        self.interval = interval
        lastDrain = now
    }

    /// Whether this turn takes in the inbox; a turn that does counts as the last drain.
    public mutating func drainIsDue(at now: Date, keysThisTurn: Bool) -> Bool {
        guard !keysThisTurn || now.timeIntervalSince(lastDrain) >= interval else { return false }
        lastDrain = now
        return true
    }

    /// Whether the loop's sleep is woken by the inbox. While a frame is owed, more data cannot
    /// make it come sooner, so a fleet's lines wake the loop a few times a second instead of once
    /// per line. The runtime's first answer is the exception: a person starting podtop waits for
    /// it, and it is drawn as soon as it comes, not a frame's pacing after "waiting for the
    /// runtime".
    public static func sleepWatchesInbox(frameOwed: Bool, firstAnswerShown: Bool) -> Bool {
        !frameOwed || !firstAnswerShown
    }
}
