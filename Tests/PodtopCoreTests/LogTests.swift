import Foundation
import Testing
@testable import PodtopCore

@Suite struct LogBufferTests {
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

@Suite struct LogSanitizerTests {
    let sanitizer = LogSanitizer()

    func clean(_ text: String) -> String { sanitizer.sanitize(Array(text.utf8)) }

    @Test func colourIsDroppedSilently() {
        #expect(clean("\u{1B}[31mERROR\u{1B}[0m boom") == "ERROR boom")
    }

    @Test func titleClipboardAndCursorSequencesLeaveAVisibleMarkAndNoEscape() {
        let cases = [
            "a\u{1B}]0;title\u{07}b", "a\u{1B}]52;c;ZWNobw==\u{1B}\\b", "a\u{1B}[2Jb", "a\u{1B}[10;1Hb",
            "a\u{1B}Pq#0;2;0;0;0\u{1B}\\b", "a\u{1B}_apc\u{1B}\\b", "a\u{1B}(0b",
        ]
        for text in cases {
            let result = clean(text)
            #expect(!result.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 }, "\(result.debugDescription)")
            #expect(result == "a␛b", "\(text.debugDescription) became \(result.debugDescription)")
        }
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

    @Test func carriageReturnKeepsTheLastSegmentAndTabsExpand() {
        #expect(clean("progress 10%\rprogress 100%") == "progress 100%")
        #expect(clean("a\tb") == "a       b")
    }

    @Test func longLinesAreCutWithAVisibleMarker() {
        let result = LogSanitizer(maxBytes: 1024).sanitize(Array(repeating: UInt8(ascii: "x"), count: 5000))
        #expect(result.hasPrefix(String(repeating: "x", count: 1024)))
        #expect(result.hasSuffix("…[cut at 1 KiB of 4 KiB]"))
    }
}

@Suite struct LogLevelDetectorTests {
    @Test(arguments: [
        ("ERROR upstream reset", LogLevel.error),
        ("{\"level\":\"warn\",\"msg\":\"slow\"}", .warn),
        ("level=debug msg=\"x\"", .debug),
        ("INFO  [voyage] itinerary computed", .info),
        ("127.0.0.1 - - \"GET / HTTP/1.1\" 200", .unknown),
        ("{\"severity\":\"critical\"}", .error),
    ])
    func detectsLevels(_ text: String, _ expected: LogLevel) {
        #expect(LogLevelDetector.detect(text) == expected)
    }
}
