import Foundation
import PodtopCore

/// `--wallboard`: the three pods filling the screen for a room to read — no selection, no keys
/// footer; a banner naming any pod that is not healthy, a clock, and each panel's data age,
/// coloured stale after three missed refreshes.
enum WallboardView {
    /// Refreshes that may be missed before a panel's age turns to the stale colour.
    static let staleAfterMissedRefreshes = 3.0

    static func draw(_ state: DashboardState, options: RenderOptions, into canvas: inout Canvas) {
        let width = canvas.width, height = canvas.height
        drawHeader(state, width: width, into: &canvas)
        drawBanner(state, y: 1, width: width, into: &canvas)
        let hasInfra = !state.topology.infrastructure.isEmpty
        let body = Rect(x: 0, y: 2, width: width, height: height - 2 - (hasInfra ? 1 : 0))
        let pods = state.topology.pods
        guard !pods.isEmpty, body.height > 0 else { return }
        // Side by side when each pod gets 50 columns, else one above the other.
        let sideBySide = width / pods.count >= 50
        for (index, pod) in pods.enumerated() {
            let rect: Rect
            if sideBySide {
                let w = width / pods.count
                rect = Rect(x: index * w, y: body.y, width: index == pods.count - 1 ? width - index * w : w, height: body.height)
            } else {
                let h = body.height / pods.count
                rect = Rect(x: 0, y: body.y + index * h, width: width, height: index == pods.count - 1 ? body.height - index * h : h)
            }
            drawPod(state, pod, in: rect, options: options, into: &canvas)
        }
        if hasInfra {
            let row = Rect(x: 0, y: height - 1, width: width, height: 1)
            InfraView.draw(state, in: row, options: options, into: &canvas)
            drawAge(of: infrastructureAge(state), state, rightEdge: width - 1, y: row.y, into: &canvas)
        }
    }

    // MARK: Header and banner

    static func drawHeader(_ state: DashboardState, width: Int, into canvas: inout Canvas) {
        canvas.fill(Rect(x: 0, y: 0, width: width, height: 1), role: .header)
        var x = 1
        x += canvas.put("podtop", x: x, y: 0, role: .headerAccent) + 2
        x += canvas.put(" RO ", x: x, y: 0, role: .badge) + 2
        let clock = Format.clock(state.now, utcOffset: state.utcOffset)
        let clockX = width - DisplayWidth.of(clock) - 1
        if let disconnected = HeaderView.disconnectedText(state) {
            canvas.put(disconnected, x: x, y: 0, role: .statusCritical, limit: max(0, clockX - x - 1))
        } else {
            canvas.put(HeaderView.targetText(state), x: x, y: 0, role: .header, limit: max(0, clockX - x - 1))
        }
        canvas.put(clock, x: clockX, y: 0, role: .headerAccent)
    }

    /// One line for the room: all healthy, or which pods are not and why.
    static func drawBanner(_ state: DashboardState, y: Int, width: Int, into canvas: inout Canvas) {
        let rect = Rect(x: 0, y: y, width: width, height: 1)
        let unhealthy = state.topology.pods.compactMap { pod -> (PodSpec, PodRollup)? in
            let rollup = state.rollup(of: pod)
            return rollup.status == .healthy ? nil : (pod, rollup)
        }
        if unhealthy.isEmpty {
            canvas.fill(rect, role: .statusOK)
            canvas.put(" All \(state.topology.pods.count) pods healthy", x: 0, y: y, role: .statusOK, limit: width)
            return
        }
        let worst = unhealthy.map(\.1.status).max() ?? .unknown
        let role = StyleRole.severity(worst.severity)
        canvas.fill(rect, role: role)
        let words = unhealthy.map { "\($0.0.displayName) \($0.1.status.word): \($0.1.reason)" }.joined(separator: "  ·  ")
        canvas.put(" NOT HEALTHY  \(words)", x: 0, y: y, role: role, limit: width)
    }

    // MARK: Pods

    static func drawPod(_ state: DashboardState, _ pod: PodSpec, in rect: Rect, options: RenderOptions, into canvas: inout Canvas) {
        guard rect.height >= 3, rect.width >= 20 else { return }
        canvas.box(rect, glyphs: options.glyphs, role: .border)
        let rollup = state.rollup(of: pod)
        let status = rollup.status
        var x = rect.x + 2
        x += canvas.put(" \(options.glyphs.glyph(for: status.severity)) ", x: x, y: rect.y, role: .severity(status.severity))
        x += canvas.put(pod.displayName, x: x, y: rect.y, role: .title, limit: rect.maxX - 3 - x)
        canvas.put(" \(status.word) ", x: x, y: rect.y, role: .severity(status.severity), limit: rect.maxX - 3 - x)
        drawAge(of: podAge(state, pod), state, rightEdge: rect.maxX - 2, y: rect.y, into: &canvas)

        let inner = rect.inset(by: 1)
        guard inner.height > 0 else { return }
        canvas.put(summary(state, pod), x: inner.x + 1, y: inner.y, role: .text, limit: inner.width - 2)
        let services = pod.services
        guard !services.isEmpty, inner.height > 1 else { return }
        // Each service: a line of words, then its sparkline as tall as the room allows.
        let rowsEach = max(1, (inner.height - 1) / services.count)
        for (index, service) in services.enumerated() {
            let top = inner.y + 1 + index * rowsEach
            guard top < inner.maxY else { break }
            let history = state.history(.service(ServiceID(pod: pod.id, name: service.name)))
            let readiness = state.snapshot?.pod(pod.id)?.readiness[service.name]
            let line = Rect(x: inner.x, y: top, width: inner.width, height: 1)
            if rowsEach == 1 {
                HealthRowDrawing.draw(name: service.name, history: history, selected: false, rect: line, options: options,
                                      readiness: readiness, into: &canvas)
                continue
            }
            drawServiceLine(service.name, history: history, readiness: readiness, in: line, options: options, into: &canvas)
            let sparkHeight = min(rowsEach - 1, inner.maxY - top - 1)
            if let history, sparkHeight > 0 {
                TallSparkline(sparkline: options.sparkline)
                    .draw(history.latency, into: &canvas, x: inner.x + 2, y: top + 1, width: inner.width - 4, height: sparkHeight,
                          greyed: history.verdict == .unknown)
            }
        }
    }

    /// "● auth  UP  9ms   p50 7ms  p95 14ms  scale 0–20ms"; one podtop cannot probe says why,
    /// and the kubelet's readiness: "? auth  UNKNOWN  ready 2/2 · cannot tell: the service proxy is forbidden (403)…"
    static func drawServiceLine(_ name: String, history: ServiceHealthHistory?, readiness: ServiceReadiness? = nil, in rect: Rect,
                                options: RenderOptions, into canvas: inout Canvas) {
        let verdict = history?.verdict ?? .unknown
        let role = StyleRole.severity(verdict.severity)
        var x = rect.x + 2
        x += canvas.put("\(options.glyphs.glyph(for: verdict.severity)) ", x: x, y: rect.y, role: role)
        x += canvas.put(name, x: x, y: rect.y, role: .title, limit: rect.maxX - x) + 2
        x += canvas.put(verdict.word, x: x, y: rect.y, role: role, limit: rect.maxX - x) + 2
        if verdict == .unknown {
            let why = [readiness?.short, history?.latest?.detail].compactMap { $0 }.joined(separator: " · ")
            canvas.put(why, x: x, y: rect.y, role: .textDim, limit: rect.maxX - 1 - x)
            return
        }
        let latency = history?.latest.flatMap { $0.verdict.answered ? $0.latencyMs : nil }
        x += canvas.put(Format.milliseconds(latency), x: x, y: rect.y, role: .text, limit: rect.maxX - x) + 3
        guard let history else { return }
        let top = options.sparkline.ceiling(of: history.latency.suffix(max(1, rect.width - 4)))
        canvas.putRight("p95 \(Format.milliseconds(history.p95))  scale 0–\(Format.milliseconds(top))",
                        rightEdge: rect.maxX - 1, y: rect.y, role: .textDim)
    }

    static func summary(_ state: DashboardState, _ pod: PodSpec) -> String {
        guard let snapshot = state.snapshot?.pod(pod.id) else { return "waiting for the runtime…" }
        return "\(SummaryColumns.readyText(snapshot))   ↻ \(Format.count(snapshot.restartTotal))   "
            + "cpu \(Format.percent(snapshot.cpuPercent))   mem \(Format.bytes(snapshot.memoryBytes))"
    }

    // MARK: Data age

    /// Seconds since the oldest of what the panel shows was refreshed: the runtime's report and
    /// each service's latest probe.
    static func podAge(_ state: DashboardState, _ pod: PodSpec) -> Double? {
        let probes = pod.services.map { state.history(.service(ServiceID(pod: pod.id, name: $0.name)))?.latest?.at }
        return oldestAge(state, [state.lastDataAt] + probes)
    }

    static func infrastructureAge(_ state: DashboardState) -> Double? {
        oldestAge(state, state.topology.infrastructure.map { state.history(.infrastructure($0.name))?.latest?.at })
    }

    private static func oldestAge(_ state: DashboardState, _ times: [Date?]) -> Double? {
        // Something never reported is "no data", not "fresh".
        guard !times.isEmpty, times.allSatisfy({ $0 != nil }) else { return nil }
        return times.compactMap { $0 }.map { max(0, state.now.timeIntervalSince($0)) }.max()
    }

    static func isStale(_ age: Double?, _ state: DashboardState) -> Bool {
        guard let age else { return true }
        return age > staleAfterMissedRefreshes * state.refreshSeconds
    }

    static func drawAge(of age: Double?, _ state: DashboardState, rightEdge: Int, y: Int, into canvas: inout Canvas) {
        let text = age.map { " updated \(Format.duration($0)) ago " } ?? " no data yet "
        canvas.putRight(text, rightEdge: rightEdge, y: y, role: isStale(age, state) ? .statusWarn : .textDim)
    }
}
