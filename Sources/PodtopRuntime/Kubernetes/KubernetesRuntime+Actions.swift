import Foundation
import NIOHTTP1
import PodtopCore

/// Restart (as `kubectl rollout restart`), scale, restart one replica and a crashed container's
/// log, for the pods `KubernetesInventory` offers them on.
extension KubernetesRuntime {
    private func connectedClient() throws(RuntimeError) -> KubernetesClient {
        guard let client = session?.client else { throw RuntimeError("not connected to the API server") }
        return client
    }

    private func workloads(of pod: PodID) throws(RuntimeError) -> (PodSpec, [KubernetesWorkload]) {
        guard let spec = topology.pod(pod) else { throw RuntimeError("no pod \(pod) in the config") }
        let workloads = inventory.workloads(of: spec.id)
        guard !workloads.isEmpty else {
            throw RuntimeError("\(spec.displayName): no Deployment or StatefulSet in \(target.namespace) matches its selector")
        }
        return (spec, workloads)
    }

    /// `kubectl rollout restart` for every workload of the pod, then the rollouts followed
    /// until each is complete.
    public func restart(_ pod: PodID, progress: @escaping @Sendable (String) -> Void) async throws(RuntimeError) -> String {
        let client = try connectedClient()
        let (spec, workloads) = try workloads(of: pod)
        let stamp = KubernetesTime.wholeSeconds(Date())
        let patch = #"{"spec":{"template":{"metadata":{"annotations":{"kubectl.kubernetes.io/restartedAt":"\#(stamp)"}}}}}"#
        var generations: [String: Int] = [:]
        for workload in workloads {
            do throws(KubernetesAPIError) {
                let reply = try await client.send(.PATCH, Self.workloadPath(workload.kind ?? "Deployment", in: target.namespace, name: workload.metadata.name),
                                                  query: ["fieldManager": "podtop-rollout"], body: Data(patch.utf8),
                                                  contentType: "application/strategic-merge-patch+json")
                let patched = try? JSONDecoder().decode(KubernetesWorkload.self, from: reply.body)
                generations[KubernetesInventory.key(workload)] = patched?.metadata.generation ?? 0
            } catch {
                throw error.runtimeError
            }
        }
        let deadline = clock.now + .seconds(600)
        while true {
            var pending: [String] = []
            for workload in workloads {
                let key = KubernetesInventory.key(workload)
                guard let current = inventory.workloads[key] else { continue }
                let observed = current.status?.observedGeneration ?? 0
                if observed < generations[key] ?? 0 || !current.rolloutComplete {
                    pending.append("\(workload.metadata.name) \(observed < generations[key] ?? 0 ? "waiting for the controller" : current.rolloutProgress)")
                }
            }
            if pending.isEmpty { break }
            progress("Restarting \(spec.displayName): \(pending.joined(separator: "; "))")
            guard clock.now < deadline else {
                throw RuntimeError("\(spec.displayName): the rollout did not finish in 10 min (\(pending.joined(separator: "; ")))")
            }
            do { try await clock.sleep(for: .milliseconds(200)) } catch { throw RuntimeError("restart of \(spec.displayName) cancelled") }
        }
        return "Restarted \(spec.displayName): \(workloads.map(\.metadata.name).joined(separator: ", ")) rolled out"
    }

    /// Sets every workload of the pod to `replicas` through its scale subresource.
    public func scale(_ pod: PodID, to replicas: Int) async throws(RuntimeError) -> String {
        let client = try connectedClient()
        let (spec, workloads) = try workloads(of: pod)
        for workload in workloads {
            do throws(KubernetesAPIError) {
                _ = try await client.send(.PATCH, Self.workloadPath(workload.kind ?? "Deployment", in: target.namespace, name: workload.metadata.name) + "/scale",
                                          body: Data(#"{"spec":{"replicas":\#(replicas)}}"#.utf8), contentType: "application/merge-patch+json")
            } catch {
                throw error.runtimeError
            }
        }
        var summary = "Scaled \(spec.displayName) to \(replicas) (\(workloads.map(\.metadata.name).joined(separator: ", ")))"
        if let workload = workloads.first(where: { inventory.autoscaler(of: $0) != nil }), let hpa = inventory.autoscaler(of: workload) {
            summary += "; autoscaler \(hpa.name) keeps \(workload.metadata.name) within \(hpa.minReplicas)–\(hpa.maxReplicas) and will override this"
        }
        return summary
    }

    /// The last lines of each container's previous instance (`previous=true`), for a replica
    /// whose container crashed; a container that never restarted is passed over.
    public func previousLogs(_ pod: PodID, replica: String) async throws(RuntimeError) -> [LogLine] {
        let client = try connectedClient()
        guard let object = inventory.pods[replica] else { throw RuntimeError("no pod \(replica) in \(target.namespace)") }
        let restarted = (object.status.containerStatuses ?? []).filter { $0.restartCount > 0 }
        guard !restarted.isEmpty else { throw RuntimeError("\(replica) has no previous container: none of its containers has restarted") }
        var lines: [LogLine] = []
        for container in restarted {
            let query = ["container": container.name, "previous": "true", "timestamps": "true", "tailLines": String(max(logTail, 100))]
            do throws(KubernetesAPIError) {
                let reply = try await client.send(.GET, "/api/v1\(namespacePath)/pods/\(replica)/log", query: query)
                var decoder = LogStreamDecoder(tty: true)
                let source = LogSource(pod: pod, service: nil, replica: "\(replica)/\(container.name) (previous)")
                lines += (decoder.feed(reply.body) + decoder.finish()).map { $0.logLine(from: source) }
            } catch {
                throw error.runtimeError
            }
        }
        return lines
    }

    /// Restarts one replica by deleting its pod: its controller creates a new one.
    public func restartReplica(_ pod: PodID, replica: String) async throws(RuntimeError) -> String {
        let client = try connectedClient()
        do throws(KubernetesAPIError) {
            _ = try await client.send(.DELETE, "/api/v1\(namespacePath)/pods/\(replica)",
                                      body: Data(#"{"propagationPolicy":"Background"}"#.utf8))
        } catch {
            throw error.runtimeError
        }
        return "Deleted pod \(replica); its controller starts a new one"
    }
}
