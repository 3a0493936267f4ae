import Foundation
import PodtopCore
import Testing
import TestSupport
@testable import PodtopRuntime

/// The cgroup reader: cgroup v1 on the real test daemon, cgroup v2 on a directory tree laid out
/// the way the kernel lays it out, each agreeing with what the Docker API reports.
@Suite(.timeLimit(.minutes(1))) struct CgroupStatsReaderTests {
    // Lines as this machine's /proc/self/mountinfo has them (hybrid: v1 controllers + empty v2).
    static let hybridMountinfo = """
        24 31 0:22 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755
        25 24 0:23 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:10 - cgroup2 cgroup2 rw
        27 24 0:25 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:13 - cgroup cgroup rw,cpu,cpuacct
        31 24 0:29 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:17 - cgroup cgroup rw,memory
        40 24 0:31 /process_api /sys/fs/cgroup/odd\\040name rw - cgroup cgroup rw,pids
        """

    @Test func mountinfoGivesEachHierarchyAndItsRoot() {
        let mounts = CgroupMounts.parse(mountinfo: Self.hybridMountinfo)
        #expect(mounts.cpuacct == .init(mountPoint: "/sys/fs/cgroup/cpu,cpuacct", root: "/"))
        #expect(mounts.memory == .init(mountPoint: "/sys/fs/cgroup/memory", root: "/"))
        #expect(mounts.unified == .init(mountPoint: "/sys/fs/cgroup/unified", root: "/"))
        #expect(mounts.hasV1)
        #expect(CgroupMounts.unescape("/a\\040b") == "/a b")
        // Inside a cgroup namespace the mount's root is the container's own cgroup.
        let nested = CgroupMounts.Mount(mountPoint: "/sys/fs/cgroup", root: "/docker/abc")
        #expect(nested.directory(of: "/docker/abc/child") == "/sys/fs/cgroup/child")
        #expect(nested.directory(of: "/docker/abc") == "/sys/fs/cgroup")
    }

    /// A cgroup v2 host with the systemd driver: `/sys/fs/cgroup/system.slice/docker-ID.scope`,
    /// holding the counters of the captured stats response, read one second apart.
    @Test func cgroupV2TreeAgreesWithTheAPIsFiguresForTheSameCounters() throws {
        let capture = try JSONSerialization.jsonObject(with: Data(contentsOf: DockerDecodingTests.captures
            .appendingPathComponent("stats-stream-false-cgroupv1.json"))) as! [String: Any]
        let api = try #require(DockerStatsSample.scan(Array(try Data(contentsOf: DockerDecodingTests.captures
            .appendingPathComponent("stats-stream-false-cgroupv1.json")))))
        func usage(_ key: String) -> UInt64 {
            (((capture[key] as! [String: Any])["cpu_usage"] as! [String: Any])["total_usage"] as! NSNumber).uint64Value
        }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("cgroup-v2-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let id = capture["id"] as! String
        let scope = root.appendingPathComponent("sys/fs/cgroup/system.slice/docker-\(id).scope")
        try FileManager.default.createDirectory(at: scope, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: root.appendingPathComponent("proc/4242"), withIntermediateDirectories: true)
        try "0::/system.slice/docker-\(id).scope\n".write(to: root.appendingPathComponent("proc/4242/cgroup"), atomically: true, encoding: .utf8)
        func writeCounters(cpuNanoseconds: UInt64) throws {
            try "usage_usec \(cpuNanoseconds / 1000)\nuser_usec 1\nsystem_usec 2\nnr_periods 0\n"
                .write(to: scope.appendingPathComponent("cpu.stat"), atomically: false, encoding: .utf8)
            try "\(api.memoryUsage!)\n".write(to: scope.appendingPathComponent("memory.current"), atomically: false, encoding: .utf8)
            try "anon 1000\nfile 20975616\nkernel_stack 16384\nactive_anon 0\ninactive_anon 1000\nactive_file 4096\ninactive_file \(api.inactiveFile!)\n"
                .write(to: scope.appendingPathComponent("memory.stat"), atomically: false, encoding: .utf8)
        }
        let mountinfo = "30 24 0:26 / \(root.path)/sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n"
        let reader = CgroupStatsReader(mounts: .parse(mountinfo: mountinfo), procRoot: root.appendingPathComponent("proc").path)
        #expect(!reader.mounts.hasV1)

        try writeCounters(cpuNanoseconds: usage("precpu_stats"))
        let counters = try #require(reader.locate(containerID: id, pid: 4242))
        #expect(counters.version == .v2)
        let start = ContinuousClock.now
        let first = try #require(counters.read(at: start))
        try writeCounters(cpuNanoseconds: usage("cpu_stats"))
        // The capture's two readings were 1.002568220 s apart ("read" − "preread").
        let second = try #require(counters.read(at: start + .nanoseconds(1_002_568_220)))

        #expect(second.memoryUsedBytes == api.memoryUsedBytes)  // 892 KiB, as docker stats printed it
        let cpu = try #require(CgroupSample.cpuPercent(previous: first, current: second))
        #expect(abs(cpu - 81.27) <= 2, "cgroup v2 CPU \(cpu) % against the API's 81.27 %")
        // Without /proc, the systemd driver's default path is found all the same.
        #expect(CgroupStatsReader(mounts: reader.mounts, procRoot: "/nonexistent").locate(containerID: id, pid: 4242) == counters)
    }

    @Test func unreadableFilesMeanNoCounters() throws {
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("cgroup-empty-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: empty) }
        let mounts = CgroupMounts(cpuacct: .init(mountPoint: empty.path, root: "/"), memory: .init(mountPoint: empty.path, root: "/"),
                                  unified: .init(mountPoint: empty.path, root: "/"))
        #expect(CgroupStatsReader(mounts: mounts).locate(containerID: "abc", pid: nil) == nil)
    }

    /// A process of another container (or another host) never stands in for the one asked about.
    @Test func aProcessCgroupMustNameTheContainer() {
        let reader = CgroupStatsReader(mounts: .parse(mountinfo: Self.hybridMountinfo))
        let text = "4:memory:/docker/other\n2:cpu,cpuacct:/docker/other\n0::/docker/other\n"
        #expect(reader.locations(inProcessCgroup: text, containerID: "abc").isEmpty)
        let own = reader.locations(inProcessCgroup: "4:memory:/docker/abc\n2:cpu,cpuacct:/docker/abc\n0::/docker/abc\n", containerID: "abc")
        #expect(own == [.v1(cpuacct: "/sys/fs/cgroup/cpu,cpuacct/docker/abc", memory: "/sys/fs/cgroup/memory/docker/abc"),
                        .v2("/sys/fs/cgroup/unified/docker/abc")])
    }
}

/// cgroup v1 as the real test daemon lays it out.
@Suite(.enabled(if: TestDocker.available, "needs the test daemon that scripts/test starts"), .timeLimit(.minutes(1)))
struct CgroupV1OnTheTestDaemonTests {
    @Test func cgroupV1CountersAgreeWithTheAPIForABusyContainer() async throws {
        let id = TestDocker.newID()
        defer { TestDocker.removeAll(id) }
        // Capped at 10 % of a core in short periods, so that its use is steady beside the rest of
        // the suite (see cpuAndMemoryAgreeWithDockerStats).
        let container = try await TestDocker.run(id, service: "core-pod", number: 1, extra: ["--cpu-period", "10000", "--cpu-quota", "1000"],
                                           command: "dd if=/dev/zero of=/tmp/fill bs=1M count=16 2>/dev/null; while :; do :; done")
        let client = try await DockerClient.connect(try DockerEndpoint.parse(TestDocker.host!))
        defer { Task { await client.shutdown() } }
        let inspect = try await client.inspect(container)
        let reader = try #require(CgroupStatsReader.host())
        let counters = try #require(reader.locate(containerID: inspect.id, pid: inspect.state.pid))
        #expect(counters.version == (reader.mounts.hasV1 ? .v1 : .v2))
        // Its busy loop runs (it starts once the fill is written): 150 ms of CPU, more than the
        // fill's own, at 10 % of a core.
        let startCPU = try #require(counters.read()).cpuNanoseconds
        let looping = await Eventually.holds(within: .seconds(20)) { (counters.read()?.cpuNanoseconds ?? 0) >= startCPU + 150_000_000 }
        #expect(looping, "the container's loop did not run within 20 s")

        // Both sources read at the same moments, one second apart, three times; the median counts.
        var cpuDifferences: [Double] = []
        var memoryPairs: [(UInt64, UInt64)] = []
        var cgroupBefore = try #require(counters.read())
        var apiBefore = try await client.statsSample(container)
        for _ in 0..<3 {
            try await Task.sleep(for: .seconds(1))
            async let apiNow = client.statsSample(container)
            let cgroupNow = try #require(counters.read())
            let api = try await apiNow
            let fromCgroup = try #require(CgroupSample.cpuPercent(previous: cgroupBefore, current: cgroupNow))
            let fromAPI = try #require(DockerStatsSample.cpuPercent(previous: apiBefore, current: api))
            cpuDifferences.append(abs(fromCgroup - fromAPI))
            memoryPairs.append((cgroupNow.memoryUsedBytes, try #require(api.memoryUsedBytes)))
            (cgroupBefore, apiBefore) = (cgroupNow, api)
        }
        cpuDifferences.sort()
        #expect(cpuDifferences[1] <= 2, "CPU % differences between cgroup and API: \(cpuDifferences)")
        for (cgroup, api) in memoryPairs {
            #expect(abs(Double(cgroup) - Double(api)) <= max(Double(api) * 0.02, 256 * 1024), "memory: cgroup \(cgroup) vs API \(api)")
        }
    }
}
