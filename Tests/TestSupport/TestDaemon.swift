import Foundation

/// The private Docker daemon that scripts/test starts for the suite (PODTOP_TEST_DOCKER_HOST),
/// reached through the docker CLI.
public enum TestDaemon {
    public static let host = ProcessInfo.processInfo.environment["PODTOP_TEST_DOCKER_HOST"]

    /// Runs the docker CLI against `host`; returns its trimmed standard output, throws on failure.
    @discardableResult
    public static func docker(_ arguments: [String], host: String? = TestDaemon.host) throws -> String {
        try Spawn.run(["/usr/bin/env", "docker", "-H", host ?? ""] + arguments, capture: true, check: true)
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
