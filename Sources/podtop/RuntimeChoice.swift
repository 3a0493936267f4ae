import Foundation
import PodtopCore
import PodtopRuntime

/// Which runtime podtop watches, from the flags, the environment and the files present:
/// Docker (or Podman) when asked, or when a Docker host or socket is there; else Kubernetes
/// when a kubeconfig or an in-cluster service account is; else Docker, whose missing socket
/// then says what to do.
enum RuntimeChoice {
    case docker(DockerEndpoint)
    case kubernetes(KubernetesSetup)

    static func resolve(_ options: RuntimeOptions, config: PodtopConfig, environment: [String: String],
                        exists: (String) -> Bool = { FileManager.default.fileExists(atPath: $0) }) throws -> RuntimeChoice {
        let kubernetesNamed = options.kubeconfig != nil || options.context != nil || options.namespace != nil
        switch options.runtime {
        case .docker:
            return .docker(try DockerEndpoint.resolve(host: options.host, environment: environment))
        case .kubernetes:
            return .kubernetes(try KubernetesSetup.load(options, config: config, environment: environment))
        case .auto:
            let endpoint = try DockerEndpoint.resolve(host: options.host, environment: environment, exists: exists)
            let dockerNamed = options.host != nil || !(environment["DOCKER_HOST"] ?? "").isEmpty
            if dockerNamed || (!kubernetesNamed && endpoint.socketExists(exists)) { return .docker(endpoint) }
            let kubeconfigs = KubeConfig.paths(explicit: options.kubeconfig, environment: environment).filter(exists)
            if kubernetesNamed || !kubeconfigs.isEmpty || KubernetesTarget.inCluster(environment: environment) != nil {
                return .kubernetes(try KubernetesSetup.load(options, config: config, environment: environment))
            }
            return .docker(endpoint)
        }
    }

    /// Kubernetes probes health itself, through the cluster (`KubernetesHealthPlan`); Docker's
    /// services are probed at the configured URLs on this machine.
    var probesHealthItself: Bool {
        if case .kubernetes = self { return true }
        return false
    }

    /// The runtime for the first screen (the environment podtop starts in, for Kubernetes).
    func makeRuntime(topology: Topology, logTail: Int, followsLogs: Bool, policy: RequestPolicy) throws -> any ContainerRuntime {
        switch self {
        case .docker(let endpoint):
            return DockerRuntime(endpoint: endpoint, topology: topology, logTail: logTail, followsLogs: followsLogs, policy: policy)
        case .kubernetes(let setup):
            return try setup.runtime(setup.startIndex, topology: topology, logTail: logTail, followsLogs: followsLogs, policy: policy)
        }
    }
}

/// A kubeconfig (or the in-cluster account) and the environments `e` switches between.
struct KubernetesSetup {
    var kubeconfig: KubeConfig?
    var inCluster: KubernetesTarget?
    var context: String?
    var environments: [KubernetesEnvironment]
    var startIndex: Int

    static func load(_ options: RuntimeOptions, config: PodtopConfig, environment: [String: String]) throws -> KubernetesSetup {
        let paths = KubeConfig.paths(explicit: options.kubeconfig, environment: environment)
        let existing = paths.filter { FileManager.default.fileExists(atPath: $0) }
        var setup = KubernetesSetup(kubeconfig: nil, inCluster: nil, context: options.context, environments: [], startIndex: 0)
        let startNamespace: String
        if existing.isEmpty, options.kubeconfig == nil, let inCluster = KubernetesTarget.inCluster(environment: environment) {
            setup.inCluster = inCluster
            startNamespace = options.namespace ?? inCluster.namespace
        } else {
            guard !existing.isEmpty || options.kubeconfig != nil else {
                throw RuntimeError("no kubeconfig found (\(paths.joined(separator: ":"))); give --kubeconfig, or run podtop inside the cluster")
            }
            let kubeconfig = try KubeConfig.load(paths: options.kubeconfig.map { [$0] } ?? existing)
            // Checked now, so that a wrong --context is said before any screen.
            let target = try kubeconfig.target(context: options.context, namespace: options.namespace)
            setup.kubeconfig = kubeconfig
            setup.context = target.contextName
            startNamespace = target.namespace
        }
        setup.environments = config.environments.isEmpty ? KubernetesEnvironment.dreamScape : config.environments
        if let index = setup.environments.firstIndex(where: { $0.namespace == startNamespace && ($0.context == nil || $0.context == setup.context) }) {
            setup.startIndex = index
        } else {
            let name = startNamespace
            setup.environments.insert(KubernetesEnvironment(name: name, context: setup.context, namespace: startNamespace,
                                                            isProduction: KubernetesEnvironment.looksLikeProduction(name: name, namespace: startNamespace)), at: 0)
        }
        return setup
    }

    func runtime(_ index: Int, topology: Topology, logTail: Int, followsLogs: Bool, policy: RequestPolicy) throws(RuntimeError) -> KubernetesRuntime {
        KubernetesRuntime(target: try target(index), topology: topology, logTail: logTail, followsLogs: followsLogs, policy: policy)
    }

    /// The target for an environment: its context (else the one podtop started with) and namespace.
    func target(_ index: Int) throws(RuntimeError) -> KubernetesTarget {
        let environment = environments[index]
        if var target = inCluster {
            target.namespace = environment.namespace
            return target
        }
        guard let kubeconfig else { throw RuntimeError("no kubeconfig") }
        return try kubeconfig.target(context: environment.context ?? context, namespace: environment.namespace)
    }
}

/// Makes the runtime for another environment when `e` picks one (Kubernetes only).
struct EnvironmentSwitcher {
    let setup: KubernetesSetup
    let topology: Topology
    let logTail: Int
    let followsLogs: Bool
    let policy: RequestPolicy

    func runtime(for index: Int) throws(RuntimeError) -> any ContainerRuntime {
        let runtime = try setup.runtime(index, topology: topology, logTail: logTail, followsLogs: followsLogs, policy: policy)
        return policy.readOnly ? ReadOnlyRuntime(runtime) : runtime
    }
}

extension RequestPolicy {
    /// The policy of this run: read-only or not, and the request journal that
    /// `PODTOP_REQUEST_LOG` names (every request line podtop sends to a runtime, an audit aid).
    static func of(readOnly: Bool, environment: [String: String]) throws(RuntimeError) -> RequestPolicy {
        let journal = try environment["PODTOP_REQUEST_LOG"].map { path throws(RuntimeError) in try RequestJournal(path: path) }
        return RequestPolicy(readOnly: readOnly, journal: journal)
    }
}
