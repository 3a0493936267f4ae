import Foundation
import PodtopCore
import Testing
@testable import PodtopRuntime

/// The decoders against real responses captured from a Docker daemon (DockerCaptures/README.md).
@Suite(.timeLimit(.minutes(1))) struct DockerDecodingTests {
    static let captures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("DockerCaptures")

    func capture(_ name: String) throws -> Data { try Data(contentsOf: Self.captures.appendingPathComponent(name)) }

    /// The bytes of one request's dump in logs-frames.hexdump.txt (xxd format).
    func hexdump(section: String) throws -> [UInt8] {
        let text = try String(contentsOf: Self.captures.appendingPathComponent("logs-frames.hexdump.txt"), encoding: .utf8)
        var bytes: [UInt8] = []
        var inSection = false
        for line in text.split(separator: "\n") {
            if line.hasPrefix("## ") { inSection = line.contains(section); continue }
            guard inSection, let colon = line.firstIndex(of: ":") else { continue }
            let hex = line[line.index(after: colon)...].prefix(41).replacingOccurrences(of: " ", with: "")
            var index = hex.startIndex
            while index < hex.endIndex, let next = hex.index(index, offsetBy: 2, limitedBy: hex.endIndex) {
                bytes.append(UInt8(hex[index..<next], radix: 16)!)
                index = next
            }
        }
        return bytes
    }

    @Test func listEntriesGiveNamesStatesAndHealth() throws {
        let list = try JSONDecoder().decode([DockerContainerSummary].self, from: capture("containers-json-all.json"))
        #expect(list.count == 9)
        let byName = Dictionary(uniqueKeysWithValues: list.map { ($0.name, $0) })
        func condition(_ name: String) -> ContainerCondition? { byName[name].map { TrackedContainer(summary: $0).condition } }
        #expect(condition("demo-worker-1")?.health == .unhealthy)
        #expect(condition("web")?.health == .healthy)
        #expect(condition("mixed")?.health == ContainerCondition.Health.none)
        #expect(condition("ticker")?.status == .exited)
        #expect(condition("ticker")?.exitCode != nil)
        #expect(byName["demo-worker-2"]?.labels["com.docker.compose.container-number"] == "2")
        let phases = list.map { TrackedContainer(summary: $0).phase }
        #expect(phases.filter { $0 == .unhealthy }.count == 2)
        #expect(TrackedContainer(summary: byName["ticker"]!).phase == .exited)
        #expect(TrackedContainer(summary: byName["badcmd"]!).phase == .starting)
    }

    @Test func inspectGivesHealthRestartCountTtyAndStartTime() throws {
        let inspect = try JSONDecoder().decode(DockerContainerInspect.self, from: capture("inspect-compose-labelled-unhealthy.json"))
        #expect(inspect.state.health?.status == "unhealthy")
        #expect(inspect.state.health?.failingStreak == 3)
        #expect(inspect.restartCount == 0)
        #expect(inspect.config.tty == false)
        #expect(inspect.config.labels["com.docker.compose.service"] == "worker")
        #expect(inspect.startedAt != nil)
        #expect(inspect.logDriver == "json-file")
        #expect(inspect.logPath?.hasSuffix("/\(inspect.id)-json.log") == true)
        #expect(!inspect.logRotates, "no max-size in this capture")
    }

    @Test func thePingsServerHeaderNamesTheEngineVersion() {
        // As captured from dockerd 20.10 and Podman 4.3; anything else leaves it to /version.
        #expect(DockerClient.engineVersion(fromServerHeader: "Docker/20.10.24+dfsg1 (linux)") == "20.10.24+dfsg1")
        #expect(DockerClient.engineVersion(fromServerHeader: "Libpod/4.3.1 (linux)") == "4.3.1")
        #expect(DockerClient.engineVersion(fromServerHeader: "Docker/ (linux)") == nil)
        #expect(DockerClient.engineVersion(fromServerHeader: "nginx/1.25.3") == nil)
        #expect(DockerClient.engineVersion(fromServerHeader: "") == nil)
    }

    @Test func statsGiveTheDockerCLIsMemoryAndCPU() throws {
        let sample = try JSONDecoder().decode(DockerStatsSample.self, from: capture("stats-stream-false-cgroupv1.json"))
        #expect(sample.memoryUsage == 21_884_928)
        #expect(sample.memoryUsedBytes == 913_408)  // 892 KiB, as `docker stats` printed it
        #expect(sample.onlineCPUs == 2)
        // The capture's precpu_stats stand in for our own previous sample.
        let raw = try JSONSerialization.jsonObject(with: capture("stats-stream-false-cgroupv1.json")) as! [String: Any]
        let pre = raw["precpu_stats"] as! [String: Any]
        let previous = DockerStatsSample(
            read: "", cpuTotal: ((pre["cpu_usage"] as! [String: Any])["total_usage"] as! NSNumber).uint64Value,
            systemCPU: (pre["system_cpu_usage"] as! NSNumber).uint64Value, onlineCPUs: 2, memoryUsage: nil, inactiveFile: nil
        )
        let cpu = try #require(DockerStatsSample.cpuPercent(previous: previous, current: sample))
        #expect(abs(cpu - 81.27) < 0.01)
    }

    @Test func theFastStatsScannerAgreesWithTheDecoder() throws {
        let data = try capture("stats-stream-false-cgroupv1.json")
        let decoded = try JSONDecoder().decode(DockerStatsSample.self, from: data)
        let scanned = try #require(DockerStatsSample.scan(Array(data)))
        #expect(scanned == decoded)
        // cgroup v2 names the cache inactive_file; an object without cpu_stats is refused.
        let v2 = Array(#"{"read":"x","cpu_stats":{"cpu_usage":{"total_usage":5},"system_cpu_usage":9,"online_cpus":2},"precpu_stats":{"cpu_usage":{"total_usage":1}},"memory_stats":{"usage":100,"stats":{"anon":60,"inactive_file":30}}}"#.utf8)
        #expect(DockerStatsSample.scan(v2) == DockerStatsSample(read: "x", cpuTotal: 5, systemCPU: 9, onlineCPUs: 2, memoryUsage: 100, inactiveFile: 30))
        #expect(DockerStatsSample.scan(Array(#"{"message":"no"}"#.utf8)) == nil)
    }

    @Test func eventsDecodeAndHealthProbesAreNotInventoryChanges() throws {
        let text = try String(decoding: capture("events-restart-and-health.jsonl"), as: UTF8.self)
        var splitter = JSONLineSplitter()
        // Fed in awkward pieces: chunk boundaries are not line boundaries.
        var lines: [[UInt8]] = []
        let bytes = Array(text.utf8)
        for start in stride(from: 0, to: bytes.count, by: 97) { lines += splitter.feed(bytes[start..<min(bytes.count, start + 97)]) }
        let events = try lines.map { try JSONDecoder().decode(DockerEvent.self, from: Data($0)) }
        #expect(events.count == text.split(separator: "\n").count)
        let actions = events.filter(\.changesInventory).map(\.action)
        #expect(actions.contains("restart") && actions.contains("die") && actions.contains("start"))
        #expect(actions.contains("health_status: unhealthy"))
        #expect(!actions.contains { $0.hasPrefix("exec_") })
        #expect(events.first?.timeNano == 1_796_034_529_006_673_892)
    }

    /// What the screen shows of a container as the captured `docker restart` and health events
    /// arrive, before any list confirms it.
    @Test func eventsSetTheStateTheyAreSureOf() throws {
        let list = try JSONDecoder().decode([DockerContainerSummary].self, from: capture("containers-json-all.json"))
        var web = TrackedContainer(summary: try #require(list.first { $0.name == "web" }))
        #expect(web.phase == .healthy)
        let text = try String(decoding: capture("events-restart-and-health.jsonl"), as: UTF8.self)
        let events = try text.split(separator: "\n").map { try JSONDecoder().decode(DockerEvent.self, from: Data($0.utf8)) }
        var shown: [String] = []
        for event in events where event.actor.attributes["name"] == "web" && event.type == "container" {
            let changed = web.condition.apply(event)
            shown.append("\(event.action) \(changed ? "→ \(web.phase)" : "-")")
        }
        #expect(shown == ["kill -", "kill -", "die → exited", "stop -", "start → running", "restart → running",
                          "health_status: healthy → healthy"])

        // A verdict that trails a death does not bring the container back.
        var ticker = TrackedContainer(summary: try #require(list.first { $0.name == "ticker" }))
        let lateVerdict = try #require(events.first { $0.action == "health_status: unhealthy" })
        let changed = ticker.condition.apply(lateVerdict)
        #expect(!changed)
        #expect(ticker.phase == .exited)
    }

    @Test func multiplexedFramesSplitIntoLinesWithStreamAndTime() throws {
        var decoder = LogStreamDecoder(tty: false)
        let bytes = try hexdump(section: "tail=2&timestamps=1   (multiplexed")
        // One byte at a time: frames and lines must survive any chunking.
        let lines = bytes.flatMap { decoder.feed([$0]) }
        #expect(lines.map(\.stream) == [.stdout, .stderr])
        #expect(lines.map { String(decoding: $0.bytes, as: UTF8.self) } == ["out line 227", "err line 227"])
        #expect(lines[0].time == DockerTime.parse("2026-11-30T10:28:32.462213858Z"))
        let plain = try hexdump(section: "tail=2   (multiplexed, no timestamps)")
        var second = LogStreamDecoder(tty: false)
        #expect(second.feed(plain).map { String(decoding: $0.bytes, as: UTF8.self) } == ["out line 210", "err line 210"])
    }

    @Test func ttyStreamsAreRawWithCRLF() throws {
        var decoder = LogStreamDecoder(tty: true)
        let lines = decoder.feed(try hexdump(section: "ttybox"))
        #expect(lines.map { String(decoding: $0.bytes, as: UTF8.self) } == ["tty line 210", "tty err 210"])
        #expect(lines.allSatisfy { $0.time != nil && $0.stream == .stdout })
    }

    @Test func timesParseToTheNanosecondAndZeroIsNone() {
        let date = DockerTime.parse("2026-11-30T10:28:32.462213858Z")!
        #expect(abs(date.timeIntervalSince1970 - 1_796_034_512.462213858) < 1e-6)
        #expect(DockerTime.parse("0001-01-01T00:00:00Z") == nil)
        #expect(DockerTime.parse("2026-11-30T10:28:32Z")!.timeIntervalSince1970 == 1_796_034_512)
    }

    @Test func endpointsResolveInTheDocumentedOrder() throws {
        #expect(try DockerEndpoint.resolve(host: "unix:///tmp/x.sock", environment: ["DOCKER_HOST": "tcp://h:1"]).description == "unix:///tmp/x.sock")
        #expect(try DockerEndpoint.resolve(host: nil, environment: ["DOCKER_HOST": "tcp://127.0.0.1:2375"]).transport == .tcp(host: "127.0.0.1", port: 2375))
        let none = try DockerEndpoint.resolve(host: nil, environment: ["XDG_RUNTIME_DIR": "/run/user/7"], exists: { _ in false })
        #expect(none.description == "unix:///var/run/docker.sock")
        let podman = try DockerEndpoint.resolve(host: nil, environment: ["XDG_RUNTIME_DIR": "/run/user/7"], exists: { $0 == "/run/user/7/podman/podman.sock" })
        #expect(podman.description == "unix:///run/user/7/podman/podman.sock")
        #expect(throws: RuntimeError.self) { try DockerEndpoint.parse("ssh://me@host") }
    }

    @Test func aMissingSocketSaysWhatToDo() async {
        let endpoint = DockerEndpoint(transport: .unixSocket(path: "/nonexistent/docker.sock"))
        await #expect(throws: RuntimeError("cannot reach Docker at unix:///nonexistent/docker.sock: no such file — is the daemon running? try --host or --demo")) {
            _ = try await DockerClient.connect(endpoint)
        }
    }

    @Test func clonesTakeTheNextNumberAndDropTheOldIdentity() throws {
        let raw = try JSONSerialization.jsonObject(with: capture("inspect-compose-labelled-unhealthy.json")) as! [String: Any]
        let body = DockerClone.createBody(from: raw, containerNumber: 3)
        #expect(body["Hostname"] == nil)
        #expect((body["Labels"] as? [String: String])?["com.docker.compose.container-number"] == "3")
        #expect((body["Labels"] as? [String: String])?["com.docker.compose.project"] == "demo")
        #expect(body["HostConfig"] != nil)
        #expect(body["Image"] as? String == "bb:local")
    }
}
