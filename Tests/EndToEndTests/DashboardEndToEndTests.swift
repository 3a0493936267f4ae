import Foundation
import Testing

/// The built binary, driven through tmux: what a person at a terminal would see.
@Suite(.serialized) struct DashboardEndToEndTests {
    static let sparkGlyphs = Set("▁▂▃▄▅▆▇█")

    func coreLine(_ screen: String) -> Substring? {
        screen.split(separator: "\n").first { $0.contains("Core") && $0.contains("ready") }
    }

    func restarts(_ screen: String) -> Int? {
        guard let line = coreLine(screen), let range = line.range(of: "↻ ") else { return nil }
        return Int(line[range.upperBound...].prefix { $0.isNumber })
    }

    @Test func showsTheThreePodsWithSparklines() throws {
        let tmux = try TmuxSession("--demo --seed 1")
        let screen = tmux.waitFor("pods and sparklines") { screen in
            ["Core", "Experience", "Commerce", "mongodb", "redis", "Logs"].allSatisfy(screen.contains)
                && screen.contains { Self.sparkGlyphs.contains($0) }
        }
        #expect(screen.contains("HEALTHY"))
        #expect(screen.contains("demo · built-in cluster, seed 1"))
        try tmux.press("q")
        #expect(tmux.exitStatus() == 0)
    }

    @Test func scalingThroughTheDialogBringsUpANewReplica() throws {
        let tmux = try TmuxSession("--demo --seed 1")
        tmux.waitFor("Core 2/2") { self.coreLine($0)?.contains("2/2 ready") == true }
        try tmux.press("s", "+")
        tmux.waitFor("the scale dialog") { $0.contains("replicas   2 → 3") }
        try tmux.press("Enter")
        let screen = tmux.waitFor("Core at 3/3 after start-up") { self.coreLine($0)?.contains("3/3 ready") == true }
        #expect(screen.contains("Scaled Core from 2 to 3 replicas"))
        try tmux.press("q")
        #expect(tmux.exitStatus() == 0)
    }

    @Test func restartingRaisesTheRestartCount() throws {
        let tmux = try TmuxSession("--demo --seed 1")
        let before = try #require(restarts(tmux.waitFor("Core's restart count") { self.restarts($0) != nil }))
        try tmux.press("r")
        tmux.waitFor("the confirmation") { $0.contains("Restart now? [y/N]") }
        try tmux.press("y")
        let screen = tmux.waitFor("the restart count to rise") { (self.restarts($0) ?? 0) > before }
        #expect(screen.contains("Restarting Core") || screen.contains("Restarted Core"))
        try tmux.press("q")
        #expect(tmux.exitStatus() == 0)
    }

    @Test func savingTheFilteredLogsWritesTheShownLinesToAFile() throws {
        let tmux = try TmuxSession("--demo --seed 1")
        tmux.waitFor("log lines") { $0.contains("core/auth/1") }
        try tmux.press("l", "\\")
        try tmux.press("-l", "auth")
        try tmux.press("Enter")
        tmux.waitFor("the filter in the pane's title") { $0.contains("filter \"auth\"") }
        try tmux.press("S")
        let screen = tmux.waitFor("the saved message") { $0.contains("Saved ") }
        let path = try #require(screen.range(of: #"/\S+\.log"#, options: .regularExpression).map { String(screen[$0]) })
        #expect(path.hasPrefix(tmux.workDirectory.path))
        let saved = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(!saved.isEmpty)
        #expect(saved.allSatisfy { $0.localizedCaseInsensitiveContains("auth") })
        #expect(saved.allSatisfy { $0.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \S+ std(out|err) "#, options: .regularExpression) != nil })
        try tmux.press("q")
        #expect(tmux.exitStatus() == 0)
    }

    @Test func theWallboardFillsTheScreenWithoutKeysAndQuitsWithQ() throws {
        let tmux = try TmuxSession("--demo --seed 1 --wallboard", width: 200, height: 50)
        let screen = tmux.waitFor("the wallboard") { $0.contains("updated") && $0.contains("Commerce") }
        let rows = screen.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(rows.first?.contains(" RO ") == true)
        #expect(rows.dropFirst().first.map { $0.contains("pods healthy") || $0.contains("NOT HEALTHY") } == true)
        #expect(!screen.contains("r restart") && !screen.contains("▶"))
        try tmux.press("r", "y", "s", "Enter")
        #expect(!tmux.screen().contains("Restart now?"))
        try tmux.press("q")
        #expect(tmux.exitStatus() == 0)
    }

    @Test func resizingRelaysOutLiveIncludingTooSmall() throws {
        let tmux = try TmuxSession("--demo --seed 1", width: 120, height: 40)
        tmux.waitFor("the full header") { $0.contains("theme default") }
        try tmux.resize(width: 60, height: 20)
        let narrow = tmux.waitFor("the 60×20 layout") { screen in
            !screen.contains("theme default") && screen.contains("Commerce") && screen.contains("Logs")
        }
        #expect(narrow.split(separator: "\n").allSatisfy { $0.count <= 60 })
        try tmux.resize(width: 40, height: 12)
        tmux.waitFor("the too-small message") { $0.contains("terminal too small (need 60×15)") }
        try tmux.resize(width: 1, height: 1)
        try tmux.resize(width: 120, height: 40)
        tmux.waitFor("the full header again") { $0.contains("theme default") && $0.contains("Experience") }
        try tmux.press("q")
        #expect(tmux.exitStatus() == 0)
    }

    @Test func quittingLeavesTheTerminalAsItWas() throws {
        let tmux = try TmuxSession("--demo --seed 1")
        tmux.waitFor("the dashboard") { $0.contains("Commerce") }
        #expect(try tmux.terminalModes() == (alternateScreen: true, cursorVisible: false))
        try tmux.press("q")
        #expect(tmux.exitStatus() == 0)
        #expect(try tmux.terminalModes() == (alternateScreen: false, cursorVisible: true))
    }

    @Test(arguments: [("INT", 2), ("TERM", 15), ("HUP", 1), ("SEGV", 11)])
    func signalsAndCrashesRestoreTheTerminal(signal: String, number: Int) throws {
        let tmux = try TmuxSession("--demo --seed 1")
        tmux.waitFor("the dashboard") { $0.contains("Commerce") }
        let pid = try #require(try tmux.podtopPID())
        let kill = Process()
        kill.executableURL = URL(fileURLWithPath: "/bin/kill")
        kill.arguments = ["-\(signal)", "\(pid)"]
        try kill.run()
        kill.waitUntilExit()
        // Shutdown signals end cleanly with 128+N; a crash dies of its own signal (sh says 128+N too).
        #expect(tmux.exitStatus() == 128 + number)
        #expect(try tmux.terminalModes() == (alternateScreen: false, cursorVisible: true))
    }

    @Test func aTerminalThatCannotMoveTheCursorGetsAClearMessage() throws {
        let tmux = try TmuxSession("--demo", environment: ["TERM": "dumb"])
        #expect(tmux.exitStatus() == 2)
        #expect(tmux.screen().contains("cannot move the cursor"))
        let unknown = try TmuxSession("--demo", environment: ["TERM": "no-such-terminal"])
        #expect(unknown.exitStatus() == 2)
        #expect(unknown.screen().contains("unknown here"))
    }
}

@Suite struct CommandLineTests {
    @Test func withoutATerminalItSaysSoAndFails() throws {
        let result = try runPodtop(["--demo"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("needs an interactive terminal"))
        #expect(result.stdout.isEmpty)
    }

    @Test func aBrokenThemeIsNamedBeforeAnyScreen() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("podtop-theme-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let theme = directory.appendingPathComponent("broken.yaml")
        try "name: broken\nroles:\n  status.ok: { fg: not-a-colour }\n".write(to: theme, atomically: true, encoding: .utf8)
        let result = try runPodtop(["--demo", "--theme", theme.path])
        #expect(result.status == 3)
        #expect(result.stderr.contains("\(theme.path):3: roles.status.ok.fg: 'not-a-colour' is not a colour"))
        let unknown = try runPodtop(["--demo", "--theme", "nope"])
        #expect(unknown.stderr.contains("no theme named 'nope'; known: default, light, high-contrast"))
    }

    @Test func aMalformedConfigGivesLineAndField() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("podtop-config-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("config.yaml")
        try "pods:\n  - id: core\n    services:\n      - name: nginx\n        health: 127.0.0.1/health\n".write(to: config, atomically: true, encoding: .utf8)
        let result = try runPodtop(["--demo", "--config", config.path])
        #expect(result.status == 3)
        #expect(result.stderr.contains("\(config.path):5: pods[0].services[0].health: '127.0.0.1/health' is not an http:// or https:// URL"))
        // The default location is read when present.
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("podtop"), withIntermediateDirectories: true)
        try "refresh: never\n".write(to: directory.appendingPathComponent("podtop/config.yaml"), atomically: true, encoding: .utf8)
        let xdg = try runPodtop(["--demo"], environment: ["XDG_CONFIG_HOME": directory.path])
        #expect(xdg.stderr.contains("podtop/config.yaml:1: refresh: expected a number"))
        let missing = try runPodtop(["--demo", "--config", directory.appendingPathComponent("absent.yaml").path])
        #expect(missing.stderr.contains("absent.yaml: cannot read the config file: no such file"))
    }

    @Test func helpDocumentsEveryFlag() throws {
        let result = try runPodtop(["--help"])
        #expect(result.status == 0)
        for flag in ["--demo", "--seed", "--config", "--theme", "--refresh", "--ascii", "--no-color", "--log-lines", "--list-themes"] {
            #expect(result.stdout.contains(flag), "\(flag) missing from --help")
        }
    }

    @Test func listThemesNamesTheBundledSix() throws {
        let result = try runPodtop(["--list-themes"])
        #expect(result.stdout.split(separator: "\n") == ["default", "light", "high-contrast", "solarized-dark", "colorblind", "mono"])
    }

    @Test func refreshOutOfRangeIsAUsageError() throws {
        let result = try runPodtop(["--demo", "--refresh", "0"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("--refresh takes seconds between 0.1 and 3600"))
    }
}
