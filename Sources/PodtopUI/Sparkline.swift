import PodtopCore

/// Draws a latency series as one glyph per sample, newest at the right edge, failed probes as
/// gaps. The scale runs from 0 to the largest visible sample, but never less than `floorMs`,
/// so a flat 3 ms line stays flat instead of filling the range with noise.
public struct Sparkline: Sendable {
    public static let defaultFloorMs = 10.0

    public var glyphs: GlyphSet
    public var style: SparklineStyle
    public var floorMs: Double

    public init(glyphs: GlyphSet, style: SparklineStyle? = nil, floorMs: Double = Sparkline.defaultFloorMs) {
        self.glyphs = glyphs
        self.style = glyphs == .ascii ? .ascii : (style ?? .blocks)
        self.floorMs = floorMs
    }

    /// Samples one cell shows.
    public var samplesPerCell: Int { style == .braille ? 2 : 1 }

    /// The top of the scale used for these samples.
    public func ceiling(of samples: [Double?]) -> Double {
        max(floorMs, samples.compactMap { $0 }.max() ?? 0)
    }

    /// Exactly `width` characters: blanks on the left until there are enough samples.
    public func render(_ series: LatencySeries, width: Int) -> String {
        render(series.suffix(width * samplesPerCell), width: width)
    }

    public func render(_ samples: [Double?], width: Int) -> String {
        String(levelGlyphs(for: samples, width: width))
    }

    /// Exactly `width` glyphs, blanks first; failed probes are `glyphs.sparkGap`.
    func levelGlyphs(for samples: [Double?], width: Int) -> [Character] {
        guard width > 0 else { return [] }
        if style == .braille { return brailleGlyphs(for: samples, width: width) }
        let visible = samples.suffix(width)
        let top = ceiling(of: Array(visible))
        let levels = style == .ascii ? GlyphSet.ascii.sparkLevels : GlyphSet.unicode.sparkLevels
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

    /// Braille: each cell holds two samples side by side, four dots high each.
    private func brailleGlyphs(for samples: [Double?], width: Int) -> [Character] {
        let visible = Array(samples.suffix(width * 2))
        let top = ceiling(of: visible)
        let leftDots: [UInt32] = [0x40, 0x04, 0x02, 0x01]  // bottom to top
        let rightDots: [UInt32] = [0x80, 0x20, 0x10, 0x08]
        func dots(_ value: Double, _ column: [UInt32]) -> UInt32 {
            let level = min(4, max(1, Int((value / top * 4).rounded(.up))))
            return column.prefix(level).reduce(0, |)
        }
        // Newest at the right edge: pad the oldest side so that samples pair up from the right.
        let padded: [Double??] = Array(repeating: .none, count: width * 2 - visible.count) + visible.map { .some($0) }
        var out: [Character] = []
        out.reserveCapacity(width)
        for cell in 0..<width {
            let left = padded[cell * 2], right = padded[cell * 2 + 1]
            if case .some(.none) = left { out.append(glyphs.sparkGap); continue }
            if case .some(.none) = right { out.append(glyphs.sparkGap); continue }
            var bits: UInt32 = 0
            if case .some(.some(let value)) = left { bits |= dots(value, leftDots) }
            if case .some(.some(let value)) = right { bits |= dots(value, rightDots) }
            out.append(bits == 0 ? " " : Character(Unicode.Scalar(0x2800 + bits)!))
        }
        return out
    }

    /// Draws into the canvas: samples in `sparkline`, gaps in `sparkline.gap`.
    /// `greyed`: drawn in the gap's colour, for a service podtop cannot probe now (its
    /// UNKNOWN): the old samples stay visible but say nothing about the present.
    public func draw(_ series: LatencySeries, into canvas: inout Canvas, x: Int, y: Int, width: Int, greyed: Bool = false) {
        for (offset, character) in levelGlyphs(for: series.suffix(width * samplesPerCell), width: width).enumerated() {
            canvas.putNarrow(character, x: x + offset, y: y, role: greyed || character == glyphs.sparkGap ? .sparklineGap : .sparkline)
        }
    }
}
