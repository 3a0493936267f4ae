import AsyncHTTPClient
import Foundation
import PodtopCore
import NIOCore

extension DockerClient {
    /// An entry that cannot be read at all (no `Id`) is left out; the others are kept.
    public func listContainers() async throws(RuntimeError) -> [DockerContainerSummary] {
        try await get([Readable<DockerContainerSummary>].self, "/containers/json", query: ["all": "1"]).compactMap(\.value)
    }

    /// Only the containers with these IDs, stopped ones included: an ID the daemon no longer
    /// knows is simply not in the answer.
    public func listContainers(ids: Set<String>) async throws(RuntimeError) -> [DockerContainerSummary] {
        let filter = String(decoding: (try? JSONEncoder().encode(["id": ids.sorted()])) ?? Data(), as: UTF8.self)
        return try await get([Readable<DockerContainerSummary>].self, "/containers/json", query: ["all": "1", "filters": filter])
            .compactMap(\.value)
    }

    public func inspect(_ id: String) async throws(RuntimeError) -> DockerContainerInspect {
        try await get(DockerContainerInspect.self, "/containers/\(id)/json")
    }

    /// Inspect as a JSON object, every field kept: what a clone is made from.
    func inspectRaw(_ id: String) async throws(RuntimeError) -> [String: Any] {
        let reply = try await request(.GET, "/containers/\(id)/json")
        guard let object = try? JSONSerialization.jsonObject(with: reply.body) as? [String: Any] else {
            throw RuntimeError("unexpected inspect answer for \(id)")
        }
        return object
    }

    /// One sample, without a stream: `stream=false&one-shot=true` costs the daemon one read.
    public func statsSample(_ id: String) async throws(RuntimeError) -> DockerStatsSample {
        let reply = try await request(.GET, "/containers/\(id)/stats", query: ["stream": "false", "one-shot": "true"])
        guard let sample = DockerStatsSample.scan(Array(reply.body)) else {
            throw RuntimeError("unexpected stats answer for \(id)")
        }
        return sample
    }

    public func restart(_ id: String, graceSeconds: Int = 10) async throws(RuntimeError) {
        _ = try await request(.POST, "/containers/\(id)/restart", query: ["t": "\(graceSeconds)"], timeout: .seconds(Int64(graceSeconds + 30)))
    }

    public func start(_ id: String) async throws(RuntimeError) {
        _ = try await request(.POST, "/containers/\(id)/start", timeout: .seconds(60))
    }

    public func stop(_ id: String, graceSeconds: Int = 10) async throws(RuntimeError) {
        _ = try await request(.POST, "/containers/\(id)/stop", query: ["t": "\(graceSeconds)"], timeout: .seconds(Int64(graceSeconds + 30)))
    }

    public func remove(_ id: String) async throws(RuntimeError) {
        _ = try await request(.DELETE, "/containers/\(id)", query: ["force": "1"], timeout: .seconds(60))
    }

    /// Creates a container from a create body; returns its id.
    func create(name: String, body: [String: Any]) async throws(RuntimeError) -> String {
        guard let json = try? JSONSerialization.data(withJSONObject: body) else { throw RuntimeError("cannot encode the create request") }
        let reply = try await request(.POST, "/containers/create", query: ["name": name], json: json, timeout: .seconds(60))
        struct Created: Decodable { var Id: String }
        guard let created = try? JSONDecoder().decode(Created.self, from: reply.body) else {
            throw RuntimeError("unexpected answer creating \(name)")
        }
        return created.Id
    }

    /// Container events that change what podtop shows, as they happen, from now on. Health
    /// checks' exec_create/exec_start/exec_die (three per check: several a second on a big
    /// fleet) are left on the daemon's side; `health_status` matches "health_status: …" there.
    /// `since`: the daemon first replays the events it keeps (its last 256) from that time on.
    func events(since: Date) async throws(RuntimeError) -> HTTPClientResponse.Body {
        try await stream("/events", query: ["filters": Self.eventFilter(podman: isPodman),
                                            "since": String(format: "%.3f", since.timeIntervalSince1970)])
    }

    static let watchedEvents = ["create", "start", "restart", "die", "stop", "kill", "oom", "destroy", "pause", "unpause",
                                "rename", "update", "health_status"]
    /// Podman (4.3 here) filters by its own names: a death is "died" there (though it is sent as
    /// "die"), and a removal is "remove" (sent as "remove", never "destroy"). With Docker's names
    /// alone no death and no removal ever came.
    static let podmanEventNames = ["die": "died", "destroy": "remove"]

    static func eventFilter(podman: Bool) -> String {
        let names = podman ? watchedEvents.map { podmanEventNames[$0] ?? $0 } : watchedEvents
        let filter = ["type": ["container"], "event": names]
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: (try? encoder.encode(filter)) ?? Data(), as: UTF8.self)
    }

    /// Follows a container's log, with timestamps, from after `since` or from its last `tail`
    /// lines, into `onBytes` (called on an event loop as the bytes arrive); returns when the
    /// daemon ends the stream (the container stopped) or the calling task is cancelled.
    func followLogs(_ id: String, tail: Int, since: Date?, onBytes: @escaping @Sendable (ByteBufferView) -> Void) async {
        var query = ["stdout": "1", "stderr": "1", "follow": "1", "timestamps": "1"]
        if let since { query["since"] = String(format: "%.9f", since.timeIntervalSince1970) } else { query["tail"] = "\(tail)" }
        guard let stream = try? follow("/containers/\(id)/logs", query: query, onBytes: onBytes) else { return }
        await withTaskCancellationHandler {
            _ = try? await stream.futureResult.get()
        } onCancel: {
            stream.cancel()
        }
    }
}
