import PodtopCore

/// A sparkline several rows high, for a screen read from across a room: each sample is a column
/// of eighth blocks, `height × 8` levels in all, scaled like the one-row sparkline (0 to the
/// largest visible sample, with the same floor). A failed probe is its gap glyph on the bottom row.
struct TallSparkline {
    let sparkline: Sparkline

    func draw(_ series: LatencySeries, into canvas: inout Canvas, x: Int, y: Int, width: Int, height: Int, greyed: Bool = false) {
        guard width > 0, height > 0 else { return }
        let samples = series.suffix(width)
        let top = sparkline.ceiling(of: samples)
        let ascii = sparkline.style == .ascii
        let partial = ascii ? GlyphSet.ascii.sparkLevels : GlyphSet.unicode.sparkLevels  // 8 levels each
        let full: Character = ascii ? "#" : "█"
        let left = x + width - samples.count
        for (offset, sample) in samples.enumerated() {
            let column = left + offset
            guard let value = sample else {
                canvas.putNarrow(sparkline.glyphs.sparkGap, x: column, y: y + height - 1, role: .sparklineGap)
                continue
            }
            // At least one eighth for any answer: a fast probe is still visibly there.
            let eighths = max(1, min(height * 8, Int((value / top * Double(height * 8)).rounded(.up))))
            for row in 0..<height {
                let filled = min(8, max(0, eighths - row * 8))
                guard filled > 0 else { break }
                let glyph = filled == 8 ? full : partial[filled - 1]
                canvas.putNarrow(glyph, x: column, y: y + height - 1 - row, role: greyed ? .sparklineGap : .sparkline)
            }
        }
    }
}
