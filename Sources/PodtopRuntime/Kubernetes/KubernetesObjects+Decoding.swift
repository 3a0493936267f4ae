import Foundation

// Workloads and autoscalers read field by field (`LenientDecoding`): a replica count
// out of range is held at the edge of its range and a field of the wrong type is left out, so
// that one bad field does not lose the workload. Only an object without a name is left out.

extension KubernetesWorkload {
    enum CodingKeys: String, CodingKey { case kind, metadata, spec, status }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        var dropped: [String] = []
        kind = c.lenient(String.self, .kind, dropped: &dropped, path: "")
        metadata = try c.decode(Metadata.self, forKey: .metadata)
        spec = c.lenient(Spec.self, .spec, dropped: &dropped, path: "") ?? Spec()
        status = c.lenient(Status.self, .status, dropped: &dropped, path: "")
    }
}

extension KubernetesWorkload.Metadata {
    enum CodingKeys: String, CodingKey { case name, namespace, labels, generation, resourceVersion }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        var dropped: [String] = []
        namespace = c.lenient(String.self, .namespace, dropped: &dropped, path: "")
        labels = c.lenient([String: String].self, .labels, dropped: &dropped, path: "")
        generation = c.lenientInt(.generation, dropped: &dropped, path: "")
        resourceVersion = c.lenient(String.self, .resourceVersion, dropped: &dropped, path: "")
    }
}

extension KubernetesWorkload.Spec {
    enum CodingKeys: String, CodingKey { case replicas, selector }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        var dropped: [String] = []
        replicas = c.lenientInt(.replicas, dropped: &dropped, path: "")
        selector = c.lenient(KubernetesWorkload.LabelSelector.self, .selector, dropped: &dropped, path: "")
    }
}

extension KubernetesWorkload.Status {
    enum CodingKeys: String, CodingKey {
        case observedGeneration, replicas, updatedReplicas, readyReplicas, availableReplicas, conditions
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        var dropped: [String] = []
        observedGeneration = c.lenientInt(.observedGeneration, dropped: &dropped, path: "")
        replicas = c.lenientInt(.replicas, dropped: &dropped, path: "")
        updatedReplicas = c.lenientInt(.updatedReplicas, dropped: &dropped, path: "")
        readyReplicas = c.lenientInt(.readyReplicas, dropped: &dropped, path: "")
        availableReplicas = c.lenientInt(.availableReplicas, dropped: &dropped, path: "")
        conditions = c.lenientList(KubernetesWorkload.Condition.self, .conditions, dropped: &dropped, path: "")
    }
}

extension KubernetesAutoscaler.Spec {
    enum CodingKeys: String, CodingKey { case scaleTargetRef, minReplicas, maxReplicas }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        var dropped: [String] = []
        scaleTargetRef = try c.decode(KubernetesAutoscaler.Target.self, forKey: .scaleTargetRef)
        minReplicas = c.lenientInt(.minReplicas, dropped: &dropped, path: "")
        // An autoscaler without a readable maximum still says the workload is autoscaled.
        maxReplicas = c.lenientInt(.maxReplicas, dropped: &dropped, path: "") ?? .max
    }
}
