import Foundation
import Testing
import TestSupport

/// The built binary, driven through tmux: what a person at a terminal would see.
@Suite(.serialized, .timeLimit(.minutes(1))) struct DashboardEndToEndTests {
    static let sparkGlyphs = Set("▁▂▃▄▅▆▇█")

    func coreLine(_ screen: String) -> Substring? {
        screen.split(separator: "\n").first { $0.contains("Core") && $0.contains("ready") }
    }

    func restarts(_ screen: String) -> Int? {
        guard let line = coreLine(screen), let range = line.range(of: "↻ ") else { return nil }
        return Int(line[range.upperBound...].prefix { $0.isNumber })
    }

    @Test func showsTheThreePodsWithSparklines() async throws {
        let tmux = try await TmuxSession("--demo --seed 1")
        let screen = await tmux.waitFor("pods and sparklines") { screen in
            ["Core", "Experience", "Commerce", "mongodb", "redis", "Logs"].allSatisfy(screen.contains)
                && screen.contains { Self.sparkGlyphs.contains($0) }
        }
        #expect(screen.contains("HEALTHY"))
        #expect(screen.contains("demo · built-in cluster, seed 1"))
        try await tmux.press("q")
        #expect(await tmux.exitStatus() == 0)
    }

    @Test func scalingThroughTheDialogBringsUpANewReplica() async throws {
        let tmux = try await TmuxSession("--demo --seed 1")
        await tmux.waitFor("Core 2/2") { self.coreLine($0)?.contains("2/2 ready") == true }
        try await tmux.press("s", "+")
        await tmux.waitFor("the scale dialog") { $0.contains("replicas   2 → 3") }
        try await tmux.press("Enter")
        let screen = await tmux.waitFor("Core at 3/3 after start-up") { self.coreLine($0)?.contains("3/3 ready") == true }
        #expect(screen.contains("Scaled Core from 2 to 3 replicas"))
        try await tmux.press("q")
        #expect(await tmux.exitStatus() == 0)
    }

    @Test func restartingRaisesTheRestartCount() async throws {
        let tmux = try await TmuxSession("--demo --seed 1")
        let before = try #require(restarts(await tmux.waitFor("Core's restart count") { self.restarts($0) != nil }))
        try await tmux.press("r")
        await tmux.waitFor("the confirmation") { $0.contains("Restart now? [y/N]") }
        try await tmux.press("y")
        let screen = await tmux.waitFor("the restart count to rise") { (self.restarts($0) ?? 0) > before }
        #expect(screen.contains("Restarting Core") || screen.contains("Restarted Core"))
        try await tmux.press("q")
        #expect(await tmux.exitStatus() == 0)
    }

    @Test func savingTheFilteredLogsWritesTheShownLinesToAFile() async throws {
        let tmux = try await TmuxSession("--demo --seed 1")
        await tmux.waitFor("log lines") { $0.contains("core/auth/1") }
        try await tmux.press("l", "\\")
        try await tmux.press("-l", "auth")
        try await tmux.press("Enter")
        await tmux.waitFor("the filter in the pane's title") { $0.contains("filter \"auth\"") }
        try await tmux.press("S")
        let screen = await tmux.waitFor("the saved message") { $0.contains("Saved ") }
        let path = try #require(screen.range(of: #"/\S+\.log"#, options: .regularExpression).map { String(screen[$0]) })
        #expect(path.hasPrefix(tmux.workDirectory.path))
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
        #expect(mode == 0o600, "logs carry tokens and customers' data: the owner's alone, not \(String(mode, radix: 8))")
        let saved = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(!saved.isEmpty)
        #expect(saved.allSatisfy { $0.localizedCaseInsensitiveContains("auth") })
        #expect(saved.allSatisfy { $0.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \S+ std(out|err) "#, options: .regularExpression) != nil })
        try await tmux.press("q")
        #expect(await tmux.exitStatus() == 0)
    }

    @Test func theWallboardFillsTheScreenWithoutKeysAndQuitsWithQ() async throws {
        let tmux = try await TmuxSession("--demo --seed 1 --wallboard", width: 200, height: 50)
        let screen = await tmux.waitFor("the wallboard") { $0.contains("updated") && $0.contains("Commerce") }
        let rows = screen.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(rows.first?.contains(" RO ") == true)
        #expect(rows.dropFirst().first.map { $0.contains("pods healthy") || $0.contains("NOT HEALTHY") } == true)
        #expect(!screen.contains("r restart") && !screen.contains("▶"))
        try await tmux.press("r", "y", "s", "Enter")
        #expect(!(await tmux.screen()).contains("Restart now?"))
        try await tmux.press("q")
        #expect(await tmux.exitStatus() == 0)
    }

    @Test func resizingRelaysOutLiveIncludingTooSmall() async throws {
        let tmux = try await TmuxSession("--demo --seed 1", width: 120, height: 40)
        await tmux.waitFor("the full header") { $0.contains("theme default") }
        try await tmux.resize(width: 60, height: 20)
        let narrow = await tmux.waitFor("the 60×20 layout") { screen in
            !screen.contains("theme default") && screen.contains("Commerce") && screen.contains("Logs")
        }
        #expect(narrow.split(separator: "\n").allSatisfy { $0.count <= 60 })
        try await tmux.resize(width: 40, height: 12)
        await tmux.waitFor("the too-small message") { $0.contains("terminal too small (need 60×15)") }
        try await tmux.resize(width: 1, height: 1)
        try await tmux.resize(width: 120, height: 40)
        await tmux.waitFor("the full header again") { $0.contains("theme default") && $0.contains("Experience") }
        try await tmux.press("q")
        #expect(await tmux.exitStatus() == 0)
    }

    @Test func quittingLeavesTheTerminalAsItWas() async throws {
        let tmux = try await TmuxSession("--demo --seed 1")
        await tmux.waitFor("the dashboard") { $0.contains("Commerce") }
        #expect(try await tmux.terminalModes() == (alternateScreen: true, cursorVisible: false))
        try await tmux.press("q")
        #expect(await tmux.exitStatus() == 0)
        #expect(try await tmux.terminalModes() == (alternateScreen: false, cursorVisible: true))
    }

    @Test(arguments: [("INT", 2), ("TERM", 15), ("HUP", 1), ("SEGV", 11)])
    func signalsAndCrashesRestoreTheTerminal(signal: String, number: Int) async throws {
        let tmux = try await TmuxSession("--demo --seed 1")
        await tmux.waitFor("the dashboard") { $0.contains("Commerce") }
        let pid = try #require(tmux.podtopPID())
        try await Spawn.run(["kill", "-\(signal)", "\(pid)"], capture: false, check: true)
        // Shutdown signals end cleanly with 128+N; a crash dies of its own signal (sh says 128+N too).
        #expect(await tmux.exitStatus() == 128 + number)
        #expect(try await tmux.terminalModes() == (alternateScreen: false, cursorVisible: true))
    }

    @Test func aStackOverflowStillRestoresTheTerminal() async throws {
        // The handler runs on an alternate stack: on the overflowed one it could not run at all.
        let tmux = try await TmuxSession("--demo --seed 1", environment: ["PODTOP_DEBUG_OVERFLOW_STACK": "1"])
        #expect(await tmux.exitStatus(within: 10) == 128 + 11)
        #expect(try await tmux.terminalModes() == (alternateScreen: false, cursorVisible: true))
    }

    @Test func aTerminalThatCannotMoveTheCursorGetsAClearMessage() async throws {
        let tmux = try await TmuxSession("--demo", environment: ["TERM": "dumb"])
        #expect(await tmux.exitStatus() == 2)
        #expect(await tmux.screen().contains("cannot move the cursor"))
        let unknown = try await TmuxSession("--demo", environment: ["TERM": "no-such-terminal"])
        #expect(await unknown.exitStatus() == 2)
        #expect(await unknown.screen().contains("unknown here"))
    }
}

@Suite(.timeLimit(.minutes(1))) struct CommandLineTests {
    @Test func withoutATerminalItSaysSoAndFails() async throws {
        let result = try await runPodtop(["--demo"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("needs an interactive terminal"))
        #expect(result.stdout.isEmpty)
    }

    @Test func aBrokenThemeIsNamedBeforeAnyScreen() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("podtop-theme-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let theme = directory.appendingPathComponent("broken.yaml")
        try "name: broken\nroles:\n  status.ok: { fg: not-a-colour }\n".write(to: theme, atomically: true, encoding: .utf8)
        let result = try await runPodtop(["--demo", "--theme", theme.path])
        #expect(result.status == 3)
        #expect(result.stderr.contains("\(theme.path):3: roles.status.ok.fg: 'not-a-colour' is not a colour"))
        let unknown = try await runPodtop(["--demo", "--theme", "nope"])
        #expect(unknown.stderr.contains("no theme named 'nope'; known: default, light, high-contrast"))
    }

    @Test func aMalformedConfigGivesLineAndField() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("podtop-config-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("config.yaml")
        try "pods:\n  - id: core\n    services:\n      - name: nginx\n        health: 127.0.0.1/health\n".write(to: config, atomically: true, encoding: .utf8)
        let result = try await runPodtop(["--demo", "--config", config.path])
        #expect(result.status == 3)
        #expect(result.stderr.contains("\(config.path):5: pods[0].services[0].health: '127.0.0.1/health' is not an http:// or https:// URL"))
        // The default location is read when present.
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("podtop"), withIntermediateDirectories: true)
        try "refresh: never\n".write(to: directory.appendingPathComponent("podtop/config.yaml"), atomically: true, encoding: .utf8)
        let xdg = try await runPodtop(["--demo"], environment: ["XDG_CONFIG_HOME": directory.path])
        #expect(xdg.stderr.contains("podtop/config.yaml:1: refresh: expected a number"))
        let missing = try await runPodtop(["--demo", "--config", directory.appendingPathComponent("absent.yaml").path])
        #expect(missing.stderr.contains("absent.yaml: cannot read the config file: no such file"))
    }

    @Test func helpDocumentsEveryFlag() async throws {
        let result = try await runPodtop(["--help"])
        #expect(result.status == 0)
        for flag in ["--demo", "--seed", "--config", "--theme", "--refresh", "--ascii", "--no-color", "--log-lines", "--list-themes"] {
            #expect(result.stdout.contains(flag), "\(flag) missing from --help")
        }
    }

    @Test func listThemesNamesTheBundledSix() async throws {
        let result = try await runPodtop(["--list-themes"])
        #expect(result.stdout.split(separator: "\n") == ["default", "light", "high-contrast", "solarized-dark", "colorblind", "mono"])
    }

    @Test func refreshOutOfRangeIsAUsageError() async throws {
        let result = try await runPodtop(["--demo", "--refresh", "0"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("--refresh takes seconds between 0.1 and 3600"))
    }
}
