import Foundation
import PodtopCore

/// How the reader looks at the merged log tail: position, toggles, search and filters.
public struct LogViewState: Sendable, Equatable {
    /// Lines hidden below the view, counting from the newest shown line; 0 means following.
    public var scrollBack = 0
    /// Lines that arrived while paused.
    public var unseen = 0
    /// Only lines that match are shown (`\`).
    public var filter: LogQuery?
    /// Matches are highlighted and `n`/`N` go from one to the next (`/`).
    public var search: LogQuery?
    /// Sequence number (see `LogBuffer.sequence(ofIndex:)`) of the match `n`/`N` last went to.
    public var currentMatch: Int?
    /// JSON and logfmt lines as written, rather than compact (message first).
    public var showsRaw = false
    /// Long lines continue on the next rows instead of being cut at the pane's edge.
    public var wraps = false
    public var showsTimestamps = true
    /// The log pane fills the screen below the header.
    public var isFullScreen = false
    /// Lines below this level are hidden; lines without a level count as below any minimum.
    public var minimumLevel: LogLevel?
    /// Only the selected pod's (or service's) lines are shown.
    public var onlySelection = false

    public var isFollowing: Bool { scrollBack == 0 }

    /// The levels `v` steps through: everything, then from DEBUG up to ERROR only.
    static let levelSteps: [LogLevel?] = [nil, .debug, .info, .warn, .error]
}

/// Which lines the pane shows: the filter, the minimum level and the scope, as one predicate.
public struct LogLineFilter: Sendable {
    public var pod: PodID?
    public var service: String?
    public var minimumLevel: LogLevel?
    public var query: LogQuery?

    public func accepts(_ line: LogLine) -> Bool {
        if let pod, line.source.pod != pod { return false }
        // Lines that do not say their service (a Docker container runs the pod's services
        // together) belong to every service of their pod.
        if let service, let lineService = line.source.service, lineService != service { return false }
        if let minimumLevel, line.level < minimumLevel || line.level == .unknown { return false }
        if let query, !query.isEmpty, !query.matches(line.text), !query.matches(line.source.label) { return false }
        return true
    }

    public var isEverything: Bool { pod == nil && minimumLevel == nil && (query?.isEmpty ?? true) }
}

/// The search or filter being typed in the log pane's title line.
public struct LogPrompt: Sendable, Equatable {
    public enum Purpose: Sendable, Equatable { case search, filter }

    public var purpose: Purpose
    public var draft: String
    public var isRegex: Bool
    /// What was in force before, restored by Esc.
    public var previous: LogQuery?

    public var query: LogQuery? { draft.isEmpty ? nil : LogQuery(draft, isRegex: isRegex) }
}

extension DashboardState {
    /// The predicate for the lines the log pane shows now.
    public var logFilter: LogLineFilter {
        var filter = LogLineFilter(minimumLevel: logView.minimumLevel, query: logView.filter)
        if logView.onlySelection {
            filter.pod = selection.pod
            if case .service(let id) = selection { filter.service = id.name }
        }
        return filter
    }

    /// What "only the selection" shows, in words: `core` or `core/auth`.
    var selectionLabel: String {
        switch selection {
        case .pod(let id): id.rawValue
        case .service(let id): "\(id.pod.rawValue)/\(id.name)"
        }
    }
}
