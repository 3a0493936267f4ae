import Foundation
import NIOHTTP1
import PodtopCore

/// What podtop may send, checked on every request to a runtime (Docker, Podman, the Kubernetes
/// API) before it leaves, in the dashboard, `--once` and `podtop check` alike: in read-only
/// mode nothing but GET and HEAD goes out, whatever the code above asks for. Optionally keeps a
/// journal of every request line (`PODTOP_REQUEST_LOG`), so an audit can show what was sent.
public struct RequestPolicy: Sendable {
    public var readOnly: Bool
    public var journal: RequestJournal?

    public init(readOnly: Bool = false, journal: RequestJournal? = nil) {
        self.readOnly = readOnly
        self.journal = journal
    }

    /// Lets the request through, or refuses it with the reason.
    func admit(_ method: HTTPMethod, _ path: String) throws(RuntimeError) {
        guard !readOnly || method == .GET || method == .HEAD else {
            journal?.record("refused \(method.rawValue) \(path)")
            throw RuntimeError("read-only: podtop does not send \(method.rawValue) requests (started with --read-only)")
        }
        journal?.record("\(method.rawValue) \(path)")
    }
}

/// An append-only file of request lines, one per request, written as they go out.
public final class RequestJournal: Sendable {
    private let descriptor: Int32
    private let lock = NSLock()

    /// Opens (creating) `path` for appending; nil, with the reason, when it cannot.
    public init(path: String) throws(RuntimeError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw RuntimeError("cannot open the request log \(path): \(String(cString: strerror(errno)))") }
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    func record(_ line: String) {
        let bytes = Array((line + "\n").utf8)
        lock.withLock { _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) } }
    }
}
