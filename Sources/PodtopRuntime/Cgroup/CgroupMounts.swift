/// Where the kernel's cgroup hierarchies are mounted, read from `/proc/self/mountinfo`.
///
/// cgroup v1 mounts one hierarchy per controller set (`cpu,cpuacct`, `memory`, …); cgroup v2
/// mounts one unified tree. Hosts in the "hybrid" layout have both, with the v2 tree holding no
/// controllers, so v1 is preferred whenever its `cpuacct` and `memory` hierarchies exist.
public struct CgroupMounts: Sendable, Equatable {
    public struct Mount: Sendable, Equatable {
        /// Where the hierarchy is mounted, e.g. `/sys/fs/cgroup/memory`.
        public var mountPoint: String
        /// The cgroup the mount shows as its root (not `/` inside a cgroup namespace or a container).
        public var root: String

        /// The directory of a cgroup given by its path in `/proc/PID/cgroup`.
        public func directory(of cgroupPath: String) -> String {
            var relative = Substring(cgroupPath)
            if root != "/", relative.hasPrefix(root) { relative = relative.dropFirst(root.count) }
            if relative.hasPrefix("/") { relative = relative.dropFirst() }
            return relative.isEmpty ? mountPoint : mountPoint + "/" + relative
        }
    }

    public var cpuacct: Mount?
    public var memory: Mount?
    public var unified: Mount?

    public init(cpuacct: Mount? = nil, memory: Mount? = nil, unified: Mount? = nil) {
        self.cpuacct = cpuacct
        self.memory = memory
        self.unified = unified
    }

    /// The mounts named in a mountinfo text (proc(5): "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS
    /// [OPTIONAL…] - FSTYPE SOURCE SUPER-OPTIONS").
    public static func parse(mountinfo: String) -> CgroupMounts {
        var mounts = CgroupMounts()
        for line in mountinfo.split(separator: "\n") {
            let halves = line.split(separator: " - ", maxSplits: 1)
            guard halves.count == 2 else { continue }
            let fields = halves[0].split(separator: " ")
            let tail = halves[1].split(separator: " ")
            guard fields.count >= 5, tail.count >= 3 else { continue }
            let mount = Mount(mountPoint: unescape(fields[4]), root: unescape(fields[3]))
            switch tail[0] {
            case "cgroup2":
                mounts.unified = mounts.unified ?? mount
            case "cgroup":
                let options = tail[2].split(separator: ",")
                if options.contains("cpuacct") { mounts.cpuacct = mounts.cpuacct ?? mount }
                if options.contains("memory") { mounts.memory = mounts.memory ?? mount }
            default:
                continue
            }
        }
        return mounts
    }

    /// mountinfo writes space, tab, newline and backslash in paths as octal escapes (`\040`).
    static func unescape(_ field: Substring) -> String {
        guard field.contains("\\") else { return String(field) }
        var bytes: [UInt8] = []
        var utf8 = Array(field.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "\\"), utf8.count >= 3,
               let value = UInt8(String(decoding: utf8.prefix(3), as: UTF8.self), radix: 8) {
                bytes.append(value)
                utf8 = utf8.dropFirst(3)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    public var hasV1: Bool { cpuacct != nil && memory != nil }
}
