#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Tells which of many files were written since it was last asked (Linux inotify), so that a
/// look at 150 log files reads only the few that grew instead of `pread`ing and `fstat`ing all
/// of them. One descriptor for all the files, read without blocking.
final class FileChangeWatch {
    private let descriptor: Int32
    private var keys: [Int32: String] = [:]
    private var buffer = [UInt8](repeating: 0, count: 16 * 1024)

    /// Nil where inotify is not available (another OS, or the user's instance limit reached).
    init?() {
        let fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { return nil }
        descriptor = fd
    }

    deinit { close(descriptor) }

    /// Watches the file that `path` names now (a file renamed later is still the one watched) for
    /// writes, truncation and being renamed or removed; changes are then reported under `key`.
    /// False when it cannot be watched (the user's watch limit): the caller must look itself.
    @discardableResult
    func watch(_ path: String, as key: String) -> Bool {
        let events = UInt32(IN_MODIFY) | UInt32(IN_ATTRIB) | UInt32(IN_MOVE_SELF) | UInt32(IN_DELETE_SELF)
        let number = inotify_add_watch(descriptor, path, events)
        guard number >= 0 else { return false }
        keys[number] = key
        return true
    }

    /// Stops reporting changes under `key` (its files' watches go when the files are deleted, or
    /// with this watch).
    func forget(_ key: String) {
        for (number, watched) in keys where watched == key {
            inotify_rm_watch(descriptor, number)
            keys[number] = nil
        }
    }

    enum Change { case written, renamed }

    /// The keys of the files changed since the last call, and how (a renamed file may have been
    /// written too); nil when the kernel's queue overflowed and changes were lost, so that every
    /// file must be looked at.
    func changed() -> [String: Change]? {
        var changed: [String: Change] = [:]
        let headerSize = MemoryLayout<inotify_event>.size
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return changed }  // EAGAIN: nothing more
            var offset = 0
            while offset + headerSize <= count {
                let (number, mask, nameLength) = buffer.withUnsafeBytes { raw in
                    (raw.loadUnaligned(fromByteOffset: offset, as: Int32.self),
                     raw.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self),
                     raw.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self))
                }
                if mask & UInt32(IN_Q_OVERFLOW) != 0 { return nil }
                if let key = keys[number] {
                    let renamed = mask & (UInt32(IN_MOVE_SELF) | UInt32(IN_DELETE_SELF)) != 0
                    if renamed || changed[key] == nil { changed[key] = renamed ? .renamed : .written }
                }
                // The kernel dropped a watch whose file is gone: its number may be handed out again.
                if mask & UInt32(IN_IGNORED) != 0 { keys[number] = nil }
                offset += headerSize + Int(nameLength)
            }
        }
    }
}
