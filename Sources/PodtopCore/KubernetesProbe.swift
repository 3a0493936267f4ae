import Foundation

/// How a service's health is reached on Kubernetes, where the loopback URLs of the Compose stack
/// lead nowhere.
public enum KubernetesProbe: Sendable, Equatable, CustomStringConvertible {
    /// A Service's port and path: through the API server's service proxy from outside the
    /// cluster, at the Service's cluster DNS name from inside it.
    case service(name: String, port: Int, path: String)
    /// A URL or address reachable from where podtop runs (an ingress), probed as on Docker.
    case direct(HealthCheck)
    /// Not probed: the kubelet's readiness of the workload of that name speaks for it.
    case readiness(workload: String)

    /// An HTTP check becomes `<name>-service` on the URL's port and path (DreamScape's Services:
    /// `auth-service:3001`); a TCP check (MongoDB, Redis), which the service proxy cannot carry,
    /// becomes the readiness of the workload of the same name.
    public static func `default`(name: String, check: HealthCheck) -> KubernetesProbe {
        switch check {
        case .http(let url):
            let components = URLComponents(string: url)
            let port = components?.port ?? (components?.scheme?.lowercased() == "https" ? 443 : 80)
            var path = components?.percentEncodedPath ?? "/"
            if path.isEmpty { path = "/" }
            if let query = components?.percentEncodedQuery { path += "?" + query }
            return .service(name: name.hasSuffix("-service") ? name : "\(name)-service", port: port, path: path)
        case .tcp:
            return .readiness(workload: name)
        }
    }

    public var description: String {
        switch self {
        case .service(let name, let port, let path): "service \(name):\(port)\(path)"
        case .direct(let check): check.description
        case .readiness(let workload): "readiness of \(workload)"
        }
    }
}

/// What the kubelet says about the pods behind a service: how many are Ready, and why the others
/// are not. On Kubernetes it is the second voice beside the probe, and the only one when the
/// probe cannot be made.
public struct ServiceReadiness: Sendable, Equatable {
    public var ready: Int
    public var total: Int
    /// What was counted: "pods of Deployment auth-service", "container auth in each pod".
    public var source: String
    /// Why a pod is not ready: its Ready condition's message or its container's state.
    public var notReadyReason: String?

    public init(ready: Int, total: Int, source: String, notReadyReason: String? = nil) {
        self.ready = ready
        self.total = total
        self.source = source
        self.notReadyReason = notReadyReason
    }

    /// "ready 2/2", for a row.
    public var short: String { "ready \(ready)/\(total)" }

    /// "ready 2/2 (pods of Deployment auth-service)", with why not when some are not.
    public var words: String {
        let base = "ready \(ready)/\(total) (\(source))"
        guard ready < total, let notReadyReason else { return base }
        return base + ": \(notReadyReason)"
    }
}
