import Foundation
import Glibc
import PodtopProcess
import Testing
import TestSupport

/// Children as podtop and the tests start them: many at once, ones that leave a grandchild
/// behind, ones that write a lot or never end.
@Suite(.timeLimit(.minutes(1)))
struct ChildProcessTests {
    @Test func fiftyChildrenStartedAtOnceAllFinishWithTheirOwnOutput() async throws {
        let results = try await withThrowingTaskGroup(of: (Int, ChildProcess.Result).self) { group in
            for number in 0..<50 {
                group.addTask { (number, try await ChildProcess.run("sh", ["-c", "echo child \(number); exit \(number % 3)"], timeout: .seconds(30))) }
            }
            return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
        }
        #expect(results.count == 50)
        for (number, result) in results {
            #expect(result.output == "child \(number)\n")
            #expect(result.ending == .exited(Int32(number % 3)))
        }
    }

    @Test func aGrandchildThatOutlivesItsParentDoesNotKeepTheCallerWaiting() async throws {
        // The grandchild holds both pipes open for 60 s; the child exits at once. (Beside the whole
        // suite on a cold first run, a call that does not wait took 11 s to come back.)
        let started = ContinuousClock.now
        let result = try await ChildProcess.run("sh", ["-c", "sleep 60 & echo parent done"], timeout: .seconds(20))
        #expect(result.ending == .exited(0))
        #expect(result.output == "parent done\n")
        #expect(started.duration(to: .now) < .seconds(30), "waited for the grandchild")
    }

    @Test func aChildPastItsTimeLimitIsKilledWithItsGroup() async throws {
        let started = ContinuousClock.now
        // The child names its process group (its own pid), then waits beside a grandchild.
        let result = try await ChildProcess.run("sh", ["-c", "sleep 60 & echo $$; sleep 60"], timeout: .milliseconds(300))
        #expect(result.ending == .timedOut)
        #expect(started.duration(to: .now) < .seconds(30))
        let group = try #require(pid_t(result.output.trimmingCharacters(in: .whitespacesAndNewlines)))
        // The grandchild went with it: nothing is left in the group (SIGKILL lands at once, but
        // the kernel may take a moment to take the process away).
        let empty = await Eventually.holds(within: .seconds(5)) { kill(-group, 0) != 0 && errno == ESRCH }
        #expect(empty, "the grandchild outlived the timeout")
    }

    @Test func aMegabyteOnStandardErrorDoesNotBlockStandardOutput() async throws {
        let result = try await ChildProcess.run("sh", ["-c", "head -c 1048576 /dev/zero | tr '\\0' x >&2; echo out"],
                                                timeout: .seconds(30))
        #expect(result.ending == .exited(0))
        #expect(result.output == "out\n")
        #expect(result.standardError.count == 1_048_576)
    }

    @Test func outputPastTheLimitIsDroppedAndSaid() async throws {
        let result = try await ChildProcess.run("sh", ["-c", "head -c 100000 /dev/zero"], timeout: .seconds(30), outputLimit: 1000)
        #expect(result.ending == .exited(0))
        #expect(result.standardOutput.count == 1000)
        #expect(result.truncated)
    }

    @Test func cancellingTheCallerEndsTheChild() async throws {
        let started = ContinuousClock.now
        let task = Task { try await ChildProcess.run("sleep", ["60"], timeout: .seconds(60)) }
        task.cancel()
        let result = try await task.value
        #expect(result.ending == .signalled(SIGKILL))
        #expect(started.duration(to: .now) < .seconds(30))
    }

    @Test func aProgramThatDoesNotExistIsAnErrorThatNamesIt() async {
        await #expect(throws: ChildProcessError.self) {
            try await ChildProcess.run("/nonexistent/podtop-plugin", timeout: .seconds(5))
        }
    }

    @Test func theChildGetsTheEnvironmentItIsGivenAndNoDescriptorOfOurs() async throws {
        let held = open("/dev/null", O_RDONLY)  // not close-on-exec
        defer { close(held) }
        let result = try await ChildProcess.run("sh", ["-c", "echo $PODTOP_CHILD_TEST; ls /proc/self/fd | wc -l"],
                                                environment: ["PODTOP_CHILD_TEST": "given", "PATH": "/usr/bin:/bin"], timeout: .seconds(30))
        let lines = result.output.split(separator: "\n")
        #expect(lines.first == "given")
        // 0, 1, 2 and the directory ls reads.
        #expect(lines.last.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) } == 4)
    }

    @Test func aLaunchedChildIsReapedAndEndedWithoutBlocking() async throws {
        let child = try LaunchedChild("sleep", ["60"])
        #expect(child.ending == nil)
        child.send(SIGTERM)
        #expect(await child.ended(within: .seconds(10)) == .signalled(SIGTERM))
    }
}
