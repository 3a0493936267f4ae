import Foundation
import PodtopCore
import Testing
@testable import PodtopRuntime

/// What a compromised daemon or API server can send, decoder by decoder: each answer here
/// crashed podtop, lost a container or grew memory without bound before it was fixed.
@Suite(.timeLimit(.minutes(1))) struct HostileAnswerTests {
    static let captures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("DockerCaptures")

    /// One multiplexed frame of `payload` on `stream` (1 stdout, 2 stderr).
    func frame(_ payload: [UInt8], stream: UInt8 = 1) -> [UInt8] {
        let length = UInt32(payload.count)
        return [stream, 0, 0, 0, UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)] + payload
    }

    @Test func aLineWithoutTheTimestampAskedForIsKeptWhole() {
        // A Python traceback through a proxy that ignores timestamps=1: it starts with a space.
        let text = "  File \"app.py\", line 12, in handler\n"
        var decoder = LogStreamDecoder(tty: false)
        let lines = decoder.feed(frame(Array(text.utf8)))
        #expect(lines.map { String(decoding: $0.bytes, as: UTF8.self) } == ["  File \"app.py\", line 12, in handler"])
        #expect(lines.first?.time == nil)
        var raw = LogStreamDecoder(tty: true)
        #expect(raw.feed(Array(" \(String(repeating: "x", count: 30)) Z\n".utf8)).count == 1)
    }

    @Test func aFrameClaimingFourGibibytesIsPassedOnAsItArrivesNotKept() {
        var decoder = LogStreamDecoder(tty: false)
        var header: [UInt8] = [1, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF]
        header += Array("first line\n".utf8)
        var lines = decoder.feed(header)
        for _ in 0..<64 { lines += decoder.feed(Array(repeating: UInt8(ascii: "y"), count: 16 * 1024)) }
        #expect(lines.first.map { String(decoding: $0.bytes, as: UTF8.self) } == "first line")
        // A megabyte later, nothing held but the line being cut at its limit.
        #expect(decoder.bufferedBytes < 128 * 1024, "\(decoder.bufferedBytes) bytes held")
    }

    @Test func theJSONLineSplitterDropsAGiantLineAndKeepsTheRest() {
        var splitter = JSONLineSplitter(maxLineBytes: 1024)
        var lines = splitter.feed(Array("{\"a\":1}\n".utf8) + Array(repeating: UInt8(ascii: "x"), count: 5000))
        lines += splitter.feed(Array("xx\n{\"b\":2}\n{\"c\"".utf8))
        lines += splitter.feed(Array(":3}\n".utf8))
        #expect(lines.map { String(decoding: $0, as: UTF8.self) } == ["{\"a\":1}", "{\"b\":2}", "{\"c\":3}"])
        #expect(splitter.droppedLines == 1)
        // Byte by byte, each byte looked at once: the same lines.
        var slow = JSONLineSplitter()
        let bytes = Array("{\"a\":1}\n\n{\"b\":2}\n".utf8)
        #expect(bytes.flatMap { slow.feed([$0]) }.count == 2)
    }

    @Test func anInspectWithOneNumberOutOfRangeKeepsEverythingElse() throws {
        var object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: Self.captures.appendingPathComponent("inspect-compose-labelled-unhealthy.json"))) as? [String: Any])
        var state = try #require(object["State"] as? [String: Any])
        var health = try #require(state["Health"] as? [String: Any])
        health["FailingStreak"] = "many"
        state["Health"] = health
        state["ExitCode"] = ["not": "a number"]
        object["State"] = state
        var text = String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
        text = text.replacingOccurrences(of: "\"RestartCount\":0", with: "\"RestartCount\":18446744073709551615")
        let inspect = try JSONDecoder().decode(DockerContainerInspect.self, from: Data(text.utf8))
        #expect(inspect.state.health?.status == "unhealthy")
        #expect(inspect.restartCount == .max, "held at the edge of Int's range")
        #expect(inspect.dropped.sorted() == ["State.ExitCode", "State.Health.FailingStreak"])
        #expect(inspect.logDriver == "json-file", "the rest of the answer is kept")
        #expect(!inspect.config.labels.isEmpty)
    }

    @Test func restartsAtTheEdgeOfSixtyFourBitsAddUpWithoutATrap() throws {
        let replicas = (0..<2).map { Replica(id: "\($0)", name: "core-\($0)", phase: .healthy, restarts: .max, memoryBytes: .max) }
        let pod = PodSnapshot(id: PodID("core"), desiredReplicas: .max, replicas: replicas)
        #expect(pod.restartTotal == .max)
        #expect(pod.memoryBytes == .max)
        let report = CheckReport.make(topology: DreamScapeDefaults.topology, identity: RuntimeIdentity(kind: "docker", endpoint: "x"),
                                      snapshot: RuntimeSnapshot(takenAt: Date(), pods: [pod]), runtimeError: nil, health: [:], at: Date())
        #expect(report.pods.first?.restarts == .max)
        let workloads = try [KubernetesWorkloadFixture.workload(replicas: .max), KubernetesWorkloadFixture.workload(replicas: .max)]
        #expect(workloads.saturatingSum(\.desiredReplicas) == .max)
    }

    @Test func aPodWithFieldsOutOfRangeOrOfTheWrongTypeKeepsTheRest() throws {
        let json = """
            {"metadata":{"name":"auth-7d4f","uid":"u1","labels":{"app":"auth"},"creationTimestamp":42},
             "spec":{"nodeName":"k3s-1","containers":[{"name":"auth","image":"auth:1"},{"image":"no-name"}]},
             "status":{"phase":"Running","startTime":"2026-12-07T10:00:00Z",
               "conditions":[{"type":"Ready","status":"True"},{"type":7}],
               "containerStatuses":[
                 {"name":"auth","ready":true,"restartCount":18446744073709551615,"state":{"running":{}}},
                 {"name":"sidecar","ready":"yes","restartCount":"many","state":{"terminated":{"exitCode":"x","reason":"Error"}}},
                 {"ready":true}]}}
            """
        let pod = try JSONDecoder().decode(KubernetesPod.self, from: Data(json.utf8))
        #expect(pod.restarts == .max, "held at the edge of Int's range, then summed without a trap")
        #expect(pod.isReady)
        #expect(pod.spec.nodeName == "k3s-1")
        #expect(pod.status.containerStatuses?.count == 2)
        #expect(pod.kubectlStatus == "Error")
        #expect(pod.unreadable.sorted() == [
            "metadata.creationTimestamp", "spec.containers[1]", "status.conditions[1]", "status.containerStatuses[1].ready",
            "status.containerStatuses[1].restartCount", "status.containerStatuses[1].state.terminated.exitCode",
            "status.containerStatuses[2]",
        ])
        #expect(pod.replica.unreadable == pod.unreadable, "the details say what was left out")
        let noExitCode = try JSONDecoder().decode(KubernetesPod.self, from: Data("""
            {"metadata":{"name":"p"},"spec":{"containers":[{"name":"c"}]},
             "status":{"containerStatuses":[{"name":"c","ready":false,"restartCount":0,"state":{"terminated":{"exitCode":1e400}}}]}}
            """.utf8))
        #expect(noExitCode.kubectlStatus == "ExitCode:?")
    }

    @Test func aListKeepsTheObjectsThatCanBeRead() throws {
        let json = """
            {"metadata":{"resourceVersion":"42"},"items":[
              {"metadata":{"name":"auth","generation":1e30},"spec":{"replicas":18446744073709551615,"selector":{"matchLabels":{"app":"auth"}}},
               "status":{"replicas":-99999999999999999999,"readyReplicas":"two","conditions":[{"type":"Available","status":"True"},[]]}},
              {"metadata":{"labels":{"app":"nameless"}}},
              {"metadata":{"name":"user"},"spec":"broken"}]}
            """
        let list = try JSONDecoder().decode(KubernetesList<KubernetesWorkload>.self, from: Data(json.utf8))
        #expect(list.metadata.resourceVersion == "42")
        #expect(list.items.map(\.metadata.name) == ["auth", "user"])
        let auth = try #require(list.items.first)
        #expect(auth.desiredReplicas == .max)
        #expect(auth.metadata.generation == .max)
        #expect(auth.status?.replicas == .min)
        #expect(auth.status?.readyReplicas == nil)
        #expect(auth.status?.conditions?.count == 1)
        #expect(auth.selects(["app": "auth"]))
        #expect(list.items.last?.desiredReplicas == 1, "a spec that cannot be read asks for the API's default")
        let metrics = try JSONDecoder().decode(KubernetesPodMetrics.self, from: Data("""
            {"metadata":{"name":"auth-1"},"containers":[{"name":"a","usage":{"cpu":"9223372036","memory":"9223372036854775807"}},
                                                         {"name":"b","usage":{"cpu":"9223372036","memory":"9223372036854775807"}}]}
            """.utf8))
        #expect(metrics.usage.memoryBytes == UInt64(Int64.max), "summed without a trap")
    }

    @Test func anEventWithATimeOutOfRangeOrOddAttributesIsStillTaken() throws {
        let json = #"{"Type":"container","Action":"die","Actor":{"ID":"abc","Attributes":{"exitCode":137}},"timeNano":99999999999999999999}"#
        let event = try JSONDecoder().decode(DockerEvent.self, from: Data(json.utf8))
        #expect(event.action == "die")
        #expect(event.actor.id == "abc")
        #expect(event.timeNano == .max)
        #expect(event.changesInventory)
    }

    @Test func aMalformedKubeconfigIsNamedByLineWithoutItsSecrets() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("podtop-kubeconfig-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try """
        apiVersion: v1
        users:
        - name: ops
          user:
            token: "s3cr3t-t0ken-value
        """.write(toFile: path, atomically: true, encoding: .utf8)
        do {
            _ = try KubeConfig.load(paths: [path])
            Issue.record("a broken kubeconfig was read")
        } catch {
            #expect(!"\(error)".contains("s3cr3t"), "\(error)")
            #expect("\(error)".hasPrefix("\(path):"), "\(error)")
        }
    }

    @Test func aCertificateAuthorityBesideInsecureSkipTLSVerifyIsRefusedAsKubectlDoes() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("podtop-kc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("config").path
        try """
        apiVersion: v1
        current-context: dev
        clusters:
        - name: k3s
          cluster: {server: "https://127.0.0.1:6443", insecure-skip-tls-verify: true, certificate-authority-data: "\(Data("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n".utf8).base64EncodedString())"}
        users:
        - {name: ops, user: {token: abc}}
        contexts:
        - {name: dev, context: {cluster: k3s, user: ops}}
        """.write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: RuntimeError("cluster \"k3s\": specifying a root certificates file with the insecure flag is not allowed")) {
            try KubeConfig.load(paths: [path]).target()
        }
        var insecure = KubernetesTarget(contextName: "dev", server: "https://127.0.0.1:6443", namespace: "ns", insecureSkipTLSVerify: true)
        #expect(insecure.insecure == "insecure-skip-tls-verify: the API server's certificate is not checked")
        insecure.insecureSkipTLSVerify = false
        #expect(insecure.insecure == nil)
        #expect(DockerEndpoint(transport: .tcp(host: "127.0.0.1", port: 2375)).insecure != nil)
    }
}

/// A Deployment with a given replica count, as the API server would send it.
enum KubernetesWorkloadFixture {
    static func workload(replicas: Int) throws -> KubernetesWorkload {
        let json = #"{"metadata":{"name":"w"},"spec":{"replicas":\#(replicas),"selector":{"matchLabels":{"app":"w"}}},"status":{}}"#
        return try JSONDecoder().decode(KubernetesWorkload.self, from: Data(json.utf8))
    }
}
