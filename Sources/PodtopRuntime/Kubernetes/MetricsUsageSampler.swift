import PodtopCore

/// CPU and memory of the namespace's pods from metrics.k8s.io (metrics-server's working set,
/// averaged over its 15 s window), all pods in one request.
final class MetricsUsageSampler: UsageSampler {
    private let client: KubernetesClient
    private let path: String

    init(client: KubernetesClient, namespace: String) {
        self.client = client
        path = "/apis/metrics.k8s.io/v1beta1/namespaces/\(namespace)/pods"
    }

    func sample(_ targets: [UsageTarget]) async throws(RuntimeError) -> UsageRound {
        do throws(KubernetesAPIError) {
            let list = try await client.get(KubernetesList<KubernetesPodMetrics>.self, path)
            var round = UsageRound(source: "metrics.k8s.io (working set; a 15 s window)")
            for item in list.items {
                round.usage[item.metadata.name] = ContainerUsage(cpuPercent: item.usage.cpuPercent, memoryBytes: item.usage.memoryBytes)
            }
            return round
        } catch {
            switch error {
            case .unreachable(let reason), .timedOut(let reason): throw RuntimeError(reason)
            default: break
            }
            return UsageRound(unavailable: error.description)
        }
    }
}
