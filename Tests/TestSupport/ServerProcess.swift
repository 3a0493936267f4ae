import Foundation
import PodtopProcess

/// A Python server a test starts: it prints where it listens on its first line, and is ended
/// (SIGKILL, with anything it started) when the test lets go of it.
public final class ServerProcess: Sendable {
    let child: LaunchedChild
    /// What the server printed first (its ports).
    public let firstLine: String

    /// Starts `script` and waits up to `timeout` for its first line.
    public init(script: String, arguments: [String], timeout: Duration = .seconds(30)) async throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("podtop-server-\(UUID().uuidString.prefix(8)).out").path
        defer { try? FileManager.default.removeItem(atPath: output) }
        child = try LaunchedChild("python3", [script] + arguments, standardOutput: output)
        var line: Substring?
        await Eventually.holds(within: timeout) { [child] in
            let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
            line = text.firstIndex(of: "\n").map { text[..<$0] }
            return line != nil || child.ending != nil
        }
        guard let line else {
            child.kill()
            throw Spawn.Failure(description: "\(script) printed no first line within \(timeout)"
                                + (child.ending.map { " (it ended: \($0))" } ?? ""))
        }
        firstLine = String(line)
    }

    /// The numbers of the first line ("41234 41235").
    public var ports: [Int] { firstLine.split(separator: " ").compactMap { Int($0) } }
}
