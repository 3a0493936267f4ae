/// Turns bytes from a container into text that is safe to draw: nothing a log line carries can
/// move the cursor, change the title, write the clipboard or switch character sets.
///
/// - escape sequences (CSI, OSC, DCS, APC, PM, SOS, and their 8-bit C1 forms) are removed;
///   SGR colour is dropped silently, any other sequence leaves a visible `␛` behind;
/// - other C0 and C1 controls become caret notation (`^G`) or `<U+0085>`;
/// - invalid UTF-8 becomes U+FFFD; tabs expand to the next multiple of 8;
/// - a carriage return keeps only the text after it, as a terminal would show;
/// - bidirectional overrides are shown as `<U+202E>` instead of reordering the line;
/// - a line longer than `maxBytes` is cut with a visible marker.
public struct LogSanitizer: Sendable {
    public var maxBytes: Int
    public init(maxBytes: Int = 16 * 1024) { self.maxBytes = maxBytes }

    public func sanitize(_ raw: some Collection<UInt8>) -> String {
        let cut = raw.count > maxBytes
        let bytes = cut ? Array(raw.prefix(maxBytes)) : Array(raw)
        let withoutEscapes = Self.removeEscapeSequences(bytes)
        var out = ""
        out.reserveCapacity(withoutEscapes.count)
        var column = 0
        for scalar in String(decoding: withoutEscapes, as: UTF8.self).unicodeScalars {
            switch scalar.value {
            case 0x09:
                let spaces = 8 - column % 8
                out.append(String(repeating: " ", count: spaces))
                column += spaces
            case 0x0D:
                out = ""
                column = 0
            case 0x00..<0x20, 0x7F:
                let caret = scalar.value == 0x7F ? "^?" : "^" + String(UnicodeScalar(UInt8(scalar.value) + 64))
                out.append(caret)
                column += 2
            case 0x80..<0xA0, 0x202A...0x202E, 0x2066...0x2069, 0x200E, 0x200F, 0x061C:
                let visible = "<U+\(String(scalar.value, radix: 16, uppercase: true).leftPadded(to: 4))>"
                out.append(visible)
                column += visible.count
            default:
                out.unicodeScalars.append(scalar)
                column += 1
            }
        }
        if cut { out.append(" …[cut at \(maxBytes / 1024) KiB of \(raw.count / 1024) KiB]") }
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
                let final = j < bytes.count ? bytes[j] : 0
                if final != UInt8(ascii: "m") { out.append(contentsOf: visibleEscape) }
                i = min(j + 1, bytes.count)
            case UInt8(ascii: "]"), UInt8(ascii: "P"), UInt8(ascii: "_"), UInt8(ascii: "^"), UInt8(ascii: "X"):
                // OSC, DCS, APC, PM, SOS: a string ended by BEL or ST (ESC \).
                var j = i + 2
                while j < bytes.count {
                    if bytes[j] == 0x07 { j += 1; break }
                    if bytes[j] == 0x1B, j + 1 < bytes.count, bytes[j + 1] == UInt8(ascii: "\\") { j += 2; break }
                    j += 1
                }
                out.append(contentsOf: visibleEscape)
                i = j
            default:
                // Two- or three-byte escapes (charset designation, keypad modes, RIS...).
                var j = i + 1
                while j < bytes.count, (0x20...0x2F).contains(bytes[j]) { j += 1 }
                out.append(contentsOf: visibleEscape)
                i = min(j + 1, bytes.count)
            }
        }
        return out
    }
}

extension String {
    func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
