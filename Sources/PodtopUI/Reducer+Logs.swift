import Foundation
import PodtopCore

/// The log pane's keys: moving, searching, filtering, the view's toggles and saving.
extension DashboardState {
    mutating func handleLogAction(_ action: Action) -> [Effect] {
        switch action {
        case .scrollUp: scrollLogs(by: 1)
        case .scrollDown: scrollLogs(by: -1)
        case .pageUp: scrollLogs(by: max(1, logPageSize - 1))
        case .pageDown: scrollLogs(by: -max(1, logPageSize - 1))
        case .oldest: scrollLogs(by: Int.max / 2)
        case .follow:
            logView.scrollBack = 0
            logView.unseen = 0
        case .leaveLogs: leaveLogs()
        case .searchLogs:
            focus = .logs
            modal = .logPrompt(LogPrompt(purpose: .search, draft: logView.search?.text ?? "", isRegex: logView.search?.isRegex ?? false,
                                         previous: logView.search))
        case .filterLogs:
            focus = .logs
            modal = .logPrompt(LogPrompt(purpose: .filter, draft: logView.filter?.text ?? "", isRegex: logView.filter?.isRegex ?? false,
                                         previous: logView.filter))
        case .olderMatch: goToMatch(step: -1)
        case .newerMatch: goToMatch(step: 1)
        case .toggleRawLogs:
            logView.showsRaw.toggle()
            say(logView.showsRaw ? "Log lines as written" : "JSON and logfmt lines compact, message first")
        case .toggleWrap:
            logView.wraps.toggle()
            say(logView.wraps ? "Long log lines wrap" : "Long log lines are cut at the edge")
        case .toggleTimestamps:
            logView.showsTimestamps.toggle()
            say(logView.showsTimestamps ? "Log times shown" : "Log times hidden")
        case .toggleFullScreen:
            logView.isFullScreen.toggle()
            focus = .logs
        case .toggleOnlySelection:
            let label = selectionLabel
            keepingLogPlace { $0.logView.onlySelection.toggle() }
            say(logView.onlySelection ? "Logs of \(label) only (p again: all pods)" : "Logs of all pods")
        case .cycleMinimumLevel:
            let steps = LogViewState.levelSteps
            let next = steps[((steps.firstIndex(of: logView.minimumLevel) ?? 0) + 1) % steps.count]
            keepingLogPlace { $0.logView.minimumLevel = next }
            say(next.map { "Log lines of level \($0.tag) and above" } ?? "Log lines of every level")
        case .saveLogs:
            return saveLogs()
        default:
            break
        }
        return []
    }

    /// Esc steps back one thing at a time: the search, the filter, full screen, then the pane.
    private mutating func leaveLogs() {
        if logView.search != nil {
            logView.search = nil
            logView.currentMatch = nil
            say("Search cleared")
        } else if logView.filter != nil {
            keepingLogPlace { $0.logView.filter = nil }
            say("Filter cleared")
        } else if logView.isFullScreen {
            logView.isFullScreen = false
        } else {
            focus = .pods
        }
    }

    // MARK: - Prompt

    mutating func handlePromptKey(_ key: KeyInput, _ prompt: LogPrompt) {
        var prompt = prompt
        switch key {
        case .enter:
            modal = nil
            focus = .logs
            switch prompt.purpose {
            case .filter:
                keepingLogPlace { $0.logView.filter = prompt.query }
            case .search:
                logView.search = prompt.query
                logView.currentMatch = nil
                if let query = prompt.query {
                    if let problem = query.problem {
                        say("\(query.label): \(problem)", error: true)
                    } else {
                        goToMatch(step: -1, from: logs.count - 1)
                    }
                }
            }
            return
        case .escape:
            modal = nil
            switch prompt.purpose {
            case .filter: logView.filter = prompt.previous
            case .search: logView.search = prompt.previous
            }
            return
        case .tab:
            prompt.isRegex.toggle()
        case .backspace:
            prompt.draft = String(prompt.draft.dropLast())
        case .character(let c) where !c.isNewline && DisplayWidth.of(c) > 0:
            prompt.draft.append(c)
        default:
            return
        }
        modal = .logPrompt(prompt)
        // Typing shows its effect at once: the filter narrows, the search highlights.
        switch prompt.purpose {
        case .filter: logView.filter = prompt.query
        case .search: logView.search = prompt.query
        }
    }

    // MARK: - Moving

    func displayedText(_ line: LogLine) -> String { logView.showsRaw ? line.text : line.compact ?? line.text }

    private mutating func scrollLogs(by delta: Int) {
        let available = logs.count(where: logFilter.accepts)
        let maxBack = max(0, available - logPageSize)
        logView.scrollBack = min(maxBack, max(0, logView.scrollBack + delta))
        if logView.scrollBack == 0 { logView.unseen = 0 }
    }

    /// Changes what the pane shows while keeping the line at the bottom of a paused view there.
    private mutating func keepingLogPlace(_ change: (inout DashboardState) -> Void) {
        let bottom = logView.isFollowing ? nil : logs.tailIndices(1, skip: logView.scrollBack, where: logFilter.accepts).first
        change(&self)
        if let bottom { logView.scrollBack = logs.count(after: bottom, where: logFilter.accepts) }
    }

    /// Goes to the nearest match older (`step` -1) or newer (+1) than the current one, or than
    /// the view's edge when there is none yet, and puts it in the middle of the pane.
    private mutating func goToMatch(step: Int, from explicitStart: Int? = nil) {
        guard let search = logView.search, !search.isEmpty else {
            say("No search: / starts one")
            return
        }
        let filter = logFilter
        let start: Int
        if let explicitStart {
            start = explicitStart
        } else if let current = logView.currentMatch.flatMap(logs.index(ofSequence:)) {
            start = current + step
        } else {
            let visible = logs.tailIndices(logPageSize, skip: logView.scrollBack, where: filter.accepts)
            start = (step < 0 ? visible.last : visible.first) ?? logs.count - 1
        }
        let found = logs.firstIndex(from: start, step: step) { filter.accepts($0) && search.matches(displayedText($0)) }
        guard let found else {
            say("No \(step < 0 ? "older" : "newer") match for \(search.label)", error: true)
            return
        }
        logView.currentMatch = logs.sequence(ofIndex: found)
        let newer = logs.count(after: found, where: filter.accepts)
        // Paused on the match (so new lines cannot push it away), centred when there is room.
        logView.scrollBack = newer == 0 ? 0 : max(1, newer - logPageSize / 2)
        if logView.scrollBack == 0 { logView.unseen = 0 }
        say("Match for \(search.label): n older, N newer")
    }

    // MARK: - Saving

    private func saveLogs() -> [Effect] {
        let filter = logFilter
        var lines: [String] = []
        lines.reserveCapacity(logs.count)
        let stamp = ISO8601DateFormatter()
        stamp.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        for index in 0..<logs.count where filter.accepts(logs[index]) {
            let line = logs[index]
            let stream = line.stream == .stderr ? "stderr" : "stdout"
            lines.append("\(stamp.string(from: line.at)) \(line.source.label) \(stream) \(line.level.tag) \(line.text)")
        }
        return [.saveLogs(fileName: Self.logFileName(at: now, in: timeZone), lines: lines)]
    }

    /// `podtop-logs-20261130-160400.log`, in the zone the screen shows times in.
    static func logFileName(at date: Date, in zone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ n: Int?) -> String { String(format: "%02d", n ?? 0) }
        return "podtop-logs-\(c.year ?? 0)\(two(c.month))\(two(c.day))-\(two(c.hour))\(two(c.minute))\(two(c.second)).log"
    }
}
