import Foundation
import PodtopCore
import Testing
@testable import PodtopUI

/// The wallboard as a room sees it: golden screens, and panels turning stale-coloured once
/// three refreshes have been missed (the clock is moved by hand).
@Suite(.timeLimit(.minutes(1))) struct WallboardTests {
    func wallboard(_ state: DashboardState) -> DashboardState {
        var state = state
        state.isWallboard = true
        state.readOnly = true
        return state
    }

    @Test(arguments: [(200, 50), (80, 24)])
    func wallboardScreens(width: Int, height: Int) {
        let canvas = Screen.render(wallboard(Fixtures.busyState()), width: width, height: height)
        GoldenFiles.check(canvas.text, named: "wallboard-\(width)x\(height).txt")
    }

    @Test func theBannerNamesThePodsThatAreNotHealthyAndNothingIsSelected() {
        let state = wallboard(Fixtures.busyState())
        let rows = Screen.render(state, width: 200, height: 50).textLines()
        #expect(rows[1].hasPrefix(" NOT HEALTHY  Experience"))
        #expect(rows[1].contains("Commerce"))
        #expect(!rows.joined().contains("▶"), "no selection cursor")
        #expect(!rows.joined().contains("restart"), "no footer of keys")
        let healthy = wallboard(Fixtures.state(seconds: 90))
        #expect(Screen.render(healthy, width: 200, height: 50).textLines()[1].hasPrefix(" All 3 pods healthy"))
    }

    @Test func aPanelTurnsStaleColouredAfterThreeMissedRefreshes() throws {
        var state = wallboard(Fixtures.state(seconds: 90))
        state.refreshSeconds = 1
        func corePanelAge(_ state: DashboardState) -> (text: String, role: Character) {
            let canvas = Screen.render(state, width: 200, height: 50)
            let title = canvas.textLines()[2]
            let range = title.range(of: "updated")!
            let column = title.distance(from: title.startIndex, to: range.lowerBound)
            let end = title[range.lowerBound...].range(of: "ago")!.upperBound
            return (String(title[range.lowerBound..<end]), Array(canvas.roleLines()[2])[column])
        }
        let fresh = corePanelAge(state)
        #expect(fresh.role == RoleLetters.letter(.textDim))
        // Nothing arrives while the clock moves on: 3 s is three missed refreshes, not yet stale.
        _ = state.handle(.tick(state.now.addingTimeInterval(3)))
        #expect(corePanelAge(state).role == RoleLetters.letter(.textDim))
        _ = state.handle(.tick(state.now.addingTimeInterval(1.5)))
        let stale = corePanelAge(state)
        #expect(stale.role == RoleLetters.letter(.statusWarn))
        #expect(stale.text.contains("ago"))
        #expect(stale.text != fresh.text)
    }

    @Test func aWatchConfirmingItsSnapshotKeepsTheStampFreshWithoutAnyChange() throws {
        var state = wallboard(Fixtures.state(seconds: 90))
        state.refreshSeconds = 1
        func corePanelRole(_ state: DashboardState) -> Character {
            let canvas = Screen.render(state, width: 200, height: 50)
            let title = canvas.textLines()[2]
            let column = title.distance(from: title.startIndex, to: title.range(of: "updated")!.lowerBound)
            return Array(canvas.roleLines()[2])[column]
        }
        /// A second of a quiet watch: probes answer, and the runtime confirms (or does not).
        func second(_ state: inout DashboardState, confirmed: Bool) {
            let now = state.now.addingTimeInterval(1)
            _ = state.handle(.tick(now))
            for key in state.topology.probes.map(\.key) {
                _ = state.handle(.runtime(.health(key, HealthSample(at: now, verdict: .up, latencyMs: 5))))
            }
            if confirmed { _ = state.handle(.runtime(.confirmed(now))) }
        }
        // A minute with no snapshot at all, the watch heard from: fresh all along.
        for _ in 1...60 { second(&state, confirmed: true) }
        #expect(corePanelRole(state) == RoleLetters.letter(.textDim))
        #expect(state.dataAge == 0)
        // The watch falls silent: the stamp ages and turns the stale colour after three refreshes.
        for _ in 1...4 { second(&state, confirmed: false) }
        #expect(corePanelRole(state) == RoleLetters.letter(.statusWarn))
        #expect(state.dataAge == 4)
    }

    @Test func onlyQDoesAnything() {
        var state = wallboard(Fixtures.state(seconds: 10))
        let before = state.selection
        for key: KeyInput in [.down, .tab, .character("r"), .character("s"), .enter, .character("l"), .character("/"), .character("?")] {
            #expect(state.handle(.key(key)) == [])
        }
        #expect(state.selection == before && state.modal == nil && state.focus == .pods)
        #expect(state.handle(.key(.character("q"))) == [.quit])
    }

    @Test func theWallboardKeepsNoLogLines() {
        var state = wallboard(Fixtures.state(seconds: 0))
        let before = state.logs.count
        let lines = (0..<500).map { LogLine(at: state.now, source: LogSource(pod: PodID("core"), service: nil, replica: "1"),
                                           stream: .stdout, level: .info, text: "line \($0)") }
        _ = state.handle(.runtime(.logs(lines)))
        state.releaseLogs(at: state.now.addingTimeInterval(5))
        #expect(state.pendingLogs.isEmpty)
        #expect(state.logs.count == before)
    }
}
