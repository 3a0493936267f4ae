import Foundation
import Testing
import TestSupport

/// The terminals an SSH session brings: each draws cleanly; NO_COLOR and the C locale are
/// honoured; a dropped session ends podtop within 2 s; the help says what podtop costs.
@Suite(.serialized) struct TerminalsEndToEndTests {
    /// SGR parameters that set a colour (foreground, background, bright, 256-colour, truecolour);
    /// 39 and 49, "default colour", are not colours.
    static let colourSGR = #"\x1b\[([0-9;]*;)?(3[0-7]|4[0-7]|9[0-7]|10[0-7]|38;5|48;5|38;2|48;2)(;[0-9;]*)?m"#

    @Test(arguments: ["xterm-256color", "xterm", "screen-256color", "tmux-256color", "linux", "vt100"])
    func eachTerminalTypeDrawsWithoutGarbage(term: String) throws {
        let tmux = try TmuxSession("--demo --seed 1", environment: ["TERM": term])
        let plain = tmux.waitFor("the dashboard on \(term)") { $0.contains("Commerce") && $0.contains("HEALTHY") }
        #expect(!plain.contains("\u{1B}") && !plain.contains("^[") && !plain.contains("[0m") && !plain.contains("[?"),
                "escape sequences shown as text on \(term)")
        #expect(plain.contains("HEALTHY") && plain.contains("Core") && plain.contains("Experience"))
        let styled = try tmux.run(["capture-pane", "-e", "-p", "-t", tmux.name])
        let colours = styled.range(of: Self.colourSGR, options: .regularExpression) != nil
        // vt100 has no colour: status must still read by glyph and word.
        #expect(colours == (term != "vt100"), "colour on \(term): \(colours)")
        try tmux.press("q")
        #expect(tmux.exitStatus() == 0)
    }

    @Test func noColorMeansNoColourSequences() throws {
        let tmux = try TmuxSession("--demo --seed 1", environment: ["NO_COLOR": "1"])
        tmux.waitFor("the dashboard") { $0.contains("Commerce") && $0.contains("HEALTHY") }
        let styled = try tmux.run(["capture-pane", "-e", "-p", "-t", tmux.name])
        #expect(styled.range(of: Self.colourSGR, options: .regularExpression) == nil)
        #expect(styled.contains("HEALTHY"))
        try tmux.press("q")
        #expect(tmux.exitStatus() == 0)
    }

    @Test func theCLocaleGivesPlainASCII() throws {
        let tmux = try TmuxSession("--demo --seed 1", environment: ["LANG": "C", "LC_ALL": "C"])
        let screen = tmux.waitFor("the dashboard") { $0.contains("Commerce") && $0.contains("HEALTHY") }
        let wide = screen.unicodeScalars.filter { $0.value > 0x7E }
        #expect(wide.isEmpty, "non-ASCII on screen: \(String(String.UnicodeScalarView(wide.prefix(20))))")
        try tmux.press("q")
        #expect(tmux.exitStatus() == 0)
    }

    @Test func aDroppedSessionEndsPodtopWithinTwoSeconds() throws {
        let tmux = try TmuxSession("--demo --seed 1")
        tmux.waitFor("the dashboard") { $0.contains("Commerce") }
        let pid = try #require(try tmux.podtopPID())
        let dropped = Date()
        try tmux.run(["kill-session", "-t", tmux.name])
        while isRunning(pid), Date().timeIntervalSince(dropped) < 5 {
            Thread.sleep(forTimeInterval: 0.02)
        }
        let took = Date().timeIntervalSince(dropped)
        #expect(!isRunning(pid), "podtop still running 5 s after its terminal went away")
        #expect(took < 2, "took \(took) s")
    }

    @Test func theHelpShowsPodtopsOwnCPUAndBytesPerSecond() throws {
        let tmux = try TmuxSession("--demo --seed 1")
        tmux.waitFor("the dashboard") { $0.contains("Commerce") }
        Thread.sleep(forTimeInterval: 2.5)
        try tmux.press("?")
        let screen = tmux.waitFor("the cost in the help") { $0.contains("podtop itself: CPU") }
        let line = try #require(screen.split(separator: "\n").first { $0.contains("podtop itself") })
        let rate = try #require(line.range(of: #"· [0-9.]+[BKM]/s to this terminal"#, options: .regularExpression))
        #expect(!line[rate].hasPrefix("· 0B/s"), "the demo redraws every second: \(line)")
        try tmux.press("?", "q")
        #expect(tmux.exitStatus() == 0)
    }
}
