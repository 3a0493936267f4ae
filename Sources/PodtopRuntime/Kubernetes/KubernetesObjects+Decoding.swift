import Foundation

// Workloads and autoscalers read field by field (`LenientDecoding`): a replica count
// out of range is held at the edge of its range and a field of the wrong type is left out, so
// that one bad field does not lose the workload. Only an object without a name is left out.

extension KubernetesWorkload {
    enum CodingKeys: String, CodingKey { case kind, metadata, spec, status }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        kind = c.lenient(String.self, .kind)
        metadata = try c.decode(Metadata.self, forKey: .metadata)
        spec = c.lenient(Spec.self, .spec) ?? Spec()
        status = c.lenient(Status.self, .status)
    }
}

extension KubernetesWorkload.Metadata {
    enum CodingKeys: String, CodingKey { case name, namespace, labels, generation, resourceVersion }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        namespace = c.lenient(String.self, .namespace)
        labels = c.lenient([String: String].self, .labels)
        generation = c.lenientInt(.generation)
        resourceVersion = c.lenient(String.self, .resourceVersion)
    }
}

extension KubernetesWorkload.Spec {
    enum CodingKeys: String, CodingKey { case replicas, selector }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        replicas = c.lenientInt(.replicas)
        selector = c.lenient(KubernetesWorkload.LabelSelector.self, .selector)
    }
}

extension KubernetesWorkload.Status {
    enum CodingKeys: String, CodingKey {
        case observedGeneration, replicas, updatedReplicas, readyReplicas, availableReplicas, conditions
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        observedGeneration = c.lenientInt(.observedGeneration)
        replicas = c.lenientInt(.replicas)
        updatedReplicas = c.lenientInt(.updatedReplicas)
        readyReplicas = c.lenientInt(.readyReplicas)
        availableReplicas = c.lenientInt(.availableReplicas)
        conditions = c.lenientList(KubernetesWorkload.Condition.self, .conditions)
    }
}

extension KubernetesAutoscaler.Spec {
    enum CodingKeys: String, CodingKey { case scaleTargetRef, minReplicas, maxReplicas }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        scaleTargetRef = try c.decode(KubernetesAutoscaler.Target.self, forKey: .scaleTargetRef)
        minReplicas = c.lenientInt(.minReplicas)
        // An autoscaler without a readable maximum still says the workload is autoscaled.
        maxReplicas = c.lenientInt(.maxReplicas) ?? .max
    }
}
