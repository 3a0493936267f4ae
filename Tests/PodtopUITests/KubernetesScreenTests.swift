import Foundation
import PodtopCore
import Testing
@testable import PodtopUI

/// What the Kubernetes runtime adds to the screen: environments, the autoscaler's warning, one
/// replica's restart, kubectl's status words and metrics that are not there.
@Suite(.timeLimit(.minutes(1))) struct KubernetesScreenTests {
    let experience = PodID("experience")

    func press(_ state: inout DashboardState, _ keys: KeyInput...) -> [Effect] {
        keys.flatMap { state.handle(.key($0)) }
    }

    func replica(_ name: String, _ status: String, phase: ReplicaPhase = .healthy) -> Replica {
        Replica(id: "uid-\(name)", name: name, phase: phase, restarts: status == "CrashLoopBackOff" ? 4 : 0,
                startedAt: Fixtures.epoch.addingTimeInterval(-600), image: "voyage:1.4.2", statusText: status, node: "k3s-node-1")
    }

    /// A cluster state: Experience is one Deployment with an autoscaler, one pod crash-looping.
    func state(statsUnavailable: String? = nil) -> DashboardState {
        var state = DashboardState(topology: DreamScapeDefaults.topology, now: Fixtures.epoch)
        state.timeZone = TimeZone(identifier: "UTC")!
        state.environments = KubernetesEnvironment.dreamScape
        _ = state.handle(.runtime(.connected(RuntimeIdentity(kind: "kubernetes", endpoint: "k3s/dreamscape-dev", version: "v1.32.4+k3s1"))))
        let voyage = WorkloadInfo(kind: "Deployment", name: "voyage", desiredReplicas: 2,
                                  autoscaler: .init(name: "voyage-hpa", minReplicas: 2, maxReplicas: 10))
        _ = state.handle(.runtime(.snapshot(RuntimeSnapshot(takenAt: Fixtures.epoch, pods: [
            PodSnapshot(id: experience, desiredReplicas: 2,
                        replicas: [replica("voyage-7d9f-abcde", "Running"), replica("voyage-7d9f-fghij", "CrashLoopBackOff", phase: .exited)],
                        workloads: [voyage]),
        ], statsUnavailable: statsUnavailable))))
        _ = state.handle(.runtime(.logs([LogLine(at: Fixtures.epoch, source: LogSource(pod: experience, service: nil, replica: "voyage-7d9f-abcde"),
                                                 stream: .stdout, level: .info, text: "route graph refreshed")])))
        _ = state.handle(.tick(Fixtures.epoch.addingTimeInterval(1)))
        _ = press(&state, .tab)  // Experience
        return state
    }

    @Test func theEnvironmentIsInTheHeaderAndProductionStandsOut() {
        var state = state()
        let dev = Screen.render(state, width: 120, height: 30)
        #expect(dev.textLines()[0].hasPrefix(" podtop   dev   kubernetes · v1.32.4+k3s1 · k3s/dreamscape-dev"))
        state.environmentIndex = 2
        let prod = Screen.render(state, width: 120, height: 30)
        let header = prod.textLines()[0]
        let start = header.distance(from: header.startIndex, to: header.range(of: " PROD · PRODUCTION ")!.lowerBound)
        #expect(Array(prod.roleLines()[0])[start + 1] == RoleLetters.letter(.environmentProduction))
        #expect(Array(dev.roleLines()[0])[start + 1] == RoleLetters.letter(.environment))
    }

    @Test func switchingEnvironmentAsksWhereAndLetsTheOldOneGo() {
        var state = state()
        #expect(press(&state, .character("e")) == [])
        #expect(state.modal == .environments(highlighted: 0))
        let picker = Screen.render(state, width: 120, height: 30).textLines().joined(separator: "\n")
        #expect(picker.contains("→ dev      dreamscape-dev  (current)"))
        #expect(picker.contains("  prod     dreamscape-prod  PRODUCTION"))
        // Esc stays; the same environment again does nothing.
        #expect(press(&state, .escape) == [])
        #expect(press(&state, .character("e"), .enter) == [])
        #expect(state.snapshot != nil)
        #expect(press(&state, .character("e"), .down, .down, .down, .enter) == [.switchEnvironment(2)])
        #expect(state.environmentIndex == 2)
        #expect(state.snapshot == nil)
        #expect(state.identity == nil)
        #expect(state.logs.count == 0)
        #expect(state.connection == .connecting)
        #expect(state.status?.text == "Switched to prod (dreamscape-prod) — PRODUCTION")
    }

    @Test func withoutEnvironmentsTheKeySaysWhy() {
        var state = Fixtures.state(seconds: 2)
        #expect(press(&state, .character("e")) == [])
        #expect(state.modal == nil)
        #expect(state.status?.text == "environments are Kubernetes contexts and namespaces; demo has none")
        #expect(!Screen.render(state, width: 120, height: 30).textLines().last!.contains("env"))
    }

    @Test func theScaleDialogWarnsOfTheAutoscalerBeforeAnythingIsDone() {
        var state = state()
        #expect(press(&state, .character("s")) == [])
        #expect(state.modal == .scale(experience, current: 2, target: 2))
        let dialog = Screen.render(state, width: 120, height: 30).textLines().joined(separator: "\n")
        #expect(dialog.contains("replicas of each of voyage"))
        #expect(dialog.contains("▲ voyage is autoscaled by voyage-hpa (min 2, max 10):"))
        #expect(dialog.contains("the autoscaler will override a manual scale"))
        #expect(press(&state, .character("+"), .enter) == [.scale(experience, to: 3)])
    }

    @Test func oneReplicaIsRestartedFromThePodsDetailsAfterAYes() {
        var state = state()
        _ = press(&state, .enter)
        let details = Screen.render(state, width: 120, height: 30).textLines().joined(separator: "\n")
        #expect(details.contains("voyage-7d9f-fghij  CrashLoopBackOff  ↻ 4"))
        #expect(details.contains("on k3s-node-1"))
        #expect(press(&state, .down, .character("x")) == [])
        #expect(state.modal == .confirmReplicaRestart(experience, replica: "voyage-7d9f-fghij"))
        let dialog = Screen.render(state, width: 120, height: 30).textLines().joined(separator: "\n")
        #expect(dialog.contains("The pod is deleted; its controller starts a new one."))
        #expect(press(&state, .enter) == [])  // Enter is no
        #expect(press(&state, .enter, .down, .character("x"), .character("y")) == [.restartReplica(experience, replica: "voyage-7d9f-fghij")])
        #expect(state.busyPods.contains(experience))
    }

    @Test func theCrashedContainersLogIsAskedForFromThePodsDetails() {
        var state = state()
        _ = press(&state, .enter)
        #expect(Screen.render(state, width: 120, height: 30).textLines().last!.contains("p previous log"))
        #expect(press(&state, .down, .character("p")) == [.previousLogs(experience, replica: "voyage-7d9f-fghij")])
        #expect(state.modal == nil)
        #expect(state.status?.text == "Fetching the previous container's log of voyage-7d9f-fghij…")
    }

    @Test func missingMetricsReadNotAvailableWithTheReason() {
        var state = state(statsUnavailable: "metrics.k8s.io is not served (404): is metrics-server installed?")
        let screen = Screen.render(state, width: 120, height: 30).textLines()
        #expect(screen.contains { $0.contains("Experience") && $0.contains("cpu n/a") && $0.contains("mem n/a") })
        _ = press(&state, .enter)
        let details = Screen.render(state, width: 120, height: 30).textLines().joined(separator: "\n")
        #expect(details.contains("n/a: metrics.k8s.io is not served (404): is metrics-server installed?"))
    }

    /// Core on a cluster whose service proxy is forbidden: every probe UNKNOWN with the reason,
    /// readiness 1/1 for each service.
    func cannotTellState() -> DashboardState {
        var state = DashboardState(topology: DreamScapeDefaults.topology, now: Fixtures.epoch)
        state.timeZone = TimeZone(identifier: "UTC")!
        let core = PodID("core")
        let names = ["nginx", "auth", "user"]
        let readiness = Dictionary(uniqueKeysWithValues: names.map { ($0, ServiceReadiness(ready: 1, total: 1, source: "pods of Deployment \($0)-service")) })
        _ = state.handle(.runtime(.snapshot(RuntimeSnapshot(takenAt: Fixtures.epoch, pods: [
            PodSnapshot(id: core, desiredReplicas: 3, replicas: names.map { replica("\($0)-service-5c8d-x", "Running") }, readiness: readiness),
        ]))))
        for second in 0..<30 {
            for name in names {
                let at = Fixtures.epoch.addingTimeInterval(Double(second))
                let sample = second < 20
                    ? HealthSample(at: at, verdict: .up, latencyMs: 4 + Double(second % 5), detail: "HTTP 200")
                    : HealthSample(at: at, verdict: .unknown, latencyMs: nil,
                                   detail: "cannot tell: the service proxy is forbidden (403): services \"\(name)-service:80\" is forbidden",
                                   route: "GET \(name)-service:80/health via the API server's service proxy (latency includes its hop)")
                _ = state.handle(.runtime(.health(.service(ServiceID(pod: core, name: name)), sample)))
            }
        }
        _ = state.handle(.tick(Fixtures.epoch.addingTimeInterval(30)))
        return state
    }

    @Test func aServiceThatCannotBeProbedReadsUnknownGreyWithItsReadinessAndThePodIsNotRed() throws {
        var state = cannotTellState()
        let canvas = Screen.render(state, width: 120, height: 30)
        let lines = canvas.textLines()
        let row = try #require(lines.firstIndex { $0.contains(" auth ") && $0.contains("UNKNOWN") })
        #expect(lines[row].trimmingCharacters(in: .whitespaces).hasSuffix("ready 1/1"), "\(lines[row])")
        // The sparkline keeps its history but in the gap's grey: it says nothing about now.
        let roles = Array(canvas.roleLines()[row])
        #expect(!roles.contains(RoleLetters.letter(.sparkline)))
        #expect(roles.contains(RoleLetters.letter(.sparklineGap)))
        #expect(state.rollup(of: DreamScapeDefaults.topology.pods[0]).status == .healthy)
        // The details say which way the probe went, why it cannot tell, and that readiness decides.
        state.selection = .service(ServiceID(pod: PodID("core"), name: "auth"))
        state.focus = .pods
        _ = state.handle(.key(.enter))
        let details = Screen.render(state, width: 120, height: 30).textLines().joined(separator: "\n")
        #expect(details.contains("GET auth-service:80/health via the API server's service proxy (latency includes its hop)"))
        #expect(details.contains("cannot tell: the service proxy is forbidden (403)"))
        #expect(details.contains("ready 1/1 (pods of Deployment auth-service); the probe cannot tell, so readiness decides"))
        // The wallboard names the reason on the service's line.
        state = cannotTellState()
        state.isWallboard = true
        let board = Screen.render(state, width: 200, height: 50).textLines()
        #expect(board[2].contains("Core HEALTHY"), "\(board[2])")
        #expect(!board[1].contains("Core"), "\(board[1])")
        #expect(board.contains { $0.contains("auth  UNKNOWN  ready 1/1 · cannot tell: the service proxy") },
                "\(board.joined(separator: "\n"))")
    }
}
