import Foundation
import NIOCore
import PodtopCore

extension KubernetesRuntime {
    /// Every `interval`, while each watch of the session has been heard from within
    /// `watchSilenceLimit`: confirms the last snapshot and samples the readiness-only targets.
    /// Without a session, or with a silent watch, nothing is said, and the screen's data ages.
    func confirmWhileHeard(every interval: Duration, readinessOnly: [(key: HealthTarget, workload: String)]) async {
        while (try? await clock.sleep(for: interval)) != nil {
            guard let session, !session.heardAt.isEmpty,
                  session.heardAt.values.allSatisfy({ clock.now - $0 <= watchSilenceLimit }) else { continue }
            let now = Date()
            for (key, workload) in readinessOnly {
                emit?(.health(key, KubernetesHealthPlan.sample(inventory.readiness(ofWorkload: workload), workload: workload,
                                                               namespace: target.namespace, at: now)))
            }
            emit?(.confirmed(now))
        }
    }

    /// The session's client, or why there is none.
    func proxyClient() -> Result<KubernetesClient, RuntimeError> {
        session.map { .success($0.client) } ?? .failure(RuntimeError(notConnected))
    }
}

/// The service proxy on the runtime's current connection: a probe made while the runtime is
/// between connections says so (UNKNOWN), and never opens a connection of its own.
struct KubernetesServiceProxy: ServiceProxy {
    let runtime: KubernetesRuntime

    func get(service: String, port: Int, path: String, timeout: Duration) async -> ServiceProxyAnswer {
        let client: KubernetesClient
        switch await runtime.proxyClient() {
        case .success(let current): client = current
        case .failure(let reason): return .notMade(reason.message)
        }
        let namespace = runtime.target.namespace
        let started = ContinuousClock.now
        do throws(KubernetesAPIError) {
            let reply = try await client.fetch("/api/v1/namespaces/\(namespace)/services/\(service):\(port)/proxy\(path)",
                                               timeout: timeout.timeAmount)
            let latency = started.duration(to: .now)
            return .answered(status: Int(reply.status.code), body: Array(reply.body), latencyMs: latency.seconds * 1000)
        } catch {
            if case .timedOut = error { return .timedOut }
            return .notMade(error.description)
        }
    }
}
