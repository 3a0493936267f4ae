import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import PodtopCore

/// A long-lived response (a container's log) followed through AsyncHTTPClient's delegate API:
/// each body part is handed over on the event loop where it arrived. The async-sequence API
/// costs a task hop and a thread wake-up per part, which a fleet's log streams multiply.
final class DockerStreamFollower: HTTPClientResponseDelegate, @unchecked Sendable {
    // @unchecked: AsyncHTTPClient calls every method below on the request's one event loop,
    // so the mutable state is never touched from two threads.
    typealias Response = Void

    private let onBytes: (ByteBufferView) -> Void
    private var status: HTTPResponseStatus = .ok
    private var errorBody = ByteBuffer()

    init(onBytes: @escaping (ByteBufferView) -> Void) {
        self.onBytes = onBytes
    }

    func didReceiveHead(task: HTTPClient.Task<Void>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
        status = head.status
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didReceiveBodyPart(task: HTTPClient.Task<Void>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        if status == .ok {
            onBytes(buffer.readableBytesView)
        } else if errorBody.readableBytes < 64 * 1024 {
            var part = buffer
            errorBody.writeBuffer(&part)
        }
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didFinishRequest(task: HTTPClient.Task<Void>) throws {
        guard status == .ok else {
            let body = Data(errorBody.readableBytesView)
            let message = (try? JSONDecoder().decode(DockerErrorBody.self, from: body))?.message
            throw RuntimeError(message ?? "Docker answered HTTP \(status.code)")
        }
    }
}

extension DockerClient {
    /// Follows `path` until the daemon ends the response or the returned task is cancelled;
    /// `onBytes` runs on an event loop for every part of the body.
    func follow(_ path: String, query: [String: String], onBytes: @escaping (ByteBufferView) -> Void) throws(RuntimeError) -> HTTPClient.Task<Void> {
        try policy.admit(.GET, versioned(path, query))
        let request: HTTPClient.Request
        do {
            request = try HTTPClient.Request(url: endpoint.url(versioned(path, query)), method: .GET, headers: ["Host": "docker"])
        } catch {
            throw RuntimeError("cannot build a request for \(path): \(error)")
        }
        return streaming.execute(request: request, delegate: DockerStreamFollower(onBytes: onBytes))
    }
}
