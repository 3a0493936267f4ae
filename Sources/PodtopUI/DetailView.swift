import PodtopCore

/// `Enter` on a service: what its probe last said (with the body's checks), its latency
/// figures, the sparkline's scale, thresholds and schedule. On a pod: why it has its status,
/// each replica, each service.
enum DetailView {
    static func draw(_ selection: Selection, state: DashboardState, options: RenderOptions, into canvas: inout Canvas) {
        guard let pod = state.topology.pod(selection.pod) else { return }
        let rect = Rect(x: 2, y: 2, width: canvas.width - 4, height: canvas.height - 4)
        guard rect.width >= 30, rect.height >= 6 else { return }
        canvas.fill(rect, role: .dialog)
        canvas.box(rect, glyphs: options.glyphs, role: .dialogBorder)
        let inner = rect.inset(by: 1)
        var y = inner.y
        func line(_ label: String, _ value: String, _ role: StyleRole = .dialog) {
            guard y < inner.maxY else { return }
            canvas.put(label, x: inner.x + 1, y: y, role: .textDim, limit: 12)
            canvas.put(value, x: inner.x + 13, y: y, role: role, limit: inner.width - 14)
            y += 1
        }
        switch selection {
        case .service(let id):
            guard let service = pod.services.first(where: { $0.name == id.name }) else { return }
            canvas.put(" \(id.name) in \(pod.displayName) ", x: rect.x + 2, y: rect.y, role: .title, limit: rect.width - 4)
            let history = state.history(.service(id))
            let verdict = history?.verdict ?? .unknown
            // How the probe reached it: on Kubernetes, the service proxy or the cluster address.
            line("check", history?.latest?.route ?? service.check.description)
            line("verdict", "\(options.glyphs.glyph(for: verdict.severity)) \(verdict.word)", .severity(verdict.severity))
            line("answer", history?.latest?.detail ?? "not probed yet")
            if let readiness = state.snapshot?.pod(pod.id)?.readiness[service.name] {
                let decides = verdict == .unknown ? "; the probe cannot tell, so readiness decides" : ""
                line("readiness", readiness.words + decides, readiness.ready < readiness.total ? .statusWarn : .dialog)
            }
            let latency = history?.latency ?? LatencySeries(capacity: 1)
            let window = 60
            line("latency", "last \(Format.milliseconds(history?.latest?.latencyMs)) · p50 \(Format.milliseconds(latency.percentile(50, window: window))) · p95 \(Format.milliseconds(latency.percentile(95, window: window))) · errors \(Int((latency.errorRate(window: window) * 100).rounded()))% (last \(window) probes)")
            line("all kept", "\(latency.count) probes · p95 \(Format.milliseconds(history?.p95))")
            if let red = MonitoringText.red(state, id), let monitoring = state.monitoring {
                // Real requests over the last minute, as the team's Prometheus counts them.
                line("prometheus", "\(red) (last minute)", MonitoringText.role(state, id))
                if let problem = monitoring.problem { line("", problem, .statusWarn) }
            }
            let width = inner.width - 2
            let visible = latency.suffix(options.sparklineStyle == .braille ? width * 2 : width)
            let ceiling = options.sparkline.ceiling(of: visible)
            line("scale", "0 … \(Format.milliseconds(ceiling)) (floor \(Format.milliseconds(options.sparklineFloorMs))); \(options.glyphs.sparkGap) marks a failed probe")
            line("thresholds", "SLOW over \(Format.milliseconds(service.thresholds.warnMs)) · DEGRADED over \(Format.milliseconds(service.thresholds.criticalMs))")
            line("probe", "every \(Format.milliseconds(service.schedule.intervalMs)), timeout \(Format.milliseconds(service.schedule.timeoutMs))")
            y += 1
            if y < inner.maxY, let history {
                options.sparkline.draw(history.latency, into: &canvas, x: inner.x + 1, y: y, width: width, greyed: verdict == .unknown)
            }
        case .pod:
            let rollup = state.rollup(of: pod)
            canvas.put(" \(pod.displayName) ", x: rect.x + 2, y: rect.y, role: .title, limit: rect.width - 4)
            line("status", "\(options.glyphs.glyph(for: rollup.status.severity)) \(rollup.status.word): \(rollup.reason)", .severity(rollup.status.severity))
            let unavailable = state.snapshot?.statsUnavailable != nil
            for (index, replica) in (state.snapshot?.pod(pod.id)?.replicas ?? []).enumerated() {
                let uptime = replica.startedAt.map { state.now.timeIntervalSince($0) }
                // Kubernetes also says where the pod runs.
                let node = replica.node.map { "  on \($0)" } ?? ""
                let cpu = unavailable ? "n/a" : Format.percent(replica.cpuPercent)
                let memory = unavailable ? "n/a" : Format.bytes(replica.memoryBytes)
                // The highlighted replica is the one `x` restarts.
                let highlighted = index == state.detailReplicaIndex && state.actions(of: pod.id).offers(.restartReplica)
                // Fields of the runtime's answer that could not be read are named, not hidden.
                let unreadable = replica.unreadable.isEmpty ? "" : "  unreadable: \(replica.unreadable.joined(separator: ", "))"
                line(highlighted ? "\(options.glyphs.arrow) replica" : "replica", "\(options.glyphs.glyph(for: replica.phase.severity)) \(replica.name)  \(replica.statusWord)  \(options.glyphs.restarts) \(replica.restarts)  cpu \(cpu)  mem \(memory)  up \(Format.duration(uptime))\(node)\(unreadable)", highlighted ? .selection : .severity(replica.phase.severity))
            }
            for service in pod.services {
                let latest = state.history(.service(ServiceID(pod: pod.id, name: service.name)))?.latest
                let verdict = latest?.verdict ?? .unknown
                let readiness = state.snapshot?.pod(pod.id)?.readiness[service.name].map { "  \($0.short)" } ?? ""
                line("service", "\(options.glyphs.glyph(for: verdict.severity)) \(service.name)  \(verdict.word)\(readiness)  \(latest?.route ?? service.check.description)", .severity(verdict.severity))
            }
            if let why = state.snapshot?.statsUnavailable {
                line("cpu, mem", "n/a: \(why)", .statusWarn)
            } else {
                let source = state.snapshot?.statsSource.map { ", read from \($0)" } ?? ""
                line("cpu", "% of one core (100 % = a full core)\(source)")
            }
        }
        canvas.put(" Esc closes ", x: rect.maxX - 14, y: rect.maxY - 1, role: .textDim)
    }
}
