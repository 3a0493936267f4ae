import Foundation
import PodtopCore
import Testing
@testable import PodtopRuntime

/// The mapping of a namespace onto the Big Pods, and which changes reach the screen at all.
@Suite(.timeLimit(.minutes(1))) struct KubernetesInventoryTests {
    let topology = Topology(pods: [
        PodSpec(id: PodID("core"), displayName: "Core", services: [], selector: ContainerSelector([.labels(["dreamscape.pod": "core"])])),
        PodSpec(id: PodID("commerce"), displayName: "Commerce", services: [], selector: ContainerSelector([.name("payment*")])),
    ], infrastructure: [])

    func workload(_ name: String, labels: [String: String] = [:], replicas: Int = 2) throws -> KubernetesWorkload {
        let json = """
            {"metadata":{"name":"\(name)","labels":\(String(decoding: try JSONEncoder().encode(labels), as: UTF8.self)),"generation":1},
             "spec":{"replicas":\(replicas),"selector":{"matchLabels":{"app":"\(name)"}}},"status":{"replicas":\(replicas)}}
            """
        return try JSONDecoder().decode(KubernetesWorkload.self, from: Data(json.utf8))
    }

    func pod(_ name: String, app: String, ready: Bool = true, heartbeat: String = "2026-12-01T10:00:00Z") throws -> KubernetesPod {
        let json = """
            {"metadata":{"name":"\(name)","uid":"uid-\(name)","labels":{"app":"\(app)"}},
             "spec":{"nodeName":"n1","containers":[{"name":"main","image":"img:1"}]},
             "status":{"phase":"Running","startTime":"2026-12-01T09:00:00Z",
               "conditions":[{"type":"Ready","status":"\(ready ? "True" : "False")","lastTransitionTime":"\(heartbeat)"}],
               "containerStatuses":[{"name":"main","ready":\(ready),"started":true,"restartCount":0,"state":{"running":{}}}]}}
            """
        return try JSONDecoder().decode(KubernetesPod.self, from: Data(json.utf8))
    }

    @Test func podsGoToTheBigPodWhoseWorkloadSelectsThemAndTheRestToOther() throws {
        var inventory = KubernetesInventory(topology: topology)
        inventory.replaceWorkloads([try workload("auth", labels: ["dreamscape.pod": "core"]), try workload("payment-api"),
                                    try workload("grafana")], kind: "Deployment")
        inventory.replacePods([try pod("auth-1", app: "auth"), try pod("payment-api-1", app: "payment-api"),
                               try pod("grafana-1", app: "grafana"), try pod("auth-2", app: "auth")])
        let snapshot = inventory.snapshot(at: Date())
        #expect(snapshot.pod(PodID("core"))?.replicas.map(\.name) == ["auth-1", "auth-2"])
        #expect(snapshot.pod(PodID("core"))?.workloads.map(\.name) == ["auth"])
        #expect(snapshot.pod(PodID("commerce"))?.replicas.map(\.name) == ["payment-api-1"])
        #expect(snapshot.unmatched.map(\.name) == ["grafana-1"])
    }

    @Test func onlyChangesTheScreenShowsAskForASnapshot() throws {
        var inventory = KubernetesInventory(topology: topology)
        inventory.replaceWorkloads([try workload("auth", labels: ["dreamscape.pod": "core"]), try workload("batch")], kind: "Deployment")
        inventory.replacePods([try pod("auth-1", app: "auth"), try pod("batch-1", app: "batch")])
        // A condition's time moves: nothing shown changes.
        #expect(!inventory.update(try pod("auth-1", app: "auth", heartbeat: "2026-12-01T10:00:05Z")))
        #expect(!inventory.update(try pod("batch-1", app: "batch", heartbeat: "2026-12-01T10:00:05Z")))
        // Readiness is shown, for a Big Pod's replica and for another pod alike.
        #expect(inventory.update(try pod("auth-1", app: "auth", ready: false)))
        #expect(inventory.update(try pod("batch-1", app: "batch", ready: false)))
        #expect(inventory.snapshot(at: Date()).unmatched.first?.phase == .unhealthy)
        // A new pod and a deleted one are shown.
        #expect(inventory.update(try pod("batch-2", app: "batch")))
        #expect(inventory.remove(try pod("batch-1", app: "batch")))
        #expect(inventory.snapshot(at: Date()).unmatched.map(\.name) == ["batch-2"])
        // Another team's workload scaling shows nowhere; a Big Pod's does, with its new count.
        #expect(!inventory.update(try workload("batch", replicas: 9), kind: "Deployment"))
        #expect(inventory.update(try workload("auth", labels: ["dreamscape.pod": "core"], replicas: 5), kind: "Deployment"))
        #expect(inventory.snapshot(at: Date()).pod(PodID("core"))?.desiredReplicas == 5)
    }

    @Test func aWorkloadRelabelledIntoABigPodBringsItsPodsAlong() throws {
        var inventory = KubernetesInventory(topology: topology)
        inventory.replaceWorkloads([try workload("user")], kind: "Deployment")
        inventory.replacePods([try pod("user-1", app: "user")])
        #expect(inventory.snapshot(at: Date()).unmatched.map(\.name) == ["user-1"])
        #expect(inventory.update(try workload("user", labels: ["dreamscape.pod": "core"]), kind: "Deployment"))
        let snapshot = inventory.snapshot(at: Date())
        #expect(snapshot.pod(PodID("core"))?.replicas.map(\.name) == ["user-1"])
        #expect(snapshot.unmatched.isEmpty)
    }
}
