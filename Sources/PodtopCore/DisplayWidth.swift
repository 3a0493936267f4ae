/// How many terminal columns text takes, following the rules of glibc's `wcwidth` that
/// ncurses uses to place characters: combining marks take none, East Asian wide and
/// full-width characters and emoji take two, everything else one.
public enum DisplayWidth {
    public static func of(_ character: Character) -> Int {
        let scalars = character.unicodeScalars
        guard let first = scalars.first else { return 0 }
        if first.value < 0x300 { return first.value < 0x20 || (0x7F..<0xA0).contains(first.value) ? 0 : 1 }
        let base = of(first)
        if base == 1, scalars.contains(where: { $0.value == 0xFE0F }), first.properties.isEmoji { return 2 }
        if base == 0 {
            // A cluster that starts with a combining mark: its width is that of what follows.
            return scalars.dropFirst().map(of).max() ?? 0
        }
        return base
    }

    public static func of(_ scalar: Unicode.Scalar) -> Int {
        let v = scalar.value
        if v < 0x300 { return v < 0x20 || (0x7F..<0xA0).contains(v) ? 0 : 1 }
        // Arrows, box drawing, blocks and most geometric shapes: what the screen is drawn
        // with, so worth answering without a Unicode property lookup.
        if (0x2190...0x21FF).contains(v) || (0x2500...0x25FC).contains(v) { return 1 }
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return 0
        default: break
        }
        if v == 0x200B || (0x1160...0x11FF).contains(v) || (0xFE00...0xFE0F).contains(v) { return 0 }
        if isWide(v) { return 2 }
        return 1
    }

    public static func of(_ text: some StringProtocol) -> Int {
        var width = 0
        for character in text { width += of(character) }
        return width
    }

    private static func isWide(_ v: UInt32) -> Bool {
        switch v {
        case 0x1100...0x115F, 0x231A...0x231B, 0x2329...0x232A, 0x23E9...0x23EC, 0x23F0, 0x23F3,
             0x25FD...0x25FE, 0x2614...0x2615, 0x2648...0x2653, 0x267F, 0x2693, 0x26A1,
             0x26AA...0x26AB, 0x26BD...0x26BE, 0x26C4...0x26C5, 0x26CE, 0x26D4, 0x26EA,
             0x26F2...0x26F3, 0x26F5, 0x26FA, 0x26FD, 0x2705, 0x270A...0x270B, 0x2728, 0x274C,
             0x274E, 0x2753...0x2755, 0x2757, 0x2795...0x2797, 0x27B0, 0x27BF, 0x2B1B...0x2B1C,
             0x2B50, 0x2B55, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
             0xA000...0xA4CF, 0xA960...0xA97F, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE10...0xFE19,
             0xFE30...0xFE6F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x16FE0...0x16FE4, 0x17000...0x18CFF,
             0x1B000...0x1B2FF, 0x1F004, 0x1F0CF, 0x1F18E, 0x1F191...0x1F19A, 0x1F200...0x1F251,
             0x1F300...0x1F64F, 0x1F680...0x1F6FF, 0x1F7E0...0x1F7EB, 0x1F90C...0x1F9FF,
             0x1FA70...0x1FAFF, 0x20000...0x2FFFD, 0x30000...0x3FFFD:
            return true
        default:
            return false
        }
    }
}

extension DisplayWidth {
    /// `text` cut into pieces of at most `width` columns each, never inside a character (a wide
    /// character that would straddle the end starts the next piece). Empty text is one empty piece.
    public static func wrap(_ text: String, width: Int) -> [Substring] {
        guard width > 0, !text.isEmpty else { return [text[...]] }
        var pieces: [Substring] = []
        var pieceStart = text.startIndex
        var used = 0
        var index = text.startIndex
        while index < text.endIndex {
            let w = of(text[index])
            if used + w > width, used > 0 {
                pieces.append(text[pieceStart..<index])
                pieceStart = index
                used = 0
            }
            used += w
            index = text.index(after: index)
        }
        pieces.append(text[pieceStart..<text.endIndex])
        return pieces
    }
}
