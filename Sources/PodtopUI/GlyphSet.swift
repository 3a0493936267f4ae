import PodtopCore

/// The characters podtop draws with, chosen once from what the terminal can show (btop's habit):
/// Unicode box drawing and blocks where the locale is UTF-8, plain ASCII elsewhere or on request.
public struct GlyphSet: Sendable, Equatable {
    public struct Border: Sendable, Equatable {
        public var horizontal, vertical, topLeft, topRight, bottomLeft, bottomRight: Character
    }

    public var name: String
    public var border: Border
    public var sparkLevels: [Character]
    /// Drawn where a probe failed: a gap, never mistaken for a fast answer.
    public var sparkGap: Character
    public var selectionMarker: Character
    public var restarts: Character
    public var ellipsis: String
    public var arrow: String
    private var severityGlyphs: [Character]

    public func glyph(for severity: Severity) -> Character {
        switch severity {
        case .ok: severityGlyphs[0]
        case .warn: severityGlyphs[1]
        case .critical: severityGlyphs[2]
        case .unknown: severityGlyphs[3]
        }
    }

    public static let unicode = GlyphSet(
        name: "unicode",
        border: Border(horizontal: "─", vertical: "│", topLeft: "┌", topRight: "┐", bottomLeft: "└", bottomRight: "┘"),
        sparkLevels: Array("▁▂▃▄▅▆▇█"), sparkGap: "✕", selectionMarker: "▶", restarts: "↻",
        ellipsis: "…", arrow: "→", severityGlyphs: Array("●▲✖?")
    )

    public static let ascii = GlyphSet(
        name: "ascii",
        border: Border(horizontal: "-", vertical: "|", topLeft: "+", topRight: "+", bottomLeft: "+", bottomRight: "+"),
        sparkLevels: Array("_.-:=+*#"), sparkGap: "x", selectionMarker: ">", restarts: "R",
        ellipsis: "~", arrow: "->", severityGlyphs: Array("o!X?")
    )
}
