import PodtopCore

/// One Big Pod: a summary (status, replicas, restarts, CPU, memory, uptime) and a row per
/// service. Stacked rows in the standard layout, a box in the wide one.
struct PodView {
    let state: DashboardState
    let pod: PodSpec
    let options: RenderOptions

    private var snapshot: PodSnapshot? { state.snapshot?.pod(pod.id) }
    private var rollup: PodRollup { state.rollup(of: pod) }
    private var isPodSelected: Bool { state.focus == .pods && state.selection == .pod(pod.id) }
    private var glyphs: GlyphSet { options.glyphs }

    // MARK: Standard layout

    func drawRows(in rect: Rect, into canvas: inout Canvas) {
        guard rect.height > 0 else { return }
        let y = rect.y
        let status = rollup.status
        if isPodSelected {
            canvas.put(String(glyphs.selectionMarker), x: rect.x, y: y, role: .selection)
        }
        canvas.put(String(glyphs.glyph(for: status.severity)), x: rect.x + 2, y: y, role: .severity(status.severity))
        canvas.put(pod.displayName, x: rect.x + 4, y: y, role: isPodSelected ? .selection : .title, limit: 12)
        canvas.put(status.word, x: rect.x + 17, y: y, role: .severity(status.severity), limit: 9)
        let summaryEnd = drawSummary(x: rect.x + 27, y: y, limit: rect.maxX - rect.x - 28, into: &canvas)
        if status != .healthy, summaryEnd + 4 < rect.maxX {
            canvas.put("— \(rollup.reason)", x: summaryEnd + 2, y: y, role: .textDim, limit: rect.maxX - summaryEnd - 3)
        }
        for (index, service) in pod.services.enumerated() where index + 1 < rect.height {
            let row = Rect(x: rect.x + 2, y: y + 1 + index, width: rect.width - 2, height: 1)
            ServiceRow(state: state, pod: pod, service: service, options: options).draw(in: row, into: &canvas)
        }
    }

    /// "2/2 ready  ↻ 3  cpu 12%  mem 360M  up 5h04m"; returns where it ended.
    @discardableResult
    private func drawSummary(x: Int, y: Int, limit: Int, into canvas: inout Canvas) -> Int {
        guard let snapshot else {
            canvas.put("waiting for the runtime…", x: x, y: y, role: .textDim, limit: limit)
            return x + min(limit, 24)
        }
        let ready = snapshot.readyCount
        let readyRole: StyleRole = ready == snapshot.desiredReplicas && snapshot.desiredReplicas > 0 ? .text : .statusWarn
        let uptime = snapshot.oldestStart.map { state.now.timeIntervalSince($0) }
        let widths = SummaryColumns(state.snapshot, glyphs: glyphs)
        // Percent and bytes take at most six characters, a duration five: each column has room
        // for its widest value and a space.
        let fields: [(String, StyleRole, Int)] = [
            (SummaryColumns.readyText(snapshot), readyRole, widths.ready),
            (SummaryColumns.restartsText(snapshot, glyphs: glyphs), snapshot.restartTotal > 0 ? .text : .textDim, widths.restarts),
            // "n/a" when the runtime cannot measure (no metrics-server); the details say why.
            (state.snapshot?.statsUnavailable == nil ? "cpu \(Format.percent(snapshot.cpuPercent))" : "cpu n/a", .text, 11),
            (state.snapshot?.statsUnavailable == nil ? "mem \(Format.bytes(snapshot.memoryBytes))" : "mem n/a", .text, 11),
            ("up \(Format.duration(uptime))", .textDim, 10),
        ]
        var column = x
        let end = x + max(0, limit)
        // A figure that does not fit whole is left out: "up 3" would read as something else.
        for (text, role, width) in fields {
            guard DisplayWidth.of(text) <= end - column else { break }
            canvas.put(text, x: column, y: y, role: role, limit: min(width, end - column))
            column += width
        }
        return min(column - 1, end)
    }

    // MARK: Wide layout

    func drawBox(in rect: Rect, into canvas: inout Canvas) {
        let selectedHere = state.focus == .pods && state.selection.pod == pod.id
        canvas.box(rect, glyphs: glyphs, role: selectedHere ? .borderFocused : .border)
        let status = rollup.status
        var x = rect.x + 2
        let titleLimit = rect.width - 4
        x += canvas.put(" \(glyphs.glyph(for: status.severity)) ", x: x, y: rect.y, role: .severity(status.severity), limit: titleLimit)
        x += canvas.put(pod.displayName, x: x, y: rect.y, role: isPodSelected ? .selection : .title, limit: rect.maxX - 2 - x)
        x += canvas.put(" \(status.word) ", x: x, y: rect.y, role: .severity(status.severity), limit: rect.maxX - 2 - x)
        if status != .healthy {
            canvas.put(" \(rollup.reason) ", x: x + 1, y: rect.y, role: .textDim, limit: rect.maxX - 3 - x)
        }
        let inner = rect.inset(by: 1)
        guard inner.height > 0 else { return }
        drawSummary(x: inner.x + 1, y: inner.y, limit: inner.width - 2, into: &canvas)
        for (index, service) in pod.services.enumerated() where index + 1 < inner.height {
            let row = Rect(x: inner.x, y: inner.y + 1 + index, width: inner.width, height: 1)
            ServiceRow(state: state, pod: pod, service: service, options: options).draw(in: row, into: &canvas)
        }
    }
}

/// The widths of the pod summaries' first two figures, the same for every pod so that they line
/// up: room for the widest pod's ("1000/1000 ready", "↻ 12345") and a space.
struct SummaryColumns {
    let ready: Int
    let restarts: Int

    init(_ snapshot: RuntimeSnapshot?, glyphs: GlyphSet) {
        let pods = snapshot?.pods ?? []
        ready = pods.map { DisplayWidth.of(Self.readyText($0)) + 2 }.max().map { max($0, 11) } ?? 11
        restarts = pods.map { DisplayWidth.of(Self.restartsText($0, glyphs: glyphs)) + 2 }.max().map { max($0, 7) } ?? 7
    }

    static func readyText(_ pod: PodSnapshot) -> String {
        "\(Format.count(pod.readyCount))/\(Format.count(pod.desiredReplicas)) ready"
    }

    static func restartsText(_ pod: PodSnapshot, glyphs: GlyphSet) -> String {
        "\(glyphs.restarts) \(Format.count(pod.restartTotal))"
    }
}

/// "▶ ● auth      UP         9ms  ▂▃▂▁▂▅▂▂▃  p95 14ms"
struct ServiceRow {
    let state: DashboardState
    let pod: PodSpec
    let service: ServiceSpec
    let options: RenderOptions

    static let nameWidth = 10
    static let wordWidth = 9
    static let latencyWidth = 7

    func draw(in rect: Rect, into canvas: inout Canvas) {
        let id = ServiceID(pod: pod.id, name: service.name)
        let history = state.history(.service(id))
        let selected = state.focus == .pods && state.selection == .service(id)
        let red = MonitoringText.red(state, id).map { ($0, MonitoringText.role(state, id)) }
        HealthRowDrawing.draw(
            name: service.name, history: history, selected: selected, rect: rect, options: options,
            readiness: state.snapshot?.pod(pod.id)?.readiness[service.name], figures: red, into: &canvas
        )
    }
}

/// Shared by service rows and the infrastructure row: glyph, name, verdict, latency, sparkline,
/// p95. A row podtop cannot probe (UNKNOWN) greys its sparkline and shows the kubelet's
/// readiness where the p95 would be ("ready 2/2"), when the runtime knows it. With `figures`
/// (Prometheus' request rate, 5xx share and p95), they go before the tail when the row keeps
/// a sparkline of at least 8 cells beside them.
enum HealthRowDrawing {
    static func draw(
        name: String, history: ServiceHealthHistory?, selected: Bool, rect: Rect, options: RenderOptions,
        readiness: ServiceReadiness? = nil, figures: (text: String, role: StyleRole)? = nil, into canvas: inout Canvas
    ) {
        let verdict = history?.verdict ?? .unknown
        let role = StyleRole.severity(verdict.severity)
        var x = rect.x
        if selected { canvas.put(String(options.glyphs.selectionMarker), x: x, y: rect.y, role: .selection) }
        x += 2
        canvas.put(String(options.glyphs.glyph(for: verdict.severity)), x: x, y: rect.y, role: role)
        x += 2
        canvas.put(name, x: x, y: rect.y, role: selected ? .selection : .text, limit: ServiceRow.nameWidth)
        x += ServiceRow.nameWidth + 1
        canvas.put(verdict.word, x: x, y: rect.y, role: role, limit: ServiceRow.wordWidth)
        x += ServiceRow.wordWidth
        let latency = history?.latest.flatMap { $0.verdict.answered ? $0.latencyMs : nil }
        canvas.putRight(Format.milliseconds(latency), rightEdge: x + ServiceRow.latencyWidth, y: rect.y, role: .text)
        x += ServiceRow.latencyWidth + 2
        let cannotTell = verdict == .unknown
        let shownReadiness = cannotTell ? readiness : nil
        let tail = shownReadiness?.short ?? "p95 \(Format.milliseconds(history?.p95))"
        let tailWidth = 11
        var sparkWidth = rect.maxX - x - tailWidth - 1
        if let figures, sparkWidth - DisplayWidth.of(figures.text) - 2 >= 8 {
            let figuresWidth = DisplayWidth.of(figures.text)
            sparkWidth -= figuresWidth + 2
            canvas.put(figures.text, x: rect.maxX - tailWidth - 1 - figuresWidth, y: rect.y, role: figures.role)
        }
        if sparkWidth >= 4, let history {
            options.sparkline.draw(history.latency, into: &canvas, x: x, y: rect.y, width: sparkWidth, greyed: cannotTell)
        }
        if sparkWidth >= 0 {
            let tailRole: StyleRole = shownReadiness.map { $0.ready < $0.total } == true ? .statusWarn : .textDim
            canvas.putRight(tail, rightEdge: rect.maxX - 1, y: rect.y, role: tailRole)
        }
    }
}
