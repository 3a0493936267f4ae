import Foundation
import PodtopCore

/// An entry of `GET /containers/json?all=1`.
public struct DockerContainerSummary: Decodable, Sendable, Equatable {
    public var id: String
    public var names: [String]
    public var image: String
    public var labels: [String: String]
    /// One word: created, running, paused, restarting, exited, removing, dead.
    public var state: String
    /// Human text such as "Up 13 seconds (unhealthy)"; read once, into a `ContainerCondition`.
    public var status: String
    public var created: Int64

    enum CodingKeys: String, CodingKey {
        case id = "Id", names = "Names", image = "Image", labels = "Labels", state = "State", status = "Status", created = "Created"
    }

    /// Field by field (`LenientDecoding`): only a missing `Id` loses the entry.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        var dropped: [String] = []
        names = c.lenient([String].self, .names, dropped: &dropped) ?? []
        image = c.lenient(String.self, .image, dropped: &dropped) ?? ""
        labels = c.lenient([String: String].self, .labels, dropped: &dropped) ?? [:]
        state = c.lenient(String.self, .state, dropped: &dropped) ?? ""
        status = c.lenient(String.self, .status, dropped: &dropped) ?? ""
        created = Int64(c.lenientInt(.created, dropped: &dropped) ?? 0)
    }

    /// The name without Docker's leading slash.
    public var name: String {
        let first = names.first ?? String(id.prefix(12))
        return first.hasPrefix("/") ? String(first.dropFirst()) : first
    }
}

/// The parts of `GET /containers/{id}/json` podtop reads, field by field (`LenientDecoding`):
/// only a missing `Id` fails the whole.
public struct DockerContainerInspect: Decodable, Sendable {
    public struct State: Decodable, Sendable {
        public var status: String
        public var running: Bool
        public var startedAt: String
        public var health: Health?
        /// The main process, as the daemon's host sees it; 0 when not running.
        public var pid: Int?
        public var exitCode: Int?
        /// Fields that could not be read (`State.ExitCode`…).
        public var dropped: [String] = []
        enum CodingKeys: String, CodingKey {
            case status = "Status", running = "Running", startedAt = "StartedAt", health = "Health", pid = "Pid", exitCode = "ExitCode"
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            status = c.lenient(String.self, .status, dropped: &dropped, path: "State.") ?? ""
            running = c.lenient(Bool.self, .running, dropped: &dropped, path: "State.") ?? false
            startedAt = c.lenient(String.self, .startedAt, dropped: &dropped, path: "State.") ?? ""
            health = c.lenient(Health.self, .health, dropped: &dropped, path: "State.")
            pid = c.lenientInt(.pid, dropped: &dropped, path: "State.")
            exitCode = c.lenientInt(.exitCode, dropped: &dropped, path: "State.")
            dropped += health?.dropped ?? []
        }

        /// What an inspect whose State cannot be read says: nothing.
        static let unknown = State()
        private init() {
            (status, running, startedAt) = ("", false, "")
        }
    }

    public struct Health: Decodable, Sendable {
        public var status: String
        public var failingStreak: Int
        public var dropped: [String] = []
        enum CodingKeys: String, CodingKey { case status = "Status", failingStreak = "FailingStreak" }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            status = c.lenient(String.self, .status, dropped: &dropped, path: "State.Health.") ?? ""
            failingStreak = c.lenientInt(.failingStreak, dropped: &dropped, path: "State.Health.") ?? 0
        }
    }

    public struct Config: Decodable, Sendable {
        public var tty: Bool
        public var labels: [String: String]
        public var image: String
        enum CodingKeys: String, CodingKey { case tty = "Tty", labels = "Labels", image = "Image" }

        public var dropped: [String] = []

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            tty = c.lenient(Bool.self, .tty, dropped: &dropped, path: "Config.") ?? false
            labels = c.lenient([String: String].self, .labels, dropped: &dropped, path: "Config.") ?? [:]
            image = c.lenient(String.self, .image, dropped: &dropped, path: "Config.") ?? ""
        }

        static let empty = Config()
        private init() {
            (tty, labels, image) = (false, [:], "")
        }
    }

    public struct HostConfig: Decodable, Sendable {
        public struct LogConfig: Decodable, Sendable {
            public var type: String
            /// The driver's options, the daemon's defaults merged in when the container was created.
            public var options: [String: String]?
            enum CodingKeys: String, CodingKey { case type = "Type", options = "Config" }
        }
        public var logConfig: LogConfig?
        enum CodingKeys: String, CodingKey { case logConfig = "LogConfig" }
    }

    public var id: String
    public var name: String
    public var restartCount: Int
    public var state: State
    public var config: Config
    public var hostConfig: HostConfig?
    /// The json-file driver's file, as the daemon's host sees it; empty for other drivers (Podman
    /// names its own files here, in another format: only `logDriver` tells them apart).
    public var logPath: String?

    /// Every field that could not be read, for the replica's details.
    public var dropped: [String] = []

    enum CodingKeys: String, CodingKey {
        case id = "Id", name = "Name", restartCount = "RestartCount", state = "State", config = "Config"
        case hostConfig = "HostConfig", logPath = "LogPath"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        var dropped: [String] = []
        name = c.lenient(String.self, .name, dropped: &dropped) ?? ""
        restartCount = c.lenientInt(.restartCount, dropped: &dropped) ?? 0
        let state = c.lenient(State.self, .state, dropped: &dropped)
        self.state = state ?? State.unknown
        let config = c.lenient(Config.self, .config, dropped: &dropped)
        self.config = config ?? Config.empty
        hostConfig = c.lenient(HostConfig.self, .hostConfig, dropped: &dropped)
        logPath = c.lenient(String.self, .logPath, dropped: &dropped)
        self.dropped = dropped + (state?.dropped ?? []) + (config?.dropped ?? [])
    }

    public var logDriver: String? { hostConfig?.logConfig?.type }
    /// Whether the json-file driver renames the file away when it reaches a size.
    public var logRotates: Bool { hostConfig?.logConfig?.options?["max-size"].map { !$0.isEmpty && $0 != "-1" } ?? false }

    /// When the container last started, nil for Docker's zero time.
    public var startedAt: Date? { DockerTime.parse(state.startedAt) }
}

/// One sample of `GET /containers/{id}/stats?stream=false&one-shot=true`.
public struct DockerStatsSample: Decodable, Sendable, Equatable {
    public var read: String
    /// Container CPU time in ns, all cores.
    public var cpuTotal: UInt64
    /// Host CPU time in ns summed over CPUs; absent in one-shot samples on some engines.
    public var systemCPU: UInt64?
    public var onlineCPUs: Int
    public var memoryUsage: UInt64?
    /// What the docker CLI subtracts from usage: total_inactive_file (cgroup v1) or inactive_file (v2).
    public var inactiveFile: UInt64?

    enum Keys: String, CodingKey { case read, cpu_stats, memory_stats }
    enum CPUKeys: String, CodingKey { case cpu_usage, system_cpu_usage, online_cpus }
    enum UsageKeys: String, CodingKey { case total_usage, percpu_usage }
    enum MemoryKeys: String, CodingKey { case usage, stats }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        read = try c.decodeIfPresent(String.self, forKey: .read) ?? ""
        let cpu = try? c.nestedContainer(keyedBy: CPUKeys.self, forKey: .cpu_stats)
        let usage = try? cpu?.nestedContainer(keyedBy: UsageKeys.self, forKey: .cpu_usage)
        cpuTotal = (try? usage?.decodeIfPresent(UInt64.self, forKey: .total_usage)) ?? 0
        systemCPU = try? cpu?.decodeIfPresent(UInt64.self, forKey: .system_cpu_usage)
        let perCPU = (try? usage?.decodeIfPresent([UInt64].self, forKey: .percpu_usage))?.count ?? 0
        let online = (try? cpu?.decodeIfPresent(Int.self, forKey: .online_cpus)) ?? nil
        onlineCPUs = (online ?? 0) > 0 ? online! : perCPU
        let memory = try? c.nestedContainer(keyedBy: MemoryKeys.self, forKey: .memory_stats)
        memoryUsage = try? memory?.decodeIfPresent(UInt64.self, forKey: .usage)
        let stats = try? memory?.decodeIfPresent([String: UInt64].self, forKey: .stats)
        inactiveFile = stats?["total_inactive_file"] ?? stats?["inactive_file"]
    }

    /// Reads the six numbers podtop needs straight from the bytes: a stats document is a few
    /// kilobytes, asked for every container each refresh where cgroups cannot be read, and
    /// decoding all of it to keep six numbers is the costlier way.
    /// Keys are searched within their own objects: `cpu_stats` comes before `precpu_stats`.
    public static func scan(_ bytes: [UInt8]) -> DockerStatsSample? {
        guard let cpu = find(#""cpu_stats":"#, in: bytes, from: 0) else { return nil }
        let precpu = find(#""precpu_stats":"#, in: bytes, from: cpu) ?? bytes.count
        let memory = find(#""memory_stats":"#, in: bytes, from: 0)
        func number(_ key: String, from start: Int, before end: Int) -> UInt64? {
            guard let at = find(key, in: bytes, from: start), at < end else { return nil }
            var value: UInt64 = 0
            var index = at
            while index < bytes.count, bytes[index] == 0x20 { index += 1 }
            let first = index
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                value = value &* 10 &+ UInt64(bytes[index] - 48)
                index += 1
            }
            return index > first ? value : nil
        }
        let cpuEnd = min(precpu, memory.map { $0 > cpu ? $0 : bytes.count } ?? bytes.count)
        let total = number(#""total_usage":"#, from: cpu, before: cpuEnd) ?? 0
        let system = number(#""system_cpu_usage":"#, from: cpu, before: cpuEnd)
        var online = Int(clamping: number(#""online_cpus":"#, from: cpu, before: cpuEnd) ?? 0)
        if online == 0 {
            // Older engines: count the per-CPU entries instead.
            if let list = find(#""percpu_usage":["#, in: bytes, from: cpu), list < cpuEnd {
                var index = list
                online = 1
                while index < cpuEnd, bytes[index] != UInt8(ascii: "]") {
                    if bytes[index] == UInt8(ascii: ",") { online += 1 }
                    index += 1
                }
            }
        }
        var usage: UInt64?
        var inactive: UInt64?
        if let memory {
            let memoryEnd = bytes.count
            usage = number(#""usage":"#, from: memory, before: memoryEnd)
            inactive = number(#""total_inactive_file":"#, from: memory, before: memoryEnd)
                ?? number(#""inactive_file":"#, from: memory, before: memoryEnd)
        }
        let read: String
        if let at = find(#""read":""#, in: bytes, from: 0), let close = bytes[at...].firstIndex(of: UInt8(ascii: "\"")) {
            read = String(decoding: bytes[at..<close], as: UTF8.self)
        } else {
            read = ""
        }
        return DockerStatsSample(read: read, cpuTotal: total, systemCPU: system, onlineCPUs: online, memoryUsage: usage, inactiveFile: inactive)
    }

    /// Index just past `key` in `bytes`, searching from `start`.
    private static func find(_ key: String, in bytes: [UInt8], from start: Int) -> Int? {
        let needle = Array(key.utf8)
        guard let first = needle.first, bytes.count >= needle.count else { return nil }
        var index = start
        let last = bytes.count - needle.count
        while index <= last {
            if bytes[index] == first {
                var matched = true
                for offset in 1..<needle.count where bytes[index + offset] != needle[offset] {
                    matched = false
                    break
                }
                if matched { return index + needle.count }
            }
            index += 1
        }
        return nil
    }

    public init(read: String, cpuTotal: UInt64, systemCPU: UInt64?, onlineCPUs: Int, memoryUsage: UInt64?, inactiveFile: UInt64?) {
        self.read = read
        self.cpuTotal = cpuTotal
        self.systemCPU = systemCPU
        self.onlineCPUs = onlineCPUs
        self.memoryUsage = memoryUsage
        self.inactiveFile = inactiveFile
    }

    public var memoryUsedBytes: UInt64? { memoryUsage.map { DockerCLI.memoryUsed(usage: $0, inactiveFile: inactiveFile) } }

    /// CPU % of one core between two samples, the docker CLI's formula with our own previous
    /// sample standing in for `precpu_stats` (one-shot samples leave it empty).
    public static func cpuPercent(previous: DockerStatsSample, current: DockerStatsSample) -> Double? {
        guard let now = current.systemCPU, let before = previous.systemCPU, now > before,
              current.cpuTotal >= previous.cpuTotal else { return nil }
        let cpuDelta = Double(current.cpuTotal - previous.cpuTotal)
        let systemDelta = Double(now - before)
        return cpuDelta / systemDelta * Double(max(1, current.onlineCPUs)) * 100
    }
}

/// The docker CLI's own arithmetic, which podtop's figures must match whatever their source.
enum DockerCLI {
    /// Memory as `docker stats` prints it: usage less the inactive file cache (when smaller).
    static func memoryUsed(usage: UInt64, inactiveFile: UInt64?) -> UInt64 {
        if let inactiveFile, inactiveFile < usage { return usage - inactiveFile }
        return usage
    }
}

/// One line of `GET /events`.
public struct DockerEvent: Decodable, Sendable, Equatable {
    public struct Actor: Decodable, Sendable, Equatable {
        public var id: String
        public var attributes: [String: String]
        enum CodingKeys: String, CodingKey { case id = "ID", attributes = "Attributes" }

        public init(id: String, attributes: [String: String]) {
            self.id = id
            self.attributes = attributes
        }

        /// Attributes that are not all strings are left out, not the event.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            id = c.lenient(String.self, .id) ?? ""
            attributes = c.lenient([String: String].self, .attributes) ?? [:]
        }
    }

    public var type: String
    public var action: String
    public var actor: Actor
    public var timeNano: Int64

    enum CodingKeys: String, CodingKey { case type = "Type", action = "Action", actor = "Actor", timeNano }

    /// Field by field: a time out of range is held at the edge, so a `die` is never lost to it.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        type = try c.decode(String.self, forKey: .type)
        action = try c.decode(String.self, forKey: .action)
        actor = c.lenient(Actor.self, .actor) ?? Actor(id: "", attributes: [:])
        timeNano = Int64(c.lenientInt(.timeNano) ?? 0)
    }

    /// Actions after which the inventory has changed (health probes' exec events have not).
    public var changesInventory: Bool {
        guard type == "container" else { return false }
        if action.hasPrefix("exec_") { return false }
        return true
    }
}

/// `{"message": "..."}`, the body of every Docker API error.
struct DockerErrorBody: Decodable {
    var message: String
}

enum DockerTime {
    /// RFC 3339 with up to nanoseconds (trailing zeros trimmed); nil for `0001-01-01T00:00:00Z`.
    static func parse(_ text: some StringProtocol) -> Date? {
        parse(utf8: Array(text.utf8))
    }

    /// The same from the text's bytes, as the json-file log holds them (one time per line).
    static func parse(utf8 bytes: [UInt8]) -> Date? {
        guard bytes.count >= 20, !bytes.starts(with: "0001-".utf8) else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for i in range {
                guard i < bytes.count, bytes[i] >= 48, bytes[i] <= 57 else { return nil }
                value = value * 10 + Int(bytes[i] - 48)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19) else { return nil }
        var fraction = 0.0
        var index = 19
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            var scale = 0.1
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                fraction += Double(bytes[index] - 48) * scale
                scale /= 10
                index += 1
            }
        }
        // Days from the civil date (Howard Hinnant's algorithm), UTC; Docker always sends Z.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        let seconds = Double(days * 86400 + hour * 3600 + minute * 60 + second) + fraction
        return Date(timeIntervalSince1970: seconds)
    }
}
