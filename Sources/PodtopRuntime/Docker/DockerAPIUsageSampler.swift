import PodtopCore
import Synchronization

/// CPU and memory from the daemon's one-shot stats calls, all of a round at once (they share
/// the daemon's collector tick). The daemon's `precpu_stats` is empty in one-shot answers, so
/// CPU is worked out against this sampler's own previous sample of the container.
final class DockerAPIUsageSampler: UsageSampler {
    private let client: DockerClient
    private let previous = Mutex<[String: DockerStatsSample]>([:])

    init(client: DockerClient) {
        self.client = client
    }

    func sample(_ targets: [UsageTarget]) async -> UsageRound {
        let client = self.client
        let samples = await withTaskGroup(of: (String, DockerStatsSample?).self) { group in
            for target in targets { group.addTask { (target.id, try? await client.statsSample(target.id)) } }
            var samples: [(String, DockerStatsSample)] = []
            for await (id, sample) in group {
                if let sample { samples.append((id, sample)) }
            }
            return samples
        }
        return previous.withLock { previous in
            var round = UsageRound()
            var kept: [String: DockerStatsSample] = [:]
            for (id, sample) in samples {
                let cpu = previous[id].flatMap { DockerStatsSample.cpuPercent(previous: $0, current: sample) }
                round.usage[id] = ContainerUsage(cpuPercent: cpu, memoryBytes: sample.memoryUsedBytes)
                kept[id] = sample
            }
            previous = kept
            if !round.usage.isEmpty { round.source = "the API's one-shot stats" }
            return round
        }
    }
}
