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
    /// again; a `stat` of a long path for each of 150 files twice a second is not free.
    let rotates: Bool
    private var descriptor: Int32
    /// The file being read: changes when the driver rotates the log.
    private(set) var inode: ino_t
    private var offset: off_t
    private var decoder = JSONFileLogDecoder()
    /// Most bytes read from one file in one look, so that a flood in one container cannot hold
    /// up the others; the rest is read at the next look.
    static let maxBytesPerLook = 4 * 1024 * 1024

    /// Opens `path` positioned at the start of its last `lines` lines; nil when it cannot be read.
    init?(path: String, rotates: Bool, lastLines lines: Int) {
        let fd = Self.openForReading(path)
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

    /// A path to the very file being read, whatever its name has become (for inotify).
    var openFilePath: String { "/proc/self/fd/\(descriptor)" }

    /// The lines appended since the last call, read through `buffer` (one for all the files
    /// followed: 64 KiB each would be 10 MB on a fleet of 150). A busy file costs one `pread`
    /// (a short read is its end); only a file with nothing new is looked at further — has it
    /// been truncated, or rotated? — unless the caller knows it was `renamed`.
    func readNew(through buffer: inout [UInt8], renamed: Bool = false) -> [DockerLogDecoder.Line] {
        var lines = read(through: &buffer)
        if !renamed {
            guard lines.isEmpty, let size = size() else { return lines }
            if size < offset {  // truncated in place: read it again from the start
                offset = 0
                return read(through: &buffer)
            }
        }
        guard rotates, rotated() else { return lines }
        // What the driver wrote just before renaming the file; then any file that was filled
        // and rotated in between two looks (ours is now `.N`: `.N-1` … `.1` came after it,
        // unless compressed); then the new file.
        lines += read(through: &buffer)
        if let ours = rotatedPosition(), ours > 1 {
            for number in stride(from: ours - 1, through: 1, by: -1) where reopen("\(path).\(number)") {
                lines += read(through: &buffer)
            }
        }
        if reopen(path) { lines += read(through: &buffer) }
        return lines
    }

    /// Unfinished messages, when the container is let go of.
    func finish() -> [DockerLogDecoder.Line] { decoder.finish() }

    /// Reads from the offset to the end of the file as it is now (at most `maxBytesPerLook`).
    private func read(through buffer: inout [UInt8]) -> [DockerLogDecoder.Line] {
        var lines: [DockerLogDecoder.Line] = []
        var total = 0
        while total < Self.maxBytesPerLook {
            let wanted = buffer.count
            let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, wanted, offset) }
            guard count > 0 else { break }
            offset += off_t(count)
            total += count
            lines += decoder.feed(buffer[0..<count])
            if count < wanted { break }
        }
        return lines
    }

    private func size() -> off_t? {
        var status = stat()
        return fstat(descriptor, &status) == 0 ? status.st_size : nil
    }

    /// Whether the path now names another file (the driver renamed this one to `.1`).
    private func rotated() -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && status.st_ino != inode
    }

    /// Which `.N` the file being read has become after the driver's renames.
    private func rotatedPosition() -> Int? {
        var status = stat()
        for number in 1...Self.rotatedFilesLookedAt {
            guard stat("\(path).\(number)", &status) == 0 else { return nil }
            if status.st_ino == inode { return number }
        }
        return nil
    }

    static let rotatedFilesLookedAt = 20

    /// Reads `file` from its start from now on; false (still on the old file) if it cannot be opened.
    private func reopen(_ file: String) -> Bool {
        let fd = Self.openForReading(file)
        var status = stat()
        guard fd >= 0, fstat(fd, &status) == 0 else {
            if fd >= 0 { close(fd) }
            return false
        }
        close(descriptor)
        descriptor = fd
        inode = status.st_ino
        offset = 0
        return true
    }

    /// Reading a file that was written since its last read updates its access time, which on
    /// ext4 dirties and journals the inode: a third of the cost of reading a busy log twice a
    /// second. `O_NOATIME` is allowed only to the file's owner (or root), so it is tried first.
    static func openForReading(_ path: String) -> Int32 {
        let fd = open(path, O_RDONLY | O_CLOEXEC | noAccessTime)
        if fd >= 0 || errno != EPERM { return fd }
        return open(path, O_RDONLY | O_CLOEXEC)
    }

    /// Linux's `O_NOATIME` (the same on x86-64 and arm64), which Swift's Glibc module leaves out.
    static let noAccessTime: Int32 = 0o1000000

    /// Where the last `count` lines of the file begin: read backwards a block at a time, the
    /// first one small (50 json-file lines are about 8 KiB; 150 containers' 64 KiB each were
    /// 10 MB read at start), each next one twice as big.
    static func startOfLastLines(_ fd: Int32, size: off_t, count: Int) -> off_t {
        guard count > 0 else { return size }
        var block = [UInt8](repeating: 0, count: min(256 * count, 1 << 20))
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
            if block.count < 1 << 20 { block = [UInt8](repeating: 0, count: block.count * 2) }
        }
        return 0
    }
}
