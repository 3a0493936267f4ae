/// Log lines written to attack a terminal, each with what a reader must see once podtop has
/// sanitised it, and the byte sequence that must never reach the terminal. Shared by the
/// sanitiser's unit tests and the end-to-end test that prints them from a real container.
public struct HostileLogLine: Sendable {
    public var name: String
    public var bytes: [UInt8]
    /// The sanitised text, exactly; nil where only a prefix or a property is checked.
    public var visible: String?
    /// Present in the input, and must appear nowhere in what podtop writes.
    public var smuggled: [UInt8]?
}

public enum HostileLogCorpus {
    static func line(_ name: String, _ text: String, _ visible: String?, smuggled: String? = nil) -> HostileLogLine {
        HostileLogLine(name: name, bytes: Array(text.utf8), visible: visible, smuggled: smuggled.map { Array($0.utf8) })
    }

    static func raw(_ name: String, _ bytes: [UInt8], _ visible: String?) -> HostileLogLine {
        HostileLogLine(name: name, bytes: bytes, visible: visible, smuggled: nil)
    }

    public static let lines: [HostileLogLine] = [
        // OSC: titles, clipboard, hyperlinks; BEL- and ST-terminated, and never terminated.
        line("OSC 0 title (BEL)", "t1 \u{1B}]0;pwned-title\u{07} after", "t1 ␛]0;pwned-title after", smuggled: "\u{1B}]0;pwned-title"),
        line("OSC 2 title (ST)", "t2 \u{1B}]2;pwned-two\u{1B}\\ after", "t2 ␛]2;pwned-two after", smuggled: "\u{1B}]2;pwned-two"),
        line("OSC 52 clipboard write", "clip \u{1B}]52;c;cm0gLXJmIC8K\u{07}", "clip ␛]52;c;cm0gLXJmIC8K", smuggled: "\u{1B}]52;"),
        line("OSC 8 hyperlink", "\u{1B}]8;;http://evil.example/\u{1B}\\click\u{1B}]8;;\u{1B}\\", "␛]8;;http://evil.example/click␛]8;;", smuggled: "\u{1B}]8;;http://evil"),
        line("OSC 4 palette change", "pal \u{1B}]4;1;rgb:ff/00/00\u{07}", "pal ␛]4;1;rgb:ff/00/00", smuggled: "\u{1B}]4;1;rgb"),
        line("OSC never terminated", "open \u{1B}]0;never-ends", "open ␛]0;never-ends", smuggled: "\u{1B}]0;never"),
        line("OSC with a long payload", "long \u{1B}]0;" + String(repeating: "A", count: 100) + "\u{07}", "long ␛]0;" + String(repeating: "A", count: 38) + "…"),
        // CSI: screen, cursor, modes, queries.
        line("CSI clear screen", "cls \u{1B}[2J!", "cls ␛[2J!", smuggled: "\u{1B}[2J!"),
        line("CSI cursor up", "up \u{1B}[7777A", "up ␛[7777A", smuggled: "\u{1B}[7777A"),
        line("CSI cursor position", "pos \u{1B}[33;77H", "pos ␛[33;77H", smuggled: "\u{1B}[33;77H"),
        line("CSI erase line", "el \u{1B}[2K", "el ␛[2K", smuggled: "\u{1B}[2K"),
        line("CSI device status query", "dsr \u{1B}[6n", "dsr ␛[6n", smuggled: "\u{1B}[6n"),
        line("CSI mouse tracking on", "mouse \u{1B}[?1000h", "mouse ␛[?1000h", smuggled: "\u{1B}[?1000h"),
        line("CSI bracketed paste on", "paste \u{1B}[?2004h", "paste ␛[?2004h", smuggled: "\u{1B}[?2004h"),
        line("CSI scroll region", "region \u{1B}[4;44;444r", "region ␛[4;44;444r", smuggled: "\u{1B}[4;44;444r"),
        line("CSI cursor style (intermediate)", "shape \u{1B}[5 q", "shape ␛[5 q", smuggled: "\u{1B}[5 q"),
        line("CSI window title report", "report \u{1B}[21t", "report ␛[21t", smuggled: "\u{1B}[21t"),
        line("CSI unterminated", "cut \u{1B}[12;", "cut ␛[12;"),
        line("SGR colour", "\u{1B}[38;5;196mRED\u{1B}[0m plain \u{1B}[1;4;31mbold", "RED plain bold", smuggled: "\u{1B}[38;5;196m"),
        // DCS, APC, PM, SOS.
        line("DCS request status", "dcs \u{1B}P$qm\u{1B}\\", "dcs ␛P$qm", smuggled: "\u{1B}P$q"),
        line("DCS sixel", "six \u{1B}Pq#0;2;0;0;0#0~~@@vv\u{1B}\\", "six ␛Pq#0;2;0;0;0#0~~@@vv", smuggled: "\u{1B}Pq#0"),
        line("APC kitty graphics", "apc \u{1B}_Gf=100;AAAA\u{1B}\\", "apc ␛_Gf=100;AAAA", smuggled: "\u{1B}_Gf=100"),
        line("PM", "pm \u{1B}^privacy\u{1B}\\", "pm ␛^privacy", smuggled: "\u{1B}^privacy"),
        line("SOS", "sos \u{1B}Xstart-of-string\u{1B}\\", "sos ␛Xstart-of-string", smuggled: "\u{1B}Xstart"),
        // Short escapes.
        line("RIS full reset", "reset \u{1B}c!", "reset ␛c!", smuggled: "\u{1B}c!"),
        line("charset switch", "gfx \u{1B}(0lqqk", "gfx ␛(0lqqk", smuggled: "\u{1B}(0lqqk"),
        line("keypad mode", "kp \u{1B}=!", "kp ␛=!", smuggled: "\u{1B}=!"),
        line("save and restore cursor", "sc \u{1B}7x\u{1B}8", "sc ␛7x␛8", smuggled: "\u{1B}7x"),
        line("lone ESC at the end", "end \u{1B}", "end ␛"),
        // 8-bit C1 controls, raw and UTF-8 encoded.
        raw("raw 8-bit CSI byte", Array("c1 ".utf8) + [0x9B] + Array("31m".utf8), "c1 \u{FFFD}31m"),
        line("UTF-8 encoded CSI (U+009B)", "c1u \u{9B}2J", "c1u <U+009B>2J"),
        line("UTF-8 encoded OSC and ST", "osc8 \u{9D}0;t\u{9C}", "osc8 <U+009D>0;t<U+009C>"),
        line("NEL (U+0085)", "nel\u{85}x", "nel<U+0085>x"),
        // C0 controls.
        line("BEL", "ding\u{07}ding", "ding^Gding"),
        line("backspace overstrike", "a\u{08}b_\u{08}X", "a^Hb_^HX"),
        line("NUL", "nul\u{00}byte", "nul^@byte"),
        line("DEL", "del\u{7F}!", "del^?!"),
        line("form feed and vertical tab", "ff\u{0C}vt\u{0B}", "ff^Lvt^K"),
        line("carriage return overwrite, shown", "fake OK\rREAL", "fake OK␍REAL"),
        line("zero-width space and joiner", "pass\u{200B}word\u{200D}", "pass<U+200B>word<U+200D>"),
        line("byte order mark inside a line", "a\u{FEFF}b", "a<U+FEFF>b"),
        line("tag characters", "hi\u{E0041}\u{E007F}", "hi<U+E0041><U+E007F>"),
        line("tab", "a\tb", "a       b"),
        // Bidirectional controls shown, not obeyed.
        line("right-to-left override", "invoice\u{202E}fdp.exe", "invoice<U+202E>fdp.exe"),
        line("left-to-right isolate", "x\u{2066}y\u{2069}", "x<U+2066>y<U+2069>"),
        line("right-to-left mark", "rlm\u{200F}", "rlm<U+200F>"),
        // Invalid UTF-8 of each kind.
        raw("lone continuation byte", [0x61, 0x80, 0x62], "a\u{FFFD}b"),
        raw("overlong slash", [0x61, 0xC0, 0xAF, 0x62], "a\u{FFFD}\u{FFFD}b"),
        raw("truncated sequence", [0x61, 0xE2, 0x82, 0x62], "a\u{FFFD}b"),
        raw("encoded surrogate", [0x61, 0xED, 0xA0, 0x80, 0x62], "a\u{FFFD}\u{FFFD}\u{FFFD}b"),
        raw("beyond U+10FFFF", [0x61, 0xF4, 0x90, 0x80, 0x80, 0x62], "a\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}b"),
        raw("bytes FE and FF", [0x61, 0xFE, 0xFF, 0x62], "a\u{FFFD}\u{FFFD}b"),
        // Size and width.
        raw("1 MiB line", Array("huge ".utf8) + [UInt8](repeating: UInt8(ascii: "x"), count: 1 << 20), nil),
        // 20,000 bytes: cut at 16 KiB first, on a character boundary, then the marks capped.
        line("10,000 combining marks", "zalgo e" + String(repeating: "\u{0301}", count: 10_000) + " end",
             "zalgo e\u{0301}\u{0301}\u{0301}\u{0301}<+8184 marks> …[cut at 16 KiB of 19 KiB]"),
        line("wide CJK to the edge", "wide " + String(repeating: "界", count: 150), "wide " + String(repeating: "界", count: 150)),
        // A structured line carrying an escape inside a JSON string.
        line("JSON with an escaped OSC", #"{"level":"error","msg":"\u001b]0;json-title\u0007 boom"}"#, nil, smuggled: "\u{1B}]0;json-title"),
    ]
}
