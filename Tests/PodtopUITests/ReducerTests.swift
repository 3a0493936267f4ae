import Foundation
import PodtopCore
import Testing
@testable import PodtopUI

@Suite(.timeLimit(.minutes(1))) struct ReducerTests {
    func press(_ state: inout DashboardState, _ keys: KeyInput...) -> [Effect] {
        keys.flatMap { state.handle(.key($0)) }
    }

    let core = PodID("core"), experience = PodID("experience"), commerce = PodID("commerce")

    @Test func arrowsWalkPodsAndServicesInScreenOrderAndStopAtTheEnds() {
        var state = Fixtures.state(seconds: 2)
        #expect(state.selection == .pod(core))
        _ = press(&state, .up)
        #expect(state.selection == .pod(core))
        _ = press(&state, .down, .character("j"))
        #expect(state.selection == .service(ServiceID(pod: core, name: "auth")))
        _ = press(&state, .character("k"))
        #expect(state.selection == .service(ServiceID(pod: core, name: "nginx")))
        for _ in 0..<20 { _ = press(&state, .down) }
        #expect(state.selection == .service(ServiceID(pod: commerce, name: "analytics")))
    }

    @Test func tabJumpsBetweenPodsAndWraps() {
        var state = Fixtures.state(seconds: 2)
        _ = press(&state, .down, .down, .tab)
        #expect(state.selection == .pod(experience))
        _ = press(&state, .tab, .tab)
        #expect(state.selection == .pod(core))
        _ = press(&state, .backTab)
        #expect(state.selection == .pod(commerce))
    }

    @Test func restartAsksFirstAndOnlyYesRestarts() {
        var state = Fixtures.state(seconds: 2)
        #expect(press(&state, .character("r")) == [])
        #expect(state.modal == .confirmRestart(core))
        #expect(press(&state, .enter) == [])  // Enter is "no": the default is the safe answer
        #expect(state.modal == nil)
        _ = press(&state, .character("r"))
        #expect(press(&state, .character("y")) == [.restart(core)])
        #expect(state.modal == nil)
        #expect(state.busyPods == [core])
        #expect(state.status?.text == "Restarting Core…")
    }

    @Test func aBusyPodRefusesASecondActionWithAReason() {
        var state = Fixtures.state(seconds: 2)
        _ = press(&state, .character("r"), .character("y"))
        #expect(press(&state, .character("r")) == [])
        #expect(state.modal == nil)
        #expect(state.status?.isError == true)
        #expect(state.status?.text.contains("busy") == true)
        _ = state.handle(.actionFinished(core, .success("Restarted Core")))
        #expect(state.busyPods.isEmpty)
        _ = press(&state, .character("r"))
        #expect(state.modal == .confirmRestart(core))
    }

    @Test func theSelectionDoesNotMoveWhileADialogIsOpen() {
        var state = Fixtures.state(seconds: 2)
        _ = press(&state, .tab, .character("s"))
        let before = state.selection
        _ = press(&state, .up, .down, .tab, .character("j"), .character("k"))
        #expect(state.selection == before)
        // Arrows adjust the target in the scale dialog instead.
        #expect(state.modal == .scale(experience, current: 2, target: 2))
    }

    @Test func scaleTargetIsClampedToTheConfiguredBounds() {
        var state = Fixtures.state(seconds: 2)
        _ = press(&state, .tab, .tab, .character("s"))  // Commerce, 1 replica
        #expect(state.modal == .scale(commerce, current: 1, target: 1))
        for _ in 0..<30 { _ = press(&state, .character("+")) }
        #expect(state.modal == .scale(commerce, current: 1, target: 20))
        for _ in 0..<30 { _ = press(&state, .character("-")) }
        #expect(state.modal == .scale(commerce, current: 1, target: 0))
    }

    @Test func scalingToZeroNeedsAnExtraConfirmation() {
        var state = Fixtures.state(seconds: 2)
        _ = press(&state, .tab, .tab, .character("s"), .character("-"))
        #expect(press(&state, .enter) == [])
        #expect(state.modal == .confirmScaleToZero(commerce, current: 1))
        #expect(press(&state, .character("n")) == [])
        #expect(state.modal == nil)
        _ = press(&state, .character("s"), .character("-"), .enter)
        #expect(press(&state, .character("y")) == [.scale(commerce, to: 0)])
    }

    @Test func scaleAppliesWithEnterAndEscapeCancels() {
        var state = Fixtures.state(seconds: 2)
        _ = press(&state, .character("s"), .character("+"), .escape)
        #expect(state.modal == nil)
        #expect(press(&state, .character("s"), .character("+"), .character("+")) == [])
        #expect(press(&state, .enter) == [.scale(core, to: 4)])
        _ = state.handle(.actionFinished(core, .failure(RuntimeError("daemon said no"))))
        #expect(state.status == StatusMessage(text: "daemon said no", isError: true, at: state.now))
    }

    @Test func unchangedScaleDoesNothing() {
        var state = Fixtures.state(seconds: 2)
        #expect(press(&state, .character("s"), .enter) == [])
        #expect(state.status?.text == "Core already has 2 replicas")
    }

    @Test func actionsTheRuntimeCannotDoAreRefusedWithAReason() throws {
        var state = Fixtures.state(seconds: 2)
        var snapshot = try #require(state.snapshot)
        for index in snapshot.pods.indices {
            snapshot.pods[index].actions.refuse(.restart, because: "Core has no containers to restart")
            snapshot.pods[index].actions.refuse(.scale, because: "Core cannot be scaled: its containers carry no compose labels")
        }
        _ = state.handle(.runtime(.snapshot(snapshot)))
        _ = press(&state, .character("r"))
        #expect(state.modal == nil)
        #expect(state.status?.text == "Core has no containers to restart")
        _ = press(&state, .character("s"))
        #expect(state.modal == nil)
        #expect(state.status?.text == "Core cannot be scaled: its containers carry no compose labels")
        // The footer greys both keys: it reads the same offers.
        let canvas = Screen.render(state, width: 120, height: 40)
        let footer = canvas.cells.suffix(canvas.width)
        let text = try #require(canvas.textLines().last)
        for word in ["restart", "scale"] {
            let at = try #require(text.range(of: word)).lowerBound.utf16Offset(in: text)
            #expect(footer[footer.startIndex + at].role == .footerDisabled)
        }
    }

    @Test func quitThemeAndHelp() {
        var state = Fixtures.state(seconds: 2, themeNames: ["default", "light", "mono"])
        _ = press(&state, .character("t"), .character("t"))
        #expect(state.themeName == "mono")
        _ = press(&state, .character("t"))
        #expect(state.themeName == "default")
        _ = press(&state, .character("?"))
        #expect(state.modal == .help)
        #expect(press(&state, .character("q")) == [])  // q closes help first
        #expect(press(&state, .character("q")) == [.quit])
    }

    @Test func linesFromSeveralSourcesAreMergedInTimeOrderAfterTheWindow() {
        var state = Fixtures.state(seconds: 0)
        let start = state.now
        func line(_ replica: String, _ offset: Double) -> LogLine {
            LogLine(at: start.addingTimeInterval(offset), source: LogSource(pod: core, service: nil, replica: replica),
                    stream: .stdout, level: .info, text: "\(replica)@\(offset)")
        }
        let before = state.logs.count
        // Replica 2's stream delivers late: its earlier lines arrive after replica 1's later ones.
        _ = state.handle(.runtime(.logs([line("1", 0.2), line("1", 0.4)])))
        _ = state.handle(.runtime(.logs([line("2", 0.1), line("2", 0.3), line("2", 0.9)])))
        state.releaseLogs(at: start.addingTimeInterval(0.5))  // nothing has waited out the window yet
        #expect(state.logs.count == before)
        state.releaseLogs(at: start.addingTimeInterval(1.0))
        #expect(state.logs.tail(4).map(\.text) == ["2@0.1", "1@0.2", "2@0.3", "1@0.4"])
        #expect(state.pendingLogs.map(\.text) == ["2@0.9"])
        state.releaseLogs(at: start.addingTimeInterval(2.0))
        #expect(state.logs.tail(1).map(\.text) == ["2@0.9"])
        #expect(state.pendingLogs.isEmpty)
    }

    @Test func aLineStampedAheadOfThisClockIsShownNowNotWhenTheClockCatchesUp() {
        var state = Fixtures.state(seconds: 0)
        let start = state.now
        let before = state.logs.count
        // A container whose clock runs an hour ahead, or a hostile stamp, beside an honest line.
        let ahead = LogLine(at: start.addingTimeInterval(3600), source: LogSource(pod: core, service: nil, replica: "1"),
                            stream: .stdout, level: .error, text: "from the future")
        let honest = LogLine(at: start.addingTimeInterval(0.1), source: LogSource(pod: core, service: nil, replica: "2"),
                             stream: .stdout, level: .info, text: "now")
        _ = state.handle(.runtime(.logs([ahead, honest])))
        state.releaseLogs(at: start.addingTimeInterval(1.0))
        #expect(state.logs.count == before + 2)
        #expect(state.logs.tail(2).map(\.text) == ["now", "from the future"])
        #expect(state.pendingLogs.isEmpty)
    }

    @Test func aFloodBeyondTheRingWhileWaitingIsDroppedAndCounted() {
        var state = DashboardState(topology: Fixtures.state(seconds: 0).topology, now: Date(timeIntervalSince1970: 1000), logCapacity: 100)
        let lines = (0..<250).map { LogLine(at: Date(timeIntervalSince1970: 1000 + Double($0) / 1000), source: LogSource(pod: core, service: nil, replica: "1"),
                                           stream: .stdout, level: .info, text: "flood \($0)") }
        _ = state.handle(.runtime(.logs(lines)))
        #expect(state.pendingLogs.count == 100)
        state.releaseLogs(at: Date(timeIntervalSince1970: 1010))
        #expect(state.logs.count == 100)
        #expect(state.logs.dropped == 150)
        #expect(state.logs[0].text == "flood 150")
    }

    @Test func structuredLinesShowCompactUntilCTogglesTheRawLine() {
        var state = Fixtures.state(seconds: 0)
        let raw = #"{"level":"warn","msg":"slow query","took":"812ms"}"#
        _ = state.handle(.runtime(.logs([LogLine.fromUntrusted(Array(raw.utf8), at: state.now, source: LogSource(pod: core, service: nil, replica: "1"), stream: .stdout)])))
        state.releaseLogs(at: state.now.addingTimeInterval(1))
        let compact = Screen.render(state, width: 120, height: 40).text
        #expect(compact.contains("WRN slow query took=812ms"))
        _ = press(&state, .character("l"), .character("c"))
        #expect(state.logView.showsRaw)
        #expect(Screen.render(state, width: 120, height: 40).text.contains("WRN " + raw))
    }

    @Test func logPaneFocusScrollPausesAndEndFollows() {
        var state = Fixtures.state(seconds: 120)
        state.logPageSize = 10
        state.releaseLogs(at: state.now.addingTimeInterval(1))  // what the replay left in the window
        _ = press(&state, .character("l"))
        #expect(state.focus == .logs)
        _ = press(&state, .up, .up, .up)
        #expect(state.logView.scrollBack == 3)
        // New lines while paused keep the view where it was and are counted.
        let line = LogLine(at: state.now, source: LogSource(pod: core, service: "auth", replica: "1"), stream: .stdout, level: .info, text: "new")
        _ = state.handle(.runtime(.logs([line, line])))
        state.releaseLogs(at: state.now.addingTimeInterval(2))
        #expect(state.logView.scrollBack == 5)
        #expect(state.logView.unseen == 2)
        _ = press(&state, .end)
        #expect(state.logView.isFollowing)
        #expect(state.logView.unseen == 0)
        _ = press(&state, .home)
        #expect(state.logView.scrollBack == state.logs.count - 10)
        _ = press(&state, .escape)
        #expect(state.focus == .pods)
    }

    @Test func readOnlyRefusesRestartAndScaleAndSaysWhyInHelpAndHeader() throws {
        var state = Fixtures.state(seconds: 2)
        state.readOnly = true
        var snapshot = try #require(state.snapshot)
        for index in snapshot.pods.indices { snapshot.pods[index].actions = snapshot.pods[index].actions.readOnly() }
        _ = state.handle(.runtime(.snapshot(snapshot)))
        #expect(press(&state, .character("r"), .character("y")) == [])
        #expect(state.modal == nil)
        #expect(state.status?.text == "read-only: podtop does not restart pods (started with --read-only)")
        #expect(press(&state, .character("s"), .character("+"), .enter) == [])
        #expect(state.status?.text == "read-only: podtop does not scale pods (started with --read-only)")
        #expect(state.modal == .details(.pod(core)))  // Enter, with no dialog, opened the details
        _ = press(&state, .escape)
        let screen = Screen.render(state, width: 120, height: 40).textLines()
        #expect(screen[0].hasPrefix(" podtop   RO "))
        _ = press(&state, .character("?"))
        let help = Screen.render(state, width: 120, height: 40).text
        #expect(help.contains("(read-only) Rolling restart of the pod"))
    }

    @Test func theHelpSaysWhatPodtopItselfCosts() {
        var state = Fixtures.state(seconds: 2)
        _ = state.handle(.measured(SelfUsage(cpuPercent: 1.4, terminalBytesPerSecond: 2300)))
        _ = press(&state, .character("?"))
        let help = Screen.render(state, width: 120, height: 40).text
        #expect(help.contains("podtop itself: CPU 1.4% of a core · 2.2K/s to this terminal"))
    }
}
