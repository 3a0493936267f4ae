import Foundation
import PodtopCore

/// How each service and piece of infrastructure is watched on Kubernetes: probed through the
/// API server's service proxy from outside the cluster, at the Service's cluster DNS name from
/// inside it, at a configured URL or address, or — where no probe can reach (a TCP service from
/// outside) — told by the kubelet's readiness of a workload.
struct KubernetesHealthPlan: Sendable {
    var probed: [HealthProber.Target] = []
    var byReadiness: [(key: HealthTarget, workload: String)] = []

    init(topology: Topology, namespace: String, inCluster: Bool) {
        for (key, spec) in topology.probes {
            let way: HealthProber.Target.Way
            let route: String
            switch spec.kubernetes {
            case .service(let name, let port, let path) where inCluster:
                let url = "http://\(name).\(namespace).svc:\(port)\(path)"
                (way, route) = (.direct(.http(url: url)), "GET \(url), the Service's cluster address")
            case .service(let name, let port, let path):
                (way, route) = (.serviceProxy(service: name, port: port, path: path),
                                "GET \(name):\(port)\(path) via the API server's service proxy (latency includes its hop)")
            case .direct(let check):
                (way, route) = (.direct(check), "\(check.description) (set for Kubernetes in the config)")
            case .readiness(let workload):
                byReadiness.append((key, workload))
                continue
            }
            probed.append(HealthProber.Target(key: key, way: way, thresholds: spec.thresholds, schedule: spec.schedule, route: route))
        }
    }

    /// A readiness-only target's sample: UP when every pod of the workload is ready, DEGRADED when
    /// some are, DOWN when none is; UNKNOWN when no such workload is there.
    static func sample(_ readiness: ServiceReadiness?, workload: String, namespace: String, at now: Date) -> HealthSample {
        let route = "the kubelet's readiness of \(workload) (TCP cannot go through the API server's service proxy)"
        guard let readiness else {
            return HealthSample(at: now, verdict: .unknown, latencyMs: nil,
                                detail: "cannot tell: no workload \(workload) in \(namespace); give kubernetes: { tcp: host:port } or { readiness: name } in the config",
                                route: route)
        }
        let verdict: HealthClass = readiness.total > 0 && readiness.ready == readiness.total ? .up : readiness.ready > 0 ? .degraded : .down
        return HealthSample(at: now, verdict: verdict, latencyMs: nil, detail: readiness.words, route: route)
    }
}
