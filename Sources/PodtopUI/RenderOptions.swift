/// How to draw, decided once from the terminal and the flags.
public struct RenderOptions: Sendable, Equatable {
    public var glyphs: GlyphSet
    public var sparklineFloorMs: Double

    public init(glyphs: GlyphSet = .unicode, sparklineFloorMs: Double = Sparkline.defaultFloorMs) {
        self.glyphs = glyphs
        self.sparklineFloorMs = sparklineFloorMs
    }

    var sparkline: Sparkline { Sparkline(glyphs: glyphs, floorMs: sparklineFloorMs) }
}
