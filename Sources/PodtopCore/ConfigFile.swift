import Foundation

/// Settings a user keeps in a file; command-line flags override them.
public struct PodtopConfig: Sendable, Equatable {
    public var topology: Topology
    public var refreshSeconds: Double?
    public var theme: String?
    public var logLines: Int?
    /// `read_only: true`: as `--read-only`.
    public var readOnly = false
    /// The Kubernetes environments the `e` key switches between; empty: the DreamScape
    /// namespaces in the kubeconfig's context.
    public var environments: [KubernetesEnvironment] = []
    /// The team's Prometheus (and Alertmanager); nil: not read.
    public var prometheus: PrometheusSettings?

    public init(topology: Topology, refreshSeconds: Double? = nil, theme: String? = nil, logLines: Int? = nil) {
        self.topology = topology
        self.refreshSeconds = refreshSeconds
        self.theme = theme
        self.logLines = logLines
    }

    public static let builtIn = PodtopConfig(topology: DreamScapeDefaults.topology)
}

/// Reads `config.yaml`:
///
/// ```yaml
/// refresh: 1
/// theme: default
/// pods:
///   - id: core
///     name: Core
///     match:
///       - labels: { com.docker.compose.service: core-pod }
///       - name: "*-core-pod-*"
///     replicas: { min: 1, max: 10 }
///     services:
///       - { name: nginx, health: "http://127.0.0.1/health", warn_ms: 200, critical_ms: 500 }
///       - name: auth
///         health: "http://127.0.0.1:3001/health"
///         kubernetes: { service: auth-service, port: 3001, path: /health }
/// infrastructure:
///   - { name: redis, tcp: "127.0.0.1:6379", kubernetes: { readiness: redis } }
/// prometheus: { url: "http://127.0.0.1:9090" }   # see ConfigFile+Prometheus.swift
/// kubernetes:
///   environments:
///     - { name: dev, context: k3s, namespace: dreamscape-dev }
///     - { name: prod, context: k3s-prod, namespace: dreamscape-prod, production: true }
/// ```
/// A file without `pods` keeps the DreamScape pods; one without `infrastructure` keeps MongoDB
/// and Redis.
public enum ConfigFile {
    public static func parse(_ text: String, file: String) throws(FileProblem) -> PodtopConfig {
        let root = try YAMLReader(file: file).root(text)
        let fields = try root.entries(allowed: ["refresh", "theme", "log_lines", "read_only", "pods", "infrastructure", "kubernetes",
                                                "prometheus"])
        var config = PodtopConfig.builtIn
        if let refresh = fields["refresh"] { config.refreshSeconds = try refresh.double(in: 0.1...3600) }
        if let theme = fields["theme"] { config.theme = try theme.string() }
        if let lines = fields["log_lines"] { config.logLines = try lines.int(in: 100...10_000_000) }
        if let readOnly = fields["read_only"] { config.readOnly = try readOnly.bool() }
        if let pods = fields["pods"] {
            config.topology.pods = try pods.items().map { (item) throws(FileProblem) in try pod(item) }
            guard !config.topology.pods.isEmpty else { throw pods.fail("list at least one pod") }
            var seen = Set<PodID>()
            for (index, spec) in config.topology.pods.enumerated() where !seen.insert(spec.id).inserted {
                throw try pods.items()[index].fail("pod id '\(spec.id)' is used twice")
            }
        }
        if let infra = fields["infrastructure"] {
            config.topology.infrastructure = try infra.items().map { (item) throws(FileProblem) in
                try probed(item, what: "an infrastructure entry")
            }
        }
        if let prometheus = fields["prometheus"] { config.prometheus = try Self.prometheus(prometheus) }
        if let kubernetes = fields["kubernetes"] {
            let section = try kubernetes.entries(allowed: ["environments"])
            if let list = section["environments"] {
                config.environments = try list.items().map { (item) throws(FileProblem) in try environment(item) }
                var seen = Set<String>()
                for (index, entry) in config.environments.enumerated() where !seen.insert(entry.name).inserted {
                    throw try list.items()[index].fail("environment '\(entry.name)' is named twice")
                }
            }
        }
        return config
    }

    private static func environment(_ node: YAMLReader.Located) throws(FileProblem) -> KubernetesEnvironment {
        let fields = try node.entries(allowed: ["name", "context", "namespace", "production"])
        guard let name = try fields["name"]?.string(), !name.isEmpty else { throw node.fail("an environment needs a name") }
        guard let namespace = try fields["namespace"]?.string(), !namespace.isEmpty else { throw node.fail("environment '\(name)' needs a namespace") }
        let production = try fields["production"]?.bool() ?? KubernetesEnvironment.looksLikeProduction(name: name, namespace: namespace)
        return KubernetesEnvironment(name: name, context: try fields["context"]?.string(), namespace: namespace, isProduction: production)
    }

    private static func pod(_ node: YAMLReader.Located) throws(FileProblem) -> PodSpec {
        let fields = try node.entries(allowed: ["id", "name", "match", "replicas", "services"])
        guard let idNode = fields["id"] else { throw node.fail("a pod needs an id") }
        let id = try idNode.string()
        guard !id.isEmpty, id.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
            throw idNode.fail("an id is letters, digits, - and _")
        }
        let name = try fields["name"]?.string() ?? id.capitalized
        var rules: [ContainerSelector.Rule] = []
        if let match = fields["match"] {
            for item in try match.items() {
                let rule = try item.entries(allowed: ["labels", "name"])
                if let labels = rule["labels"] {
                    var wanted: [String: String] = [:]
                    for (key, value) in try labels.entries() { wanted[key] = try value.string() }
                    guard !wanted.isEmpty else { throw labels.fail("list at least one label") }
                    rules.append(.labels(wanted))
                }
                if let pattern = rule["name"] { rules.append(.name(try pattern.string())) }
            }
        } else {
            rules = [.labels(["dreamscape.pod": id]), .labels(["com.docker.compose.service": "\(id)-pod"])]
        }
        var minReplicas = 0, maxReplicas = 20
        if let replicas = fields["replicas"] {
            let bounds = try replicas.entries(allowed: ["min", "max"])
            minReplicas = try bounds["min"]?.int(in: 0...1000) ?? 0
            maxReplicas = try bounds["max"]?.int(in: 0...1000) ?? 20
            guard minReplicas <= maxReplicas else { throw replicas.fail("min \(minReplicas) is above max \(maxReplicas)") }
        }
        guard let servicesNode = fields["services"] else { throw node.fail("a pod needs a services list") }
        let services = try servicesNode.items().map { (item) throws(FileProblem) in try probed(item, what: "a service") }
        return PodSpec(
            id: PodID(id), displayName: name, services: services, selector: ContainerSelector(rules),
            minReplicas: minReplicas, maxReplicas: maxReplicas
        )
    }

    /// A service or an infrastructure entry: a name, a check, thresholds and a schedule.
    private static func probed(_ node: YAMLReader.Located, what: String) throws(FileProblem) -> ServiceSpec {
        let fields = try node.entries(allowed: probeFields)
        guard let name = fields["name"] else { throw node.fail("\(what) needs a name") }
        let serviceName = try name.string()
        let check = try check(node, fields)
        let kubernetes = try fields["kubernetes"].map { (node) throws(FileProblem) in
            try kubernetesProbe(node, default: .default(name: serviceName, check: check))
        }
        return ServiceSpec(name: serviceName, check: check, kubernetes: kubernetes, thresholds: try thresholds(fields),
                           schedule: try schedule(fields))
    }

    /// `kubernetes:` — a Service (`service`, `port`, `path`, each defaulting to the derived
    /// one), or `url` (an ingress), or `tcp` (an address reachable from here), or `readiness`
    /// (a workload whose readiness speaks for it).
    private static func kubernetesProbe(_ node: YAMLReader.Located, default derived: KubernetesProbe) throws(FileProblem) -> KubernetesProbe {
        let fields = try node.entries(allowed: ["service", "port", "path", "url", "tcp", "readiness"])
        let ways = [["service", "port", "path"], ["url"], ["tcp"], ["readiness"]].filter { $0.contains { fields[$0] != nil } }
        guard ways.count == 1 else {
            throw node.fail("give one of: service (with port and path), url, tcp, readiness")
        }
        if let url = fields["url"] { return .direct(try httpCheck(url)) }
        if let tcp = fields["tcp"] { return .direct(try tcpCheck(tcp)) }
        if let readiness = fields["readiness"] {
            let workload = try readiness.string()
            guard !workload.isEmpty else { throw readiness.fail("name the workload whose readiness counts") }
            return .readiness(workload: workload)
        }
        var (name, port, path) = ("", 0, "/health")
        if case .service(let derivedName, let derivedPort, let derivedPath) = derived { (name, port, path) = (derivedName, derivedPort, derivedPath) }
        if let service = fields["service"] { name = try service.string() }
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." }) else {
            throw (fields["service"] ?? node).fail("a Service's name is letters, digits, - and .")
        }
        if let portNode = fields["port"] { port = try portNode.int(in: 1...65535) }
        guard port > 0 else { throw node.fail("give the Service's port") }
        if let pathNode = fields["path"] { path = try pathNode.string() }
        guard path.hasPrefix("/"), !path.contains(where: { $0.isWhitespace || $0.asciiValue.map { $0 < 0x20 || $0 == 0x7F } ?? false }) else {
            throw (fields["path"] ?? node).fail("a path starts with / and has no spaces or control characters")
        }
        return .service(name: name, port: port, path: path)
    }

    private static func check(
        _ node: YAMLReader.Located, _ fields: [String: YAMLReader.Located]
    ) throws(FileProblem) -> HealthCheck {
        if let health = fields["health"] { return try httpCheck(health) }
        if let tcp = fields["tcp"] { return try tcpCheck(tcp) }
        throw node.fail("give either health (an http:// URL) or tcp (host:port)")
    }

    private static func httpCheck(_ node: YAMLReader.Located) throws(FileProblem) -> HealthCheck {
        let url = try node.string()
        guard url.hasPrefix("http://") || url.hasPrefix("https://"), URL(string: url)?.host != nil else {
            throw node.fail("'\(url)' is not an http:// or https:// URL")
        }
        return .http(url: url)
    }

    private static func tcpCheck(_ node: YAMLReader.Located) throws(FileProblem) -> HealthCheck {
        let target = try node.string()
        guard let colon = target.lastIndex(of: ":"), let port = Int(target[target.index(after: colon)...]),
              (1...65535).contains(port), colon != target.startIndex
        else { throw node.fail("'\(target)' is not host:port") }
        return .tcp(host: String(target[..<colon]), port: port)
    }

    static let probeFields: Set<String> = ["name", "health", "tcp", "kubernetes", "warn_ms", "critical_ms", "interval_ms", "timeout_ms"]

    private static func schedule(_ fields: [String: YAMLReader.Located]) throws(FileProblem) -> ProbeSchedule {
        let interval = try fields["interval_ms"]?.double(in: 100...3_600_000) ?? ProbeSchedule.standard.intervalMs
        let timeout = try fields["timeout_ms"]?.double(in: 10...3_600_000) ?? min(ProbeSchedule.standard.timeoutMs, interval * 0.8)
        guard timeout < interval else {
            throw (fields["timeout_ms"] ?? fields["interval_ms"])!.fail("timeout_ms \(Int(timeout)) must be below interval_ms \(Int(interval))")
        }
        return ProbeSchedule(intervalMs: interval, timeoutMs: timeout)
    }

    private static func thresholds(_ fields: [String: YAMLReader.Located]) throws(FileProblem) -> LatencyThresholds {
        let warn = try fields["warn_ms"]?.double(in: 0.1...600_000) ?? LatencyThresholds.standard.warnMs
        let critical = try fields["critical_ms"]?.double(in: 0.1...600_000) ?? max(warn, LatencyThresholds.standard.criticalMs)
        if critical < warn, let node = fields["critical_ms"] { throw node.fail("critical_ms \(critical) is below warn_ms \(warn)") }
        return LatencyThresholds(warnMs: warn, criticalMs: critical)
    }
}
