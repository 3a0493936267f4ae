#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Reads a local container's CPU and memory counters straight from its cgroup, the same files
/// the daemon reads to answer a stats call — but without asking the daemon, which spends about
/// 0.2 % of a core per container per second on every stats stream or one-shot call.
///
/// Used only when the daemon is local and the files are readable; anything else falls back to
/// the API's one-shot stats.
public struct CgroupStatsReader: Sendable {
    public let mounts: CgroupMounts
    /// Where the process table is, `/proc` on a real host; a directory of the tests' own otherwise.
    let procRoot: String

    public init(mounts: CgroupMounts, procRoot: String = "/proc") {
        self.mounts = mounts
        self.procRoot = procRoot
    }

    /// The reader for this host, or nil when no cgroup hierarchy is mounted.
    public static func host() -> CgroupStatsReader? {
        guard let text = CgroupFile.readText("/proc/self/mountinfo") else { return nil }
        let mounts = CgroupMounts.parse(mountinfo: text)
        guard mounts.hasV1 || mounts.unified != nil else { return nil }
        return CgroupStatsReader(mounts: mounts)
    }

    /// The counters of a container, found through its main process's `/proc/PID/cgroup` (which
    /// covers custom cgroup parents, systemd slices and rootless Podman), else at the paths Docker
    /// and Podman use by default. Nil when none of them is readable.
    public func locate(containerID: String, pid: Int?) -> CgroupCounters? {
        var candidates: [CgroupLocation] = []
        if let pid, pid > 0, let text = CgroupFile.readText("\(procRoot)/\(pid)/cgroup") {
            candidates += locations(inProcessCgroup: text, containerID: containerID)
        }
        candidates += defaultLocations(containerID)
        // Opening all three files is proof enough: a cgroup that goes away later fails its read,
        // and the API answers for it then.
        return candidates.lazy.compactMap { CgroupCounters($0) }.first
    }

    /// The paths named in `/proc/PID/cgroup`: "HIERARCHY:CONTROLLERS:PATH" lines for v1, one
    /// "0::PATH" line for v2. A path must name the container, so that a process of the same
    /// number on another host (a socket forwarded from elsewhere) is never mistaken for it.
    func locations(inProcessCgroup text: String, containerID: String) -> [CgroupLocation] {
        var cpuPath: String?, memoryPath: String?, unifiedPath: String?
        let id = Array(containerID.utf8)
        // Split as bytes: splitting by Character is far slower, and every container's file is read at start-up.
        let colon = UInt8(ascii: ":"), comma = UInt8(ascii: ",")
        for line in text.utf8.split(separator: UInt8(ascii: "\n")) {
            let parts = line.split(separator: colon, maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3, Self.path(Array(parts[2]), names: id) else { continue }
            let path = String(decoding: parts[2], as: UTF8.self)
            let controllers = parts[1].split(separator: comma)
            if parts[0].elementsEqual("0".utf8), controllers.isEmpty { unifiedPath = path }
            if controllers.contains(where: { $0.elementsEqual("cpuacct".utf8) }) { cpuPath = path }
            if controllers.contains(where: { $0.elementsEqual("memory".utf8) }) { memoryPath = path }
        }
        var found: [CgroupLocation] = []
        if let cpuacct = mounts.cpuacct, let memory = mounts.memory, let cpuPath, let memoryPath {
            found.append(.v1(cpuacct: cpuacct.directory(of: cpuPath), memory: memory.directory(of: memoryPath)))
        }
        if let unified = mounts.unified, let unifiedPath {
            found.append(.v2(unified.directory(of: unifiedPath)))
        }
        return found
    }

    /// Whether a cgroup path has the container's ID in it ("docker/ID", "docker-ID.scope",
    /// "libpod-ID"…).
    static func path(_ path: [UInt8], names id: [UInt8]) -> Bool {
        guard !id.isEmpty, path.count >= id.count else { return false }
        return (0...(path.count - id.count)).contains { start in path[start] == id[0] && path[start..<(start + id.count)].elementsEqual(id) }
    }

    /// Docker's cgroupfs and systemd drivers, and Podman's, in that order.
    func defaultLocations(_ id: String) -> [CgroupLocation] {
        let relatives = ["docker/\(id)", "system.slice/docker-\(id).scope", "machine.slice/libpod-\(id).scope", "libpod_parent/libpod-\(id)"]
        var found: [CgroupLocation] = []
        if let cpuacct = mounts.cpuacct, let memory = mounts.memory {
            found += relatives.map { .v1(cpuacct: cpuacct.directory(of: $0), memory: memory.directory(of: $0)) }
        }
        if let unified = mounts.unified {
            found += relatives.map { .v2(unified.directory(of: $0)) }
        }
        return found
    }
}

/// A container's cgroup directories: two hierarchies on v1 (CPU accounting, memory), one on v2.
public enum CgroupLocation: Sendable, Equatable {
    case v1(cpuacct: String, memory: String)
    case v2(String)
}

/// The three files that hold one container's CPU time, memory usage and memory breakdown. Kept
/// open while the descriptor budget allows: each reading is then three `pread`s at offset 0
/// (which makes the kernel generate the file afresh) instead of three path walks through the
/// cgroup filesystem. Past the budget they are opened for each reading and closed after it.
public final class CgroupCounters: Sendable, Equatable {
    public enum Version: String, Sendable { case v1, v2 }

    public let version: Version
    /// CPU time, memory usage, memory breakdown: the order `read` takes them in.
    let files: [String]
    /// The open files, or nil when they are opened for each reading.
    private let held: [Int32]?
    private let budget: DescriptorBudget

    /// Nil unless all three files open.
    init?(_ location: CgroupLocation, budget: DescriptorBudget = .process) {
        switch location {
        case .v1(let cpuacct, let memory):
            (version, files) = (.v1, [cpuacct + "/cpuacct.usage", memory + "/memory.usage_in_bytes", memory + "/memory.stat"])
        case .v2(let directory):
            (version, files) = (.v2, [directory + "/cpu.stat", directory + "/memory.current", directory + "/memory.stat"])
        }
        self.budget = budget
        guard let descriptors = CgroupFile.openAll(files, budget: budget) else { return nil }
        if budget.takeCgroupFiles(descriptors.count) {
            held = descriptors
        } else {
            descriptors.forEach { close($0) }
            held = nil
        }
    }

    deinit {
        guard let held else { return }
        held.forEach { close($0) }
        budget.returnCgroupFiles(held.count)
    }

    public static func == (a: CgroupCounters, b: CgroupCounters) -> Bool {
        a.version == b.version && a.files == b.files
    }

    /// The counters now; nil once the cgroup is gone (the container stopped) or unreadable.
    /// All three files every time: `memory.stat` is the costly one (the kernel flushes and formats
    /// some fifty counters), but the inactive file cache it holds moves while the usage stands
    /// still, and skipping it leaves the memory figure off from `docker stats`.
    public func read(at now: ContinuousClock.Instant = .now) -> CgroupSample? {
        guard let descriptors = held ?? CgroupFile.openAll(files, budget: budget) else { return nil }
        defer { if held == nil { descriptors.forEach { close($0) } } }
        var buffer = [UInt8](repeating: 0, count: 8192)
        guard let cpuCount = CgroupFile.read(descriptors[0], into: &buffer) else { return nil }
        let cpu = buffer[..<cpuCount]
        // v1: nanoseconds, the whole file; v2: microseconds, one line of cpu.stat.
        guard let cpuNanoseconds = version == .v1 ? CgroupFile.leadingNumber(cpu) : CgroupFile.value(of: "usage_usec", in: cpu).map({ $0 * 1000 })
        else { return nil }
        guard let usageCount = CgroupFile.read(descriptors[1], into: &buffer),
              let usage = CgroupFile.leadingNumber(buffer[..<usageCount]),
              let statCount = CgroupFile.read(descriptors[2], into: &buffer) else { return nil }
        // The key the docker CLI subtracts: hierarchical on v1, the only one there is on v2.
        let inactive = CgroupFile.value(of: version == .v1 ? "total_inactive_file" : "inactive_file", in: buffer[..<statCount])
        return CgroupSample(cpuNanoseconds: cpuNanoseconds, memoryUsage: usage, inactiveFile: inactive, takenAt: now)
    }
}

/// One reading of a container's cgroup counters.
public struct CgroupSample: Sendable, Equatable {
    public var cpuNanoseconds: UInt64
    public var memoryUsage: UInt64
    public var inactiveFile: UInt64?
    public var takenAt: ContinuousClock.Instant

    public var memoryUsedBytes: UInt64 { DockerCLI.memoryUsed(usage: memoryUsage, inactiveFile: inactiveFile) }

    /// CPU % of one core between two readings: CPU time over wall time, which is what the docker
    /// CLI's formula (CPU time over host CPU time, times the number of CPUs) comes to.
    public static func cpuPercent(previous: CgroupSample, current: CgroupSample) -> Double? {
        let wallNanoseconds = (current.takenAt - previous.takenAt).seconds * 1e9
        guard wallNanoseconds > 0, current.cpuNanoseconds >= previous.cpuNanoseconds else { return nil }
        return Double(current.cpuNanoseconds - previous.cpuNanoseconds) / wallNanoseconds * 100
    }
}

/// Small kernel files read with plain system calls: a few hundred a second on a big fleet.
enum CgroupFile {
    /// Reads from offset 0 up to the buffer's size; nil if the read fails (a removed cgroup
    /// answers ENODEV). A short read is the whole file: the kernel formats a cgroup file in one
    /// go and hands over all of it that fits, so asking again for the end would only cost a
    /// second system call per file.
    static func read(_ fd: Int32, into buffer: inout [UInt8]) -> Int? {
        var total = 0
        while total < buffer.count {
            let wanted = buffer.count - total
            let count = buffer.withUnsafeMutableBytes { raw in pread(fd, raw.baseAddress! + total, wanted, off_t(total)) }
            if count < 0, errno == EINTR { continue }
            guard count >= 0 else { return nil }
            total += count
            if count < wanted { break }
        }
        return total
    }

    /// Opens every file for reading, or none: nil when one of them does not open (a running
    /// short of descriptors is noted in `budget`).
    static func openAll(_ paths: [String], budget: DescriptorBudget) -> [Int32]? {
        var descriptors: [Int32] = []
        for path in paths {
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else {
                if DescriptorBudget.isExhaustion(errno) { budget.noteExhausted() }
                descriptors.forEach { close($0) }
                return nil
            }
            descriptors.append(fd)
        }
        return descriptors
    }

    static func readText(_ path: String, budget: DescriptorBudget = .process) -> String? {
        guard let fd = openAll([path], budget: budget)?.first else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        return read(fd, into: &buffer).map { String(decoding: buffer[..<$0], as: UTF8.self) }
    }

    static func leadingNumber(_ bytes: ArraySlice<UInt8>) -> UInt64? {
        var value: UInt64 = 0
        var digits = 0
        for byte in bytes {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { break }
            let (times, overflowTimes) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflowSum) = times.addingReportingOverflow(UInt64(byte - UInt8(ascii: "0")))
            guard !overflowTimes, !overflowSum else { return nil }
            value = sum
            digits += 1
        }
        return digits > 0 ? value : nil
    }

    /// The number after "KEY " on a line of a flat-keyed file (`memory.stat`, `cpu.stat`).
    static func value(of key: String, in bytes: ArraySlice<UInt8>) -> UInt64? {
        let key = Array(key.utf8)
        var lineStart = bytes.startIndex
        while lineStart < bytes.endIndex {
            let lineEnd = bytes[lineStart...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.endIndex
            let line = bytes[lineStart..<lineEnd]
            if line.count > key.count, line.starts(with: key), line[lineStart + key.count] == UInt8(ascii: " ") {
                return leadingNumber(line[(lineStart + key.count + 1)...])
            }
            lineStart = lineEnd + 1
        }
        return nil
    }
}
