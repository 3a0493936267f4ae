import PodtopCore

/// The tail of the merged logs: a title line with the pane's state, then one line per entry
/// (or several, when wrapping): time, source in its own stable colour, level, text.
enum LogPaneView {
    static let sourceWidth = 22
    static let clockWidth = 9

    static func draw(_ state: DashboardState, in rect: Rect, options: RenderOptions, into canvas: inout Canvas) {
        guard rect.height > 0 else { return }
        drawTitle(state, in: rect.row(0), options: options, into: &canvas)
        let rows = rect.height - 1
        guard rows > 0 else { return }
        let filter = state.logFilter
        let view = state.logView
        let indices = state.logs.tailIndices(rows, skip: view.scrollBack, where: filter.accepts)
        let layout = RowLayout(x: rect.x, width: rect.width, showsTimestamps: view.showsTimestamps)
        let currentMatch = view.currentMatch.flatMap(state.logs.index(ofSequence:))
        // Lines fill the pane from its bottom row up; a wrapped line that does not fit keeps its end.
        var bottom = rect.y + rect.height
        for index in indices.reversed() where bottom > rect.y + 1 {
            let line = state.logs[index]
            let text = state.displayedText(line)
            let pieces = view.wraps ? DisplayWidth.wrap(text, width: layout.textWidth) : [text[...]]
            let top = bottom - pieces.count
            for (offset, piece) in pieces.enumerated() where top + offset > rect.y {
                let y = top + offset
                if offset == 0 {
                    drawPrefix(line, y: y, layout: layout, utcOffset: state.utcOffset, into: &canvas)
                }
                drawText(piece, of: line, y: y, layout: layout, into: &canvas)
                if let search = view.search {
                    highlight(search, in: piece, x: layout.textX, y: y, end: layout.end,
                              role: index == currentMatch ? .selection : .logMatch, into: &canvas)
                }
            }
            bottom = top
        }
        if indices.isEmpty {
            let message = filter.isEverything ? "no log lines yet" : "no line matches (Esc clears the search, then the filter)"
            canvas.put(message, x: rect.x + 2, y: rect.y + 1, role: .textDim, limit: rect.width - 2)
        }
    }

    /// Where the parts of a log row go.
    struct RowLayout {
        var x: Int
        var width: Int
        var showsTimestamps: Bool

        var end: Int { x + width }
        var sourceX: Int { x + (showsTimestamps ? clockWidth : 0) }
        var streamX: Int { sourceX + sourceWidth }
        var levelX: Int { streamX + 1 }
        var textX: Int { levelX + 4 }
        var textWidth: Int { max(1, end - textX) }
    }

    private static func drawTitle(_ state: DashboardState, in rect: Rect, options: RenderOptions, into canvas: inout Canvas) {
        let focused = state.focus == .logs && state.modal == nil
        let borderRole: StyleRole = focused ? .borderFocused : .border
        canvas.put(String(repeating: options.glyphs.border.horizontal, count: rect.width), x: rect.x, y: rect.y, role: borderRole)
        var x = rect.x + 2
        x += canvas.put(" Logs ", x: x, y: rect.y, role: .title)
        let view = state.logView
        var facts = ["\(state.logs.count) lines"]
        if state.logs.dropped > 0 { facts.append("\(state.logs.dropped) dropped") }
        facts.append(view.isFollowing ? "following" : "paused, \(view.unseen) new lines (End follows)")
        if view.onlySelection { facts.append("only \(state.selectionLabel)") }
        if let level = view.minimumLevel { facts.append("\(level.tag)+") }
        if view.wraps { facts.append("wrap") }
        x += canvas.put(" " + facts.joined(separator: " · ") + " ", x: x, y: rect.y, role: .textDim, limit: rect.maxX - x)
        if case .logPrompt(let prompt) = state.modal {
            let word = prompt.purpose == .search ? "search" : "filter"
            x += canvas.put(" \(word)\(prompt.isRegex ? " (regex)" : ""): ", x: x + 1, y: rect.y, role: .footerKey, limit: rect.maxX - x - 1) + 1
            x += canvas.put(prompt.draft, x: x, y: rect.y, role: .logMatch, limit: rect.maxX - x - 1)
            let problem = prompt.query?.problem.map { " \($0) " } ?? ""
            x += canvas.put("█" + problem, x: x, y: rect.y, role: problem.isEmpty ? .textDim : .statusLineError, limit: rect.maxX - x)
            canvas.put(" Enter keeps · Tab regex · Esc cancels ", x: x, y: rect.y, role: .textDim, limit: rect.maxX - x)
            return
        }
        if let filter = view.filter {
            x += canvas.put(" filter \(filter.label) ", x: x + 1, y: rect.y, role: .logMatch, limit: rect.maxX - x - 1) + 1
        }
        if let search = view.search {
            canvas.put(" search \(search.label) ", x: x + 1, y: rect.y, role: .logMatch, limit: rect.maxX - x - 1)
        }
    }

    private static func drawPrefix(_ line: LogLine, y: Int, layout: RowLayout, utcOffset: Int, into canvas: inout Canvas) {
        if layout.showsTimestamps {
            canvas.put(Format.clock(line.at, utcOffset: utcOffset), x: layout.x, y: y, role: .textDim, limit: layout.end - layout.x)
        }
        let label = line.source.label
        canvas.put(label, x: layout.sourceX, y: y, role: sourceRole(label), limit: min(sourceWidth, layout.end - layout.sourceX))
        if line.stream == .stderr { canvas.put("!", x: layout.streamX, y: y, role: .logError, limit: layout.end - layout.streamX) }
        canvas.put(line.level.tag, x: layout.levelX, y: y, role: .logLevel(line.level), limit: layout.end - layout.levelX)
    }

    private static func drawText(_ text: Substring, of line: LogLine, y: Int, layout: RowLayout, into canvas: inout Canvas) {
        let role: StyleRole = line.level >= .warn ? .logLevel(line.level) : .text
        canvas.put(text, x: layout.textX, y: y, role: role, limit: layout.end - layout.textX)
    }

    /// Restyles each match of `query` in the drawn text.
    private static func highlight(_ query: LogQuery, in text: Substring, x: Int, y: Int, end: Int, role: StyleRole, into canvas: inout Canvas) {
        let text = String(text)
        for range in query.ranges(in: text) {
            let from = x + DisplayWidth.of(text[text.startIndex..<range.lowerBound])
            guard from < end else { return }
            let width = DisplayWidth.of(text[range])
            canvas.restyle(Rect(x: from, y: y, width: min(width, end - from), height: 1), role: role)
        }
    }

    /// The same source always gets the same colour, in every run (FNV-1a, not Swift's seeded hash).
    static func sourceRole(_ label: String) -> StyleRole {
        var hash: UInt32 = 2_166_136_261
        for byte in label.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        return StyleRole.logSources[Int(hash % UInt32(StyleRole.logSources.count))]
    }
}
