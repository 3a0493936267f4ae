import CNcursesw
import Glibc
import PodtopCore
import PodtopUI

/// What came from the terminal while waiting.
public enum TerminalInput: Equatable, Sendable {
    case key(KeyInput)
    case resize
    /// The terminal went away (SSH drop, closed window): EOF, EIO or a hang-up.
    case hangup
}

public enum TerminalStartError: Error, CustomStringConvertible {
    case notATerminal
    case unknownTerminal(String)
    case cannotAddressCursor(String)

    public var description: String {
        switch self {
        case .notATerminal:
            "podtop needs an interactive terminal on stdin and stdout (for scripts, use `podtop check`)"
        case .unknownTerminal(let term):
            "the terminal type '\(term)' is unknown here (no terminfo entry); try TERM=xterm-256color"
        case .cannotAddressCursor(let term):
            "the terminal type '\(term)' cannot move the cursor, which podtop's screen needs; try TERM=xterm-256color"
        }
    }
}

/// The ncurses session. Every curses call in podtop is made by this class, on the thread that
/// created it (ncurses is not thread-safe); it is deliberately not Sendable.
public final class TerminalSession {
    private let screen: OpaquePointer
    private let window: UnsafeMutablePointer<WINDOW>
    private var previous: Canvas?
    private var styles: [StyleRole: (attributes: attr_t, pair: Int32)] = [:]
    private var pollsWithoutKeys = 0
    public let colorCount: Int
    public private(set) var isActive = true

    /// Starts curses after checking that there is a terminal that can show a screen.
    /// Signal handlers go in first, so that even a failure half-way leaves the terminal sane.
    public static func start(noColor: Bool) throws(TerminalStartError) -> TerminalSession {
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else { throw .notATerminal }
        let term = getenv("TERM").map { String(cString: $0) } ?? ""
        podtop_install_signal_handlers()
        guard !term.isEmpty, let screen = podtop_newterm(nil) else { throw .unknownTerminal(term) }
        set_term(screen)
        guard podtop_can_address_cursor() == 1 else {
            endwin()
            delscreen(screen)
            throw .cannotAddressCursor(term)
        }
        return TerminalSession(screen: screen, noColor: noColor)
    }

    private init(screen: OpaquePointer, noColor: Bool) {
        self.screen = screen
        window = podtop_stdscr()!
        podtop_prepare_crash_restore()
        cbreak()
        noecho()
        nonl()
        keypad(window, true)
        set_escdelay(25)
        // A frame is written whole: ncurses would otherwise poll the keyboard between lines of
        // an update, and a frame takes well under a millisecond to write.
        typeahead(-1)
        curs_set(0)
        // Let ncurses scroll the log pane with the terminal's own scrolling when it can,
        // instead of repainting every line: fewer bytes over SSH.
        idlok(window, true)
        if !noColor, has_colors() {
            start_color()
            use_default_colors()
            colorCount = Int(podtop_colors())
        } else {
            colorCount = 0
        }
        // ncurses 6.4 flushes its output after every cursor movement until the screen has once
        // been left and entered again (it still counts as "not yet started", for terminfo-only
        // programs): a frame went out in ~200 writes of 30 bytes — a system call each, and a
        // packet each over SSH. Leaving and re-entering the still-blank screen ends that: a
        // 200×50 frame then goes out in a few writes.
        endwin()
        refresh()
    }

    public var size: (width: Int, height: Int) { (Int(podtop_cols()), Int(podtop_lines())) }

    /// Colours and attributes for every role; forces a full repaint.
    public func apply(theme: Theme) {
        let colors = colorCount
        let pairLimit = Int(podtop_color_pairs())
        styles.removeAll()
        for (index, role) in StyleRole.allCases.enumerated() {
            let style = theme.style(role)
            var attributes = podtop_attr_normal()
            if style.bold { attributes |= podtop_attr_bold() }
            if style.dim { attributes |= podtop_attr_dim() }
            if style.reverse { attributes |= podtop_attr_reverse() }
            if style.underline { attributes |= podtop_attr_underline() }
            var pair: Int32 = 0
            if let fg = ColorMapping.terminalColor(style.foreground, available: colors),
               let bg = ColorMapping.terminalColor(style.background, available: colors),
               index + 1 < pairLimit {
                pair = Int32(index + 1)
                podtop_init_pair(pair, Int32(fg), Int32(bg))
            }
            styles[role] = (attributes, pair)
        }
        previous = nil
        clearok(window, true)
    }

    /// Copies the canvas to the terminal. Rows equal to the last frame are skipped, and ncurses
    /// then sends only the cells that changed.
    public func present(_ canvas: Canvas) {
        let (width, height) = size
        guard canvas.width == width, canvas.height == height else { return }
        let sameSize = previous.map { $0.width == width && $0.height == height } ?? false
        var row = [cchar_t](repeating: cchar_t(), count: width)
        var text = [wchar_t](repeating: 0, count: 8)
        // Neighbouring cells mostly share a role: look its style up only when it changes (a
        // lookup hashes the role's name, for each of a frame's thousands of cells).
        var role: StyleRole?
        var style = (attributes: podtop_attr_normal(), pair: Int32(0))
        for y in 0..<height {
            if sameSize, let previous, canvas.rowEquals(previous, y) { continue }
            var count = 0
            for x in 0..<width {
                let cell = canvas[x, y]
                if cell.width == 0 { continue }
                var n = 0
                if cell.isCluster {
                    for scalar in canvas.character(at: y * width + x).unicodeScalars where n < 5 {
                        text[n] = wchar_t(bitPattern: scalar.value)
                        n += 1
                    }
                } else {
                    text[0] = wchar_t(bitPattern: cell.scalar.value)
                    n = 1
                }
                text[n] = 0
                if cell.role != role {
                    role = cell.role
                    style = styles[cell.role] ?? (podtop_attr_normal(), 0)
                }
                podtop_setcchar(&row[count], text, style.attributes, style.pair)
                count += 1
            }
            // The last cell of the last row would scroll the screen on some terminals; ncurses
            // handles that itself when the row is drawn in one call.
            podtop_draw_row(window, Int32(y), 0, row, Int32(count))
        }
        wnoutrefresh(window)
        doupdate()
        previous = canvas
    }

    /// After a resize: forget the last frame and repaint everything once.
    public func invalidate() {
        previous = nil
        clearok(window, true)
    }

    /// Waits up to `timeoutMilliseconds` for a key, a resize, a signal or a byte on `wakeDescriptor`
    /// (ignored when negative, as poll(2) ignores it), then returns everything that is ready
    /// without blocking again.
    public func waitForInput(wakeDescriptor: Int32, timeoutMilliseconds: Int32) -> [TerminalInput] {
        var fds = [pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: wakeDescriptor, events: Int16(POLLIN), revents: 0),
                   // A shutdown signal handled on another thread wakes this poll too.
                   pollfd(fd: podtop_signal_descriptor(), events: Int16(POLLIN), revents: 0)]
        let ready = poll(&fds, nfds_t(fds.count), timeoutMilliseconds)
        if ready < 0 {
            // EINTR: a signal; SIGWINCH shows up as KEY_RESIZE below, others via pendingSignal.
            return readKeys()
        }
        let terminalEvents = fds[0].revents
        if terminalEvents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 { return [.hangup] }
        guard terminalEvents & Int16(POLLIN) != 0 else { return [] }
        let keys = readKeys()
        if keys.isEmpty {
            // Readable but nothing to read is EOF; a few in a row means the terminal is gone,
            // and spinning on it would burn a core (the SSH-drop case).
            pollsWithoutKeys += 1
            if pollsWithoutKeys >= 3 { return [.hangup] }
        } else {
            pollsWithoutKeys = 0
        }
        return keys
    }

    private func readKeys() -> [TerminalInput] {
        var inputs: [TerminalInput] = []
        wtimeout(window, 0)
        var character: wint_t = 0
        while inputs.count < 64 {
            let result = wget_wch(window, &character)
            if result == ERR { break }
            if result == KEY_CODE_YES {
                if let input = Self.functionKey(Int32(character)) { inputs.append(input) }
            } else if let key = Self.characterKey(UInt32(character)) {
                inputs.append(.key(key))
            }
        }
        return inputs
    }

    static func functionKey(_ code: Int32) -> TerminalInput? {
        switch code {
        case KEY_RESIZE: .resize
        case KEY_UP: .key(.up)
        case KEY_DOWN: .key(.down)
        case KEY_LEFT: .key(.left)
        case KEY_RIGHT: .key(.right)
        case KEY_BTAB: .key(.backTab)
        case KEY_ENTER: .key(.enter)
        case KEY_BACKSPACE: .key(.backspace)
        case KEY_PPAGE: .key(.pageUp)
        case KEY_NPAGE: .key(.pageDown)
        case KEY_HOME: .key(.home)
        case KEY_END: .key(.end)
        default: nil
        }
    }

    static func characterKey(_ value: UInt32) -> KeyInput? {
        switch value {
        case 9: .tab
        case 10, 13: .enter
        case 27: .escape
        case 8, 127: .backspace
        default: UnicodeScalar(value).map { .character(Character($0)) }
        }
    }

    /// The first shutdown signal (SIGINT, SIGTERM, SIGHUP, SIGQUIT) received, if any.
    public var pendingSignal: Int32? {
        let signal = podtop_pending_signal()
        return signal == 0 ? nil : signal
    }

    /// Leaves curses and puts the terminal back as it was. Safe to call more than once.
    public func stop() {
        guard isActive else { return }
        isActive = false
        curs_set(1)
        endwin()
        delscreen(screen)
    }

    deinit { stop() }
}

/// Whether the current locale can show UTF-8; call after `setlocale`.
public enum TerminalLocale {
    public static func prepare() -> Bool {
        setlocale(LC_ALL, "")
        return podtop_locale_is_utf8() == 1
    }
}
