import Foundation
import PodtopCore

/// Where the Docker (or Podman) API is: `--host`, else `DOCKER_HOST`, else the standard
/// sockets in order: Docker's, then rootless and rootful Podman's.
public struct DockerEndpoint: Sendable, Equatable, CustomStringConvertible {
    public enum Transport: Sendable, Equatable {
        case unixSocket(path: String)
        /// `tcp://host:port`, spoken as plain HTTP.
        case tcp(host: String, port: Int)
    }

    public var transport: Transport

    /// Why the connection is not private: `tcp://` is plain HTTP, readable on the way.
    public var insecure: String? {
        if case .tcp = transport { return "plain tcp://: the daemon's answers and podtop's requests are not encrypted" }
        return nil
    }

    public var description: String {
        switch transport {
        case .unixSocket(let path): "unix://\(path)"
        case .tcp(let host, let port): "tcp://\(host):\(port)"
        }
    }

    /// The URL of `path` on this endpoint, in AsyncHTTPClient's spelling.
    func url(_ path: String) -> String {
        switch transport {
        case .unixSocket(let socket): URL(httpURLWithSocketPath: socket, uri: path)!.absoluteString
        case .tcp(let host, let port): "http://\(host):\(port)\(path)"
        }
    }

    public static func parse(_ text: String) throws(RuntimeError) -> DockerEndpoint {
        if text.hasPrefix("unix://") {
            let path = String(text.dropFirst("unix://".count))
            guard path.hasPrefix("/") else { throw RuntimeError("\(text): a unix:// host needs an absolute socket path") }
            return DockerEndpoint(transport: .unixSocket(path: path))
        }
        if text.hasPrefix("tcp://") || text.hasPrefix("http://") {
            let rest = text.drop { $0 != "/" }.dropFirst(2)
            let hostPort = rest.prefix { $0 != "/" }
            guard let colon = hostPort.lastIndex(of: ":"), let port = Int(hostPort[hostPort.index(after: colon)...]),
                  (1...65535).contains(port) else { throw RuntimeError("\(text): expected tcp://host:port") }
            return DockerEndpoint(transport: .tcp(host: String(hostPort[..<colon]), port: port))
        }
        if text.hasPrefix("/") { return DockerEndpoint(transport: .unixSocket(path: text)) }
        throw RuntimeError("\(text): podtop speaks unix:// and tcp:// (plain HTTP); for ssh:// forward the socket with ssh -L")
    }

    /// The endpoint to use, and whether it was chosen explicitly (then a failure is final,
    /// rather than a reason to try the next candidate).
    public static func resolve(host: String?, environment: [String: String],
                               exists: (String) -> Bool = { FileManager.default.fileExists(atPath: $0) }) throws(RuntimeError) -> DockerEndpoint {
        if let host { return try parse(host) }
        if let fromEnvironment = environment["DOCKER_HOST"], !fromEnvironment.isEmpty { return try parse(fromEnvironment) }
        var candidates = ["/var/run/docker.sock"]
        if let runtime = environment["XDG_RUNTIME_DIR"], !runtime.isEmpty { candidates.append("\(runtime)/podman/podman.sock") }
        candidates.append("/run/podman/podman.sock")
        let path = candidates.first(where: exists) ?? candidates[0]
        return DockerEndpoint(transport: .unixSocket(path: path))
    }

    /// Whether a unix socket is there (a TCP endpoint always counts as there).
    public func socketExists(_ exists: (String) -> Bool = { FileManager.default.fileExists(atPath: $0) }) -> Bool {
        guard case .unixSocket(let path) = transport else { return true }
        return exists(path)
    }

    /// A sentence for a socket that cannot be used, before any HTTP is tried.
    func socketProblem() -> String? {
        guard case .unixSocket(let path) = transport else { return nil }
        var info = stat()
        if stat(path, &info) != 0 {
            return "cannot reach Docker at \(self): no such file — is the daemon running? try --host or --demo"
        }
        if access(path, R_OK | W_OK) != 0 {
            return "cannot reach Docker at \(self): permission denied — add your user to the docker group (then log in again), or use sudo"
        }
        return nil
    }
}
