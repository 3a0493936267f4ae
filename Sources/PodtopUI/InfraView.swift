import PodtopCore

/// Shared infrastructure (MongoDB, Redis) on one line: glyph, name, verdict and latency each.
enum InfraView {
    static func draw(_ state: DashboardState, in rect: Rect, options: RenderOptions, into canvas: inout Canvas) {
        guard rect.height > 0 else { return }
        var x = rect.x + 2
        x += canvas.put("infra", x: x, y: rect.y, role: .title) + 2
        for infra in state.topology.infrastructure where x < rect.maxX {
            let history = state.history(.infrastructure(infra.name))
            let verdict = history?.verdict ?? .unknown
            let role = StyleRole.severity(verdict.severity)
            let latency = history?.latest.flatMap { $0.verdict.answered ? $0.latencyMs : nil }
            x += canvas.put("\(options.glyphs.glyph(for: verdict.severity)) ", x: x, y: rect.y, role: role)
            x += canvas.put(infra.name + " ", x: x, y: rect.y, role: .text)
            x += canvas.put(verdict.word, x: x, y: rect.y, role: role)
            x += canvas.put(" " + Format.milliseconds(latency), x: x, y: rect.y, role: .textDim) + 4
        }
        // Containers of the same project that no pod claims: listed, never silently dropped.
        if let others = state.snapshot?.unmatched, !others.isEmpty, x < rect.maxX {
            x += canvas.put("other", x: x, y: rect.y, role: .title) + 1
            for replica in others where x < rect.maxX {
                x += canvas.put("\(options.glyphs.glyph(for: replica.phase.severity)) ", x: x, y: rect.y, role: .severity(replica.phase.severity))
                x += canvas.put(replica.name, x: x, y: rect.y, role: .text, limit: rect.maxX - x) + 2
            }
        }
    }
}
