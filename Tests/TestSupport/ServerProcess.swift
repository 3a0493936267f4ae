import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A Python server a test starts: it prints where it listens on its first line, and is ended
/// with SIGKILL (the test runner's threads block SIGTERM, and the server inherits the mask).
public final class ServerProcess: @unchecked Sendable {
    let process = Process()
    /// What the server printed first (its ports).
    public let firstLine: String

    public init(script: String, arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script] + arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line = Data()
        while let byte = try out.fileHandleForReading.read(upToCount: 1), !byte.isEmpty, byte != Data("\n".utf8) { line += byte }
        firstLine = String(decoding: line, as: UTF8.self)
    }

    /// The numbers of the first line ("41234 41235").
    public var ports: [Int] { firstLine.split(separator: " ").compactMap { Int($0) } }

    deinit {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}
