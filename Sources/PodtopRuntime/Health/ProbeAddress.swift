import NIOCore
import NIOPosix

/// Where a probe connects (an HTTP endpoint or a TCP-only service), worked out once per target.
struct ProbeAddress: Sendable {
    let host: String
    let port: Int
    /// Set when `host` is an IP literal, as health URLs on loopback are: connecting to it skips
    /// NIO's resolver and Happy Eyeballs, the biggest cost of a probe to a server that closes
    /// each connection.
    let resolved: SocketAddress?

    init(host: String, port: Int) {
        self.host = host
        self.port = port
        resolved = try? SocketAddress(ipAddress: host, port: port)
    }

    func connect(with bootstrap: ClientBootstrap) -> EventLoopFuture<any Channel> {
        resolved.map { bootstrap.connect(to: $0) } ?? bootstrap.connect(host: host, port: port)
    }
}

extension HealthProber.ProbeOutcome {
    /// A connect that failed: TIMEOUT when the deadline passed, DOWN with the reason otherwise
    /// (UNKNOWN when podtop had no descriptor for it).
    static func connectFailed(_ error: any Error) -> Self {
        if case ChannelError.connectTimeout = error { return .timedOut }
        return .failure(error)
    }
}

extension TimeAmount {
    var milliseconds: Double { Double(nanoseconds) / 1e6 }
}
