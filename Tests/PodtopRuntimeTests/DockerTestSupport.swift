import Foundation
import PodtopCore
import Testing
import TestSupport
@testable import PodtopRuntime

/// The real Docker daemon that scripts/test starts for the suite (PODTOP_TEST_DOCKER_HOST).
enum TestDocker {
    static let host = TestDaemon.host
    static var available: Bool { host != nil }
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardizedFileURL

    /// Runs the docker CLI against `host`; returns its trimmed standard output.
    @discardableResult
    static func docker(_ arguments: [String], host: String? = TestDocker.host) async throws -> String {
        try await TestDaemon.docker(arguments, host: host)
    }

    /// Runs a command to completion and returns its trimmed output (stderr included when it fails).
    @discardableResult
    static func shell(_ arguments: [String]) async throws -> String {
        try await Spawn.run(arguments, capture: true, check: true).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A topology whose pods match only this test's containers (label podtop.test=<id>).
    static func topology(_ testID: String, pods: [String] = ["core", "experience"], maxReplicas: Int = 20) -> Topology {
        Topology(pods: pods.map { pod in
            PodSpec(id: PodID(pod), displayName: pod.capitalized, services: [],
                    selector: ContainerSelector([.labels(["podtop.test": testID, "com.docker.compose.service": "\(pod)-pod"])]),
                    minReplicas: 0, maxReplicas: maxReplicas)
        }, infrastructure: [])
    }

    /// Starts a compose-labelled container of this test; returns its id.
    @discardableResult
    static func run(_ testID: String, service: String, number: Int, tty: Bool = false, network: String = "none",
                    extra: [String] = [], command: String = "trap 'exit 0' TERM; while true; do echo tick; sleep 1 & wait $!; done", host: String? = TestDocker.host) async throws -> String {
        try await docker(["run", "-d", "--name", "t\(testID)-\(service)-\(number)", "--network", network,
                    "--label", "podtop.test=\(testID)", "--label", "com.docker.compose.project=t\(testID)",
                    "--label", "com.docker.compose.service=\(service)", "--label", "com.docker.compose.container-number=\(number)",
                    "--label", "com.docker.compose.oneoff=False"] + (tty ? ["-t"] : []) + extra
                   + ["podtop-busybox:local", "sh", "-c", command], host: host)
    }

    /// Removes this test's containers in the background: a `defer` cannot wait, and nothing
    /// else looks at another test's containers.
    static func removeAll(_ testID: String, host: String? = TestDocker.host) {
        TestDaemon.removeInBackground(label: "podtop.test=\(testID)", host: host)
    }

    static func newID() -> String { String(UUID().uuidString.prefix(8)).lowercased() }
}

/// Collects what a runtime emits, for tests to wait on.
final class RuntimeRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [(Date, RuntimeEvent)] = []

    func record(_ event: RuntimeEvent) { lock.withLock { events.append((Date(), event)) } }

    var all: [(Date, RuntimeEvent)] { lock.withLock { events } }

    var latestSnapshot: RuntimeSnapshot? {
        all.reversed().lazy.compactMap { if case .snapshot(let s) = $0.1 { s } else { nil } }.first
    }

    var logLines: [LogLine] { all.flatMap { entry -> [LogLine] in if case .logs(let l) = entry.1 { return l } else { return [] } } }

    /// Waits until a snapshot satisfies `condition`; returns when it first did, or nil on time-out.
    func waitForSnapshot(seconds: Double = 15, _ condition: (RuntimeSnapshot) -> Bool) async -> (Date, RuntimeSnapshot)? {
        var found: (Date, RuntimeSnapshot)?
        await Eventually.holds(within: .seconds(seconds)) {
            for (at, event) in all { if case .snapshot(let s) = event, condition(s) { found = (at, s); return true } }
            return false
        }
        return found
    }

    func waitFor(seconds: Double = 15, _ condition: ([(Date, RuntimeEvent)]) -> Bool) async -> Bool {
        await Eventually.holds(within: .seconds(seconds)) { condition(all) }
    }
}
