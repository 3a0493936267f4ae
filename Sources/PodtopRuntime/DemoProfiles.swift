import PodtopCore

/// How each service behaves in the demo: its usual latency and what it logs. Services the
/// demo does not know by name get a generic profile, so any config file works with `--demo`.
struct DemoServiceProfile: Sendable {
    var baseLatencyMs: Double
    var jitterMs: Double
    /// The one service that now and then degrades, so the screen has something to show.
    var degradesNowAndThen: Bool
    var logStyle: DemoLogStyle

    static func named(_ name: String) -> DemoServiceProfile {
        switch name {
        case "nginx": DemoServiceProfile(baseLatencyMs: 2, jitterMs: 1, degradesNowAndThen: false, logStyle: .accessLog)
        case "auth": DemoServiceProfile(baseLatencyMs: 9, jitterMs: 4, degradesNowAndThen: false, logStyle: .json)
        case "user": DemoServiceProfile(baseLatencyMs: 14, jitterMs: 6, degradesNowAndThen: false, logStyle: .logfmt)
        case "voyage": DemoServiceProfile(baseLatencyMs: 28, jitterMs: 10, degradesNowAndThen: false, logStyle: .plain)
        case "ai": DemoServiceProfile(baseLatencyMs: 95, jitterMs: 40, degradesNowAndThen: true, logStyle: .plain)
        case "panorama": DemoServiceProfile(baseLatencyMs: 40, jitterMs: 15, degradesNowAndThen: false, logStyle: .json)
        case "payment": DemoServiceProfile(baseLatencyMs: 32, jitterMs: 12, degradesNowAndThen: false, logStyle: .logfmt)
        case "analytics": DemoServiceProfile(baseLatencyMs: 18, jitterMs: 8, degradesNowAndThen: false, logStyle: .json)
        case "mongodb": DemoServiceProfile(baseLatencyMs: 0.6, jitterMs: 0.3, degradesNowAndThen: false, logStyle: .plain)
        case "redis": DemoServiceProfile(baseLatencyMs: 0.3, jitterMs: 0.15, degradesNowAndThen: false, logStyle: .plain)
        default: DemoServiceProfile(baseLatencyMs: 12, jitterMs: 5, degradesNowAndThen: false, logStyle: .plain)
        }
    }
}

enum DemoLogStyle: Sendable {
    case accessLog, json, logfmt, plain
}

/// Makes log lines that look like what these services print, including the awkward ones a log
/// pane must survive: very long lines and lines carrying terminal escape sequences.
enum DemoLogWriter {
    static let paths = ["/api/v1/users/me", "/api/v1/trips", "/api/v1/auth/refresh", "/api/v1/checkout",
                        "/api/v1/panorama/tiles/12/2048/1361", "/health", "/api/v1/recommendations"]
    static let users = ["u-1042", "u-2213", "u-4821", "u-7730", "u-9001"]

    static func line(service: String, style: DemoLogStyle, random: inout SeededRandom) -> (bytes: [UInt8], stream: LogStream) {
        let roll = random.unit()
        if roll < 0.012 { return (Array(longLine(service: service, random: &random).utf8), .stdout) }
        if roll < 0.024 { return (Array(escapeLadenLine(random: &random).utf8), .stderr) }
        let level: String = roll < 0.06 ? "error" : roll < 0.16 ? "warn" : roll < 0.25 ? "debug" : "info"
        let user = random.pick(users)
        let ms = Int(5 + random.unit() * 120)
        let text: String
        switch style {
        case .accessLog:
            let status = level == "error" ? 502 : level == "warn" ? 404 : 200
            let method = random.pick(["GET", "GET", "GET", "POST", "PUT"])
            text = "127.0.0.1 - - \"\(method) \(random.pick(paths)) HTTP/1.1\" \(status) \(Int(200 + random.unit() * 4000)) rt=0.\(String(format: "%03d", ms))"
        case .json:
            let message = message(service: service, level: level, random: &random)
            text = "{\"level\":\"\(level)\",\"service\":\"\(service)\",\"msg\":\"\(message)\",\"user\":\"\(user)\",\"duration_ms\":\(ms)}"
        case .logfmt:
            let message = message(service: service, level: level, random: &random)
            text = "level=\(level) msg=\"\(message)\" user=\(user) duration=\(ms)ms"
        case .plain:
            text = "\(level.uppercased().padding(toLength: 5, withPad: " ", startingAt: 0)) [\(service)] \(message(service: service, level: level, random: &random)) (\(ms)ms)"
        }
        return (Array(text.utf8), level == "error" ? .stderr : .stdout)
    }

    static func message(service: String, level: String, random: inout SeededRandom) -> String {
        switch (service, level) {
        case ("auth", "error"): "token signature invalid"
        case ("auth", "warn"): "refresh token close to expiry"
        case ("auth", _): random.pick(["token issued", "session validated", "password check ok"])
        case ("user", "error"): "profile lookup failed: mongo timeout"
        case ("user", _): random.pick(["profile loaded", "preferences saved", "avatar resized"])
        case ("voyage", "error"): "itinerary solver gave up after 3 retries"
        case ("voyage", _): random.pick(["itinerary computed", "fare cache hit", "route graph refreshed"])
        case ("ai", "warn"): "model latency above budget"
        case ("ai", "error"): "inference worker restarted: out of memory"
        case ("ai", _): random.pick(["embedding batch done", "recommendations ranked", "prompt cache hit"])
        case ("panorama", _): random.pick(["tile rendered", "tile cache miss", "thumbnail stored"])
        case ("payment", "error"): "payment declined: card_expired"
        case ("payment", "warn"): "gateway slow, retrying"
        case ("payment", _): random.pick(["charge captured", "refund queued", "webhook delivered"])
        case ("analytics", _): random.pick(["events flushed", "daily rollup advanced", "funnel recomputed"])
        default: random.pick(["request served", "cache refreshed", "connection pool resized"])
        }
    }

    static func longLine(service: String, random: inout SeededRandom) -> String {
        var text = "INFO  [\(service)] metrics dump:"
        for i in 0..<180 { text += " m\(i)=\(Int(random.unit() * 1000))" }
        return text
    }

    /// What a misbehaving program prints: colours, a title change, a clipboard write, a clear.
    static func escapeLadenLine(random: inout SeededRandom) -> String {
        random.pick([
            "\u{1B}[31mERROR\u{1B}[0m upstream reset by peer \u{1B}[1m(retrying)\u{1B}[0m",
            "WARN progress \u{1B}]0;owned-title\u{07}42% done\r\u{1B}[2K100% done",
            "INFO build step \u{1B}]52;c;ZWNobyBoaQ==\u{07}finished \u{1B}[H\u{1B}[2Jclean",
            "WARN legacy client sent \u{9B}31m8-bit CSI\u{7} and a bell",
        ])
    }
}
