/// Maps a theme's colours onto what a terminal has: direct colour (24-bit, e.g. `xterm-direct`),
/// 256 colours, 16, 8, or none. Truecolour values go to the nearest xterm-256 entry, or the
/// nearest of the basic eight, when the terminal has no direct colour.
public enum ColorMapping {
    /// ncurses reports this many colours (or more) for a direct-colour terminal, whose colour
    /// numbers are 0xRRGGBB values.
    public static let directColorCount = 1 << 24

    /// The terminal colour number for `color` on a terminal with `available` colours;
    /// -1 is the terminal's default; nil means no colour at all (draw with attributes only).
    public static func terminalColor(_ color: ThemeColor, available: Int) -> Int? {
        guard available >= 8 else { return nil }
        if available >= directColorCount { return directColor(color) }
        switch color {
        case .terminalDefault:
            return -1
        case .indexed(let index):
            if Int(index) < available { return Int(index) }
            return nearest(to: rgb(ofIndex: Int(index)), among: available >= 16 ? 16 : 8)
        case .rgb(let r, let g, let b):
            return nearest(to: (Int(r), Int(g), Int(b)), among: min(available, 256))
        }
    }

    /// On a direct-colour terminal numbers 0–7 are still the ANSI colours; everything else is
    /// sent as its RGB value.
    static func directColor(_ color: ThemeColor) -> Int {
        switch color {
        case .terminalDefault: return -1
        case .indexed(let index) where index < 8: return Int(index)
        case .indexed(let index):
            let (r, g, b) = rgb(ofIndex: Int(index))
            return r << 16 | g << 8 | b
        case .rgb(let r, let g, let b):
            return Int(r) << 16 | Int(g) << 8 | Int(b)
        }
    }

    /// The RGB value xterm shows for a 256-colour index.
    public static func rgb(ofIndex index: Int) -> (Int, Int, Int) {
        switch index {
        case 0..<16:
            let basic = [(0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229),
                         (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255), (255, 0, 255), (0, 255, 255), (255, 255, 255)]
            return basic[index]
        case 16..<232:
            let steps = [0, 95, 135, 175, 215, 255]
            let n = index - 16
            return (steps[n / 36], steps[n / 6 % 6], steps[n % 6])
        default:
            let level = 8 + 10 * (min(index, 255) - 232)
            return (level, level, level)
        }
    }

    static func nearest(to target: (Int, Int, Int), among count: Int) -> Int {
        var best = 0
        var bestDistance = Int.max
        // On 256-colour terminals skip 0–15: their RGB values differ from one terminal to the next.
        let candidates = count >= 256 ? Array(16..<256) : Array(0..<count)
        for index in candidates {
            let (r, g, b) = rgb(ofIndex: index)
            let distance = (r - target.0) * (r - target.0) * 3 + (g - target.1) * (g - target.1) * 4 + (b - target.2) * (b - target.2) * 2
            if distance < bestDistance {
                bestDistance = distance
                best = index
            }
        }
        return best
    }
}
