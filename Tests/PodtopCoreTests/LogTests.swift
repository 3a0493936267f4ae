import Foundation
import Testing
import TestSupport
@testable import PodtopCore

@Suite(.timeLimit(.minutes(1))) struct LogBufferTests {
    func line(_ n: Int) -> LogLine {
        LogLine(at: Date(timeIntervalSince1970: Double(n)), source: LogSource(pod: PodID("core"), service: "auth", replica: "1"),
                stream: .stdout, level: .info, text: "line \(n)")
    }

    @Test func keepsTheNewestLinesAndCountsTheDropped() {
        var buffer = LogBuffer(capacity: 100)
        for n in 0..<250 { buffer.append(line(n)) }
        #expect(buffer.count == 100)
        #expect(buffer.dropped == 150)
        #expect(buffer.appended == 250)
        #expect(buffer[0].text == "line 150")
        #expect(buffer[99].text == "line 249")
    }

    @Test func tailFiltersAndSkipsFromTheNewest() {
        var buffer = LogBuffer(capacity: 50)
        for n in 0..<50 { buffer.append(line(n)) }
        let even = buffer.tail(3, where: { Int($0.text.dropFirst(5))! % 2 == 0 })
        #expect(even.map(\.text) == ["line 44", "line 46", "line 48"])
        let scrolled = buffer.tail(2, skip: 5)
        #expect(scrolled.map(\.text) == ["line 43", "line 44"])
    }
}

@Suite(.timeLimit(.minutes(1))) struct LogSanitizerTests {
    let sanitizer = LogSanitizer()

    func clean(_ text: String) -> String { sanitizer.sanitize(Array(text.utf8)) }

    @Test func colourIsDroppedSilently() {
        #expect(clean("\u{1B}[31mERROR\u{1B}[0m boom") == "ERROR boom")
    }

    @Test func everyLineOfTheHostileCorpusIsInertAndReadsAsExpected() {
        #expect(HostileLogCorpus.lines.count >= 40)
        for entry in HostileLogCorpus.lines {
            let result = sanitizer.sanitize(entry.bytes)
            let controls = result.unicodeScalars.filter { $0.value < 0x20 || (0x7F..<0xA0).contains($0.value) }
            #expect(controls.isEmpty, "\(entry.name): \(result.debugDescription)")
            #expect(!result.unicodeScalars.contains { (0x202A...0x202E).contains($0.value) || (0x2066...0x2069).contains($0.value) },
                    "\(entry.name) kept a bidi control")
            if let visible = entry.visible {
                #expect(result == visible, "\(entry.name): \(result.debugDescription)")
            }
        }
    }

    @Test func aMegabyteLineIsCutAtTheLimitWithAMarker() throws {
        let entry = try #require(HostileLogCorpus.lines.first { $0.name == "1 MiB line" })
        let result = sanitizer.sanitize(entry.bytes)
        #expect(result.utf8.count < 16 * 1024 + 64)
        #expect(result.hasSuffix("…[cut at 16 KiB of 1024 KiB]"))
    }

    @Test func controlsBecomeCaretNotationAndC1BecomesVisible() {
        #expect(clean("bell\u{07}nul\u{00}del\u{7F}") == "bell^Gnul^@del^?")
        #expect(clean("x\u{9B}31my") == "x<U+009B>31my")
        #expect(clean("evil\u{202E}txt") == "evil<U+202E>txt")
    }

    @Test func invalidUTF8BecomesReplacementCharacters() {
        let result = sanitizer.sanitize([0x61, 0xFF, 0x62, 0xC3, 0x28])
        #expect(result == "a\u{FFFD}b\u{FFFD}(")
    }

    @Test func aCarriageReturnIsShownAndTabsExpand() {
        #expect(clean("progress 10%\rprogress 100%") == "progress 10%␍progress 100%")
        #expect(clean("a\tb") == "a       b")
        #expect(clean("done\r") == "done", "CRLF ends a line")
    }

    @Test func aLineCannotHideItsLevelBehindACarriageReturn() {
        let line = LogLine.fromUntrusted(Array("ERROR charge failed\rINFO ok".utf8), at: Date(timeIntervalSince1970: 0),
                                         source: LogSource(pod: PodID("commerce"), service: nil, replica: "payment-1"), stream: .stdout)
        #expect(line.level == .error, "\(line.text)")
        #expect(line.text.hasPrefix("ERROR charge failed␍"))
    }

    @Test func whatALineBecomesIsCappedNotOnlyWhatCameIn() {
        // 16 KiB of tabs would become 128 KiB of spaces; 4 KiB of U+0085 become 28 KiB of text.
        let tabs = LogSanitizer(maxBytes: 16 * 1024).sanitize(Array(repeating: 0x09, count: 16 * 1024))
        #expect(tabs.utf8.count < 17 * 1024)
        #expect(tabs.hasSuffix("…[cut: past 16 KiB as shown]"))
        let nels = LogSanitizer(maxBytes: 16 * 1024).sanitize(Array(String(repeating: "\u{85}", count: 4096).utf8))
        #expect(nels.utf8.count < 17 * 1024)
    }

    @Test func longLinesAreCutWithAVisibleMarker() {
        let result = LogSanitizer(maxBytes: 1024).sanitize(Array(repeating: UInt8(ascii: "x"), count: 5000))
        #expect(result.hasPrefix(String(repeating: "x", count: 1024)))
        #expect(result.hasSuffix("…[cut at 1 KiB of 4 KiB]"))
    }
}

@Suite(.timeLimit(.minutes(1))) struct LogLevelAndStructureTests {
    func line(_ text: String) -> LogLine {
        LogLine.fromUntrusted(Array(text.utf8), at: Date(), source: LogSource(pod: nil, service: nil, replica: "1"), stream: .stdout)
    }

    @Test(arguments: [
        ("ERROR upstream reset", LogLevel.error),
        ("2026-11-30T10:00:00Z WARN pool nearly full", .warn),
        ("[debug] cache miss", .debug),
        ("INFO  [voyage] itinerary computed", .info),
        ("127.0.0.1 - - \"GET / HTTP/1.1\" 200", .unknown),
        ("user 42 saw no error page today at last and left happy again", .unknown),  // a word late in prose is no level
        ("{\"level\":\"warn\",\"msg\":\"slow\"}", .warn),
        ("{\"severity\":\"critical\"}", .error),
        ("{\"lvl\":\"DEBUG\",\"msg\":\"x\"}", .debug),
        ("{\"level\":50,\"msg\":\"pino error\"}", .error),
        ("{\"level\":\"info\",\"msg\":\"no error here\"}", .info),  // the field, not the words
        ("level=debug msg=\"x\"", .debug),
        ("ts=2026-11-30T10:00:00Z lvl=warn msg=\"disk 91%\"", .warn),
        ("level=info msg=\"an error was handled\"", .info),
    ])
    func detectsLevels(_ text: String, _ expected: LogLevel) {
        #expect(line(text).level == expected)
    }

    @Test func jsonIsShownCompactlyMessageFirst() {
        let parsed = line(#"{"time":"2026-11-30T10:00:00Z","level":"error","msg":"payment declined","user":42,"card":{"last4":"4242"},"retry":true,"why":"insufficient funds"}"#)
        #expect(parsed.compact == #"payment declined user=42 card={"last4":"4242"} retry=true why="insufficient funds""#)
        #expect(parsed.text.hasPrefix("{\"time\""))  // the raw line stays for the toggle
    }

    @Test func logfmtIsShownCompactlyMessageFirst() {
        let parsed = line(#"ts=2026-11-30T10:00:00Z level=warn user=42 msg="slow query" took=812ms"#)
        #expect(parsed.compact == "slow query user=42 took=812ms")
    }

    @Test func proseWithAnEqualsSignIsNotLogfmtAndBrokenJSONIsPlainText() {
        #expect(line("set x=1 for now").compact == nil)
        #expect(line(#"{"level":"info","msg":"unterminated"#).compact == nil)
    }

    @Test func anEscapeInsideAJSONStringStaysInert() {
        let parsed = line(#"{"level":"error","msg":"\u001b]0;json-title\u0007 boom"}"#)
        #expect(parsed.compact == "␛]0;json-title^G boom")  // the BEL shown, not rung
    }
}
