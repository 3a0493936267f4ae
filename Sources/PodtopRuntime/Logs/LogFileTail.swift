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
    private let clock: RuntimeClock
    /// Most bytes read from one file in one look, so that a flood in one container cannot hold
    /// up the others; the rest is read at the next look.
    static let maxBytesPerLook = 4 * 1024 * 1024

    /// Opens `path` positioned at the start of its last `lines` lines; nil when it cannot be read.
    init?(path: String, rotates: Bool, lastLines lines: Int, clock: RuntimeClock, budget: DescriptorBudget = .process) {
        let fd = Self.openForReading(path)
        guard fd >= 0 else {
            if DescriptorBudget.isExhaustion(errno) { budget.noteExhausted() }
            return nil
        }
        var status = stat()
        guard fstat(fd, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            return nil
        }
        self.path = path
        self.rotates = rotates
        self.clock = clock
        descriptor = fd
        inode = status.st_ino
        offset = Self.startOfLastLines(fd, size: status.st_size, count: lines)
    }

    deinit { close(descriptor) }

    /// A path to the very file being read, whatever its name has become (for inotify).
    var openFilePath: String { "/proc/self/fd/\(descriptor)" }

    /// Set when the driver was seen in the middle of a rotation (the file renamed, the names not
    /// yet settled): the caller must look again at its next look, not wait for a write.
    private(set) var midRotation = false

    /// The lines appended since the last call, read through `buffer` (one for all the files
    /// followed: 64 KiB each would be 10 MB on a fleet of 150). A busy file costs one `pread`
    /// (a short read is its end); only a file with nothing new is looked at further — has it
    /// been truncated, or rotated? — unless the caller knows it was `renamed`.
    func readNew(through buffer: inout [UInt8], renamed: Bool = false) -> [LogStreamDecoder.Line] {
        midRotation = false
        var lines = read(through: &buffer)
        if !renamed {
            guard lines.isEmpty, let size = size() else { return lines }
            if size < offset {  // truncated in place: read it again from the start
                offset = 0
                return read(through: &buffer)
            }
        }
        guard rotates else { return lines }
        switch newerFiles() {
        case .none:
            return lines
        case .unsettled:
            midRotation = true
            return lines
        case .opened(let files):
            // What the driver wrote just before renaming the file, then each newer file from its
            // start, oldest first; the last is the one at the path, read from now on.
            lines += read(through: &buffer)
            for file in files {
                close(descriptor)
                (descriptor, inode, offset) = (file.descriptor, file.inode, 0)
                lines += read(through: &buffer)
            }
            return lines
        }
    }

    private struct OpenedFile {
        let descriptor: Int32
        let inode: ino_t
    }

    private enum NewerFiles {
        /// The path still names the file being read.
        case none
        /// The driver is between two steps of a rotation: look again shortly.
        case unsettled
        /// The files written after the one being read, oldest first, ending with the path's.
        case opened([OpenedFile])
    }

    /// Opens the files the driver wrote after ours. Its rotation renames `.N-1` → `.N` … `.1` →
    /// `.2`, the path → `.1`, then creates the path: a look can fall between any two of those
    /// steps, and a file opened by name may have moved on before the next one is. So the files
    /// are opened first and every name is checked again afterwards: if each still names the
    /// file opened from it (and ours is still just behind them), all were one state of the
    /// directory, with none skipped or repeated. Otherwise it tries again, or leaves it to the
    /// next look.
    private func newerFiles() -> NewerFiles {
        for _ in 0..<3 {
            guard let atPath = Self.inode(at: path) else { return .unsettled }  // renamed, not yet created
            if atPath == inode {
                unsettled = nil
                return .none
            }
            let names = [path] + (1..<(rotatedPosition() ?? rotatedFilesAfterOurs())).map { "\(path).\($0)" }
            var opened: [OpenedFile] = []
            for name in names {
                guard let file = Self.opened(name) else { break }
                opened.append(file)
            }
            let ourName = "\(path).\(names.count)"
            let settled = opened.count == names.count
                && zip(names, opened).allSatisfy { Self.inode(at: $0) == $1.inode }
                && (Self.inode(at: ourName) == inode || isDeleted())
            if settled {
                unsettled = nil
                return .opened(opened.reversed())
            }
            for file in opened { close(file.descriptor) }
        }
        return givenUpOnRotation() ?? .unsettled
    }

    /// The path names another file, yet no rotation leads there from ours. The driver between
    /// two renames, mostly. But when the path has named the same other file for
    /// `longestRotation` (a driver rotating would have made newer ones by then), the file was
    /// moved elsewhere or replaced: whatever the path names now is followed rather than never.
    private func givenUpOnRotation() -> NewerFiles? {
        guard let atPath = Self.inode(at: path) else { return nil }
        guard let seen = unsettled, seen.pathInode == atPath else {
            unsettled = (clock.now, atPath)
            return nil
        }
        guard clock.now - seen.since >= Self.longestRotation, let file = Self.opened(path) else { return nil }
        unsettled = nil
        return .opened([file])
    }

    /// When a look first found no rotation leading to the file the path names, and which file.
    private var unsettled: (since: Duration, pathInode: ino_t)?
    /// A rotation is a few renames: one seen unfinished for this long is not one.
    static let longestRotation: Duration = .seconds(2)

    private static func opened(_ path: String) -> OpenedFile? {
        let fd = openForReading(path)
        var status = stat()
        guard fd >= 0, fstat(fd, &status) == 0 else {
            if fd >= 0 { close(fd) }
            return nil
        }
        return OpenedFile(descriptor: fd, inode: status.st_ino)
    }

    /// Unfinished messages, when the container is let go of.
    func finish() -> [LogStreamDecoder.Line] { decoder.finish() }

    /// Reads from the offset to the end of the file as it is now (at most `maxBytesPerLook`).
    private func read(through buffer: inout [UInt8]) -> [LogStreamDecoder.Line] {
        var lines: [LogStreamDecoder.Line] = []
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

    private static func inode(at path: String) -> ino_t? {
        var status = stat()
        return stat(path, &status) == 0 ? status.st_ino : nil
    }

    /// The driver deleted the file being read: it fell more than `max-file` rotations behind
    /// (or the driver compressed it).
    private func isDeleted() -> Bool {
        var status = stat()
        return fstat(descriptor, &status) == 0 && status.st_nlink == 0
    }

    /// Which `.N` the file being read has become after the driver's renames; nil when it is
    /// not (yet) found under any.
    private func rotatedPosition() -> Int? {
        for number in 1...Self.rotatedFilesLookedAt {
            guard let found = Self.inode(at: "\(path).\(number)") else { return nil }
            if found == inode { return number }
        }
        return nil
    }

    /// When ours was deleted, every rotated file there is newer: one past the last of them.
    /// Otherwise ours is between two renames (the name it is moving to not yet there): 1, so
    /// that only the path is opened and the check of ours under `.1` fails and is tried again.
    private func rotatedFilesAfterOurs() -> Int {
        guard isDeleted() else { return 1 }
        var count = 0
        while count < Self.rotatedFilesLookedAt, Self.inode(at: "\(path).\(count + 1)") != nil { count += 1 }
        return count + 1
    }

    static let rotatedFilesLookedAt = 20

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
