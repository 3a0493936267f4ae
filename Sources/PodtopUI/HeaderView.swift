import PodtopCore

/// The top line: what podtop is watching, how fresh the data is, and the time.
enum HeaderView {
    static func draw(_ state: DashboardState, in rect: Rect, into canvas: inout Canvas) {
        guard rect.height > 0 else { return }
        canvas.fill(rect, role: .header)
        var x = rect.x + 1
        x += canvas.put("podtop", x: x, y: rect.y, role: .headerAccent) + 2
        if state.readOnly {
            x += canvas.put(" RO ", x: x, y: rect.y, role: .badge) + 2
        }
        if state.identity?.insecure != nil {
            // Plain tcp:// or a certificate not checked: what is on screen may not be what the
            // daemon said (`podtop check` prints why).
            x += canvas.put(" INSECURE ", x: x, y: rect.y, role: .statusWarn) + 2
        }
        if let environment = state.environment {
            // Production is named in a colour of its own, and in words where there is no colour.
            let label = environment.isProduction ? " \(environment.name.uppercased()) · PRODUCTION " : " \(environment.name) "
            x += canvas.put(label, x: x, y: rect.y, role: environment.isProduction ? .environmentProduction : .environment) + 2
        }
        if let shortage = state.snapshot?.descriptorShortage {
            // What podtop itself could not do (follow every log, open a connection): not the fleet's fault.
            x += canvas.put(" \(shortage) ", x: x, y: rect.y, role: .statusWarn, limit: max(0, rect.maxX - x - 12)) + 2
        }
        if let alerts = firingAlertsText(state) {
            // The team's own rules firing: as loud as a daemon gone, named with their service.
            x += canvas.put(alerts, x: x, y: rect.y, role: .statusCritical, limit: max(0, rect.maxX - x - 40)) + 2
        }
        if let problem = state.monitoring?.problem {
            // Figures shown as n/a: say why, where the eye goes first.
            x += canvas.put(" prometheus n/a: \(problem) ", x: x, y: rect.y, role: .statusWarn, limit: max(0, rect.maxX - x - 40)) + 2
        } else if let problem = state.monitoring?.alertsProblem {
            // No alert on screen must not read as "none fires".
            x += canvas.put(" alerts n/a: \(problem) ", x: x, y: rect.y, role: .statusWarn, limit: max(0, rect.maxX - x - 40)) + 2
        }
        if let disconnected = disconnectedText(state) {
            // The most important fact on the screen while it lasts: first, before the target.
            x += canvas.put(disconnected, x: x, y: rect.y, role: .statusCritical, limit: max(0, rect.maxX - x - 12)) + 2
        }
        let target = targetText(state)
        let clock = Format.clock(state.now, utcOffset: state.utcOffset)
        let right = rect.maxX - DisplayWidth.of(clock) - 1
        // Facts in order of importance; the least important go first when the line is short.
        var parts = [target, "refresh \(Format.interval(state.refreshSeconds))"]
        if let age = state.dataAge { parts.insert("data \(Int(age))s ago", at: 1) }
        if let monitoring = state.monitoring, monitoring.problem == nil { parts.insert("prometheus \(monitoring.source)", at: 1) }
        parts.append("theme \(state.themeName)")
        let room = max(0, right - x - 1)
        while parts.count > 1, DisplayWidth.of(parts.joined(separator: "  ·  ")) > room { parts.removeLast() }
        x += canvas.put(parts.joined(separator: "  ·  "), x: x, y: rect.y, role: .header, limit: room)
        canvas.put(clock, x: right, y: rect.y, role: .headerAccent)
    }
}

extension HeaderView {
    /// " FIRING HighErrorRate (commerce/payment) · SlowAuth " for the alerts firing now.
    static func firingAlertsText(_ state: DashboardState) -> String? {
        let firing = state.monitoring?.firing ?? []
        guard !firing.isEmpty else { return nil }
        return " FIRING " + firing.map { alert in alert.service.map { "\(alert.name) (\($0))" } ?? alert.name }.joined(separator: " · ") + " "
    }

    /// "docker · 29.1 · unix:///var/run/docker.sock", or "connecting…" before the first answer.
    static func targetText(_ state: DashboardState) -> String {
        guard let identity = state.identity else { return "connecting…" }
        return [identity.kind, identity.version, identity.endpoint].compactMap { $0 }.joined(separator: " · ")
    }

    /// " DISCONNECTED — retrying in 4 s: reason ", while the runtime is away.
    static func disconnectedText(_ state: DashboardState) -> String? {
        guard case .disconnected(let reason, let retryAt) = state.connection else { return nil }
        let wait = max(0, Int(retryAt.timeIntervalSince(state.now).rounded(.up)))
        return " DISCONNECTED — retrying in \(wait) s: \(reason) "
    }
}

extension Format {
    /// "1s", "2.5s", "500ms": how the refresh interval reads in the header.
    static func interval(_ seconds: Double) -> String {
        if seconds < 1 { return "\(Int((seconds * 1000).rounded()))ms" }
        if seconds == seconds.rounded() { return "\(Int(seconds))s" }
        return "\(seconds)s"
    }
}
