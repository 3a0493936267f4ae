import Foundation
import Testing
@testable import PodtopRuntime

/// The pieces of the Kubernetes backend that need no server: quantities and kubectl's STATUS.
@Suite(.timeLimit(.minutes(1)))
struct KubernetesQuantityTests {
    @Test(arguments: [
        ("250m", "0.25"), ("2274433n", "0.002274433"), ("1", "1"), ("18924Ki", "19378176"),
        ("128M", "128000000"), ("128Mi", "134217728"), ("1.5Gi", "1610612736"), ("1e3", "1000"),
        ("1E", "1000000000000000000"), (".5", "0.5"), ("5.", "5"), ("-1", "-1"), ("+2k", "2000"),
        ("3u", "0.000003"), ("2E-3", "0.002"), ("1Ei", "1152921504606846976"),
    ])
    func parsesExactly(text: String, expected: String) throws {
        let quantity = try #require(KubernetesQuantity(text))
        #expect(quantity.value == Decimal(string: expected, locale: Locale(identifier: "en_US_POSIX")))
    }

    @Test(arguments: ["", "1.2.3", "1 Ki", "1KI", "k", "1e", "1Kii", "+", ".", "1ki", "Mi", "1e+", "0x10"])
    func rejectsWhatTheAPIServerRejects(text: String) {
        #expect(KubernetesQuantity(text) == nil)
    }

    @Test func scaledValuesRoundUpAsTheAPIServerDoes() throws {
        #expect(KubernetesQuantity("2274433n")?.milliUnits == 3)
        #expect(KubernetesQuantity("2274433n")?.nanoUnits == 2_274_433)
        #expect(KubernetesQuantity("250m")?.milliUnits == 250)
        #expect(KubernetesQuantity("18924Ki")?.units == 19_378_176)
        #expect(KubernetesQuantity("100m")?.units == 1)  // a tenth of a byte is a byte
    }

    @Test func quantitiesPastDecimalsRangeAreRefusedOrZeroWithoutATrap() {
        // Found by the kube-quantity fuzz target: Decimal's `*` trapped on the underflow.
        let tiny = "-." + String(repeating: "0", count: 126) + "1E-079"
        #expect(KubernetesQuantity(tiny)?.units == 0)
        #expect(KubernetesQuantity(String(repeating: "9", count: 120) + "E") == nil)
        #expect(KubernetesQuantity("1e120")?.units == nil, "past Int64, not a trap")
        #expect(KubernetesQuantity("1e120")?.nanoUnits == nil)
    }
}

@Suite(.timeLimit(.minutes(1)))
struct KubectlStatusTests {
    /// A pod from JSON in the API's shape; `containers` and `initContainers` as statuses.
    func pod(phase: String = "Running", reason: String? = nil, deleting: Bool = false, ready: Bool = true,
             initContainers: [String] = [], initSpecs: String = "", containers: [String]) throws -> KubernetesPod {
        let names = (0..<max(1, containers.count)).map { #"{"name":"c\#($0)"}"# }.joined(separator: ",")
        let json = """
            {"metadata":{"name":"web-1","namespace":"dreamscape-dev"\(deleting ? #","deletionTimestamp":"2026-11-30T10:00:00Z""# : "")},
             "spec":{"containers":[\(names)]\(initSpecs.isEmpty ? "" : ",\"initContainers\":[\(initSpecs)]")},
             "status":{"phase":"\(phase)"\(reason.map { ",\"reason\":\"\($0)\"" } ?? ""),
               "conditions":[{"type":"Ready","status":"\(ready ? "True" : "False")"}],
               "initContainerStatuses":[\(initContainers.joined(separator: ","))],
               "containerStatuses":[\(containers.joined(separator: ","))]}}
            """
        return try JSONDecoder().decode(KubernetesPod.self, from: Data(json.utf8))
    }

    func container(_ name: String = "c0", ready: Bool = false, restarts: Int = 0, state: String) -> String {
        #"{"name":"\#(name)","ready":\#(ready),"restartCount":\#(restarts),"state":\#(state)}"#
    }

    let running = #"{"running":{"startedAt":"2026-11-30T10:00:00Z"}}"#

    @Test func theColumnReadsAsKubectlPrintsIt() throws {
        #expect(try pod(containers: [container(ready: true, state: running)]).kubectlStatus == "Running")
        let crashing = try pod(containers: [container(restarts: 7, state: #"{"waiting":{"reason":"CrashLoopBackOff","message":"back-off 5m0s"}}"#)])
        #expect(crashing.kubectlStatus == "CrashLoopBackOff")
        #expect(crashing.restarts == 7)
        #expect(try pod(phase: "Pending", containers: [container(state: #"{"waiting":{"reason":"ImagePullBackOff"}}"#)]).kubectlStatus == "ImagePullBackOff")
        #expect(try pod(containers: [container(state: #"{"terminated":{"exitCode":137,"reason":"OOMKilled"}}"#)]).kubectlStatus == "OOMKilled")
        #expect(try pod(containers: [container(state: #"{"terminated":{"exitCode":3}}"#)]).kubectlStatus == "ExitCode:3")
        #expect(try pod(containers: [container(state: #"{"terminated":{"exitCode":0,"signal":9}}"#)]).kubectlStatus == "Signal:9")
        #expect(try pod(phase: "Failed", reason: "Evicted", containers: []).kubectlStatus == "Evicted")
        #expect(try pod(deleting: true, containers: [container(ready: true, state: running)]).kubectlStatus == "Terminating")
        // The first container's reason wins over the second's.
        let two = try pod(containers: [container("c0", state: #"{"waiting":{"reason":"CrashLoopBackOff"}}"#),
                                       container("c1", state: #"{"terminated":{"exitCode":1,"reason":"Error"}}"#)])
        #expect(two.kubectlStatus == "CrashLoopBackOff")
        // One container completed beside one still running and ready: the pod runs.
        let sidecarDone = try pod(containers: [container("c0", state: #"{"terminated":{"exitCode":0,"reason":"Completed"}}"#),
                                               container("c1", ready: true, state: running)])
        #expect(sidecarDone.kubectlStatus == "Running")
        let notReady = try pod(ready: false, containers: [container("c0", state: #"{"terminated":{"exitCode":0,"reason":"Completed"}}"#),
                                                          container("c1", ready: true, state: running)])
        #expect(notReady.kubectlStatus == "NotReady")
    }

    @Test func initContainersAtWorkShowFirst() throws {
        let specs = #"{"name":"migrate"},{"name":"seed"}"#
        let done = container("migrate", state: #"{"terminated":{"exitCode":0,"reason":"Completed"}}"#)
        let seeding = container("seed", state: running)
        #expect(try pod(phase: "Pending", initContainers: [done, seeding], initSpecs: specs, containers: [container(state: #"{"waiting":{"reason":"PodInitializing"}}"#)]).kubectlStatus == "Init:1/2")
        let crashing = container("migrate", restarts: 4, state: #"{"waiting":{"reason":"CrashLoopBackOff"}}"#)
        let crashingPod = try pod(phase: "Pending", initContainers: [crashing], initSpecs: specs, containers: [])
        #expect(crashingPod.kubectlStatus == "Init:CrashLoopBackOff")
        #expect(crashingPod.restarts == 4)
        #expect(try pod(phase: "Pending", initContainers: [container("migrate", state: #"{"terminated":{"exitCode":2}}"#)], initSpecs: specs, containers: []).kubectlStatus == "Init:ExitCode:2")
        // A sidecar (restartPolicy: Always) that has started does not hold the pod in Init.
        let sidecarSpec = #"{"name":"proxy","restartPolicy":"Always"}"#
        let sidecar = #"{"name":"proxy","ready":true,"started":true,"restartCount":0,"state":\#(running)}"#
        #expect(try pod(initContainers: [sidecar], initSpecs: sidecarSpec, containers: [container(ready: true, state: running)]).kubectlStatus == "Running")
    }
}
