import Foundation
import NIOCore
import PodtopCore
import Testing
@testable import PodtopRuntime

/// The descriptor budget: each part that holds a descriptor per replica stays within its share
/// of the limit, works on without one where it can, and the screen says what is short.
@Suite(.timeLimit(.minutes(1))) struct DescriptorBudgetTests {
    @Test func aQuarterOfTheLimitGoesToLogsAndTheRestAreNamedAsNotFollowed() {
        let budget = DescriptorBudget(limit: 1024)
        #expect(budget.logFollows == 256 && budget.cgroupFiles == 256)
        #expect((0..<256).allSatisfy { budget.takeLogFollow("c\($0)") })
        #expect(budget.shortage() == nil)
        #expect(!budget.takeLogFollow("c256") && !budget.takeLogFollow("c257"))
        #expect(budget.shortage() == "logs of 2 replicas not followed: descriptor limit 1024")
        budget.returnLogFollow("c0", taken: true)  // a container removed makes room
        #expect(budget.takeLogFollow("c256"))
        budget.returnLogFollow("c257", taken: false)  // and one refused went away
        #expect(budget.shortage() == nil)
    }

    @Test func runningOutIsShownWithWhatIsInUseForThirtySeconds() {
        let budget = DescriptorBudget(limit: 1024)
        let start = ContinuousClock.now
        budget.noteExhausted(at: start)
        let shown = budget.shortage(at: start + .seconds(29))
        #expect(shown?.hasPrefix("descriptors exhausted: ") == true && shown?.hasSuffix(" in use, limit 1024") == true, "\(shown ?? "nil")")
        #expect(budget.shortage(at: start + .seconds(31)) == nil)
    }

    @Test func cgroupFilesPastTheShareAreOpenedForEachReadingAndClosed() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("podtop-cgroup-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try "usage_usec 2500\nuser_usec 2000\n".write(to: directory.appendingPathComponent("cpu.stat"), atomically: true, encoding: .utf8)
        try "1048576\n".write(to: directory.appendingPathComponent("memory.current"), atomically: true, encoding: .utf8)
        try "anon 4096\ninactive_file 24576\n".write(to: directory.appendingPathComponent("memory.stat"), atomically: true, encoding: .utf8)
        let budget = DescriptorBudget(limit: 24)  // six descriptors: two containers' files held
        let counters = (0..<10).compactMap { _ in CgroupCounters(.v2(directory.path), budget: budget) }
        #expect(counters.count == 10)
        #expect(openFiles(under: directory) == 6, "only the share is held")
        for counter in counters {
            let sample = try #require(counter.read())
            #expect(sample.cpuNanoseconds == 2_500_000)
            #expect(sample.memoryUsedBytes == 1_048_576 - 24576)
        }
        #expect(openFiles(under: directory) == 6, "a reading past the share closes what it opened")
        withExtendedLifetime(counters) {}
    }

    /// This process's descriptors open on files under `directory` (other tests run beside).
    func openFiles(under directory: URL) -> Int {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return entries.count { (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\($0)"))?.hasPrefix(directory.path) == true }
    }

    @Test func logFilesPastTheShareAreNotOpened() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("podtop-logs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let budget = DescriptorBudget(limit: 8)  // two followed logs
        let follower = LogFileFollower(budget: budget)
        var followed: [Bool] = []
        for id in ["aaa", "bbb", "ccc"] {
            let path = directory.appendingPathComponent("\(id)-json.log").path
            try #"{"log":"hello\n","stream":"stdout","time":"2026-12-07T10:00:00Z"}"#.appending("\n").write(toFile: path, atomically: true, encoding: .utf8)
            followed.append(await follower.follow(id, path: path, rotates: false, source: LogSource(pod: PodID("core"), service: nil, replica: id), lastLines: 5))
        }
        #expect(followed == [true, true, false])
        #expect(budget.shortage() == "logs of 1 replica not followed: descriptor limit 8")
        _ = await follower.forget("aaa")
        #expect(await follower.follow("ccc", path: directory.appendingPathComponent("ccc-json.log").path, rotates: false,
                                      source: LogSource(pod: PodID("core"), service: nil, replica: "ccc"), lastLines: 5))
        #expect(budget.shortage() == nil)
    }

    @Test func aProbeThatGotNoDescriptorIsUnknownNotDown() {
        let target = HealthProber.Target(key: .infrastructure("redis"), check: .tcp(host: "127.0.0.1", port: 6379),
                                         thresholds: LatencyThresholds(warnMs: 30, criticalMs: 150), schedule: ProbeSchedule(intervalMs: 1000, timeoutMs: 800))
        let short = HealthProber.sample(target, outcome: .connectFailed(IOError(errnoCode: EMFILE, reason: "socket")), at: Date())
        #expect(short.verdict == .unknown)
        #expect(short.detail == "not probed: descriptors exhausted")
        let refused = HealthProber.sample(target, outcome: .connectFailed(IOError(errnoCode: ECONNREFUSED, reason: "connect")), at: Date())
        #expect(refused.verdict == .down)
        #expect(refused.detail == "connection refused")
    }
}
