import PodtopCore

/// A replica whose CPU and memory are wanted this round.
struct UsageTarget: Sendable {
    /// The runtime's id for it: a container id, a Kubernetes pod name.
    var id: String
    /// Its main process as this host sees it, when known.
    var pid: Int?
    /// False while an event has changed it and no inspect has confirmed it yet: its process (and
    /// so its cgroup) may be a new one.
    var confirmed = true
}

/// What one round of sampling found.
struct UsageRound: Sendable {
    var usage: [String: ContainerUsage] = [:]
    /// The targets this sampler could not read, for the next one to try.
    var unsampled: [UsageTarget] = []
    /// Where the figures came from, for the details ("cgroup v2", "metrics.k8s.io").
    var source: String?
    /// Why there are no figures at all, when there are none.
    var unavailable: String?
}

/// A source of replicas' CPU and memory: a container's cgroup files, Docker's one-shot stats,
/// metrics.k8s.io. CPU is a rate, so a sampler keeps each replica's previous reading; a sampler
/// lives as long as the session that made it.
protocol UsageSampler: Sendable {
    /// Samples `targets`. Throws only when the runtime itself is lost (the session ends).
    func sample(_ targets: [UsageTarget]) async throws(RuntimeError) -> UsageRound
}
