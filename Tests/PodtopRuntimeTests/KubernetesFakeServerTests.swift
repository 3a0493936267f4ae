import Foundation
import PodtopCore
import Testing
import TestSupport
@testable import PodtopRuntime

/// The test API server must be faithful: the real kubectl runs against it and what kubectl
/// prints, sends and changes must agree with what the server holds.
@Suite(.serialized, .timeLimit(.minutes(1))) struct KubernetesFakeServerTests {
    @Test func kubectlListsThePodsAndDeploymentsTheServerHolds() async throws {
        let server = try await FakeKubeAPIServer()
        try await server.addDeployment("auth-service", pod: "core", replicas: 2)
        try await server.addDeployment("voyage", pod: "experience", replicas: 1)
        let listed = try JSONSerialization.jsonObject(with: Data(try await server.kubectl(["get", "pods", "-o", "json"]).utf8)) as? [String: Any]
        let items = listed?["items"] as? [[String: Any]] ?? []
        let names = items.compactMap { ($0["metadata"] as? [String: Any])?["name"] as? String }.sorted()
        let held = try await server.pods().keys.map { String($0.split(separator: "/")[1]) }.sorted()
        #expect(names == held)
        #expect(names.count == 3)
        // kubectl's own table over the deployments, from the discovery documents and the list.
        let table = try await server.kubectl(["get", "deployments", "-o", "custom-columns=NAME:.metadata.name,REPLICAS:.spec.replicas,POD:.metadata.labels.dreamscape\\.pod", "--no-headers"])
        #expect(table.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }
                == ["auth-service 2 core", "voyage 1 experience"])
    }

    @Test func kubectlListsServicesAndReadsHealthThroughTheServiceProxy() async throws {
        let server = try await FakeKubeAPIServer()
        try await server.addDeployment("auth-service", pod: "core", replicas: 2)
        try await server.addService("auth-service", port: 3001, selecting: "auth-service")
        let table = try await server.kubectl(["get", "svc", "-o", "custom-columns=NAME:.metadata.name,PORT:.spec.ports[0].port,APP:.spec.selector.app", "--no-headers"])
        #expect(table.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") == "auth-service 3001 auth-service\n")
        // The proxy subresource answers as the service's pods do, to kubectl's own raw GET.
        let proxy = "/api/v1/namespaces/\(FakeKubeAPIServer.namespace)/services/auth-service:3001/proxy/health"
        let body = try JSONSerialization.jsonObject(with: Data(try await server.kubectl(["get", "--raw", proxy]).utf8)) as? [String: String]
        #expect(body?["status"] == "ok")
        // No ready pod behind the Service: the API server's own 503, in kubectl's words.
        try await server.scale("auth-service", to: 0)
        #expect(try await server.wait { try await server.podNames(of: "auth-service").isEmpty })
        let refused = try await server.kubectl(["get", "--raw", proxy], check: false)
        #expect(refused.contains("no endpoints available for service"), "\(refused)")
        // RBAC on the subresource: 403, as kubectl reports it.
        try await server.control("deny", ["verb": "get", "resource": "services/proxy"])
        let forbidden = try await server.kubectl(["get", "--raw", proxy], check: false)
        #expect(forbidden.contains("Forbidden") || forbidden.contains("forbidden"), "\(forbidden)")
    }

    @Test func kubectlScaleChangesTheDeploymentAndItsPods() async throws {
        let server = try await FakeKubeAPIServer()
        try await server.addDeployment("auth-service", pod: "core", replicas: 1)
        let said = try await server.kubectl(["scale", "deployment/auth-service", "--replicas=3"])
        #expect(said.contains("deployment.apps/auth-service scaled"))
        #expect(try await server.deployments()["\(FakeKubeAPIServer.namespace)/auth-service"]?["replicas"] as? Int == 3)
        #expect(try await server.wait { try await server.podNames(of: "auth-service").count == 3 })
        // kubectl sent what the reference captured: a merge patch of the scale subresource.
        let patch = try await server.requests().first { $0["method"] as? String == "PATCH" }
        #expect(patch?["path"] as? String == "/apis/apps/v1/namespaces/dreamscape-dev/deployments/auth-service/scale")
        #expect(patch?["contentType"] as? String == "application/merge-patch+json")
    }

    @Test func kubectlRolloutRestartReplacesEveryPod() async throws {
        let server = try await FakeKubeAPIServer()
        try await server.addDeployment("user-service", pod: "core", replicas: 2)
        let before = try await server.podNames(of: "user-service")
        let said = try await server.kubectl(["rollout", "restart", "deployment/user-service"])
        #expect(said.contains("restarted"))
        let annotations = try await server.deployments()["\(FakeKubeAPIServer.namespace)/user-service"]?["templateAnnotations"] as? [String: String]
        #expect(annotations?["kubectl.kubernetes.io/restartedAt"] != nil)
        // kubectl's own rollout status, which watches the deployment, sees the rollout finish.
        let status = try await server.kubectl(["rollout", "status", "deployment/user-service", "--timeout=20s"])
        #expect(status.contains("successfully rolled out"))
        let after = try await server.podNames(of: "user-service")
        #expect(after.count == 2)
        #expect(Set(after).isDisjoint(with: before))
    }

    @Test func kubectlRestartsAndScalesAStatefulSetInOrder() async throws {
        let server = try await FakeKubeAPIServer()
        try await server.addStatefulSet("ledger", pod: "commerce", replicas: 2)
        #expect(try await server.podNames(of: "ledger") == ["ledger-0", "ledger-1"])
        #expect(try await server.kubectl(["scale", "statefulset/ledger", "--replicas=3"]).contains("statefulset.apps/ledger scaled"))
        #expect(try await server.wait { try await server.podNames(of: "ledger") == ["ledger-0", "ledger-1", "ledger-2"] })
        let before = try await server.pods().filter { $0.key.contains("/ledger-") }.mapValues { ($0["labels"] as? [String: String])?["controller-revision-hash"] }
        // The controller holds the rollout until kubectl is watching it, so kubectl sees it under way.
        try await server.control("controller", ["paused": true])
        #expect(try await server.kubectl(["rollout", "restart", "statefulset/ledger"]).contains("restarted"))
        let watchesBefore = try await server.statefulSetWatches()
        async let status = server.kubectl(["rollout", "status", "statefulset/ledger", "--timeout=20s"])
        #expect(try await server.wait { try await server.statefulSetWatches() > watchesBefore })
        try await server.control("controller", ["paused": false])
        // kubectl's own StatefulSet status check (revisions, updated and ready replicas) agrees it ends.
        let said = try await status
        #expect(said.contains("statefulset rolling update complete 3 pods at revision ledger-"), "\(said)")
        #expect(said.contains("Waiting for") || said.contains("waiting for"), "kubectl saw the rollout under way: \(said)")
        let after = try await server.pods().filter { $0.key.contains("/ledger-") }.mapValues { ($0["labels"] as? [String: String])?["controller-revision-hash"] }
        #expect(Set(after.keys) == Set(before.keys))
        #expect(after.allSatisfy { $0.value != before[$0.key] ?? nil })
    }

    @Test func kubectlLogsShowsWhatTheContainerWrote() async throws {
        let server = try await FakeKubeAPIServer()
        try await server.addDeployment("payment", pod: "commerce", replicas: 1)
        let pod = try #require(try await server.podNames(of: "payment").first)
        try await server.control("log", ["namespace": FakeKubeAPIServer.namespace, "pod": pod, "container": "payment",
                                   "lines": ["charge ok id=1", "charge declined id=2"]])
        let plain = try await server.kubectl(["logs", pod, "--tail=2"])
        #expect(plain == "charge ok id=1\ncharge declined id=2\n")
        let stamped = try await server.kubectl(["logs", pod, "--timestamps", "--tail=1"])
        // The kubelet's fixed nine-digit fraction, then a space, then the line.
        #expect(stamped.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z charge declined id=2\n/) != nil)
        // The previous container: refused as the API server words it until there is one.
        let none = try await server.kubectl(["logs", pod, "--previous"], check: false)
        #expect(none.contains(#"previous terminated container "payment" in pod "\#(pod)" not found"#))
        try await server.control("pod-state", ["namespace": FakeKubeAPIServer.namespace, "name": pod, "state": "crashloop"])
        #expect(try await server.kubectl(["logs", pod, "--previous", "--tail=1"]) == "fatal: cannot reach mongodb\n")
    }

    @Test func kubectlIsRefusedAsTheServerSays() async throws {
        let server = try await FakeKubeAPIServer()
        try await server.addDeployment("ai", pod: "experience")
        try await server.control("token", ["token": "good-token", "user": "dash"])
        try await server.control("deny", ["user": "dash", "verb": "list", "resource": "pods"])
        let tokenConfig = try server.kubeconfig(.token("good-token"), name: "token-config")
        let refused = try await server.kubectl(["get", "pods"], kubeconfig: tokenConfig, check: false)
        #expect(refused.contains(#"Error from server (Forbidden): pods is forbidden: User "dash" cannot list resource "pods" in API group "" in the namespace "dreamscape-dev""#))
        #expect(try await server.kubectl(["get", "deployments", "--no-headers"], kubeconfig: tokenConfig).hasPrefix("ai "))
        let badConfig = try server.kubeconfig(.token("wrong-token"), name: "bad-config")
        let unauthorized = try await server.kubectl(["get", "deployments"], kubeconfig: badConfig, check: false)
        #expect(unauthorized.contains("You must be logged in to the server (Unauthorized)"))
    }
}
