import PodtopCore
import Synchronization

/// CPU and memory read from local containers' cgroup files, without asking the daemon. A
/// container whose files cannot be found or read is left to the next sampler, and its files are
/// looked for again only after its process changes.
final class CgroupUsageSampler: UsageSampler {
    private struct Followed {
        var pid: Int?
        /// Nil when the files were not found: the container is left to the API.
        var counters: CgroupCounters?
        var previous: CgroupSample?
    }

    private let reader: CgroupStatsReader
    private let followed = Mutex<[String: Followed]>([:])

    init(reader: CgroupStatsReader) {
        self.reader = reader
    }

    func sample(_ targets: [UsageTarget]) -> UsageRound {
        let now = ContinuousClock.now
        return followed.withLock { followed in
            var round = UsageRound()
            var kept: [String: Followed] = [:]
            kept.reserveCapacity(targets.count)
            var version: String?
            for target in targets {
                // Changed by an event and not yet inspected: its new process's cgroup is found once
                // the inspect names it; asking the daemon meanwhile would cost a call per container
                // of a burst.
                if !target.confirmed, target.pid != nil {
                    if let entry = followed[target.id] { kept[target.id] = entry }
                    continue
                }
                var entry = followed[target.id].flatMap { $0.pid == target.pid ? $0 : nil }
                    ?? Followed(pid: target.pid, counters: reader.locate(containerID: target.id, pid: target.pid))
                guard let counters = entry.counters, let reading = counters.read(at: now) else {
                    entry.counters = nil
                    kept[target.id] = entry
                    round.unsampled.append(target)
                    continue
                }
                let cpu = entry.previous.flatMap { CgroupSample.cpuPercent(previous: $0, current: reading) }
                round.usage[target.id] = ContainerUsage(cpuPercent: cpu, memoryBytes: reading.memoryUsedBytes)
                entry.previous = reading
                kept[target.id] = entry
                version = counters.version.rawValue
            }
            followed = kept
            if !round.usage.isEmpty { round.source = "cgroup \(version ?? "")" }
            return round
        }
    }
}
