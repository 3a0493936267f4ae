import Foundation

/// Writes the saved log lines to a new file, never over an existing one, readable by its owner
/// alone (logs carry tokens and customers' data), and says the outcome in words for the status
/// line.
enum LogFileWriter {
    static func save(_ lines: [String], named fileName: String, in directory: String) -> (message: String, isError: Bool) {
        let path = (directory as NSString).appendingPathComponent(fileName)
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            return ("Could not save the logs to \(path): \(String(cString: strerror(errno)))", true)
        }
        defer { close(descriptor) }
        var bytes = [UInt8]()
        bytes.reserveCapacity(lines.reduce(0) { $0 + $1.utf8.count + 1 })
        for line in lines {
            bytes.append(contentsOf: line.utf8)
            bytes.append(0x0A)
        }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + written, bytes.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                return ("Could not save the logs to \(path): \(String(cString: strerror(errno)))", true)
            }
            written += n
        }
        return ("Saved \(lines.count) log line\(lines.count == 1 ? "" : "s") to \(path)", false)
    }
}
