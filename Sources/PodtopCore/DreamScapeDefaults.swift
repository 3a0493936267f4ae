/// The DreamScape platform as deployed by default: three Big Pods and their shared
/// infrastructure, with the ports from the platform's own documentation.
public enum DreamScapeDefaults {
    public static let topology = Topology(
        pods: [
            pod("core", "Core", [("nginx", 80), ("auth", 3001), ("user", 3002)]),
            pod("experience", "Experience", [("voyage", 3003), ("ai", 3005), ("panorama", 3006)]),
            pod("commerce", "Commerce", [("payment", 3004), ("analytics", 3007)]),
        ],
        infrastructure: [
            InfraSpec(name: "mongodb", check: .tcp(host: "127.0.0.1", port: 27017),
                      thresholds: LatencyThresholds(warnMs: 50, criticalMs: 200)),
            InfraSpec(name: "redis", check: .tcp(host: "127.0.0.1", port: 6379),
                      thresholds: LatencyThresholds(warnMs: 20, criticalMs: 100)),
        ]
    )

    private static func pod(_ id: String, _ name: String, _ services: [(String, Int)]) -> PodSpec {
        PodSpec(
            id: PodID(id),
            displayName: name,
            services: services.map { service, port in
                let path = port == 80 ? "http://127.0.0.1/health" : "http://127.0.0.1:\(port)/health"
                return ServiceSpec(name: service, check: .http(url: path))
            },
            selector: ContainerSelector([
                .labels(["dreamscape.pod": id]),
                .labels(["com.docker.compose.service": "\(id)-pod"]),
                .name("*-\(id)-pod-*"),
            ])
        )
    }
}
