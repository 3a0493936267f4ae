import NIOCore
import NIOHTTP1
import NIOPosix

/// One health endpoint's kept-alive HTTP/1.1 connection, carrying one probe at a time, on the
/// prober's event loop: SwiftNIO's HTTP/1 codec (the one under AsyncHTTPClient) straight on a
/// channel, which spares each probe AsyncHTTPClient's request bag, connection-pool state machine
/// and task (they cost more CPU than the probe itself; BENCHMARKS.md has the figures).
///
/// A probe writes a request built once, then waits for the answer, the connection closing or
/// its deadline, whichever comes first; at the deadline the connection is closed (a late answer
/// must not be taken for the next probe's). A server that closes a kept-alive connection just
/// as a probe is written gets that probe again on a new connection, as browsers and
/// AsyncHTTPClient do; a server that closes every connection (HTTP/1.0, `Connection: close`)
/// gets a new one for each probe.
final class HTTPProbeConnection: @unchecked Sendable {
    // @unchecked: every method runs on `loop`, the only place its state is touched.
    private let address: ProbeAddress
    private let head: HTTPRequestHead
    private let loop: any EventLoop
    private var channel: (any Channel)?
    private var inFlight: InFlight?
    /// Each probe's number: callbacks of an earlier probe's connect or channel find it changed.
    private var generation = 0

    private struct InFlight {
        let done: (HealthProber.ProbeOutcome) -> Void
        let deadline: NIODeadline
        var timeout: Scheduled<Void>?
        var sentAt: NIODeadline
        var onReusedConnection = false
        var answered = false
        var status = 0
        var keepAlive = true
        var body: [UInt8] = []
    }

    init(host: String, port: Int, target: String, loop: any EventLoop) {
        address = ProbeAddress(host: host, port: port)
        self.loop = loop
        var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: target)
        let hostName = host.contains(":") ? "[\(host)]" : host  // an IPv6 literal goes in brackets
        head.headers.add(name: "Host", value: port == 80 ? hostName : "\(hostName):\(port)")
        head.headers.add(name: "User-Agent", value: "podtop")
        head.headers.add(name: "Accept", value: "*/*")
        self.head = head
    }

    /// Starts a probe (on `loop`); `done` runs there once, with the outcome.
    func probe(timeout: TimeAmount, _ done: @escaping (HealthProber.ProbeOutcome) -> Void) {
        loop.preconditionInEventLoop()
        // The interval is longer than the timeout, so a probe never meets the one before; if it
        // ever did, the older one ends here, and its connection with it: its answer could still
        // come, and must not be taken for this probe's.
        if inFlight != nil { abandon(.timedOut) }
        generation += 1
        let generation = generation
        let now = NIODeadline.now()
        inFlight = InFlight(done: done, deadline: now + timeout, sentAt: now)
        inFlight?.timeout = loop.scheduleTask(deadline: now + timeout) { [self] in
            guard self.generation == generation else { return }
            abandon(.timedOut)
        }
        if let channel, channel.isActive {
            inFlight?.onReusedConnection = true
            send(on: channel)
        } else {
            connect()
        }
    }

    /// Closes the kept-alive connection (the prober is stopping).
    func close() {
        loop.preconditionInEventLoop()
        abandon(.failed("stopped"))
    }

    private func connect() {
        guard let deadline = inFlight?.deadline else { return }
        let generation = generation
        channel = nil
        let bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(max(.milliseconds(1), deadline - .now()))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(ProbeResponseHandler(owner: self))
                }
            }
        address.connect(with: bootstrap).whenComplete { [self] result in
                switch result {
                case .success(let channel):
                    guard self.generation == generation, inFlight != nil else {
                        channel.close(promise: nil)
                        return
                    }
                    self.channel = channel
                    send(on: channel)
                case .failure(let error):
                    guard self.generation == generation else { return }
                    finish(.connectFailed(error))
                }
            }
    }

    private func send(on channel: any Channel) {
        inFlight?.sentAt = .now()
        channel.write(HTTPClientRequestPart.head(head), promise: nil)
        channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
    }

    /// Forgets the connection before closing it: closing tells the handler at once, and the
    /// connection it reports must no longer be this probe's.
    private func closeConnection() {
        let closing = channel
        channel = nil
        closing?.close(promise: nil)
    }

    /// Ends the probe in flight and closes its connection, whose answer may still come.
    private func abandon(_ outcome: HealthProber.ProbeOutcome) {
        finish(outcome)
        closeConnection()
    }

    private func finish(_ outcome: HealthProber.ProbeOutcome) {
        guard let ended = inFlight else { return }
        inFlight = nil
        ended.timeout?.cancel()
        ended.done(outcome)
    }

    // MARK: - What the channel reports (on `loop`)

    fileprivate func received(_ part: HTTPClientResponsePart, on channel: any Channel) {
        guard channel === self.channel, inFlight != nil else { return }
        switch part {
        case .head(let response):
            inFlight?.answered = true
            inFlight?.status = Int(response.status.code)
            inFlight?.keepAlive = response.isKeepAlive
        case .body(let buffer):
            // A health body is small; past the limit the rest is read and dropped.
            let room = HealthProber.bodyLimit - (inFlight?.body.count ?? 0)
            if room > 0 { inFlight?.body.append(contentsOf: buffer.readableBytesView.prefix(room)) }
        case .end:
            guard let answer = inFlight else { return }
            let latency = NIODeadline.now() - answer.sentAt
            if !answer.keepAlive { closeConnection() }
            finish(.answered(status: answer.status, body: answer.body, latencyMs: latency.milliseconds))
        }
    }

    fileprivate func ended(_ channel: any Channel, error: (any Error)?) {
        guard channel === self.channel else { return }
        self.channel = nil
        guard let probe = inFlight else { return }
        if probe.onReusedConnection, !probe.answered, error == nil || Self.isReset(error) {
            // Closed by the server while idle, crossing our request: once more on a new connection.
            inFlight?.onReusedConnection = false
            connect()
            return
        }
        finish(error.map(HealthProber.ProbeOutcome.failure) ?? .failed("connection closed before an answer"))
    }

    private static func isReset(_ error: (any Error)?) -> Bool {
        guard let error else { return false }
        return HealthProber.describe(error) == "connection reset"
    }
}

/// Hands a probe connection's answer, its end and its errors to the connection that owns it.
private final class ProbeResponseHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    private let owner: HTTPProbeConnection

    init(owner: HTTPProbeConnection) { self.owner = owner }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        owner.received(unwrapInboundIn(data), on: context.channel)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        owner.ended(context.channel, error: error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        owner.ended(context.channel, error: nil)
        context.fireChannelInactive()
    }
}
