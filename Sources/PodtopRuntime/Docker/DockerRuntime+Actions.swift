import PodtopCore

/// Restart, scale and restart one replica, for the pods `DockerContainers` offers them on.
extension DockerRuntime {
    private func connectedClient() throws(RuntimeError) -> DockerClient {
        guard let client = session?.client else { throw RuntimeError("not connected to \(endpoint)") }
        return client
    }

    /// One container restarted in place (the API takes its name as well as its id).
    public func restartReplica(_ pod: PodID, replica: String) async throws(RuntimeError) -> String {
        try await connectedClient().restart(replica)
        return "Restarted \(replica)"
    }

    /// Restarts the pod's containers one at a time, each back to ready (healthy, if it has a
    /// check) before the next goes down.
    public func restart(_ pod: PodID, progress: @escaping @Sendable (String) -> Void) async throws(RuntimeError) -> String {
        let name = topology.pod(pod)?.displayName ?? pod.rawValue
        guard !restartsInProgress.contains(pod) else { throw RuntimeError("a restart of \(name) is already running") }
        let members = containers.members(of: pod)
        guard !members.isEmpty else { throw RuntimeError("\(name) has no containers to restart") }
        restartsInProgress.insert(pod)
        defer { restartsInProgress.remove(pod) }
        for (position, member) in members.enumerated() {
            progress("Restarting \(name): \(member.summary.name) (\(position + 1) of \(members.count))…")
            let client = try connectedClient()
            try await client.restart(member.summary.id)
            try await waitUntilReady(member.summary.id, client: client, name: member.summary.name)
        }
        return "Restarted \(name): \(members.count) container\(members.count == 1 ? "" : "s"), one at a time"
    }

    private func waitUntilReady(_ id: String, client: DockerClient, name: String) async throws(RuntimeError) {
        let deadline = clock.now + .seconds(120)
        while clock.now < deadline {
            let condition = ContainerCondition(try await client.inspect(id).state)
            switch condition.status {
            case .running where condition.health == .none || condition.health == .healthy:
                return
            case .exited, .dead:
                throw RuntimeError("\(name) stopped after its restart (\(condition.status.rawValue)); rolling restart halted")
            default:
                break
            }
            do { try await clock.sleep(for: .milliseconds(250)) } catch { throw RuntimeError("restart cancelled") }
        }
        throw RuntimeError("\(name) was not ready 120 s after its restart; rolling restart halted")
    }

    /// Compose's way: up clones the highest-numbered replica with the next number; down stops
    /// and removes the highest-numbered ones.
    public func scale(_ pod: PodID, to target: Int) async throws(RuntimeError) -> String {
        guard let spec = topology.pod(pod) else { throw RuntimeError("no pod named \(pod)") }
        guard (spec.minReplicas...spec.maxReplicas).contains(target) else {
            throw RuntimeError("\(spec.displayName) can scale between \(spec.minReplicas) and \(spec.maxReplicas) replicas")
        }
        let client = try connectedClient()
        let members = containers.members(of: pod)
        guard let template = members.last(where: { $0.composeProject != nil && $0.composeService != nil && $0.containerNumber != nil }),
              let project = template.composeProject, let service = template.composeService else {
            throw RuntimeError(DockerContainers.actions(of: spec, members: members.count, scalable: false).refusal(of: .scale) ?? "cannot scale")
        }
        let before = members.count
        if target > before {
            let raw = try await client.inspectRaw(template.summary.id)
            let highest = members.compactMap(\.containerNumber).max() ?? 0
            // A number from a label can be anything: the new ones must fit beside it.
            guard highest <= Int.max - (target - before) else {
                throw RuntimeError("cannot number new containers after \(spec.displayName)'s com.docker.compose.container-number \(highest)")
            }
            var next = highest + 1
            for _ in before..<target {
                let id = try await client.create(name: "\(project)-\(service)-\(next)", body: DockerClone.createBody(from: raw, containerNumber: next))
                try await client.start(id)
                next += 1
            }
        } else if target < before {
            for member in members.suffix(before - target).reversed() {
                try await client.stop(member.summary.id)
                try await client.remove(member.summary.id)
            }
        }
        try? await refreshInventory(only: nil)
        report()
        return "Scaled \(spec.displayName) from \(before) to \(target) container\(target == 1 ? "" : "s")"
    }
}
