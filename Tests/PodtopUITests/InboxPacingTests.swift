import Foundation
import PodtopUI
import Testing

@Suite(.timeLimit(.minutes(1))) struct InboxPacingTests {
    let start = Date(timeIntervalSince1970: 1_000_000)

    @Test func aTurnWithoutKeysAlwaysTakesInTheInbox() {
        var pacing = InboxPacing(interval: 0.25, now: start)
        #expect((1...10).allSatisfy { pacing.drainIsDue(at: start.addingTimeInterval(Double($0) * 0.01), keysThisTurn: false) })
    }

    @Test func aKeyHeldDownStillLetsTheInboxInEveryInterval() {
        // Auto-repeat, or keys queued behind a slow terminal: a key in every turn for two seconds.
        var pacing = InboxPacing(interval: 0.25, now: start)
        let turns = (0..<200).map { start.addingTimeInterval(0.005 + Double($0) * 0.01) }
        let drains = turns.filter { pacing.drainIsDue(at: $0, keysThisTurn: true) }
        #expect(drains.count == 7, "\(drains.count) drains in two seconds of keys")
        let gaps = zip([start] + drains, drains + [turns.last!]).map { $1.timeIntervalSince($0) }
        #expect(gaps.allSatisfy { $0 <= 0.25 + 0.01 }, "the inbox waited \(gaps.max() ?? 0) s")
    }

    @Test func theTurnAnsweringAKeyDrawsBeforeTheInboxComesIn() {
        var pacing = InboxPacing(interval: 0.25, now: start)
        let turns = [(0.1, false), (0.2, true), (0.21, false)].map { pacing.drainIsDue(at: start.addingTimeInterval($0.0), keysThisTurn: $0.1) }
        #expect(turns == [true, false, true])
    }

    @Test func theRuntimesFirstAnswerWakesTheLoopEvenWhileAFrameIsOwed() {
        // Before it, the "waiting for the runtime" frame was just drawn and the next one is owed
        // a quarter second later: the answer must not wait for it.
        #expect(InboxPacing.sleepWatchesInbox(frameOwed: true, firstAnswerShown: false))
        // After it, data waits for the owed frame; with nothing owed, data wakes the loop.
        #expect(!InboxPacing.sleepWatchesInbox(frameOwed: true, firstAnswerShown: true))
        #expect(InboxPacing.sleepWatchesInbox(frameOwed: false, firstAnswerShown: true))
    }
}
