import Foundation
import PodtopProcess

/// The private Docker daemon that scripts/test starts for the suite (PODTOP_TEST_DOCKER_HOST),
/// reached through the docker CLI.
public enum TestDaemon {
    public static let host = ProcessInfo.processInfo.environment["PODTOP_TEST_DOCKER_HOST"]

    /// Runs the docker CLI against `host`; returns its trimmed standard output, throws on failure.
    @discardableResult
    public static func docker(_ arguments: [String], host: String? = TestDaemon.host) async throws -> String {
        try await Spawn.run(["docker", "-H", host ?? ""] + arguments, capture: true, check: true)
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Removes the containers with `label` without waiting for it (for a `defer`, which cannot).
    public static func removeInBackground(label: String, host: String? = TestDaemon.host) {
        let docker = "docker -H '\(host ?? "")'"
        _ = try? LaunchedChild("sh", ["-c", "ids=$(\(docker) ps -aq --filter '\(label)'); [ -z \"$ids\" ] || \(docker) rm -f $ids"],
                               endsWithOwner: false)
    }
}
