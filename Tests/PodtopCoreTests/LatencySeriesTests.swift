import Testing
@testable import PodtopCore

@Suite(.timeLimit(.minutes(1))) struct LatencySeriesTests {
    /// Nearest-rank percentile, computed the slow obvious way, to check the ring against.
    func referencePercentile(_ p: Double, _ values: [Double]) -> Double? {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return nil }
        let rank = max(1, Int((p / 100 * Double(sorted.count)).rounded(.up)))
        return sorted[rank - 1]
    }

    @Test func percentilesMatchAReferenceComputation() {
        var random = SplitMix(seed: 7)
        var series = LatencySeries(capacity: 300)
        var all: [Double] = []
        for _ in 0..<1000 {
            let value = Double(random.next() % 5000) / 10
            series.append(value)
            all.append(value)
        }
        let kept = Array(all.suffix(300))
        for p in [50.0, 90, 95, 99, 100] {
            #expect(series.percentile(p) == referencePercentile(p, kept), "p\(p)")
        }
        #expect(series.percentile(95, window: 60) == referencePercentile(95, Array(all.suffix(60))))
    }

    @Test func failedProbesAreGapsNotZeroes() {
        var series = LatencySeries(capacity: 5)
        series.append(10)
        series.append(nil)
        series.append(30)
        #expect(series.suffix(5) == [10, nil, 30])
        #expect(series.percentile(50) == 10)
        #expect(series.percentile(100) == 30)
        #expect(abs(series.errorRate() - 1.0 / 3) < 1e-9)
    }

    @Test func ringKeepsOnlyTheNewestSamples() {
        var series = LatencySeries(capacity: 3)
        for value in 1...7 { series.append(Double(value)) }
        #expect(series.count == 3)
        #expect(series.suffix(10) == [5, 6, 7])
        #expect(series.suffix(2) == [6, 7])
        #expect(series.last == .some(7))
    }

    @Test func emptySeriesHasNoPercentile() {
        let series = LatencySeries(capacity: 3)
        #expect(series.percentile(95) == nil)
        #expect(series.errorRate() == 0)
        #expect(series.suffix(3).isEmpty)
    }
}

struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
