import PodtopCore
import Testing
@testable import PodtopUI

@Suite(.timeLimit(.minutes(1))) struct SparklineTests {
    let unicode = Sparkline(glyphs: .unicode)
    let ascii = Sparkline(glyphs: .ascii)

    @Test func emptyIsBlank() {
        #expect(unicode.render([], width: 5) == "     ")
        #expect(unicode.render([1], width: 0) == "")
    }

    @Test func singleSampleSitsAtTheRightEdge() {
        #expect(unicode.render([10], width: 4) == "   █")
        #expect(ascii.render([10], width: 4) == "   #")
    }

    @Test func aFlatFastLineStaysLowInsteadOfFillingTheRange() {
        #expect(unicode.render([3, 3, 3, 3], width: 4) == "▃▃▃▃")
        #expect(unicode.render([3, 3.2, 2.9, 3.1], width: 4) == "▃▃▃▃")
    }

    @Test func gapsAreDrawnDistinctlyNotAsZero() {
        #expect(unicode.render([20, nil, 20], width: 3) == "█✕█")
        #expect(ascii.render([20, nil, 20], width: 3) == "#x#")
    }

    @Test func aSpikeTakesTheTopAndTheRestScaleToIt() {
        #expect(unicode.render([10, 10, 80, 10], width: 4) == "▁▁█▁")
        #expect(ascii.render([10, 20, 40, 80], width: 4) == "_.:#")
    }

    @Test func onlyTheNewestSamplesThatFitAreShown() {
        var series = LatencySeries(capacity: 10)
        for value in [100.0, 1, 2, 3, 4, 5, 6, 7, 8] { series.append(value) }
        #expect(unicode.render(series, width: 3) == "▅▆▇")
        #expect(unicode.ceiling(of: series.suffix(3)) == 10)  // the floor, since 8 < 10
    }
}

@Suite(.timeLimit(.minutes(1))) struct BrailleSparklineTests {
    let braille = Sparkline(glyphs: .unicode, style: .braille)

    @Test func twoSamplesPerCellNewestAtTheRight() {
        #expect(braille.render([], width: 3) == "   ")
        #expect(braille.render([10], width: 2) == " ⢸")  // one sample: the right column of the last cell
        #expect(braille.render([10, 10], width: 1) == "⣿")  // both columns full
        #expect(braille.render([3, 3, 3, 3], width: 2) == "⣤⣤")  // 3 ms under a 10 ms floor: two dots of four
    }

    @Test func gapsAndSpikes() {
        #expect(braille.render([20, nil], width: 1) == "✕")
        #expect(braille.render([10, 80], width: 1) == "⣸")  // left one dot, right four
    }

    @Test func seriesFeedTwiceTheWidth() {
        var series = LatencySeries(capacity: 20)
        for _ in 0..<20 { series.append(10) }
        #expect(braille.render(series, width: 4) == "⣿⣿⣿⣿")
        #expect(braille.ceiling(of: series.suffix(8)) == 10)
    }
}
