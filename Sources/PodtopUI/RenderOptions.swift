/// How sparklines are drawn: one block per sample, two braille dots columns per cell, or ASCII.
public enum SparklineStyle: String, Sendable, CaseIterable {
    case blocks, braille, ascii
}

/// How to draw, decided once from the terminal and the flags.
public struct RenderOptions: Sendable, Equatable {
    public var glyphs: GlyphSet
    public var sparklineStyle: SparklineStyle
    public var sparklineFloorMs: Double

    public init(glyphs: GlyphSet = .unicode, sparklineStyle: SparklineStyle? = nil, sparklineFloorMs: Double = Sparkline.defaultFloorMs) {
        self.glyphs = glyphs
        // ASCII glyphs force ASCII sparklines: braille is not ASCII either.
        self.sparklineStyle = glyphs == .ascii ? .ascii : (sparklineStyle ?? .blocks)
        self.sparklineFloorMs = sparklineFloorMs
    }

    var sparkline: Sparkline { Sparkline(glyphs: glyphs, style: sparklineStyle, floorMs: sparklineFloorMs) }
}
