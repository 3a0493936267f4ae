import Foundation
import PodtopCore
import Testing
@testable import PodtopUI

/// The log pane as a reader uses it: filter, search with n/N, level and scope, the view's
/// toggles and saving — checked on what the screen shows.
@Suite(.timeLimit(.minutes(1))) struct LogReadingTests {
    let core = PodID("core"), commerce = PodID("commerce")
    let t0 = Date(timeIntervalSince1970: 1_796_040_000)

    func press(_ state: inout DashboardState, _ keys: KeyInput...) {
        for key in keys { _ = state.handle(.key(key)) }
    }

    func type(_ state: inout DashboardState, _ text: String) {
        for c in text { _ = state.handle(.key(.character(c))) }
    }

    /// A state holding exactly `texts`, one second apart, each from `source(i)`, at `level(i)`.
    func state(_ texts: [String], pageSize: Int = 5,
               source: (Int) -> LogSource = { _ in LogSource(pod: PodID("core"), service: "auth", replica: "1") },
               level: (Int) -> LogLevel = { _ in .info }) -> DashboardState {
        var state = DashboardState(topology: Fixtures.state(seconds: 0).topology, now: t0)
        state.timeZone = TimeZone(identifier: "UTC")!
        let lines = texts.enumerated().map { i, text in
            LogLine(at: t0.addingTimeInterval(Double(i)), source: source(i), stream: .stdout, level: level(i), text: text)
        }
        _ = state.handle(.runtime(.logs(lines)))
        state.releaseLogs(at: t0.addingTimeInterval(Double(texts.count) + 1))
        state.logPageSize = pageSize
        return state
    }

    func shown(_ state: DashboardState) -> [String] {
        state.logs.tail(1000, where: state.logFilter.accepts).map(\.text)
    }

    /// The log pane's rows (title first) in a 100×(10 + page) screen.
    func paneRows(_ state: DashboardState, width: Int = 100) -> [String] {
        let height = 24
        let rows = Screen.render(state, width: width, height: height).textLines()
        let title = rows.lastIndex { $0.dropFirst(2).hasPrefix(" Logs ") }!
        return Array(rows[title..<(height - 2)])
    }

    @Test func filterIsTypedLiveAppliedWithEnterAndRestoredWithEsc() {
        let sources = [LogSource(pod: core, service: "user", replica: "1"), LogSource(pod: core, service: "auth", replica: "1")]
        var state = state(["GET /me 200", "db timeout", "GET /user 200", "AUTH token refreshed"], source: { sources[$0 % 2] })
        press(&state, .character("\\"))
        type(&state, "authx")
        #expect(shown(state).isEmpty)  // live: the pane narrows while typing
        press(&state, .backspace)
        #expect(state.modal == .logPrompt(LogPrompt(purpose: .filter, draft: "auth", isRegex: false, previous: nil)))
        // Letters that are keys elsewhere are text while typing: no full screen from the f.
        press(&state, .character("f"), .backspace)
        #expect(state.logView.isFullScreen == false)
        // Lower case ignores case, and the source label counts: core/auth/1's lines and "AUTH …".
        #expect(shown(state) == ["db timeout", "AUTH token refreshed"])
        press(&state, .enter)
        #expect(state.focus == .logs)
        // A capital letter means exact case.
        press(&state, .character("\\"))
        for _ in 0..<4 { press(&state, .backspace) }
        type(&state, "GET")
        press(&state, .enter)
        #expect(state.logView.filter == LogQuery("GET"))
        #expect(shown(state) == ["GET /me 200", "GET /user 200"])
        #expect(paneRows(state)[0].contains("filter \"GET\""))
        press(&state, .character("\\"), .character("x"), .escape)
        #expect(state.logView.filter == LogQuery("GET"))
        press(&state, .escape)
        #expect(state.logView.filter == nil)
        #expect(shown(state).count == 4)
    }

    @Test func regexFilterWithTabAndAnInvalidPatternSaysSoAndMatchesNothing() {
        let source: (Int) -> LogSource = { _ in LogSource(pod: PodID("commerce"), service: "payment", replica: "1") }
        var state = state(["took 812ms", "took 9ms", "took 1203ms", "ok"], source: source)
        press(&state, .character("l"), .character("\\"), .tab)
        type(&state, "took [0-9]{3,}ms")
        press(&state, .enter)
        #expect(state.logView.filter == LogQuery("took [0-9]{3,}ms", isRegex: true))
        #expect(shown(state) == ["took 812ms", "took 1203ms"])
        #expect(paneRows(state)[0].contains("filter /took [0-9]{3,}ms/"))
        press(&state, .character("\\"))
        type(&state, "(")
        #expect(paneRows(state)[0].contains("invalid regular expression"))
        press(&state, .enter)
        #expect(shown(state).isEmpty)
        #expect(paneRows(state)[1].contains("no line matches"))
    }

    @Test func searchHighlightsJumpsToTheNewestMatchAndNWalksOlderAndNewer() {
        var texts = (0..<40).map { "line \($0) fine" }
        for i in [5, 20, 33] { texts[i] = "line \(i) ERROR disk full" }
        var state = state(texts, pageSize: 5)
        press(&state, .character("l"), .character("/"))
        type(&state, "disk")
        #expect(state.logView.search == LogQuery("disk"))
        press(&state, .enter)
        #expect(state.logs.index(ofSequence: state.logView.currentMatch!) == 33)
        // 6 lines are newer than line 33; centred in a 5-line page the view stops 4 lines up.
        #expect(state.logView.scrollBack == 4)
        #expect(!state.logView.isFollowing)
        let rows = Screen.render(state, width: 100, height: 24)
        let matchRow = rows.textLines().firstIndex { $0.contains("line 33 ERROR") }!
        let row = rows.textLines()[matchRow]
        let column = row.distance(from: row.startIndex, to: row.range(of: "disk")!.lowerBound)
        #expect(Array(rows.roleLines()[matchRow])[column] == RoleLetters.letter(.selection))
        press(&state, .character("n"))
        #expect(state.logs.index(ofSequence: state.logView.currentMatch!) == 20)
        press(&state, .character("n"))
        #expect(state.logs.index(ofSequence: state.logView.currentMatch!) == 5)
        press(&state, .character("n"))
        #expect(state.status?.text == "No older match for \"disk\"")
        #expect(state.logs.index(ofSequence: state.logView.currentMatch!) == 5)
        press(&state, .character("N"))
        #expect(state.logs.index(ofSequence: state.logView.currentMatch!) == 20)
        #expect(paneRows(state).contains { $0.contains("line 20 ERROR disk full") })
        // Esc clears the search first, then leaves the pane.
        press(&state, .escape)
        #expect(state.logView.search == nil && state.focus == .logs)
        press(&state, .escape)
        #expect(state.focus == .pods)
    }

    @Test func searchKeepsItsMatchWhileNewLinesArriveAndOldOnesLeave() {
        var state = DashboardState(topology: Fixtures.state(seconds: 0).topology, now: t0, logCapacity: 10)
        let source = LogSource(pod: core, service: nil, replica: "1")
        let lines = (0..<10).map { LogLine(at: t0.addingTimeInterval(Double($0)), source: source, stream: .stdout, level: .info, text: $0 == 7 ? "needle" : "hay \($0)") }
        _ = state.handle(.runtime(.logs(lines)))
        state.releaseLogs(at: t0.addingTimeInterval(20))
        state.logPageSize = 3
        press(&state, .character("/"))
        type(&state, "needle")
        press(&state, .enter)
        let sequence = state.logView.currentMatch
        let more = (10..<14).map { LogLine(at: t0.addingTimeInterval(Double($0)), source: source, stream: .stdout, level: .info, text: "hay \($0)") }
        _ = state.handle(.runtime(.logs(more)))
        state.releaseLogs(at: t0.addingTimeInterval(30))
        #expect(state.logView.currentMatch == sequence)
        #expect(state.logs[state.logs.index(ofSequence: sequence!)!].text == "needle")
        #expect(paneRows(state).contains { $0.contains("needle") })
    }

    @Test func minimumLevelStepsThroughTheLevelsAndHidesUnlevelledLines() {
        let levels: [LogLevel] = [.debug, .info, .warn, .error, .unknown]
        var state = state(["d", "i", "w", "e", "plain"], level: { levels[$0] })
        press(&state, .character("l"))
        var seen: [[String]] = []
        for _ in 0..<5 {
            press(&state, .character("v"))
            seen.append(shown(state))
        }
        #expect(seen == [["d", "i", "w", "e"], ["i", "w", "e"], ["w", "e"], ["e"], ["d", "i", "w", "e", "plain"]])
        press(&state, .character("v"), .character("v"), .character("v"))
        #expect(paneRows(state)[0].contains("WRN+"))
    }

    @Test func onlySelectionFollowsTheSelectedPodOrService() {
        let sources = [LogSource(pod: core, service: "auth", replica: "1"), LogSource(pod: core, service: "user", replica: "1"),
                       LogSource(pod: commerce, service: "payment", replica: "1"), LogSource(pod: core, service: nil, replica: "2")]
        var state = state(["auth says", "user says", "payment says", "container says"], source: { sources[$0] })
        press(&state, .character("p"))
        #expect(shown(state) == ["auth says", "user says", "container says"])
        #expect(paneRows(state)[0].contains("only core"))
        press(&state, .down, .down)  // core/auth
        #expect(state.selection == .service(ServiceID(pod: core, name: "auth")))
        // A container that runs the whole pod does not say its service: it belongs to each.
        #expect(shown(state) == ["auth says", "container says"])
        press(&state, .tab, .tab)  // commerce
        #expect(shown(state) == ["payment says"])
        press(&state, .character("p"))
        #expect(shown(state).count == 4)
    }

    @Test func aPausedViewKeepsItsBottomLineWhenTheLevelChanges() {
        var state = state((0..<30).map { "line \($0)" }, pageSize: 5, level: { $0 % 2 == 0 ? .warn : .info })
        press(&state, .character("l"), .up, .up, .up)  // bottom line is "line 26"
        press(&state, .character("v"), .character("v"), .character("v"))  // WRN and above: even lines
        #expect(state.logs.tail(1, skip: state.logView.scrollBack, where: state.logFilter.accepts).map(\.text) == ["line 26"])
    }

    @Test func wrapShowsTheWholeLineOnFollowingRowsAndTimestampsToggle() {
        let long = (0..<30).map { "word\($0)" }.joined(separator: " ")
        var state = state(["short one", long])
        let textColumn = LogPaneView.RowLayout(x: 0, width: 80, showsTimestamps: true).textX
        let cut = paneRows(state, width: 80)
        #expect(cut.last?.hasPrefix("12:00:01 core/auth/1") == true)
        #expect(cut.last?.dropFirst(textColumn) == long.prefix(80 - textColumn))
        press(&state, .character("l"), .character("w"))
        let wrapped = paneRows(state, width: 80)
        // The long line's rows, put back together, are the whole line: nothing lost, nothing added.
        let first = wrapped.firstIndex { $0.hasPrefix("12:00:01") }!
        let pieces = wrapped[first...].map { String($0.dropFirst(textColumn)) }
        #expect(pieces.count == 5)
        #expect(pieces.joined().trimmingCharacters(in: .whitespaces) == long)
        #expect(wrapped[first + 1].prefix(textColumn).allSatisfy { $0 == " " })
        #expect(wrapped[0].contains("wrap"))
        press(&state, .character("t"))
        #expect(!paneRows(state, width: 80).contains { $0.contains("12:00:0") })
        #expect(paneRows(state, width: 80).contains { $0.hasPrefix("core/auth/1") })
    }

    @Test func fullScreenGivesTheLogsEveryRowBelowTheHeader() {
        var state = state((0..<40).map { "line \($0)" })
        press(&state, .character("l"), .character("f"))
        let rows = Screen.render(state, width: 100, height: 24).textLines()
        #expect(rows[1].contains(" Logs "))
        #expect(!rows.contains { $0.contains("Commerce") })
        #expect(rows[21].contains("line 39"))
        #expect(Screen.logRows(state, width: 100, height: 24) == 20)
        press(&state, .escape)
        #expect(!state.logView.isFullScreen)
        #expect(Screen.render(state, width: 100, height: 24).textLines().contains { $0.contains("Commerce") })
    }

    @Test func saveAsksForTheShownLinesAsTextWithTimeSourceStreamAndLevel() {
        var state = state(["{\"level\":\"info\",\"msg\":\"hello\"}", "other"], level: { $0 == 0 ? .info : .warn })
        press(&state, .character("l"), .character("\\"))
        type(&state, "hello")
        press(&state, .enter)
        var effects: [Effect] = []
        effects += state.handle(.key(.character("S")))
        #expect(effects == [.saveLogs(fileName: "podtop-logs-20261130-120000.log",
                                      lines: ["2026-11-30T12:00:00.000Z core/auth/1 stdout INF {\"level\":\"info\",\"msg\":\"hello\"}"])])
    }
}
