import Foundation
import Testing
@testable import PodtopCore

/// Numbers and strings at the edges of what a daemon, an API server or a config can hold: none
/// traps, none runs into the next column, none reaches the terminal as a control sequence.
@Suite(.timeLimit(.minutes(1))) struct HostileValueTests {
    @Test func everyFigureKeepsItsWidthWhateverItsValue() {
        #expect(Format.bytes(.max) == "16E")
        #expect(Format.bytes(1024 * 1024 * 1024 * 1024 * 1023 + 1024 * 1024 * 1024 * 1000) == "1.0P")
        #expect(Format.percent(1e300) == ">9999%")
        #expect(Format.percent(.nan) == "–")
        #expect(Format.percent(.infinity) == "–")
        #expect(Format.percent(1234) == "1234%")
        #expect(Format.milliseconds(1e300) == ">999s")
        #expect(Format.milliseconds(120_000) == "120s")
        #expect(Format.duration(1e300) == ">9999d")
        #expect(Format.duration(.nan) == "–")
        #expect(Format.clock(Date(timeIntervalSince1970: 1e300), utcOffset: 0) == "--:--:--")
        #expect([99_999, 123_456, 999_999, 12_345_678, .max, -5].map(Format.count) == ["99999", "123k", "1.0M", "12M", "9.2E", "-5"])
        for text in [Format.bytes(.max), Format.percent(1e300), Format.milliseconds(1e300), Format.duration(1e300), Format.count(.max), Format.count(.min)] {
            #expect(text.count <= 6, "\(text)")
        }
    }

    @Test func aConfigsNumberThatDoesNotFitIsAnErrorWithItsLineNotATrap() {
        for value in ["999999999999999999:0", "0x7fffffffffffffffff", "99999999999999999999"] {
            do {
                _ = try ConfigFile.parse("refresh: 1\nlog_lines: \(value)\n", file: "c.yaml")
                Issue.record("\(value) was taken")
            } catch {
                #expect(error.line == 2, "\(error)")
            }
        }
        #expect(throws: FileProblem.self) { try ConfigFile.parse("refresh: 1:30\n", file: "c.yaml") }
    }

    @Test func aConfigStringWithAControlCharacterIsRefused() {
        do {
            _ = try ConfigFile.parse("pods:\n  - id: core\n    name: \"Core\\e]0;owned\\a\"\n    services: []\n", file: "c.yaml")
            Issue.record("a name with an escape sequence was taken")
        } catch {
            #expect(error.line == 3, "\(error)")
            #expect(error.problem == "has a control character (U+001B) in it", "\(error)")
        }
    }

    @Test func everyStringOfAnEventIsMadeInert() throws {
        let hostile = "x\u{1B}]52;c;b3duZWQ=\u{07}\u{9B}2J\u{202E}y"
        guard case .connected(let identity) = RuntimeEvent.connected(RuntimeIdentity(kind: "docker", endpoint: hostile, version: hostile)).inert else {
            Issue.record("not an identity"); return
        }
        let replica = Replica(id: hostile, name: hostile, phase: .healthy, image: hostile, statusText: hostile, node: hostile)
        var actions = PodActions.all
        actions.refuse(.scale, because: hostile)
        let snapshot = RuntimeSnapshot(takenAt: Date(), pods: [PodSnapshot(id: PodID("core"), desiredReplicas: 1, replicas: [replica],
                                                                           workloads: [WorkloadInfo(kind: hostile, name: hostile, desiredReplicas: 1)], actions: actions,
                                                                           readiness: ["auth": ServiceReadiness(ready: 0, total: 1, source: hostile, notReadyReason: hostile)])],
                                       unmatched: [replica], statsSource: hostile, statsUnavailable: hostile)
        guard case .snapshot(let inert) = RuntimeEvent.snapshot(snapshot).inert,
              case .health(_, let sample) = RuntimeEvent.health(.infrastructure("r"), HealthSample(at: Date(), verdict: .down, latencyMs: nil, detail: hostile, route: hostile)).inert,
              case .disconnected(let reason, _) = RuntimeEvent.disconnected(reason: hostile, retryIn: .seconds(1)).inert else {
            Issue.record("an event changed its kind"); return
        }
        let pod = try #require(inert.pods.first)
        let replicaStrings: [String] = [pod.replicas[0].id, pod.replicas[0].name, pod.replicas[0].image, pod.replicas[0].statusWord,
                                        pod.replicas[0].node ?? "", inert.unmatched[0].name]
        let podStrings: [String] = [pod.workloads[0].kind, pod.workloads[0].name, pod.actions.refusal(of: .scale) ?? "",
                                    pod.readiness["auth"]?.words ?? ""]
        let otherStrings: [String] = [identity.endpoint, identity.version ?? "", inert.statsSource ?? "", inert.statsUnavailable ?? "",
                                      sample.detail, sample.route ?? "", reason]
        let strings = replicaStrings + podStrings + otherStrings
        for text in strings {
            #expect(!text.unicodeScalars.contains { $0.value < 0x20 || (0x7F..<0xA0).contains($0.value) || (0x202A...0x202E).contains($0.value) },
                    "\(text.debugDescription)")
        }
        #expect(identity.endpoint == "x␛]52;c;b3duZWQ=<U+009B>2J<U+202E>y")
    }

    @Test func controlCharactersTakeNoColumn() {
        #expect(DisplayWidth.of(Character("\u{85}")) == 0)
        #expect(DisplayWidth.of(Character("\u{9B}")) == 0)
        #expect(DisplayWidth.of("a\u{9D}b" as String) == 2)
    }
}
