import PodtopCore

/// Draws a latency series as one glyph per sample, newest at the right edge, failed probes as
/// gaps. The scale runs from 0 to the largest visible sample, but never less than `floorMs`,
/// so a flat 3 ms line stays flat instead of filling the range with noise.
public struct Sparkline: Sendable {
    public static let defaultFloorMs = 10.0

    public var glyphs: GlyphSet
    public var floorMs: Double

    public init(glyphs: GlyphSet, floorMs: Double = Sparkline.defaultFloorMs) {
        self.glyphs = glyphs
        self.floorMs = floorMs
    }

    /// The top of the scale used for these samples.
    public func ceiling(of samples: [Double?]) -> Double {
        max(floorMs, samples.compactMap { $0 }.max() ?? 0)
    }

    /// Exactly `width` characters: blanks on the left until there are enough samples.
    public func render(_ series: LatencySeries, width: Int) -> String {
        render(series.suffix(width), width: width)
    }

    public func render(_ samples: [Double?], width: Int) -> String {
        String(levelGlyphs(for: samples, width: width))
    }

    /// Exactly `width` glyphs, blanks first; failed probes are `glyphs.sparkGap`.
    func levelGlyphs(for samples: [Double?], width: Int) -> [Character] {
        guard width > 0 else { return [] }
        let visible = samples.suffix(width)
        let top = ceiling(of: Array(visible))
        let levels = glyphs.sparkLevels
        var out = [Character](repeating: " ", count: width - visible.count)
        out.reserveCapacity(width)
        for sample in visible {
            guard let value = sample else {
                out.append(glyphs.sparkGap)
                continue
            }
            let scaled = Int((value / top * Double(levels.count)).rounded(.up)) - 1
            out.append(levels[min(levels.count - 1, max(0, scaled))])
        }
        return out
    }

    /// Draws into the canvas: samples in `sparkline`, gaps in `sparkline.gap`.
    public func draw(_ series: LatencySeries, into canvas: inout Canvas, x: Int, y: Int, width: Int) {
        for (offset, character) in levelGlyphs(for: series.suffix(width), width: width).enumerated() {
            canvas.putNarrow(character, x: x + offset, y: y, role: character == glyphs.sparkGap ? .sparklineGap : .sparkline)
        }
    }
}
