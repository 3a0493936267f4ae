/// What a key does. The reducer acts on these, never on raw keys.
public enum Action: Hashable, Sendable {
    case moveUp, moveDown, nextPod, previousPod
    case restart, scale, environments, restartReplica, previousLogs
    case focusLogs, details, cycleTheme, help, quit
    case confirm, cancel, increment, decrement, apply
    case scrollUp, scrollDown, pageUp, pageDown, oldest, follow, leaveLogs
    case searchLogs, filterLogs, olderMatch, newerMatch
    case toggleRawLogs, toggleWrap, toggleTimestamps, toggleFullScreen, toggleOnlySelection, cycleMinimumLevel, saveLogs
}

/// Where the keyboard is: each context has its own bindings.
public enum KeyContext: String, Sendable, CaseIterable {
    case dashboard = "Dashboard"
    case logs = "Log pane"
    case confirm = "Confirmation"
    case scale = "Scale dialog"
    case details = "Details"
    case environments = "Environments"
    case help = "Help"
    case wallboard = "Wallboard"
}

public struct KeyBinding: Sendable {
    public var keys: [KeyInput]
    public var action: Action
    /// Short word for the footer; nil keeps the binding out of the footer.
    public var footer: String?
    public var help: String
    /// Shown as the keys in footer and help, e.g. "↑↓/jk".
    public var keyLabel: String
}

/// The one table of keys: dispatch, the footer and the help screen all read it, so they cannot
/// drift apart (k9s's habit).
public enum Keymap {
    public static let table: [KeyContext: [KeyBinding]] = [
        .dashboard: [
            bind([.up, .character("k")], .moveUp, nil, "Select the previous pod or service", "↑/k"),
            bind([.down, .character("j")], .moveDown, nil, "Select the next pod or service", "↓/j"),
            bind([.tab, .right], .nextPod, "pod", "Jump to the next pod", "Tab"),
            bind([.backTab, .left], .previousPod, nil, "Jump to the previous pod", "S-Tab"),
            bind([.character("r")], .restart, "restart", "Rolling restart of the pod (asks first)", "r"),
            bind([.character("s")], .scale, "scale", "Scale the selected pod (asks first)", "s"),
            bind([.enter], .details, "details", "Details: probe results, latency, replicas", "Enter"),
            bind([.character("l")], .focusLogs, "logs", "Focus the log pane", "l"),
            bind([.character("/")], .searchLogs, "search", "Search the logs (Tab in the prompt: regex)", "/"),
            bind([.character("\\")], .filterLogs, "filter", "Filter the logs (Tab in the prompt: regex)", "\\"),
            bind([.character("p")], .toggleOnlySelection, nil, "Logs of the selection only, or of all again", "p"),
            bind([.character("t")], .cycleTheme, "theme", "Next theme", "t"),
            bind([.character("e")], .environments, "env", "Change environment", "e"),
            bind([.character("?")], .help, "help", "Show this help", "?"),
            bind([.character("q")], .quit, "quit", "Quit podtop", "q"),
        ],
        .logs: [
            bind([.up, .character("k")], .scrollUp, nil, "Scroll up one line (pauses follow)", "↑/k"),
            bind([.down, .character("j")], .scrollDown, nil, "Scroll down one line", "↓/j"),
            bind([.pageUp], .pageUp, "page", "Scroll up one page", "PgUp"),
            bind([.pageDown], .pageDown, nil, "Scroll down one page", "PgDn"),
            bind([.home, .character("g")], .oldest, nil, "Go to the oldest line", "Home/g"),
            bind([.end, .character("G")], .follow, "follow", "Follow new lines", "End/G"),
            bind([.character("/")], .searchLogs, "search", "Search (Tab: regex; a capital: exact case)", "/"),
            bind([.character("n")], .olderMatch, nil, "Go to the older match", "n"),
            bind([.character("N")], .newerMatch, nil, "Go to the newer match", "N"),
            bind([.character("\\")], .filterLogs, "filter", "Show only matching lines (Tab: regex)", "\\"),
            bind([.character("v")], .cycleMinimumLevel, "level", "Minimum level: all, DBG, INF, WRN, ERR", "v"),
            bind([.character("p")], .toggleOnlySelection, "only", "Only the selected pod/service, or all again", "p"),
            bind([.character("w")], .toggleWrap, "wrap", "Wrap long lines, or cut them at the edge", "w"),
            bind([.character("t")], .toggleTimestamps, nil, "Show or hide the time of each line", "t"),
            bind([.character("c")], .toggleRawLogs, nil, "JSON/logfmt: compact (message first) or raw", "c"),
            bind([.character("f")], .toggleFullScreen, "full", "Full-screen log view, or back", "f"),
            bind([.character("S")], .saveLogs, "save", "Save the shown lines to ./podtop-logs-….log", "S"),
            bind([.escape, .character("l"), .tab], .leaveLogs, "back", "Clear search, filter, full screen; then back", "Esc"),
            bind([.character("?")], .help, "help", "Show this help", "?"),
            bind([.character("q")], .quit, "quit", "Quit podtop", "q"),
        ],
        .confirm: [
            bind([.character("y"), .character("Y")], .confirm, "yes", "Go ahead", "y"),
            bind([.character("n"), .character("N"), .escape, .enter], .cancel, "no", "Cancel (the default)", "n/Esc"),
        ],
        .scale: [
            bind([.character("+"), .character("="), .up, .right, .character("k")], .increment, "more", "One replica more", "+"),
            bind([.character("-"), .character("_"), .down, .left, .character("j")], .decrement, "fewer", "One replica fewer", "-"),
            bind([.enter], .apply, "apply", "Apply the new replica count", "Enter"),
            bind([.escape, .character("q")], .cancel, "cancel", "Close without scaling", "Esc"),
        ],
        .environments: [
            bind([.up, .character("k")], .moveUp, nil, "Highlight the previous environment", "↑/k"),
            bind([.down, .character("j")], .moveDown, nil, "Highlight the next environment", "↓/j"),
            bind([.enter], .apply, "switch", "Switch to the highlighted environment", "Enter"),
            bind([.escape, .character("q"), .character("e")], .cancel, "cancel", "Stay where you are", "Esc"),
        ],
        .details: [
            bind([.up, .character("k")], .moveUp, nil, "Highlight the previous replica", "↑/k"),
            bind([.down, .character("j")], .moveDown, nil, "Highlight the next replica", "↓/j"),
            bind([.character("x")], .restartReplica, "restart replica", "Restart the highlighted replica (asks first)", "x"),
            bind([.character("p")], .previousLogs, "previous log", "The highlighted replica's crashed container's log", "p"),
            bind([.escape, .enter, .character("q")], .cancel, "close", "Close the details", "Esc"),
        ],
        .help: [
            bind([.escape, .character("?"), .character("q"), .enter], .cancel, "close", "Close the help", "Esc/?"),
        ],
        // Nobody at the keyboard: nothing to select, nothing to act on.
        .wallboard: [
            bind([.character("q")], .quit, nil, "Quit podtop", "q"),
        ],
    ]

    public static func bindings(_ context: KeyContext) -> [KeyBinding] { table[context] ?? [] }

    public static func action(for key: KeyInput, in context: KeyContext) -> Action? {
        bindings(context).first { $0.keys.contains(key) }?.action
    }

    private static func bind(
        _ keys: [KeyInput], _ action: Action, _ footer: String?, _ help: String, _ keyLabel: String
    ) -> KeyBinding {
        KeyBinding(keys: keys, action: action, footer: footer, help: help, keyLabel: keyLabel)
    }
}
