import Foundation
import PodtopCore

extension DockerRuntime {
    /// Lists the containers (`only` these, when events named them; else all of them), inspects
    /// those the list leaves to inspect, and follows the logs of new ones. With
    /// `reportingTheList`, a snapshot goes out as soon as the list is in: each entry says its
    /// container's state and health ("Up 3 minutes (healthy)"), so the first frame need not
    /// wait for a fleet's inspects, which only confirm it and add what the list lacks.
    func refreshInventory(only: Set<String>?, reportingTheList: Bool = false) async throws(RuntimeError) {
        guard let client = session?.client else { throw RuntimeError("not connected to \(endpoint)") }
        let eventsBeforeList = containers.conditionEvents
        let listed: [DockerContainerSummary]
        if let only {
            listed = try await client.listContainers(ids: only)
        } else {
            listed = try await client.listContainers()
            listedAt = clock.now  // a partial list does not make the safety net's full one less needed
        }
        let outcome = containers.merge(listed, only: only, eventsBefore: eventsBeforeList)
        for id in outcome.gone { await stopFollowingLogs(id) }
        if reportingTheList { report() }
        let eventsBeforeInspect = containers.conditionEvents
        await withTaskGroup(of: (String, DockerContainerInspect?).self) { group in
            for id in outcome.toInspect { group.addTask { (id, try? await client.inspect(id)) } }
            for await (id, inspect) in group {
                if let inspect { containers.take(inspect, of: id, eventsBefore: eventsBeforeInspect) }
            }
        }
        await followLogs(among: outcome.covered)
    }

    /// Samples the running pod members' CPU and memory: each sampler in turn takes those the
    /// one before could not read (cgroup files first, then the API).
    func sampleUsage() async {
        guard let samplers = session?.usageSamplers else { return }
        var targets = containers.byID.values.filter { $0.isRunning && $0.pod != nil }
            .map { UsageTarget(id: $0.summary.id, pid: $0.pid, confirmed: $0.inspected) }
        var sources: [(String, Int)] = []
        for sampler in samplers where !targets.isEmpty {
            guard let round = try? await sampler.sample(targets) else { continue }
            for (id, figures) in round.usage {
                // A CPU rate needs two samples: until then the last known one stands.
                usage[id] = ContainerUsage(cpuPercent: figures.cpuPercent ?? usage[id]?.cpuPercent, memoryBytes: figures.memoryBytes)
            }
            if let source = round.source { sources.append((source, round.usage.count)) }
            targets = round.unsampled
        }
        usage = usage.filter { containers[$0.key]?.isRunning == true }
        usageSource = Self.describe(sources)
    }

    /// "cgroup v2", or "cgroup v2 (140) and the API's one-shot stats (10)" when both served.
    static func describe(_ sources: [(String, Int)]) -> String? {
        guard sources.count > 1 else { return sources.first?.0 }
        return sources.map { "\($0.0) (\($0.1))" }.joined(separator: " and ")
    }

    func report() {
        var snapshot = containers.snapshot(at: Date()) { usage[$0] }
        snapshot.statsSource = usageSource
        snapshot.descriptorShortage = DescriptorBudget.process.shortage()
        emit?(.snapshot(snapshot))
    }

    // MARK: - Logs

    /// Follows the logs of those running pod members among `candidates` that nothing follows
    /// yet: from their file on disk when it can be read, else through the API.
    func followLogs(among candidates: [String]) async {
        guard followsLogs else { return }
        for id in candidates {
            guard let container = containers[id], container.isRunning, container.inspected, let pod = container.pod else { continue }
            let target = LogTarget(key: id, source: LogSource(pod: pod, service: nil, replica: container.replicaLabel), tty: container.tty,
                                   file: container.logFile.map { ($0, container.logRotates) })
            if let logFiles, await logFiles.follow(target) { continue }
            _ = session?.logStreams?.follow(target)
        }
    }

    /// A removed container's log is let go of (its file's unfinished last message handed on).
    func stopFollowingLogs(_ id: String) async {
        _ = session?.logStreams?.stop(id)
        guard let logFiles else { return }
        let rest = await logFiles.stop(id)
        if !rest.isEmpty { emit?(.logs(rest)) }
    }
}
