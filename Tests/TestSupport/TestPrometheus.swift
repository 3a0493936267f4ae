import Foundation

/// The Prometheus scripts/test starts on loopback (scripts/private-prometheus), scraping itself
/// every second; nil when the tests run without it.
public enum TestPrometheus {
    public static let url = ProcessInfo.processInfo.environment["PODTOP_TEST_PROMETHEUS"]

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Services Prometheus can scrape: one port per entry of `errorRatios` (metrics_server.py).
    public static func services(errorRatios: [Double]) async throws -> ServerProcess {
        let script = repository.appendingPathComponent("Tests/TestSupport/Servers/metrics_server.py").path
        return try await ServerProcess(script: script, arguments: errorRatios.map { "\($0)" })
    }

    /// A Prometheus of the test's own that scrapes `ports` every second as `job`; stopped and
    /// its data removed by `stop()`.
    public final class Own: Sendable {
        public let url: String
        let directory: String

        /// `rules`: the text of a rules file (groups:…) to evaluate every second.
        public init(scraping ports: [Int], job: String, rules: String? = nil) async throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("podtop-prometheus-\(UUID().uuidString.prefix(8))").path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let targets = ports.map { "\"127.0.0.1:\($0)\"" }.joined(separator: ", ")
            var ruleFiles = ""
            if let rules {
                try rules.write(toFile: directory + ".rules.yml", atomically: true, encoding: .utf8)
                ruleFiles = "rule_files: [ \"\(directory).rules.yml\" ]"
            }
            let config = """
                global: { scrape_interval: 1s, evaluation_interval: 1s }
                \(ruleFiles)
                scrape_configs:
                  - job_name: \(job)
                    static_configs: [ { targets: [\(targets)] } ]
                """
            let configPath = directory + ".yml"
            try config.write(toFile: configPath, atomically: true, encoding: .utf8)
            let script = TestPrometheus.repository.appendingPathComponent("scripts/private-prometheus").path
            let output = try await Spawn.run([script, "start", directory, "\(LoopbackPort.free())", configPath], capture: true, check: true,
                                             timeout: .seconds(30))
            url = output.split(separator: "\n").last.map(String.init) ?? ""
        }

        public func stop() async {
            let script = TestPrometheus.repository.appendingPathComponent("scripts/private-prometheus").path
            _ = try? await Spawn.run([script, "stop", directory], capture: false, timeout: .seconds(30))
            try? FileManager.default.removeItem(atPath: directory + ".yml")
            try? FileManager.default.removeItem(atPath: directory + ".rules.yml")
        }
    }
}
