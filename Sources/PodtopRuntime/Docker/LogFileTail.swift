#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Foundation

/// Follows one container's json-file log on disk the way `tail -F` does: from its last N lines,
/// reading what was appended since the last look, and starting over on the new file when the
/// driver rotates it (`max-size`): the old one is read to its end first, so no line is lost.
final class LogFileTail {
    let path: String
    /// The driver renames the file away at a size (`max-size`): only then is the path looked at
    /// again; a `stat` of a long path for each of 150 files four times a second is not free.
    let rotates: Bool
    private var descriptor: Int32
    private var inode: ino_t
    private var offset: off_t
    private var decoder = JSONFileLogDecoder()
    /// Most bytes read from one file in one look, so that a flood in one container cannot hold
    /// up the others; the rest is read at the next look.
    static let maxBytesPerLook = 4 * 1024 * 1024

    /// Opens `path` positioned at the start of its last `lines` lines; nil when it cannot be read.
    init?(path: String, rotates: Bool, lastLines lines: Int) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        var status = stat()
        guard fstat(fd, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            return nil
        }
        self.path = path
        self.rotates = rotates
        descriptor = fd
        inode = status.st_ino
        offset = Self.startOfLastLines(fd, size: status.st_size, count: lines)
    }

    deinit { close(descriptor) }

    /// The lines appended since the last call, read through `buffer` (one for all the files
    /// followed: 64 KiB each would be 10 MB on a fleet of 150).
    func readNew(through buffer: inout [UInt8]) -> [DockerLogDecoder.Line] {
        var lines = readToEnd(through: &buffer)
        if rotates, !grew(), rotated() {
            lines += readToEnd(through: &buffer)
            reopen()
            lines += readToEnd(through: &buffer)
        }
        return lines
    }

    /// Unfinished messages, when the container is let go of.
    func finish() -> [DockerLogDecoder.Line] { decoder.finish() }

    private func readToEnd(through buffer: inout [UInt8]) -> [DockerLogDecoder.Line] {
        var lines: [DockerLogDecoder.Line] = []
        var total = 0
        while total < Self.maxBytesPerLook {
            let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, offset) }
            guard count > 0 else { break }
            offset += off_t(count)
            total += count
            lines += decoder.feed(buffer[0..<count])
        }
        return lines
    }

    private func grew() -> Bool {
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { return false }
        if status.st_size < offset { offset = 0 }  // truncated in place: read it again from the start
        return status.st_size > offset
    }

    /// Whether the path now names another file (the driver renamed this one to `.1`).
    private func rotated() -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && status.st_ino != inode
    }

    private func reopen() {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        var status = stat()
        guard fd >= 0, fstat(fd, &status) == 0 else {
            if fd >= 0 { close(fd) }
            return
        }
        close(descriptor)
        descriptor = fd
        inode = status.st_ino
        offset = 0
    }

    /// Where the last `count` lines of the file begin: read backwards a block at a time.
    static func startOfLastLines(_ fd: Int32, size: off_t, count: Int) -> off_t {
        guard count > 0 else { return size }
        var block = [UInt8](repeating: 0, count: 64 * 1024)
        var end = size
        var newlines = 0
        while end > 0 {
            let start = max(0, end - off_t(block.count))
            let length = Int(end - start)
            let read = block.withUnsafeMutableBytes { pread(fd, $0.baseAddress, length, start) }
            guard read == length else { return size }
            for index in stride(from: length - 1, through: 0, by: -1) where block[index] == UInt8(ascii: "\n") {
                // The file's last byte is the newline ending the last line: it does not start one.
                if start + off_t(index) == size - 1 { continue }
                newlines += 1
                if newlines == count { return start + off_t(index) + 1 }
            }
            end = start
        }
        return 0
    }
}
