import Foundation
import Testing
import TestSupport

/// The terminals an SSH session brings: each draws cleanly; NO_COLOR and the C locale are
/// honoured; a dropped session ends podtop within 2 s; the help says what podtop costs.
@Suite(.serialized, .timeLimit(.minutes(1))) struct TerminalsEndToEndTests {
    /// SGR parameters that set a colour (foreground, background, bright, 256-colour, truecolour);
    /// 39 and 49, "default colour", are not colours.
    static let colourSGR = #"\x1b\[([0-9;]*;)?(3[0-7]|4[0-7]|9[0-7]|10[0-7]|38;5|48;5|38;2|48;2)(;[0-9;]*)?m"#

    @Test(arguments: ["xterm-256color", "xterm", "screen-256color", "tmux-256color", "linux", "vt100"])
    func eachTerminalTypeDrawsWithoutGarbage(term: String) async throws {
        let tmux = try await TmuxSession("--demo --seed 1", environment: ["TERM": term])
        let plain = await tmux.waitFor("the dashboard on \(term)") { $0.contains("Commerce") && $0.contains("HEALTHY") }
        #expect(!plain.contains("\u{1B}") && !plain.contains("^[") && !plain.contains("[0m") && !plain.contains("[?"),
                "escape sequences shown as text on \(term)")
        #expect(plain.contains("HEALTHY") && plain.contains("Core") && plain.contains("Experience"))
        let styled = try await tmux.run(["capture-pane", "-e", "-p", "-t", tmux.name])
        let colours = styled.range(of: Self.colourSGR, options: .regularExpression) != nil
        // vt100 has no colour: status must still read by glyph and word.
        #expect(colours == (term != "vt100"), "colour on \(term): \(colours)")
        try await tmux.press("q")
        #expect(await tmux.exitStatus() == 0)
    }

    @Test func noColorMeansNoColourSequences() async throws {
        let tmux = try await TmuxSession("--demo --seed 1", environment: ["NO_COLOR": "1"])
        await tmux.waitFor("the dashboard") { $0.contains("Commerce") && $0.contains("HEALTHY") }
        let styled = try await tmux.run(["capture-pane", "-e", "-p", "-t", tmux.name])
        #expect(styled.range(of: Self.colourSGR, options: .regularExpression) == nil)
        #expect(styled.contains("HEALTHY"))
        try await tmux.press("q")
        #expect(await tmux.exitStatus() == 0)
    }

    @Test func theCLocaleGivesPlainASCII() async throws {
        let tmux = try await TmuxSession("--demo --seed 1", environment: ["LANG": "C", "LC_ALL": "C"])
        let screen = await tmux.waitFor("the dashboard") { $0.contains("Commerce") && $0.contains("HEALTHY") }
        let wide = screen.unicodeScalars.filter { $0.value > 0x7E }
        #expect(wide.isEmpty, "non-ASCII on screen: \(String(String.UnicodeScalarView(wide.prefix(20))))")
        try await tmux.press("q")
        #expect(await tmux.exitStatus() == 0)
    }

    @Test func aDroppedSessionEndsPodtopWithinTwoSeconds() async throws {
        let tmux = try await TmuxSession("--demo --seed 1")
        await tmux.waitFor("the dashboard") { $0.contains("Commerce") }
        let pid = try #require(tmux.podtopPID())
        let dropped = ContinuousClock.now
        try await tmux.run(["kill-session", "-t", tmux.name])
        await Eventually.holds(within: .seconds(5)) { !isRunning(pid) }
        let took = dropped.duration(to: .now)
        #expect(!isRunning(pid), "podtop still running 5 s after its terminal went away")
        #expect(took < .seconds(2), "took \(took)")
    }

    @Test func theHelpShowsPodtopsOwnCPUAndBytesPerSecond() async throws {
        let tmux = try await TmuxSession("--demo --seed 1")
        await tmux.waitFor("the dashboard") { $0.contains("Commerce") }
        try await tmux.press("?")
        // The figures are measured over the seconds since start: they show once two have passed.
        let screen = await tmux.waitFor("a byte rate above zero in the help") { screen in
            guard let line = screen.split(separator: "\n").first(where: { $0.contains("podtop itself: CPU") }),
                  let rate = line.range(of: #"· [0-9.]+[BKM]/s to this terminal"#, options: .regularExpression) else { return false }
            return !line[rate].hasPrefix("· 0B/s")
        }
        #expect(screen.contains("podtop itself: CPU"), "the demo redraws every second")
        try await tmux.press("?", "q")
        #expect(await tmux.exitStatus() == 0)
    }
}
