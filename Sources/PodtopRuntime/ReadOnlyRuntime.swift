import PodtopCore

/// A runtime seen through `--read-only`: it watches and reports, and offers no action that
/// changes anything — its snapshots say so for every pod, and it is neither `PodRestarting` nor
/// `PodScaling`, whatever the runtime inside could do, so no key can reach a mutating call.
/// (The transports refuse anything but GET and HEAD as well: `RequestPolicy`.)
public struct ReadOnlyRuntime: ContainerRuntime {
    let base: any ContainerRuntime

    public init(_ base: any ContainerRuntime) { self.base = base }

    public var identity: RuntimeIdentity { base.identity }

    public func run(refresh: Duration, emit: @escaping @Sendable (RuntimeEvent) -> Void) async {
        await base.run(refresh: refresh) { event in
            guard case .snapshot(var snapshot) = event else { return emit(event) }
            for index in snapshot.pods.indices {
                snapshot.pods[index].actions = snapshot.pods[index].actions.readOnly()
            }
            emit(.snapshot(snapshot))
        }
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
