import PodtopCore

/// A runtime seen through `--read-only`: it watches and reports, and offers no action — it is
/// neither `PodRestarting` nor `PodScaling`, whatever the runtime inside could do, so no key
/// can reach a mutating call. (The Docker transport refuses anything but GET/HEAD as well.)
public struct ReadOnlyRuntime: ContainerRuntime {
    let base: any ContainerRuntime

    public init(_ base: any ContainerRuntime) { self.base = base }

    public var identity: RuntimeIdentity { base.identity }

    public func run(refresh: Duration, emit: @escaping @Sendable (RuntimeEvent) -> Void) async {
        await base.run(refresh: refresh, emit: emit)
    }
}

/// Reading a crashed container's log changes nothing: offered read-only too, where the runtime
/// inside has it.
extension ReadOnlyRuntime: PreviousLogReading {
    public var offersPreviousLogs: Bool { base is any PreviousLogReading }

    public func previousLogs(_ pod: PodID, replica: String) async throws(RuntimeError) -> [LogLine] {
        guard let reader = base as? any PreviousLogReading else { throw RuntimeError("\(identity.kind) keeps no previous container's log") }
        return try await reader.previousLogs(pod, replica: replica)
    }
}
