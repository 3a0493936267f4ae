import PodtopCore

/// One terminal cell: a character and the role that styles it. A wide character fills its own
/// cell and marks the next one as its continuation.
///
/// The character is stored as a single Unicode scalar so that a cell is eight plain bytes with no
/// reference counting: a frame is ten thousand of them. The rare cluster of several scalars (a
/// letter with combining marks, an emoji sequence) keeps its first scalar here and the whole
/// cluster in the canvas's side table.
public struct Cell: Equatable, Sendable {
    public var scalar: Unicode.Scalar
    public var role: StyleRole
    /// 1 for an ordinary cell, 2 for the first half of a wide character, 0 for its second half.
    public var width: UInt8
    public var isCluster: Bool

    init(_ scalar: Unicode.Scalar, role: StyleRole, width: UInt8 = 1) {
        self.scalar = scalar
        self.role = role
        self.width = width
        isCluster = false
    }

    public static let blank = Cell(" ", role: .text)
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
    /// Clusters of more than one scalar, by cell index.
    private var clusters: [Int: Character] = [:]

    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: .blank, count: self.width * self.height)
    }

    /// The full character shown in the cell at `index`.
    public func character(at index: Int) -> Character {
        let cell = cells[index]
        return cell.isCluster ? clusters[index] ?? Character(cell.scalar) : Character(cell.scalar)
    }

    /// Whether row `y` shows the same as row `y` of `other` (same widths).
    public func rowEquals(_ other: Canvas, _ y: Int) -> Bool {
        let start = y * width
        guard other.width == width, cells[start..<(start + width)] == other.cells[start..<(start + width)] else { return false }
        for index in start..<(start + width) where cells[index].isCluster {
            if clusters[index] != other.clusters[index] { return false }
        }
        return true
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
                if column >= 0 { set(Cell(Unicode.Scalar(byte), role: role), at: rowStart, column) }
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
                    set(Cell(" ", role: role), at: rowStart, column)
                    column += 1
                    break
                }
                set(character, role: role, width: 2, at: rowStart, column)
                set(Cell(" ", role: role, width: 0), at: rowStart, column + 1)
            } else {
                set(character, role: role, width: 1, at: rowStart, column)
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
            cells[index - 1] = Cell(" ", role: cells[index - 1].role)
        }
        if old.width == 2, cell.width != 2, column + 1 < width, cells[index + 1].width == 0 {
            cells[index + 1] = Cell(" ", role: old.role)
        }
        if old.isCluster { clusters[index] = nil }
        cells[index] = cell
    }

    private mutating func set(_ character: Character, role: StyleRole, width: UInt8, at rowStart: Int, _ column: Int) {
        let scalars = character.unicodeScalars
        var cell = Cell(scalars.first ?? " ", role: role, width: width)
        let isCluster = scalars.index(after: scalars.startIndex) != scalars.endIndex
        cell.isCluster = isCluster
        set(cell, at: rowStart, column)
        if isCluster { clusters[rowStart + column] = character }
    }

    /// One character already known to take one column (sparkline and border glyphs).
    public mutating func putNarrow(_ character: Character, x: Int, y: Int, role: StyleRole) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        set(character, role: role, width: 1, at: y * width, x)
    }

    /// Like `put`, but right-aligned so that the text ends at column `rightEdge` (exclusive).
    @discardableResult
    public mutating func putRight(_ text: some StringProtocol, rightEdge: Int, y: Int, role: StyleRole) -> Int {
        put(text, x: rightEdge - DisplayWidth.of(text), y: y, role: role)
    }

    public mutating func fill(_ rect: Rect, character: Unicode.Scalar = " ", role: StyleRole) {
        let x0 = max(0, rect.x), x1 = min(width, rect.maxX)
        let y0 = max(0, rect.y), y1 = min(height, rect.maxY)
        guard x0 < x1, y0 < y1 else { return }
        let cell = Cell(character, role: role)
        for y in y0..<y1 {
            // Do not cut a wide character in half at either edge.
            if cells[y * width + x0].width == 0, x0 > 0 { cells[y * width + x0 - 1] = Cell(" ", role: cells[y * width + x0 - 1].role) }
            if cells[y * width + x1 - 1].width == 2, x1 < width { cells[y * width + x1] = Cell(" ", role: cells[y * width + x1].role) }
            for x in x0..<x1 { set(cell, at: y * width, x) }
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
                cells[index] = Cell(" ", role: cell.role)
                continue
            }
            guard !cell.scalar.isASCII || cell.isCluster else { continue }
            let replacement = Self.asciiLookAlikes[character(at: index)] ?? "?"
            cells[index] = Cell(replacement, role: cell.role)
        }
        clusters.removeAll()
    }

    static let asciiLookAlikes: [Character: Unicode.Scalar] = [
        "·": "-", "…": ".", "—": "-", "–": "-", "→": ">", "×": "x", "█": "#", "▶": ">", "↻": "R", "␛": "~",
        "“": "\"", "”": "\"", "‘": "'", "’": "'",
    ]

    // MARK: - Reading back, for tests and golden files

    /// The screen as lines of text, trailing spaces kept so that widths are visible in diffs.
    public func textLines() -> [String] {
        (0..<height).map { y in
            var line = ""
            for x in 0..<width where cells[y * width + x].width != 0 {
                line.append(character(at: y * width + x))
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
    /// One distinct letter per role, `.` for plain text.
    static let letters = Array(".abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN")

    public static func letter(_ role: StyleRole) -> Character {
        let index = StyleRole.allCases.firstIndex(of: role) ?? 0
        return index < letters.count ? letters[index] : "?"
    }

    public static var legend: String {
        StyleRole.allCases.map { "\(letter($0)) \($0.rawValue)" }.joined(separator: "\n")
    }
}
