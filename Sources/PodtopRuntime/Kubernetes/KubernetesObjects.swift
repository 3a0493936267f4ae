import Foundation
import PodtopCore

/// A Deployment or a StatefulSet: the fields the two share and the dashboard reads.
public struct KubernetesWorkload: Decodable, Sendable, Equatable {
    public var kind: String?
    public var metadata: Metadata
    public var spec: Spec
    public var status: Status?

    public struct Metadata: Decodable, Sendable, Equatable {
        public var name: String
        public var namespace: String?
        public var labels: [String: String]?
        public var generation: Int?
        public var resourceVersion: String?
    }

    public struct Spec: Decodable, Sendable, Equatable {
        public var replicas: Int?
        public var selector: LabelSelector?
    }

    public struct LabelSelector: Decodable, Sendable, Equatable {
        public var matchLabels: [String: String]?
    }

    public struct Status: Decodable, Sendable, Equatable {
        public var observedGeneration: Int?
        public var replicas: Int?
        public var updatedReplicas: Int?
        public var readyReplicas: Int?
        public var availableReplicas: Int?
        public var conditions: [Condition]?
    }

    public struct Condition: Decodable, Sendable, Equatable {
        public var type: String
        public var status: String
        public var reason: String?
        public var message: String?
    }

    /// Replicas asked for; the API's default is 1.
    public var desiredReplicas: Int { spec.replicas ?? 1 }

    /// Whether a pod with these labels is one of this workload's (its `matchLabels`; a
    /// workload with none selects nothing, as the API would refuse it anyway).
    public func selects(_ labels: [String: String]?) -> Bool {
        guard let wanted = spec.selector?.matchLabels, !wanted.isEmpty, let labels else { return false }
        return wanted.allSatisfy { labels[$0.key] == $0.value }
    }

    /// `kubectl rollout status`'s test: the controller has seen the newest spec, every replica
    /// runs it and is available, and (for a Deployment) the new ReplicaSet is available.
    public var rolloutComplete: Bool {
        guard let status else { return false }
        let desired = desiredReplicas
        guard (status.observedGeneration ?? 0) >= (metadata.generation ?? 0),
              (status.updatedReplicas ?? 0) == desired, (status.replicas ?? 0) == desired,
              (status.availableReplicas ?? status.readyReplicas ?? 0) == desired
        else { return false }
        if kind == "StatefulSet" { return true }
        let progressing = status.conditions?.first { $0.type == "Progressing" }
        return progressing == nil || progressing?.reason == "NewReplicaSetAvailable"
    }

    /// Where a rollout is, for the status line: "2/3 updated, 1 old pending termination".
    public var rolloutProgress: String {
        let desired = desiredReplicas
        let updated = status?.updatedReplicas ?? 0, total = status?.replicas ?? 0
        let available = status?.availableReplicas ?? status?.readyReplicas ?? 0
        if updated < desired { return "\(updated)/\(desired) updated" }
        if total > updated { return "\(total - updated) old pending termination" }
        if available < updated { return "\(available)/\(updated) available" }
        return "done"
    }
}

/// An autoscaler: when one targets a workload, a manual scale lasts only until its next look.
public struct KubernetesAutoscaler: Decodable, Sendable, Equatable {
    public var metadata: Metadata
    public var spec: Spec

    public struct Metadata: Decodable, Sendable, Equatable {
        public var name: String
    }

    public struct Spec: Decodable, Sendable, Equatable {
        public var scaleTargetRef: Target
        public var minReplicas: Int?
        public var maxReplicas: Int
    }

    public struct Target: Decodable, Sendable, Equatable {
        public var kind: String
        public var name: String
    }
}

/// One pod's usage from `metrics.k8s.io`: CPU in cores, memory as the working set.
public struct KubernetesPodMetrics: Decodable, Sendable, Equatable {
    public var metadata: Metadata
    public var containers: [Container]

    public struct Metadata: Decodable, Sendable, Equatable {
        public var name: String
    }

    public struct Container: Decodable, Sendable, Equatable {
        public var name: String
        public var usage: [String: String]
    }

    /// The pod's CPU in percent of one core and memory in bytes, summed over its containers;
    /// nil for a figure any container gives in a form that does not parse.
    public var usage: (cpuPercent: Double?, memoryBytes: UInt64?) {
        var nanocores: Int64? = 0, bytes: Int64? = 0
        for container in containers {
            let cpu = container.usage["cpu"].flatMap(KubernetesQuantity.init)?.nanoUnits
            let memory = container.usage["memory"].flatMap(KubernetesQuantity.init)?.units
            nanocores = cpu.flatMap { value in nanocores.map { $0.saturatingAdd(value) } }
            bytes = memory.flatMap { value in bytes.map { $0.saturatingAdd(value) } }
        }
        return (nanocores.map { Double($0) / 10_000_000 }, bytes.flatMap { $0 >= 0 ? UInt64($0) : nil })
    }
}

/// A list answer: its items and the resource version a watch starts from.
public struct KubernetesList<Item: Decodable & Sendable>: Decodable, Sendable {
    public var metadata: ListMetadata
    /// The items that could be read; one that cannot (no name) is left out, not the list.
    public var items: [Item]

    enum CodingKeys: String, CodingKey { case metadata, items }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        metadata = try c.decodeIfPresent(ListMetadata.self, forKey: .metadata) ?? ListMetadata()
        items = (try c.decodeIfPresent([Readable<Item>].self, forKey: .items) ?? []).compactMap(\.value)
    }

    public struct ListMetadata: Decodable, Sendable {
        public var resourceVersion: String?
        /// Set when the server cut the list into pages (`limit`).
        public var `continue`: String?
        init() {}
    }
}

/// The API's error body (`kind: Status`), and the code the answer came with.
public struct KubernetesStatus: Decodable, Sendable, Equatable, Error {
    public var code: Int?
    public var reason: String?
    public var message: String?
}

/// One line of a watch: an object changed, a bookmark moved the resource version on, or the
/// watch failed (410 Expired most of all).
public enum KubernetesWatchEvent<Object: Decodable & Sendable>: Sendable {
    case added(Object)
    case modified(Object)
    case deleted(Object)
    case bookmark(resourceVersion: String)
    case error(KubernetesStatus)

    public static func decode(_ line: some Collection<UInt8>) throws -> KubernetesWatchEvent {
        let data = Data(line)
        let kind = try JSONDecoder().decode(TypeOnly.self, from: data).type
        switch kind {
        case "ADDED": return .added(try JSONDecoder().decode(Envelope<Object>.self, from: data).object)
        case "MODIFIED": return .modified(try JSONDecoder().decode(Envelope<Object>.self, from: data).object)
        case "DELETED": return .deleted(try JSONDecoder().decode(Envelope<Object>.self, from: data).object)
        case "BOOKMARK":
            return .bookmark(resourceVersion: try JSONDecoder().decode(Envelope<BookmarkObject>.self, from: data).object.metadata.resourceVersion)
        case "ERROR": return .error(try JSONDecoder().decode(Envelope<KubernetesStatus>.self, from: data).object)
        default: throw KubernetesStatus(code: nil, reason: "BadWatchEvent", message: "unknown watch event type \(kind)")
        }
    }

    private struct TypeOnly: Decodable { var type: String }
    private struct Envelope<T: Decodable>: Decodable { var object: T }
    private struct BookmarkObject: Decodable {
        var metadata: Metadata
        struct Metadata: Decodable { var resourceVersion: String }
    }
}

extension KubernetesPod {
    public var resourceVersion: String? { metadata.resourceVersion }
}

extension KubernetesWorkload {
    public var resourceVersion: String? { metadata.resourceVersion }
}

/// What a watched kind needs for the cache: a name, and the version it was seen at.
public protocol KubernetesWatchable: Decodable, Sendable {
    var name: String { get }
    var resourceVersion: String? { get }
}

extension KubernetesPod: KubernetesWatchable {
    public var name: String { metadata.name }
}

extension KubernetesWorkload: KubernetesWatchable {
    public var name: String { metadata.name }
}
