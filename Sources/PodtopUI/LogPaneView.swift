import PodtopCore

/// The tail of the merged logs: a title line with the pane's state, then one line per entry:
/// time, source in its own stable colour, level, text.
enum LogPaneView {
    static let sourceWidth = 22

    static func draw(_ state: DashboardState, in rect: Rect, options: RenderOptions, into canvas: inout Canvas) {
        guard rect.height > 0 else { return }
        drawTitle(state, in: rect.row(0), options: options, into: &canvas)
        let rows = rect.height - 1
        guard rows > 0 else { return }
        let lines = state.logs.tail(rows, skip: state.logView.scrollBack, where: state.logView.accepts)
        let utcOffset = state.utcOffset
        for (index, line) in lines.enumerated() {
            drawLine(line, raw: state.logView.showsRaw, filter: state.logView.filter, utcOffset: utcOffset, y: rect.y + 1 + index, x: rect.x,
                     width: rect.width, into: &canvas)
        }
        if lines.isEmpty {
            let message = state.logView.filter.isEmpty ? "no log lines yet" : "no line matches \"\(state.logView.filter)\""
            canvas.put(message, x: rect.x + 2, y: rect.y + 1, role: .textDim, limit: rect.width - 2)
        }
    }

    private static func drawTitle(_ state: DashboardState, in rect: Rect, options: RenderOptions, into canvas: inout Canvas) {
        let focused = state.focus == .logs && state.modal == nil
        let borderRole: StyleRole = focused ? .borderFocused : .border
        canvas.put(String(repeating: options.glyphs.border.horizontal, count: rect.width), x: rect.x, y: rect.y, role: borderRole)
        var x = rect.x + 2
        x += canvas.put(" Logs ", x: x, y: rect.y, role: .title)
        var facts = ["\(state.logs.count) lines"]
        if state.logs.dropped > 0 { facts.append("\(state.logs.dropped) dropped") }
        if state.logView.isFollowing {
            facts.append("following")
        } else {
            facts.append("paused, \(state.logView.unseen) new lines (End follows)")
        }
        x += canvas.put(" " + facts.joined(separator: " · ") + " ", x: x, y: rect.y, role: .textDim, limit: rect.maxX - x)
        if case .filter(let draft, _) = state.modal {
            x += canvas.put(" filter: /", x: x + 1, y: rect.y, role: .footerKey, limit: rect.maxX - x - 1) + 1
            x += canvas.put(draft, x: x, y: rect.y, role: .logMatch, limit: rect.maxX - x - 1)
            canvas.put("█ Enter keeps · Esc cancels ", x: x, y: rect.y, role: .textDim, limit: rect.maxX - x)
        } else if !state.logView.filter.isEmpty {
            canvas.put(" filter \"\(state.logView.filter)\" ", x: x + 1, y: rect.y, role: .logMatch, limit: rect.maxX - x - 1)
        }
    }

    static func drawLine(_ line: LogLine, raw: Bool, filter: String, utcOffset: Int, y: Int, x: Int, width: Int, into canvas: inout Canvas) {
        let end = x + width
        var column = x
        column += canvas.put(Format.clock(line.at, utcOffset: utcOffset) + " ", x: column, y: y, role: .textDim, limit: end - column)
        let label = line.source.label
        canvas.put(label, x: column, y: y, role: sourceRole(label), limit: min(sourceWidth, end - column))
        column += sourceWidth + 1
        let levelRole = StyleRole.logLevel(line.level)
        canvas.put(line.stream == .stderr ? "!" : " ", x: column - 1, y: y, role: .logError)
        column += canvas.put(line.level.tag + " ", x: column, y: y, role: levelRole, limit: end - column)
        let textRole: StyleRole = line.level >= .warn ? levelRole : .text
        let textStart = column
        let text = raw ? line.text : line.compact ?? line.text
        canvas.put(text, x: column, y: y, role: textRole, limit: end - column)
        if !filter.isEmpty { highlight(filter, in: text, x: textStart, y: y, end: end, into: &canvas) }
    }

    /// Restyles each case-insensitive match of `filter` in the drawn text.
    private static func highlight(_ filter: String, in text: String, x: Int, y: Int, end: Int, into canvas: inout Canvas) {
        var searchStart = text.startIndex
        while let range = text.range(of: filter, options: .caseInsensitive, range: searchStart..<text.endIndex) {
            let from = x + DisplayWidth.of(text[text.startIndex..<range.lowerBound])
            guard from < end else { return }
            let width = DisplayWidth.of(text[range])
            canvas.restyle(Rect(x: from, y: y, width: min(width, end - from), height: 1), role: .logMatch)
            searchStart = range.upperBound
            if range.isEmpty { return }
        }
    }

    /// The same source always gets the same colour, in every run (FNV-1a, not Swift's seeded hash).
    static func sourceRole(_ label: String) -> StyleRole {
        var hash: UInt32 = 2_166_136_261
        for byte in label.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        return StyleRole.logSources[Int(hash % UInt32(StyleRole.logSources.count))]
    }
}
