import Foundation
import PodtopProcess

/// The commands the tests run (docker, kubectl, tmux, python): through ChildProcess, so a test
/// waits for them without holding a thread of the cooperative pool, and one that hangs is killed
/// at its time limit instead of hanging the suite.
public enum Spawn {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        public init(description: String) { self.description = description }
    }

    /// Runs `argv` (argv[0] a path, or a name on PATH) to completion; returns its output (standard
    /// error included) when `capture`. Throws when it cannot start or runs past `timeout`, and
    /// when `check` is set and it exits non-zero.
    @discardableResult
    public static func run(_ argv: [String], capture: Bool, check: Bool = false,
                           timeout: Duration = .seconds(120)) async throws -> String {
        let result: ChildProcess.Result
        do {
            result = try await ChildProcess.run(argv[0], Array(argv.dropFirst()), timeout: timeout, mergeErrors: true)
        } catch {
            throw Failure(description: error.description)
        }
        let text = capture ? result.output : ""
        if result.ending == .timedOut {
            throw Failure(description: "\(argv.joined(separator: " ")) ran past \(timeout) and was killed: \(result.output)")
        }
        if check, !result.succeeded {
            throw Failure(description: "\(argv.joined(separator: " ")) failed (\(result.ending)): \(result.output)")
        }
        return text
    }
}
