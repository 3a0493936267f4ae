/// Every place on screen that has a look of its own. Drawing code names roles; only a theme
/// says what a role looks like (htop's habit: no colours scattered through widgets).
public enum StyleRole: String, Sendable, CaseIterable {
    case text
    case textDim = "text.dim"
    case header
    case headerAccent = "header.accent"
    case badge
    case title
    case border
    case borderFocused = "border.focused"
    case selection
    case statusOK = "status.ok"
    case statusWarn = "status.warn"
    case statusCritical = "status.critical"
    case statusUnknown = "status.unknown"
    case sparkline
    case sparklineGap = "sparkline.gap"
    case logDebug = "log.debug"
    case logInfo = "log.info"
    case logWarn = "log.warn"
    case logError = "log.error"
    case logSource1 = "log.source.1"
    case logSource2 = "log.source.2"
    case logSource3 = "log.source.3"
    case logSource4 = "log.source.4"
    case logSource5 = "log.source.5"
    case logSource6 = "log.source.6"
    case logMatch = "log.match"
    case footerKey = "footer.key"
    case footerLabel = "footer.label"
    case footerDisabled = "footer.disabled"
    case statusLine = "status.line"
    case statusLineError = "status.line.error"
    case dialog
    case dialogBorder = "dialog.border"
    /// The Kubernetes environment's name in the header; production has a colour of its own.
    case environment
    case environmentProduction = "environment.production"

    public static let logSources: [StyleRole] = [.logSource1, .logSource2, .logSource3, .logSource4, .logSource5, .logSource6]

    public static func severity(_ severity: Severity) -> StyleRole {
        switch severity {
        case .ok: .statusOK
        case .warn: .statusWarn
        case .critical: .statusCritical
        case .unknown: .statusUnknown
        }
    }

    public static func logLevel(_ level: LogLevel) -> StyleRole {
        switch level {
        case .unknown, .info: .logInfo
        case .debug: .logDebug
        case .warn: .logWarn
        case .error: .logError
        }
    }
}

public enum ThemeColor: Sendable, Equatable {
    /// The terminal's own foreground or background.
    case terminalDefault
    /// One of the 256 indexed colours (0–7 basic, 8–15 bright).
    case indexed(UInt8)
    case rgb(UInt8, UInt8, UInt8)
}

public struct ThemeStyle: Sendable, Equatable {
    public var foreground: ThemeColor
    public var background: ThemeColor
    public var bold: Bool
    public var dim: Bool
    public var reverse: Bool
    public var underline: Bool

    public init(
        foreground: ThemeColor = .terminalDefault, background: ThemeColor = .terminalDefault,
        bold: Bool = false, dim: Bool = false, reverse: Bool = false, underline: Bool = false
    ) {
        self.foreground = foreground
        self.background = background
        self.bold = bold
        self.dim = dim
        self.reverse = reverse
        self.underline = underline
    }

    public static let plain = ThemeStyle()
}

public struct Theme: Sendable, Equatable {
    public var name: String
    private var styles: [StyleRole: ThemeStyle]

    public init(name: String, styles: [StyleRole: ThemeStyle]) {
        self.name = name
        self.styles = styles
    }

    /// A role the theme does not mention looks like `text`.
    public func style(_ role: StyleRole) -> ThemeStyle {
        styles[role] ?? styles[.text] ?? .plain
    }

    /// Used when colour is off (NO_COLOR, a terminal without colours): keeps the attributes
    /// that carry meaning and drops every colour.
    public var withoutColour: Theme {
        Theme(name: name, styles: styles.mapValues {
            ThemeStyle(bold: $0.bold, dim: $0.dim, reverse: $0.reverse, underline: $0.underline)
        })
    }
}
