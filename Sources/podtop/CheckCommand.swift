import ArgumentParser
import Foundation
import PodtopCore
import PodtopRuntime

/// `podtop check`: one round of the runtime and every probe, as a table or JSON, with an exit
/// code for scripts, cron and CI — 0 healthy, 1 degraded, slow or cannot tell, 2 down or unreachable, 3 a
/// usage or config error. Never touches the terminal's modes.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check the pods once and exit: 0 healthy, 1 degraded, slow or cannot tell, 2 down or unreachable, 3 usage or config error.",
        discussion: "The same as `podtop --once`. --json prints one JSON document (schemas/check.schema.json); with --watch, one line per round."
    )

    @OptionGroup var source: RuntimeOptions
    @OptionGroup var output: CheckOptions

    @Flag(name: .customLong("no-color"), help: "No colour (also when NO_COLOR is set or stdout is not a terminal).")
    var noColor = false

    func validate() throws { try output.validate() }

    func run() throws {
        OneShotCheck(source: source, output: output, noColor: noColor).run()
    }
}

/// Where the pods are: shared by the dashboard and `check`.
struct RuntimeOptions: ParsableArguments {
    @Flag(help: "Run on the built-in demo cluster (no container runtime needed).")
    var demo = false

    @Option(help: "Seed for the demo cluster: the same seed gives the same cluster.")
    var seed: UInt64 = 1

    @Option(help: ArgumentHelp(
        "Docker or Podman API: unix:///path/docker.sock or tcp://host:port (default: $DOCKER_HOST, /var/run/docker.sock, then the Podman sockets).",
        valueName: "url"))
    var host: String?

    @Option(help: ArgumentHelp("Config file (YAML) describing pods, services and health URLs.", valueName: "path"))
    var config: String?

    @Option(help: ArgumentHelp("docker (Docker or Podman), kubernetes, or auto: Docker when --host, DOCKER_HOST or a socket is there, else Kubernetes when a kubeconfig or a service account is.", valueName: "auto|docker|kubernetes"))
    var runtime: RuntimeKind = .auto

    @Option(help: ArgumentHelp("Kubeconfig file (default: $KUBECONFIG, several files joined by ':', else ~/.kube/config).", valueName: "path"))
    var kubeconfig: String?

    @Option(help: ArgumentHelp("Kubeconfig context (default: its current-context).", valueName: "name"))
    var context: String?

    @Option(help: ArgumentHelp("Kubernetes namespace (default: the context's, else the first configured environment).", valueName: "name"))
    var namespace: String?

    @Option(help: ArgumentHelp("The team's Prometheus, for each service's request rate, 5xx share and p95 (also prometheus: in the config).", valueName: "url"))
    var prometheus: String?

    @Option(help: ArgumentHelp("The team's Alertmanager, for alerts (also prometheus.alertmanager in the config); needs Prometheus.", valueName: "url"))
    var alertmanager: String?

    /// The config's `prometheus:` with the flags laid over it; nil when neither names one.
    func prometheusSettings(config: PodtopConfig) throws(ValidationError) -> PrometheusSettings? {
        for (flag, value) in [("--prometheus", prometheus), ("--alertmanager", alertmanager)] {
            if let value, let problem = PrometheusSettings.problem(withURL: value) { throw ValidationError("\(flag): \(problem)") }
        }
        var settings = config.prometheus
        if let prometheus {
            if settings == nil { settings = PrometheusSettings(url: prometheus) } else { settings?.url = prometheus }
        }
        if let alertmanager {
            guard settings != nil else { throw ValidationError("--alertmanager needs --prometheus (or prometheus: in the config)") }
            settings?.alertmanagerURL = alertmanager
        }
        return settings
    }
}

enum RuntimeKind: String, ExpressibleByArgument, CaseIterable {
    case auto, docker, kubernetes
}

/// How `check` reports.
struct CheckOptions: ParsableArguments {
    @Flag(help: "Print one JSON document instead of a table.")
    var json = false

    @Option(help: ArgumentHelp("Check again every SECONDS, one report per round (a line each with --json: NDJSON), until interrupted.", valueName: "seconds"))
    var watch: Double?

    @Flag(help: "Print only what is not healthy, nothing when all is (the JSON is always whole).")
    var quiet = false

    @Option(name: .customLong("pod"), help: ArgumentHelp("Only this pod, by id or name (repeatable), without the infrastructure: --pod core.", valueName: "pod"))
    var pods: [String] = []

    func validate() throws {
        if let watch, !(0.2...86_400).contains(watch) {
            throw ValidationError("--watch takes seconds between 0.2 and 86400, not \(watch)")
        }
    }
}

/// Runs the check rounds and prints them.
struct OneShotCheck {
    var source: RuntimeOptions
    var output: CheckOptions
    var noColor: Bool

    /// Prints the rounds, then exits with the code of the last one printed.
    func run() -> Never {
        let environment = ProcessInfo.processInfo.environment
        let settings: CheckSettings
        do {
            settings = try CheckSettings.resolve(source: source, pods: output.pods, environment: environment)
        } catch {
            PodtopCommand.fail("podtop: \(error)", code: 3)
        }
        // A reader that went away (`| head -3`) or a ^C ends a watch at once: each round is one
        // write, so no half line is left behind.
        signal(SIGPIPE, SIG_DFL)
        signal(SIGINT, SIG_DFL)
        let colour = !noColor && (environment["NO_COLOR"] ?? "").isEmpty && isatty(STDOUT_FILENO) == 1
        let output = self.output
        // The rounds run as a task; the main thread serves the main queue until the task exits.
        Task.detached {
            let session = CheckSession(runtime: settings.runtime, prober: settings.prober, topology: settings.topology,
                                       refresh: .milliseconds(Int64((output.watch ?? 1) * 1000)))
            var code: Int32 = 0
            repeat {
                let started = ContinuousClock.now
                let report = await session.round()
                code = report.exitCode
                let text = output.json ? report.json() + "\n"
                    : CheckTable.render(report, quiet: output.quiet, colour: colour, watching: output.watch != nil)
                guard Self.write(text) else { break }
                if let watch = output.watch {
                    try? await Task.sleep(until: started + .milliseconds(Int64(watch * 1000)), clock: .continuous)
                }
            } while output.watch != nil
            await session.stop()
            exit(code)
        }
        dispatchMain()
    }

    /// All of `text` in one write where the pipe takes it; false once the reader has gone.
    static func write(_ text: String) -> Bool {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Glibc.write(STDOUT_FILENO, $0.baseAddress, $0.count) }
            if written < 0, errno == EINTR { continue }
            guard written > 0 else { return false }
            bytes = bytes.dropFirst(written)
        }
        return true
    }
}

/// Flags, environment and config resolved into a runtime, its probes and the pods to check.
struct CheckSettings {
    var topology: Topology
    var runtime: any ContainerRuntime
    var prober: HealthProber?

    static func resolve(source: RuntimeOptions, pods: [String], environment: [String: String]) throws -> CheckSettings {
        let config = try ConfigLoading.load(path: source.config, environment: environment)
        var topology = config.topology
        if !pods.isEmpty {
            let wanted = Set(pods.map { $0.lowercased() })
            let unknown = wanted.subtracting(topology.pods.flatMap { [$0.id.rawValue.lowercased(), $0.displayName.lowercased()] })
            guard unknown.isEmpty else {
                throw RuntimeError("no pod named \(unknown.sorted().joined(separator: ", ")); the pods are \(topology.pods.map(\.id.rawValue).joined(separator: ", "))")
            }
            topology.pods = topology.pods.filter { wanted.contains($0.id.rawValue.lowercased()) || wanted.contains($0.displayName.lowercased()) }
            topology.infrastructure = []
        }
        if source.demo {
            return CheckSettings(topology: topology, runtime: DemoCluster(topology: topology, seed: source.seed), prober: nil)
        }
        // A check only reads (the transports refuse anything but GET and HEAD) and needs no logs.
        let choice = try RuntimeChoice.resolve(source, config: config, environment: environment)
        let policy = try RequestPolicy.of(readOnly: true, environment: environment)
        let runtime = ReadOnlyRuntime(try choice.makeRuntime(topology: topology, logTail: 0, followsLogs: false, policy: policy))
        return CheckSettings(topology: topology, runtime: runtime, prober: choice.probesHealthItself ? nil : HealthProber(topology: topology))
    }
}
