import Foundation
import Testing
@testable import PodtopCore

/// How one round's facts become `podtop check`'s overall status and exit code.
@Suite(.timeLimit(.minutes(1)))
struct CheckReportTests {
    let topology = Topology(pods: [
        PodSpec(id: PodID("core"), displayName: "Core",
                services: [ServiceSpec(name: "auth", check: .http(url: "http://127.0.0.1:3001/health"))],
                selector: ContainerSelector([]), minReplicas: 0, maxReplicas: 20),
    ], infrastructure: [InfraSpec(name: "redis", check: .tcp(host: "127.0.0.1", port: 6379))])
    let auth = HealthTarget.service(ServiceID(pod: PodID("core"), name: "auth"))
    let redis = HealthTarget.infrastructure("redis")
    let now = Date(timeIntervalSince1970: 1_796_040_000)

    func snapshot(ready: Bool) -> RuntimeSnapshot {
        RuntimeSnapshot(takenAt: now, pods: [PodSnapshot(id: PodID("core"), desiredReplicas: 1, replicas: [
            Replica(id: "a", name: "core-1", phase: ready ? .healthy : .exited, restarts: 2, startedAt: nil, cpuPercent: nil,
                    memoryBytes: nil, image: "x"),
        ])])
    }

    func report(ready: Bool = true, auth authClass: HealthClass = .up, redis redisClass: HealthClass = .up,
                reachable: Bool = true) -> CheckReport {
        CheckReport.make(topology: topology, identity: RuntimeIdentity(kind: "docker", endpoint: "unix:///x.sock"),
                         snapshot: reachable ? snapshot(ready: ready) : nil, runtimeError: reachable ? nil : "connection refused",
                         health: [auth: HealthSample(at: now, verdict: authClass, latencyMs: authClass.answered ? 12.3456 : nil),
                                  redis: HealthSample(at: now, verdict: redisClass, latencyMs: 0.5)],
                         at: now)
    }

    @Test func exitCodesFollowTheWorstFinding() {
        #expect(report().exitCode == 0)
        #expect(report(auth: .slow).exitCode == 1)
        #expect(report(auth: .degraded).exitCode == 1)
        #expect(report(auth: .down).exitCode == 2)
        #expect(report(auth: .timeout).exitCode == 2)
        #expect(report(redis: .down).exitCode == 2)
        #expect(report(ready: false).exitCode == 2, "no replica ready is a pod down")
        #expect(report(auth: .slow, redis: .down).exitCode == 2)
    }

    @Test func aServiceThatCannotBeProbedIsCannotTellNotDown() {
        let cannotTell = report(auth: .unknown)
        #expect(cannotTell.status == .unknown)
        #expect(cannotTell.exitCode == 1)
        #expect(cannotTell.pods.first?.status == "healthy", "an unknown probe does not turn the pod red")
        #expect(report(auth: .unknown, redis: .slow).status == .degraded, "a known problem outranks a probe that cannot tell")
        #expect(report(auth: .unknown, redis: .down).exitCode == 2)
        #expect(report(auth: .unknown).json().contains("\"status\":\"unknown\""))
    }

    @Test func anUnreachableRuntimeIsDownWithItsReason() {
        let unreachable = report(reachable: false)
        #expect(unreachable.exitCode == 2)
        #expect(!unreachable.runtime.reachable && unreachable.runtime.error == "connection refused")
        #expect(unreachable.pods.first?.status == "unknown")
    }

    @Test func podsCarryReplicasRestartsAndServices() throws {
        let pod = try #require(report(auth: .slow).pods.first)
        #expect(pod.status == "slow" && pod.reason == "auth SLOW")
        #expect(pod.replicas == CheckReport.Pod.Replicas(ready: 1, desired: 1))
        #expect(pod.restarts == 2)
        #expect(pod.services.first?.class == "slow")
        #expect(pod.services.first?.latencyMs == 12.346)
    }

    @Test func theJSONHasStableSnakeCaseNamesAndLeavesOutWhatIsUnknown() {
        let json = report(auth: .timeout).json()
        #expect(json.contains(#""checked_at":"2026-11-30T"#) && json.contains(#""exit_code":2"#))
        #expect(json.contains(#""class":"timeout""#))
        #expect(!json.contains(#""latency_ms":null"#), "a probe without an answer has no latency at all")
        #expect(!json.contains("\n"), "one line, for --watch's NDJSON")
    }
}
