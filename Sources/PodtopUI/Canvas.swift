import PodtopCore

/// One terminal cell: a character and the role that styles it. A wide character fills its own
/// cell and marks the next one as its continuation.
public struct Cell: Equatable, Sendable {
    public var character: Character
    public var role: StyleRole
    /// 1 for an ordinary cell, 2 for the first half of a wide character, 0 for its second half.
    public var width: UInt8

    public static let blank = Cell(character: " ", role: .text, width: 1)
}

public struct Rect: Equatable, Sendable {
    public var x: Int, y: Int, width: Int, height: Int
    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = max(0, width)
        self.height = max(0, height)
    }
    public var maxX: Int { x + width }
    public var maxY: Int { y + height }
    public func inset(by n: Int) -> Rect { Rect(x: x + n, y: y + n, width: width - 2 * n, height: height - 2 * n) }
    public func row(_ dy: Int) -> Rect { Rect(x: x, y: y + dy, width: width, height: 1) }
}

/// The screen as a grid in memory. Widgets draw here; the terminal layer copies it out, and
/// tests read it back as text. Every write is clipped, so no layout arithmetic can trap.
public struct Canvas: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: .blank, count: self.width * self.height)
    }

    public var bounds: Rect { Rect(x: 0, y: 0, width: width, height: height) }

    public subscript(x: Int, y: Int) -> Cell {
        guard x >= 0, y >= 0, x < width, y < height else { return .blank }
        return cells[y * width + x]
    }

    /// Writes `text` from (x, y), never past `limit` columns nor the canvas edge. A wide character
    /// that would straddle the edge becomes a space. Returns the columns used.
    @discardableResult
    public mutating func put(_ text: some StringProtocol, x: Int, y: Int, role: StyleRole, limit: Int = .max) -> Int {
        guard y >= 0, y < height else { return 0 }
        let end = min(width, x.addingReportingOverflow(limit).overflow ? width : x + limit)
        var column = x
        let rowStart = y * width
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
            // Printable ASCII, the common case: one byte, one cell, no grapheme breaking.
            for byte in text.utf8 {
                if column >= end { break }
                if column >= 0 { set(Cell(character: Character(Unicode.Scalar(byte)), role: role, width: 1), at: rowStart, column) }
                column += 1
            }
            return max(0, column - max(x, 0))
        }
        for character in text {
            if column >= end { break }
            let w = DisplayWidth.of(character)
            if w == 0 { continue }  // a stray combining mark: nothing to place it on here
            if column < 0 {
                column += w
                continue
            }
            if w == 2 {
                if column + 1 >= end {
                    set(Cell(character: " ", role: role, width: 1), at: rowStart, column)
                    column += 1
                    break
                }
                set(Cell(character: character, role: role, width: 2), at: rowStart, column)
                set(Cell(character: " ", role: role, width: 0), at: rowStart, column + 1)
            } else {
                set(Cell(character: character, role: role, width: 1), at: rowStart, column)
            }
            column += w
        }
        return max(0, column - max(x, 0))
    }

    /// Writes one cell without leaving half of a wide character behind: overwriting either half
    /// of one blanks the other half.
    private mutating func set(_ cell: Cell, at rowStart: Int, _ column: Int) {
        let index = rowStart + column
        let old = cells[index]
        if old.width == 0, column > 0, cell.width != 0, cells[index - 1].width == 2 {
            cells[index - 1] = Cell(character: " ", role: cells[index - 1].role, width: 1)
        }
        if old.width == 2, cell.width != 2, column + 1 < width, cells[index + 1].width == 0 {
            cells[index + 1] = Cell(character: " ", role: old.role, width: 1)
        }
        cells[index] = cell
    }

    /// One character already known to take one column (sparkline and border glyphs).
    public mutating func putNarrow(_ character: Character, x: Int, y: Int, role: StyleRole) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        set(Cell(character: character, role: role, width: 1), at: y * width, x)
    }

    /// Like `put`, but right-aligned so that the text ends at column `rightEdge` (exclusive).
    @discardableResult
    public mutating func putRight(_ text: some StringProtocol, rightEdge: Int, y: Int, role: StyleRole) -> Int {
        put(text, x: rightEdge - DisplayWidth.of(text), y: y, role: role)
    }

    public mutating func fill(_ rect: Rect, character: Character = " ", role: StyleRole) {
        let x0 = max(0, rect.x), x1 = min(width, rect.maxX)
        let y0 = max(0, rect.y), y1 = min(height, rect.maxY)
        guard x0 < x1, y0 < y1 else { return }
        let cell = Cell(character: character, role: role, width: 1)
        for y in y0..<y1 {
            // Do not cut a wide character in half at either edge.
            if cells[y * width + x0].width == 0, x0 > 0 { cells[y * width + x0 - 1].character = " "; cells[y * width + x0 - 1].width = 1 }
            if cells[y * width + x1 - 1].width == 2, x1 < width { cells[y * width + x1].width = 1 }
            for x in x0..<x1 { cells[y * width + x] = cell }
        }
    }

    /// Restyles a rectangle without changing its text (selection bars, highlights).
    public mutating func restyle(_ rect: Rect, role: StyleRole) {
        let x0 = max(0, rect.x), x1 = min(width, rect.maxX)
        let y0 = max(0, rect.y), y1 = min(height, rect.maxY)
        guard x0 < x1, y0 < y1 else { return }
        for y in y0..<y1 {
            for x in x0..<x1 { cells[y * width + x].role = role }
        }
    }

    public mutating func box(_ rect: Rect, glyphs: GlyphSet, role: StyleRole) {
        guard rect.width >= 2, rect.height >= 2 else { return }
        let b = glyphs.border
        let horizontal = String(repeating: b.horizontal, count: rect.width - 2)
        put(String(b.topLeft) + horizontal + String(b.topRight), x: rect.x, y: rect.y, role: role)
        put(String(b.bottomLeft) + horizontal + String(b.bottomRight), x: rect.x, y: rect.maxY - 1, role: role)
        for y in (rect.y + 1)..<(rect.maxY - 1) {
            put(String(b.vertical), x: rect.x, y: y, role: role)
            put(String(b.vertical), x: rect.maxX - 1, y: y, role: role)
        }
    }

    /// Last pass for terminals that can only show ASCII: known punctuation becomes its nearest
    /// ASCII look-alike, anything else (log text included) a `?`, wide characters `? `.
    public mutating func transliterateToASCII() {
        for index in cells.indices {
            let cell = cells[index]
            guard cell.width != 0 else {
                cells[index].character = " "
                cells[index].width = 1
                continue
            }
            guard !(cell.character.isASCII) else { continue }
            cells[index].character = Self.asciiLookAlikes[cell.character] ?? "?"
            cells[index].width = 1
        }
    }

    static let asciiLookAlikes: [Character: Character] = [
        "·": "-", "…": ".", "—": "-", "–": "-", "→": ">", "×": "x", "█": "#", "▶": ">", "↻": "R", "␛": "~",
        "“": "\"", "”": "\"", "‘": "'", "’": "'",
    ]

    // MARK: - Reading back, for tests and golden files

    /// The screen as lines of text, trailing spaces kept so that widths are visible in diffs.
    public func textLines() -> [String] {
        (0..<height).map { y in
            var line = ""
            for x in 0..<width where cells[y * width + x].width != 0 {
                line.append(cells[y * width + x].character)
            }
            return line
        }
    }

    public var text: String { textLines().joined(separator: "\n") }

    /// One letter per cell naming its role (a legend maps letters to roles), for golden style maps.
    public func roleLines() -> [String] {
        (0..<height).map { y in
            String((0..<width).map { x in RoleLetters.letter(cells[y * width + x].role) })
        }
    }
}

public enum RoleLetters {
    static let letters = Array("._HAbTBFSokwcuspdiWEvxyzqrmKLDlLnNQ")

    public static func letter(_ role: StyleRole) -> Character {
        let index = StyleRole.allCases.firstIndex(of: role) ?? 0
        return index < letters.count ? letters[index] : "?"
    }

    public static var legend: String {
        StyleRole.allCases.map { "\(letter($0)) \($0.rawValue)" }.joined(separator: "\n")
    }
}
