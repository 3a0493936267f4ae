import Foundation

// A Pod from the API, read field by field (`LenientDecoding`): a number out of range is held at
// the edge of its range, and a field of the wrong type is left out and named in `unreadable`,
// so one bad field does not lose the pod from the list or the watch. Only a pod without a
// name, or a container or condition without its identifying fields, is left out.

extension KubernetesPod {
    enum CodingKeys: String, CodingKey { case metadata, spec, status }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        metadata = try c.decode(Metadata.self, forKey: .metadata)
        var dropped: [String] = []
        spec = c.lenient(Spec.self, .spec, dropped: &dropped) ?? Spec(containers: [])
        status = c.lenient(Status.self, .status, dropped: &dropped) ?? Status()
        unreadable = dropped + metadata.dropped.map { "metadata." + $0 } + spec.dropped.map { "spec." + $0 }
            + status.dropped.map { "status." + $0 }
    }
}

extension KubernetesPod.Metadata {
    enum CodingKeys: String, CodingKey {
        case name, namespace, uid, resourceVersion, creationTimestamp, deletionTimestamp, labels
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        var dropped: [String] = []
        namespace = c.lenient(String.self, .namespace, dropped: &dropped)
        uid = c.lenient(String.self, .uid, dropped: &dropped)
        resourceVersion = c.lenient(String.self, .resourceVersion, dropped: &dropped)
        creationTimestamp = c.lenient(String.self, .creationTimestamp, dropped: &dropped)
        deletionTimestamp = c.lenient(String.self, .deletionTimestamp, dropped: &dropped)
        labels = c.lenient([String: String].self, .labels, dropped: &dropped)
        self.dropped = dropped
    }
}

extension KubernetesPod.Spec {
    enum CodingKeys: String, CodingKey { case nodeName, containers, initContainers }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        var dropped: [String] = []
        nodeName = c.lenient(String.self, .nodeName, dropped: &dropped)
        containers = c.lenientList(KubernetesPod.Container.self, .containers, dropped: &dropped) ?? []
        initContainers = c.lenientList(KubernetesPod.Container.self, .initContainers, dropped: &dropped)
        self.dropped = dropped
    }
}

extension KubernetesPod.Status {
    enum CodingKeys: String, CodingKey {
        case phase, reason, podIP, startTime, conditions, containerStatuses, initContainerStatuses
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        var dropped: [String] = []
        phase = c.lenient(String.self, .phase, dropped: &dropped)
        reason = c.lenient(String.self, .reason, dropped: &dropped)
        podIP = c.lenient(String.self, .podIP, dropped: &dropped)
        startTime = c.lenient(String.self, .startTime, dropped: &dropped)
        conditions = c.lenientList(KubernetesPod.Condition.self, .conditions, dropped: &dropped)
        containerStatuses = c.lenientList(KubernetesPod.ContainerStatus.self, .containerStatuses, dropped: &dropped)
        initContainerStatuses = c.lenientList(KubernetesPod.ContainerStatus.self, .initContainerStatuses, dropped: &dropped)
        for (key, statuses) in [("containerStatuses", containerStatuses), ("initContainerStatuses", initContainerStatuses)] {
            for (index, status) in (statuses ?? []).enumerated() {
                dropped += status.dropped.map { "\(key)[\(index)].\($0)" }
            }
        }
        self.dropped = dropped
    }
}

extension KubernetesPod.ContainerStatus {
    enum CodingKeys: String, CodingKey { case name, ready, started, restartCount, image, state, lastState }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        var dropped: [String] = []
        ready = c.lenient(Bool.self, .ready, dropped: &dropped) ?? false
        started = c.lenient(Bool.self, .started, dropped: &dropped)
        restartCount = c.lenientInt(.restartCount, dropped: &dropped) ?? 0
        image = c.lenient(String.self, .image, dropped: &dropped)
        state = c.lenient(KubernetesPod.ContainerState.self, .state, dropped: &dropped)
        lastState = c.lenient(KubernetesPod.ContainerState.self, .lastState, dropped: &dropped)
        dropped += (state?.dropped ?? []).map { "state." + $0 } + (lastState?.dropped ?? []).map { "lastState." + $0 }
        self.dropped = dropped
    }
}

extension KubernetesPod.ContainerState {
    enum CodingKeys: String, CodingKey { case waiting, running, terminated }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        var dropped: [String] = []
        waiting = c.lenient(KubernetesPod.Waiting.self, .waiting, dropped: &dropped)
        running = c.lenient(KubernetesPod.Running.self, .running, dropped: &dropped)
        terminated = c.lenient(KubernetesPod.Terminated.self, .terminated, dropped: &dropped)
        self.dropped = dropped + (terminated?.dropped ?? []).map { "terminated." + $0 }
    }
}

extension KubernetesPod.Terminated {
    enum CodingKeys: String, CodingKey { case exitCode, signal, reason, message }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        var dropped: [String] = []
        exitCode = c.lenientInt(.exitCode, dropped: &dropped)
        signal = c.lenientInt(.signal, dropped: &dropped)
        reason = c.lenient(String.self, .reason, dropped: &dropped)
        message = c.lenient(String.self, .message, dropped: &dropped)
        self.dropped = dropped
    }

    /// The exit code as kubectl prints it after "ExitCode:", "?" when it could not be read.
    var exitCodeText: String { exitCode.map(String.init) ?? "?" }
}
