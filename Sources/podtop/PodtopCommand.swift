import ArgumentParser
import Foundation
import PodtopCore
import PodtopRuntime
import PodtopTerminal
import PodtopUI

@main
struct PodtopCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "podtop",
        abstract: "A terminal dashboard for the DreamScape Big Pods: status, health, latency and logs.",
        discussion: """
            Keys: arrows or j/k move, Tab jumps between pods, r restarts, s scales, Enter shows \
            details, l focuses the logs, / filters them, t changes the theme, ? shows every key, q quits.

            Config: --config PATH, else $XDG_CONFIG_HOME/podtop/config.yaml when it exists, \
            else the built-in DreamScape pods. Themes: bundled, plus \
            $XDG_CONFIG_HOME/podtop/themes/*.yaml.
            """,
        subcommands: [CheckCommand.self]
    )

    @OptionGroup var source: RuntimeOptions

    @Option(name: .customLong("log-tail"), help: ArgumentHelp("Lines of each container's past log shown at start (default 50).", valueName: "lines"))
    var logTail: Int = 50

    @Option(help: ArgumentHelp("Theme name or theme file path.", valueName: "name|path"))
    var theme: String?

    @Option(help: ArgumentHelp("Seconds between polls of the runtime and the health endpoints (default 1).", valueName: "seconds"))
    var refresh: Double?

    @Flag(help: "Draw with plain ASCII (borders, status glyphs, sparklines); automatic when the locale is not UTF-8.")
    var ascii = false

    @Option(help: ArgumentHelp("Sparkline glyphs: blocks, or braille (two samples per cell); ASCII with --ascii.", valueName: "blocks|braille"))
    var sparkline: String = "blocks"

    @Flag(name: .customLong("no-color"), help: "No colour (also when NO_COLOR is set); status stays readable by glyph and word.")
    var noColor = false

    @Option(name: .customLong("log-lines"), help: ArgumentHelp("Log lines kept in memory (default 10000).", valueName: "count"))
    var logLines: Int?

    @Flag(name: .customLong("read-only"), help: "Watch only: no restart or scale, and the Docker transport sends nothing but GET and HEAD (also read_only: true in the config).")
    var readOnly = false

    @Flag(help: "A read-only screen for a room: the pods and their sparklines fill it, a banner names any pod that is not healthy, each panel shows its data age; q quits.")
    var wallboard = false

    @Flag(name: .customLong("list-themes"), help: "List the themes podtop can use, then exit.")
    var listThemes = false

    @Flag(help: "Check the pods once, print a table and exit, as `podtop check` does (0 healthy, 1 degraded, slow or cannot tell, 2 down, 3 usage error); `podtop check --help` for JSON and --watch.")
    var once = false

    /// Usage errors exit 3 (what `podtop check` promises scripts), not ArgumentParser's 64.
    static func main() {
        ProcessStart.prepare()
        DescriptorBudget.raiseLimitToHard()
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                fail(fullMessage(for: error), code: 3)
            }
            exit(withError: error)
        }
    }

    func validate() throws {

        if let refresh, !(0.1...3600).contains(refresh) {
            throw ValidationError("--refresh takes seconds between 0.1 and 3600, not \(refresh)")
        }
        guard ["blocks", "braille"].contains(sparkline) else {
            throw ValidationError("--sparkline takes blocks or braille, not \(sparkline)")
        }
        if !(0...100_000).contains(logTail) {
            throw ValidationError("--log-tail takes a count between 0 and 100000")
        }
        if let logLines, !(100...10_000_000).contains(logLines) {
            throw ValidationError("--log-lines takes a count between 100 and 10000000")
        }
    }

    func run() throws {
        if once {
            OneShotCheck(source: source, output: CheckOptions(), noColor: noColor).run()
        }
        let environment = ProcessInfo.processInfo.environment
        let settings: Settings
        do {
            settings = try Settings.resolve(self, environment: environment)
        } catch {
            Self.fail("podtop: \(error)", code: 3)
        }
        if listThemes {
            for theme in settings.themes { print(InertText.of(theme.name)) }
            return
        }

        var runtime: any ContainerRuntime
        var switcher: EnvironmentSwitcher?
        // The demo simulates its probes and Kubernetes probes through the cluster; Docker's
        // services get probes at their URLs here.
        var prober: HealthProber?
        if source.demo {
            runtime = DemoCluster(topology: settings.config.topology, seed: source.seed)
        } else {
            do {
                let choice = try RuntimeChoice.resolve(source, config: settings.config, environment: environment)
                let policy = try RequestPolicy.of(readOnly: settings.readOnly, environment: environment)
                runtime = try choice.makeRuntime(topology: settings.config.topology, logTail: logTail, followsLogs: !wallboard, policy: policy)
                if !choice.probesHealthItself { prober = HealthProber(topology: settings.config.topology) }
                if case .kubernetes(let setup) = choice {
                    switcher = EnvironmentSwitcher(setup: setup, topology: settings.config.topology, logTail: logTail,
                                                   followsLogs: !wallboard, policy: policy)
                }
            } catch {
                Self.fail("podtop: \(error)", code: 3)
            }
        }
        if settings.readOnly { runtime = ReadOnlyRuntime(runtime) }
        var monitoring: PrometheusWatcher?
        if let prometheus = settings.prometheus {
            do {
                let policy = try RequestPolicy.of(readOnly: settings.readOnly, environment: environment)
                let client = try PrometheusClient(prometheus, policy: policy)
                let alertmanager = try prometheus.alertmanagerURL.map { (url) throws(RuntimeError) in
                    var settings = prometheus
                    settings.url = url
                    return try PrometheusClient(settings, serverName: "Alertmanager", policy: policy)
                }
                monitoring = PrometheusWatcher(client: client, alertmanager: alertmanager, settings: prometheus,
                                               topology: settings.config.topology)
            } catch {
                Self.fail("podtop: \(error)", code: 3)
            }
        }
        let ending = try runDashboard(runtime: runtime, switcher: switcher, prober: prober, monitoring: monitoring, settings: settings,
                                      environment: environment)
        switch ending {
        case .quit: return
        case .hangup: throw ExitCode(129)
        case .signal(let number): throw ExitCode(128 + number)
        }
    }

    private func runDashboard(runtime: any ContainerRuntime, switcher: EnvironmentSwitcher?, prober: HealthProber?,
                              monitoring: PrometheusWatcher?, settings: Settings, environment: [String: String]) throws -> DashboardLoop.Ending {
        let terminal: TerminalSession
        do {
            terminal = try TerminalSession.start(noColor: settings.noColor)
        } catch {
            Self.fail("podtop: \(error)", code: 2)
        }
        defer { terminal.stop() }
        var themes = settings.themes
        if terminal.colorCount == 0 { themes = themes.map(\.withoutColour) }
        var state = DashboardState(
            topology: settings.config.topology, now: Date(), refreshSeconds: settings.refreshSeconds,
            logCapacity: settings.logLines, themeNames: themes.map(\.name), themeIndex: settings.themeIndex,
            readOnly: settings.readOnly
        )
        state.isWallboard = wallboard
        if let switcher {
            state.environments = switcher.setup.environments
            state.environmentIndex = switcher.setup.startIndex
        }
        let loop = DashboardLoop(terminal: terminal, runtime: runtime, switcher: switcher, prober: prober, monitoring: monitoring,
                                 state: state, themes: themes,
                                 options: RenderOptions(glyphs: settings.ascii ? .ascii : .unicode,
                                                        sparklineStyle: SparklineStyle(rawValue: sparkline)))
        return loop.run()
    }

    /// Says `message` on stderr, each of its lines made inert (it may quote a config file, a
    /// daemon's error or a flag's value), and exits with `code`.
    static func fail(_ message: String, code: Int32) -> Never {
        let inert = message.split(separator: "\n", omittingEmptySubsequences: false).map { InertText.of(String($0)) }
        FileHandle.standardError.write(Data((inert.joined(separator: "\n") + "\n").utf8))
        Foundation.exit(code)
    }
}

/// Flags, environment and files resolved into what the dashboard needs, before any screen.
struct Settings {
    var config: PodtopConfig
    var themes: [Theme]
    var themeIndex: Int
    var refreshSeconds: Double
    var logLines: Int
    var ascii: Bool
    var noColor: Bool
    var readOnly: Bool
    var prometheus: PrometheusSettings?

    static func resolve(_ command: PodtopCommand, environment: [String: String]) throws(FileProblem) -> Settings {
        let config = try ConfigLoading.load(path: command.source.config, environment: environment)
        var catalog = try ThemeCatalog.load(environment: environment)
        let themeIndex = try catalog.select(command.theme ?? config.theme ?? "default")
        let utf8 = TerminalLocale.prepare()
        let noColor = command.noColor || !(environment["NO_COLOR"] ?? "").isEmpty
        return Settings(
            config: config, themes: catalog.themes, themeIndex: themeIndex,
            refreshSeconds: command.refresh ?? config.refreshSeconds ?? 1,
            logLines: command.logLines ?? config.logLines ?? 10_000,
            ascii: command.ascii || !utf8, noColor: noColor,
            readOnly: command.readOnly || command.wallboard || config.readOnly,
            prometheus: try prometheus(command, config)
        )
    }

    /// The config's `prometheus:` with `--prometheus` and `--alertmanager` laid over it.
    private static func prometheus(_ command: PodtopCommand, _ config: PodtopConfig) throws(FileProblem) -> PrometheusSettings? {
        do {
            return try command.source.prometheusSettings(config: config)
        } catch {
            throw FileProblem(file: "command line", line: nil, field: nil, problem: error.message)
        }
    }
}
