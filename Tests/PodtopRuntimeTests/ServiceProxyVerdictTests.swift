import Foundation
import PodtopCore
import Testing
@testable import PodtopRuntime

/// The service's answer told from the API server's, and down told from cannot-tell: the answers
/// below are the API server's own Status documents for each case.
@Suite(.timeLimit(.minutes(1))) struct ServiceProxyVerdictTests {
    let now = Date(timeIntervalSince1970: 1_796_040_000)

    func sample(_ answer: ServiceProxyAnswer) -> HealthSample {
        ServiceProxyVerdict.sample(answer, service: "auth-service", thresholds: .standard, timeoutMs: 800, at: now)
    }

    func status(_ code: Int, _ reason: String, _ message: String) -> ServiceProxyAnswer {
        let body = #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"\#(message)","reason":"\#(reason)","code":\#(code)}"#
        return .answered(status: code, body: Array(body.utf8), latencyMs: 3)
    }

    @Test func theServicesOwnAnswerIsJudgedAsOnDocker() {
        #expect(sample(.answered(status: 200, body: Array(#"{"status":"ok"}"#.utf8), latencyMs: 12)).verdict == .up)
        let own503 = sample(.answered(status: 503, body: Array(#"{"status":"down","db":"unreachable"}"#.utf8), latencyMs: 12))
        #expect(own503.verdict == .down)
        #expect(own503.detail.hasPrefix("HTTP 503"))
        #expect(sample(.answered(status: 200, body: Array(#"{"status":"ok"}"#.utf8), latencyMs: 900)).verdict == .degraded)
    }

    @Test func noReadyPodOrARefusedConnectionIsTheServiceDown() {
        let none = sample(status(503, "ServiceUnavailable", #"no endpoints available for service \"auth-service\""#))
        #expect(none.verdict == .down)
        #expect(none.detail == #"no ready pod behind Service auth-service (the API server: no endpoints available for service "auth-service")"#)
        let refused = sample(status(503, "ServiceUnavailable", "error trying to reach service: dial tcp 10.42.0.7:3001: connect: connection refused"))
        #expect(refused.verdict == .down)
    }

    @Test func whatStopsPodtopFromLookingIsUnknownWithTheReason() {
        let forbidden = sample(status(403, "Forbidden", #"services \"auth-service:3001\" is forbidden: User \"ops\" cannot get resource \"services/proxy\""#))
        #expect(forbidden.verdict == .unknown)
        #expect(forbidden.detail.hasPrefix("cannot tell: the service proxy is forbidden (403): services"))
        #expect(sample(status(404, "NotFound", #"services \"auth-service\" not found"#)).detail.hasPrefix("cannot tell: no Service auth-service here (404)"))
        #expect(sample(status(503, "ServiceUnavailable", "error trying to reach service: dial tcp 10.42.0.7:3001: i/o timeout")).verdict == .unknown)
        #expect(sample(.notMade("not connected to the API server: connection refused")).verdict == .unknown)
        let slow = sample(.timedOut)
        #expect(slow.verdict == .unknown)
        #expect(slow.detail.contains("within 800ms"))
        #expect([forbidden, slow].allSatisfy { $0.latencyMs == nil })
    }

    @Test func aStatusMessageReachesTheScreenWithoutItsControlBytes() {
        let hostile = sample(status(403, "Forbidden", "no \\u001b]0;owned\\u0007 way"))
        #expect(!hostile.detail.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F })
    }

    @Test func onlyAV1StatusIsTheAPIServerSpeaking() {
        // A service whose own body happens to be JSON with a message is still the service.
        let own = sample(.answered(status: 403, body: Array(#"{"message":"no endpoints available","status":"fail"}"#.utf8), latencyMs: 4))
        #expect(own.verdict == .down)
        #expect(own.detail.hasPrefix("HTTP 403"))
    }
}
