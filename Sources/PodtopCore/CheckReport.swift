import Foundation

/// What `podtop check` reports: one round of the runtime and every probe, with an overall
/// status and the exit code it maps to. Field names are stable (snake_case in JSON; see
/// `schemas/check.schema.json`), so scripts can rely on them.
public struct CheckReport: Sendable, Equatable, Encodable {
    public enum Overall: String, Sendable, Encodable, Comparable {
        /// `unknown`: nothing is known to be wrong, but a probe could not be made (podtop's own
        /// reason: a proxy refused by RBAC, an API server unreachable) — "cannot tell".
        case healthy, unknown, degraded, down

        /// 0 all healthy, 1 something degraded or slow or a service that cannot be told, 2 a pod or
        /// service down or the runtime unreachable.
        public var exitCode: Int32 {
            switch self {
            case .healthy: 0
            case .unknown, .degraded: 1
            case .down: 2
            }
        }

        private var rank: Int {
            switch self {
            case .healthy: 0
            case .unknown: 1
            case .degraded: 2
            case .down: 3
            }
        }

        public static func < (a: Overall, b: Overall) -> Bool { a.rank < b.rank }
    }

    public struct Runtime: Sendable, Equatable, Encodable {
        public var kind: String
        public var endpoint: String
        public var version: String?
        /// Why the connection is not private, when it is not.
        public var insecure: String?
        public var reachable: Bool
        /// Why it could not be reached, in the runtime's words.
        public var error: String?
    }

    public struct Probe: Sendable, Equatable, Encodable {
        public var name: String
        public var target: String
        /// up, slow, degraded, down, timeout, or unknown (not probed yet, or podtop could not: `detail` says why).
        public var `class`: String
        public var latencyMs: Double?
        public var checkedAt: Date?
        /// The probe's own words: an error, or the per-dependency checks of a JSON body.
        public var detail: String

        enum CodingKeys: String, CodingKey {
            case name, target, `class`, detail
            case latencyMs = "latency_ms", checkedAt = "checked_at"
        }
    }

    public struct Pod: Sendable, Equatable, Encodable {
        public struct Replicas: Sendable, Equatable, Encodable {
            public var ready: Int
            public var desired: Int
        }

        public var id: String
        public var name: String
        /// healthy, slow, updating, degraded, down, or unknown.
        public var status: String
        /// Which replica or service made the status what it is.
        public var reason: String
        public var replicas: Replicas
        public var restarts: Int
        public var services: [Probe]
    }

    public var checkedAt: Date
    public var status: Overall
    public var runtime: Runtime
    public var pods: [Pod]
    public var infrastructure: [Probe]

    public var exitCode: Int32 { status.exitCode }

    enum CodingKeys: String, CodingKey {
        case checkedAt = "checked_at", status, exitCode = "exit_code", runtime, pods, infrastructure
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(checkedAt, forKey: .checkedAt)
        try container.encode(status, forKey: .status)
        try container.encode(exitCode, forKey: .exitCode)
        try container.encode(runtime, forKey: .runtime)
        try container.encode(pods, forKey: .pods)
        try container.encode(infrastructure, forKey: .infrastructure)
    }

    /// One line of JSON (NDJSON when printed once per round), times in RFC 3339 with milliseconds.
    public func json(pretty: Bool = false) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(CheckReport.timestamp(date))
        }
        let data = (try? encoder.encode(self)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    public static func timestamp(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: true)
            .timeSeparator(.colon).timeZone(separator: .omitted))
    }
}

extension CheckReport {
    /// Builds the report from what one round gathered. `snapshot` nil with `runtimeError` set
    /// means the runtime could not be reached.
    public static func make(
        topology: Topology, identity: RuntimeIdentity, snapshot: RuntimeSnapshot?, runtimeError: String?,
        health: [HealthTarget: HealthSample], at now: Date
    ) -> CheckReport {
        func probe(_ key: HealthTarget, name: String, check: HealthCheck) -> Probe {
            let sample = health[key]
            return Probe(name: name, target: sample?.route ?? check.description, class: (sample?.verdict ?? .unknown).word.lowercased(),
                         latencyMs: sample?.latencyMs.map { ($0 * 1000).rounded() / 1000 }, checkedAt: sample?.at,
                         detail: sample?.detail ?? "not probed")
        }
        var overall = Overall.healthy
        func worsen(_ to: Overall) { overall = max(overall, to) }
        if snapshot == nil { worsen(.down) }

        let pods = topology.pods.map { spec -> Pod in
            let podSnapshot = snapshot?.pod(spec.id)
            let services = spec.services.map { probe(.service(ServiceID(pod: spec.id, name: $0.name)), name: $0.name, check: $0.check) }
            let verdicts = spec.serviceVerdicts { health[$0]?.verdict }
            let rollup = snapshot == nil
                ? PodRollup(status: .unknown, reason: "the runtime could not be reached")
                : PodRollup.of(spec: spec, snapshot: podSnapshot, health: verdicts)
            worsen(overallOf(rollup.status))
            for verdict in verdicts.values { worsen(overallOf(verdict)) }
            return Pod(id: spec.id.rawValue, name: spec.displayName, status: rollup.status.word.lowercased(), reason: rollup.reason,
                       replicas: Pod.Replicas(ready: podSnapshot?.readyCount ?? 0, desired: podSnapshot?.desiredReplicas ?? 0),
                       restarts: podSnapshot?.restartTotal ?? 0, services: services)
        }
        let infrastructure = topology.infrastructure.map { infra -> Probe in
            let verdict = health[.infrastructure(infra.name)]?.verdict ?? .unknown
            worsen(overallOf(verdict))
            return probe(.infrastructure(infra.name), name: infra.name, check: infra.check)
        }
        return CheckReport(
            checkedAt: now, status: overall,
            runtime: Runtime(kind: identity.kind, endpoint: identity.endpoint, version: identity.version, insecure: identity.insecure,
                             reachable: snapshot != nil, error: runtimeError),
            pods: pods, infrastructure: infrastructure
        )
    }

    /// A pod down, or with a critical alert firing, is down; anything short of healthy (slow, updating, degraded) is degraded.
    static func overallOf(_ status: PodStatus) -> Overall {
        switch status {
        case .healthy: .healthy
        case .down, .critical, .unknown: .down
        case .slow, .progressing, .degraded: .degraded
        }
    }

    /// A service refused, reset, failing or silent is down; slow or degraded is degraded; one
    /// podtop could not probe is unknown.
    static func overallOf(_ verdict: HealthClass) -> Overall {
        switch verdict {
        case .up: .healthy
        case .unknown: .unknown
        case .slow, .degraded: .degraded
        case .down, .timeout: .down
        }
    }
}
