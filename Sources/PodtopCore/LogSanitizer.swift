/// Turns bytes from a container into text that is safe to draw: nothing a log line carries can
/// move the cursor, change the title, write the clipboard or switch character sets.
///
/// - escape sequences (CSI, OSC, DCS, APC, PM, SOS) never reach the terminal: SGR colour is
///   dropped silently, any other sequence is shown as inert text after a visible `␛`
///   (`␛[2J`, `␛]0;title`, OSC payloads cut at 40 characters), so a reader sees what was tried;
///   8-bit C1 introducers are invalid UTF-8 on their own (U+FFFD) or shown as `<U+009B>`;
/// - other C0 and C1 controls become caret notation (`^G`) or `<U+0085>`;
/// - invalid UTF-8 becomes U+FFFD; tabs expand to the next multiple of 8;
/// - a carriage return inside a line is shown as `␍`: a terminal would let the text after it
///   hide the text before (`ERROR charge failed\rINFO ok` reading as INFO), and the line is
///   levelled, searched and saved whole;
/// - bidirectional overrides, zero-width characters and tag characters are shown as `<U+202E>`
///   instead of reordering, hiding or smuggling text;
/// - a line longer than `maxBytes` is cut with a visible marker, and so is one that grows past
///   `maxBytes` as shown (tabs and `<U+0085>` are longer than the bytes they come from);
/// - a run of more than `maxCombiningMarks` combining marks keeps that many and says how many
///   more there were (ten thousand marks on one letter would otherwise be one enormous cell).
public struct LogSanitizer: Sendable {
    public var maxBytes: Int
    public var maxCombiningMarks = 4
    public init(maxBytes: Int = 16 * 1024) { self.maxBytes = maxBytes }

    /// `writtenLength`: the line's length as written, when `raw` is only its start (a reader
    /// upstream stopped keeping bytes), so that the marker tells the real size.
    public func sanitize(_ raw: some Collection<UInt8>, writtenLength: Int? = nil) -> String {
        let rawCount = max(raw.count, writtenLength ?? 0)
        let cut = rawCount > maxBytes
        let cutMarker = cut ? " …[cut at \(maxBytes / 1024) KiB of \(rawCount / 1024) KiB]" : ""
        var bytes = cut ? Array(raw.prefix(maxBytes)) : Array(raw)
        if cut, let last = bytes.lastIndex(where: { $0 & 0xC0 != 0x80 }), bytes[last] >= 0xC0 {
            // Cut before a character the limit would split, rather than leave half of it.
            let length = bytes[last] >= 0xF0 ? 4 : bytes[last] >= 0xE0 ? 3 : 2
            if bytes.count - last < length { bytes.removeSubrange(last...) }
        }
        // Most lines are printable ASCII from end to end: nothing to do but make the String.
        if !bytes.isEmpty, bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
            let text = String(decoding: bytes, as: UTF8.self)
            return cut ? text + cutMarker : text
        }
        var withoutEscapes = Self.removeEscapeSequences(bytes)
        // A carriage return that ends the line is a line ending (CRLF), not an overwrite.
        while withoutEscapes.last == 0x0D { withoutEscapes.removeLast() }
        var out = ""
        out.reserveCapacity(withoutEscapes.count)
        var grewPastLimit = false
        var column = 0
        var marks = 0
        var extraMarks = 0
        func endMarkRun() {
            if extraMarks > 0 { out.append("<+\(extraMarks) marks>") }
            marks = 0
            extraMarks = 0
        }
        for scalar in String(decoding: withoutEscapes, as: UTF8.self).unicodeScalars {
            if out.utf8.count > maxBytes {
                grewPastLimit = true
                break
            }
            if scalar.value >= 0x300, Self.isCombiningMark(scalar) {
                marks += 1
                if marks > maxCombiningMarks { extraMarks += 1 } else { out.unicodeScalars.append(scalar) }
                continue
            }
            if marks > 0 { endMarkRun() }
            switch scalar.value {
            case 0x09:
                let spaces = 8 - column % 8
                out.append(String(repeating: " ", count: spaces))
                column += spaces
            case 0x0D:
                out.append("␍")
                column += 1
            case 0x00..<0x20, 0x7F:
                let caret = scalar.value == 0x7F ? "^?" : "^" + String(UnicodeScalar(UInt8(scalar.value) + 64))
                out.append(caret)
                column += 2
            case 0x80..<0xA0, 0x202A...0x202E, 0x2066...0x2069, 0x200B...0x200F, 0x2060...0x2064, 0x061C, 0xFEFF,
                 0xE0000...0xE007F:
                let visible = "<U+\(String(scalar.value, radix: 16, uppercase: true).leftPadded(to: 4))>"
                out.append(visible)
                column += visible.count
            default:
                out.unicodeScalars.append(scalar)
                column += 1
            }
        }
        if marks > 0 { endMarkRun() }
        if grewPastLimit, !cut { out.append(" …[cut: past \(maxBytes / 1024) KiB as shown]") }
        out.append(cutMarker)
        return out
    }

    /// Removes ESC-introduced and 8-bit C1-introduced control sequences at the byte level.
    static func removeEscapeSequences(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        let visibleEscape: [UInt8] = Array("␛".utf8)
        var i = 0
        while i < bytes.count {
            let byte = bytes[i]
            guard byte == 0x1B else {
                out.append(byte)
                i += 1
                continue
            }
            guard i + 1 < bytes.count else {
                out.append(contentsOf: visibleEscape)
                i += 1
                continue
            }
            let next = bytes[i + 1]
            switch next {
            case UInt8(ascii: "["):  // CSI: parameters and intermediates, then one final byte
                var j = i + 2
                while j < bytes.count, (0x20...0x3F).contains(bytes[j]) { j += 1 }
                let hasFinal = j < bytes.count && (0x40...0x7E).contains(bytes[j])
                if !(hasFinal && bytes[j] == UInt8(ascii: "m")) {
                    // Shown inert: parameters and final byte are printable ASCII.
                    out.append(contentsOf: visibleEscape)
                    out.append(contentsOf: bytes[(i + 1)..<(hasFinal ? j + 1 : j)])
                }
                i = hasFinal ? j + 1 : j
            case UInt8(ascii: "]"), UInt8(ascii: "P"), UInt8(ascii: "_"), UInt8(ascii: "^"), UInt8(ascii: "X"):
                // OSC, DCS, APC, PM, SOS: a string ended by BEL or ST (ESC \). Its start is
                // shown (printable ASCII only, 40 at most) so that a title change or a
                // clipboard write (OSC 52) is visible for what it is.
                var j = i + 2
                var shown: [UInt8] = [next]
                var hidden = 0
                while j < bytes.count {
                    if bytes[j] == 0x07 { j += 1; break }
                    if bytes[j] == 0x1B, j + 1 < bytes.count, bytes[j + 1] == UInt8(ascii: "\\") { j += 2; break }
                    if shown.count <= 40, (0x20...0x7E).contains(bytes[j]) { shown.append(bytes[j]) } else { hidden += 1 }
                    j += 1
                }
                out.append(contentsOf: visibleEscape)
                out.append(contentsOf: shown)
                if hidden > 0 { out.append(contentsOf: Array("…".utf8)) }
                i = j
            default:
                // Two- or three-byte escapes (charset designation, keypad modes, RIS...).
                var j = i + 1
                while j < bytes.count, (0x20...0x2F).contains(bytes[j]) { j += 1 }
                out.append(contentsOf: visibleEscape)
                let end = min(j + 1, bytes.count)
                out.append(contentsOf: bytes[(i + 1)..<end].filter { (0x20...0x7E).contains($0) })
                i = end
            }
        }
        return out
    }
}

extension LogSanitizer {
    static func isCombiningMark(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark: true
        default: false
        }
    }

    /// Text decoded from inside a structured line (a JSON `\u001b`) made as safe as raw bytes.
    static func visibleControls(_ text: String) -> String {
        LogSanitizer(maxBytes: .max).sanitize(Array(text.utf8))
    }
}

extension String {
    func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
