import Foundation
import NIOCore
import PodtopCore
import Synchronization

/// Follows replicas' logs through a runtime's API, one stream each, in tasks it owns: Docker's
/// `/containers/{id}/logs` and Kubernetes's `/pods/{name}/log`. How a stream is opened is the
/// runtime's; resuming after a stream ends (from the newest line shown, nothing twice) is this
/// follower's, the same for both.
final class StreamLogFollower: LogFollower {
    /// Streams `target`'s log from after `after` (or its last lines when nil) into `onBytes`,
    /// returning when the stream ends or the task is cancelled.
    typealias Open = @Sendable (_ target: LogTarget, _ after: Date?, _ onBytes: @escaping @Sendable (ByteBufferView) -> Void) async -> Void

    private let open: Open
    private let emit: @Sendable (RuntimeEvent) -> Void
    /// After a stream ends, how long before it is opened again; nil when the runtime follows the
    /// replica again itself (Docker: at the container's next start).
    private let reopenAfter: Duration?
    private let clock: RuntimeClock
    /// Where each log got to; kept by the runtime across sessions, so that after a reconnect a
    /// log resumes where it was rather than from its last lines again.
    private let resumePoints: LogResumePoints
    private let streams = Mutex<[String: (token: UInt64, task: Task<Void, Never>)]>([:])
    private let tokens = Atomic<UInt64>(0)

    init(reopenAfter: Duration?, resumePoints: LogResumePoints = LogResumePoints(), clock: RuntimeClock, budget: DescriptorBudget = .process,
         emit: @escaping @Sendable (RuntimeEvent) -> Void, open: @escaping Open) {
        self.open = open
        self.budget = budget
        self.resumePoints = resumePoints
        self.emit = emit
        self.reopenAfter = reopenAfter
        self.clock = clock
    }

    var followedKeys: Set<String> { streams.withLock { Set($0.keys) } }

    /// Each stream holds a connection, and so a descriptor, from here.
    private let budget: DescriptorBudget

    /// Starts following `target`; false when the descriptor budget's share for logs is spent.
    func follow(_ target: LogTarget) -> Bool {
        let token = tokens.add(1, ordering: .relaxed).newValue
        return streams.withLock { streams in
            guard streams[target.key] == nil else { return true }
            guard budget.takeLogFollow(target.key) else { return false }
            // Made under the lock, so that its own ending (which takes the lock) finds it stored.
            streams[target.key] = (token, Task { await self.keepFollowing(target, token: token) })
            return true
        }
    }

    private func keepFollowing(_ target: LogTarget, token: UInt64) async {
        while !Task.isCancelled {
            let after = resumePoints.mark(of: target.key)
            let stream = DecodingLogStream(tty: target.tty, source: target.source, after: after, emit: emit)
            await open(target, after) { stream.feed($0) }
            stream.finish()
            resumePoints.advance(target.key, to: stream.newest)
            guard let reopenAfter else { break }
            do { try await clock.sleep(for: reopenAfter) } catch { break }
        }
        streams.withLock { streams in
            if streams[target.key]?.token == token {
                streams[target.key] = nil
                budget.returnLogFollow(target.key, taken: true)
            }
        }
    }

    func stop(_ key: String) -> [LogLine] {
        let stopped = streams.withLock { $0.removeValue(forKey: key) }
        stopped?.task.cancel()
        budget.returnLogFollow(key, taken: stopped != nil)
        resumePoints.forget(key)
        return []
    }

    /// Ends every stream and waits for their tasks: a session's streams end with it. Where each
    /// log had got to stays in `resumePoints`.
    func stopAll() async {
        let ending = streams.withLock { streams in
            defer { streams.removeAll() }
            for key in streams.keys { budget.returnLogFollow(key, taken: true) }
            return streams.values.map(\.task)
        }
        for task in ending { task.cancel() }
        for task in ending { await task.value }
    }
}
