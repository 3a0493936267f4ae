#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Foundation
import Synchronization

/// The process's file descriptors, shared out among the parts that hold one per replica, so that
/// a fleet of any size stays well inside the limit: running out kills the process (libdispatch
/// traps when it cannot open `/proc/self/task/*/stat`).
///
/// - Followed logs (a json-file held open, or an API stream): at most a quarter of the limit.
///   Replicas past that are not followed, and the header says how many.
/// - cgroup counter files (three per container) held open: at most a quarter of the limit.
///   Past that a container's files are opened for each reading and closed again.
/// - Requests to a daemon: at most `requestConnections` at once (its streams aside).
///
/// When an open or a connect still fails for want of descriptors, it is noted here, and the
/// screen says "descriptors exhausted" rather than showing a false DOWN.
public final class DescriptorBudget: Sendable {
    /// The process's budget, from its limit when first used (after `raiseLimitToHard`).
    public static let process = DescriptorBudget(limit: currentLimit())

    public static let requestConnections = 32

    public let limit: Int
    public let logFollows: Int
    public let cgroupFiles: Int
    private let heldLogFollows = Atomic<Int>(0)
    private let heldCgroupFiles = Atomic<Int>(0)
    private let refusedLogFollows = Mutex<Set<String>>([])
    private let lastExhaustion = Mutex<ContinuousClock.Instant?>(nil)
    /// How long "descriptors exhausted" stays on screen after the last failure.
    static let exhaustionShown: Duration = .seconds(30)

    public init(limit: Int) {
        self.limit = limit
        logFollows = limit / 4
        cgroupFiles = limit / 4
    }

    // MARK: Shares

    /// Takes a followed log's descriptor for `key`; false (and counted) when the share is spent.
    func takeLogFollow(_ key: String) -> Bool {
        let taken = take(1, from: heldLogFollows, share: logFollows)
        refusedLogFollows.withLock { refused in
            if taken { refused.remove(key) } else { refused.insert(key) }
        }
        return taken
    }

    /// Gives back what `takeLogFollow` took, or forgets that `key` was refused.
    func returnLogFollow(_ key: String, taken: Bool) {
        if taken { heldLogFollows.subtract(1, ordering: .relaxed) }
        refusedLogFollows.withLock { _ = $0.remove(key) }
    }

    func takeCgroupFiles(_ count: Int) -> Bool { take(count, from: heldCgroupFiles, share: cgroupFiles) }
    func returnCgroupFiles(_ count: Int) { heldCgroupFiles.subtract(count, ordering: .relaxed) }

    private func take(_ count: Int, from held: borrowing Atomic<Int>, share: Int) -> Bool {
        var current = held.load(ordering: .relaxed)
        while current + count <= share {
            let (exchanged, original) = held.compareExchange(expected: current, desired: current + count, ordering: .relaxed)
            if exchanged { return true }
            current = original
        }
        return false
    }

    // MARK: Running short

    /// An open, a socket or a connect failed with EMFILE or ENFILE.
    func noteExhausted(at now: ContinuousClock.Instant = .now) {
        lastExhaustion.withLock { $0 = now }
    }

    static func isExhaustion(_ code: Int32) -> Bool { code == EMFILE || code == ENFILE }

    /// What the header says while descriptors are short: "descriptors exhausted: 1019 in use,
    /// limit 1024" for a while after a failure, else "logs of 344 replicas not followed:
    /// descriptor limit 1024" while some were refused; nil when nothing is short.
    public func shortage(at now: ContinuousClock.Instant = .now) -> String? {
        if let last = lastExhaustion.withLock({ $0 }), now - last < Self.exhaustionShown {
            return "descriptors exhausted: \(Self.inUse().map(String.init) ?? "?") in use, limit \(limit)"
        }
        let refused = refusedLogFollows.withLock { $0.count }
        guard refused > 0 else { return nil }
        return "logs of \(refused) replica\(refused == 1 ? "" : "s") not followed: descriptor limit \(limit)"
    }

    /// The descriptors this process has open now, from `/proc/self/fd`.
    static func inUse() -> Int? {
        guard let directory = opendir("/proc/self/fd") else { return nil }
        defer { closedir(directory) }
        var count = -1  // the directory's own descriptor
        while let entry = readdir(directory) {
            if entry.pointee.d_name.0 != UInt8(ascii: ".") { count += 1 }
        }
        return count
    }

    // MARK: The limit

    /// The soft limit on open descriptors now.
    static func currentLimit() -> Int {
        var limits = rlimit()
        guard getrlimit(RLIMIT_NOFILE_VALUE, &limits) == 0 else { return 1024 }
        return Int(clamping: min(limits.rlim_cur, 1 << 20))  // RLIM_INFINITY is the largest value
    }

    /// Raises the soft limit to the hard one (at most 2^20), as Go programs such as lazydocker
    /// do at start: a login's soft limit is often 1024 while its hard limit is far higher.
    /// Call it before anything uses `process`.
    public static func raiseLimitToHard() {
        var limits = rlimit()
        guard getrlimit(RLIMIT_NOFILE_VALUE, &limits) == 0 else { return }
        let wanted = min(limits.rlim_max, 1 << 20)
        guard limits.rlim_cur < wanted else { return }
        limits.rlim_cur = wanted
        _ = setrlimit(RLIMIT_NOFILE_VALUE, &limits)
    }

    #if canImport(Glibc)
    private static let RLIMIT_NOFILE_VALUE = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    #else
    private static let RLIMIT_NOFILE_VALUE = RLIMIT_NOFILE
    #endif
}
