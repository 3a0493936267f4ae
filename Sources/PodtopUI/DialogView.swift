import PodtopCore

/// Dialogs over the dashboard: restart and scale-to-zero confirmations, the scale dialog, help.
enum DialogView {
    static func draw(_ modal: Modal, state: DashboardState, options: RenderOptions, into canvas: inout Canvas) {
        switch modal {
        case .confirmRestart(let pod):
            let replicas = state.snapshot?.pod(pod)?.replicas.count ?? 0
            let workloads = state.snapshot?.pod(pod)?.workloads ?? []
            let how: [(String, StyleRole)] = workloads.isEmpty ? [
                ("Rolling restart: \(replicas) replica\(replicas == 1 ? "" : "s"), one at a time;", .dialog),
                ("each must be back before the next goes down.", .dialog),
            ] : [
                ("Rollout restart (as kubectl rollout restart) of", .dialog),
                (workloads.map(\.name).joined(separator: ", ") + ":", .title),
                ("each Deployment replaces its pods by its own strategy.", .dialog),
            ]
            box(title: "Restart \(state.displayName(pod))", lines: how + [
                ("", .dialog),
                ("Restart now? [y/N]", .title),
            ], options: options, into: &canvas)
        case .scale(let pod, let current, let target):
            let bounds = state.replicaBounds(pod)
            let change = target == current ? "no change" : target > current ? "+\(target - current)" : "\(target - current)"
            let workloads = state.snapshot?.pod(pod)?.workloads ?? []
            var lines: [(String, StyleRole)] = [
                ("replicas   \(current) \(options.glyphs.arrow) \(target)   (\(change))", .title),
                ("allowed    \(bounds.lowerBound)…\(bounds.upperBound)", .dialog),
            ]
            if !workloads.isEmpty {
                lines.append(("replicas of each of \(workloads.map(\.name).joined(separator: ", "))", .dialog))
            }
            // An autoscaler undoes a manual scale at its next look: said before, not after.
            for workload in workloads {
                guard let hpa = workload.autoscaler else { continue }
                lines.append(("\(options.glyphs.glyph(for: .warn)) \(workload.name) is autoscaled by \(hpa.name) (min \(hpa.minReplicas), max \(hpa.maxReplicas)):", .statusWarn))
                lines.append(("  the autoscaler will override a manual scale", .statusWarn))
            }
            box(title: "Scale \(state.displayName(pod))", lines: lines + [
                ("", .dialog),
                ("+/- adjust · Enter apply · Esc cancel", .textDim),
            ], options: options, into: &canvas)
        case .confirmReplicaRestart(let pod, let replica):
            let how = state.snapshot?.pod(pod)?.workloads.isEmpty == false
                ? "The pod is deleted; its controller starts a new one." : "The container is restarted in place."
            box(title: "Restart \(replica)?", lines: [
                (how, .dialog),
                ("The other replicas of \(state.displayName(pod)) keep serving.", .dialog),
                ("", .dialog),
                ("Restart it now? [y/N]", .title),
            ], options: options, into: &canvas)
        case .confirmScaleToZero(let pod, let current):
            box(title: "Scale \(state.displayName(pod)) to 0?", lines: [
                ("All \(current) replica\(current == 1 ? "" : "s") stop; its services go DOWN.", .statusCritical),
                ("", .dialog),
                ("Scale to 0 now? [y/N]", .title),
            ], options: options, into: &canvas)
        case .logPrompt:
            break  // typed in the log pane's title line
        case .help:
            HelpView.draw(state: state, options: options, into: &canvas)
        case .details(let selection):
            DetailView.draw(selection, state: state, options: options, into: &canvas)
        case .environments(let highlighted):
            let width = state.environments.map { DisplayWidth.of($0.name) }.max() ?? 0
            let rows: [(String, StyleRole)] = state.environments.enumerated().map { index, environment in
                let marker = index == highlighted ? options.glyphs.arrow : " "
                let current = index == state.environmentIndex ? "  (current)" : ""
                let production = environment.isProduction ? "  PRODUCTION" : ""
                let padding = String(repeating: " ", count: max(0, width - DisplayWidth.of(environment.name)))
                let role: StyleRole = index == highlighted ? (environment.isProduction ? .environmentProduction : .selection)
                    : environment.isProduction ? .statusCritical : .dialog
                return ("\(marker) \(environment.name)\(padding)  \(environment.namespace)\(production)\(current)", role)
            }
            box(title: "Environment", lines: rows + [("", .dialog), ("↑↓ choose · Enter switch · Esc stay", .textDim)],
                options: options, into: &canvas)
        }
    }

    static func box(title: String, lines: [(String, StyleRole)], options: RenderOptions, into canvas: inout Canvas) {
        let contentWidth = max(DisplayWidth.of(title) + 4, lines.map { DisplayWidth.of($0.0) }.max() ?? 0)
        let width = min(canvas.width - 2, contentWidth + 4)
        let height = min(canvas.height - 2, lines.count + 2)
        guard width >= 10, height >= 3 else { return }
        let rect = Rect(x: (canvas.width - width) / 2, y: (canvas.height - height) / 2, width: width, height: height)
        canvas.fill(rect, role: .dialog)
        canvas.box(rect, glyphs: options.glyphs, role: .dialogBorder)
        canvas.put(" \(title) ", x: rect.x + 2, y: rect.y, role: .title, limit: rect.width - 4)
        for (index, line) in lines.enumerated() where index < rect.height - 2 {
            canvas.put(line.0, x: rect.x + 2, y: rect.y + 1 + index, role: line.1, limit: rect.width - 4)
        }
    }
}

/// The help screen, generated from the keymap, so it always says what the keys really do.
enum HelpView {
    static let keyColumn = 10

    static func draw(state: DashboardState, options: RenderOptions, into canvas: inout Canvas) {
        let sections: [KeyContext] = [.dashboard, .logs]
        let lines = sections.map { context in
            Keymap.bindings(context).map { binding -> (key: String, help: String, available: Bool) in
                let available = FooterView.isAvailable(binding.action, state)
                // The reason first, where a narrow column cannot cut it off.
                return (binding.keyLabel, available ? binding.help : "(\(unavailableReason(binding.action, state))) " + binding.help, available)
            }
        }
        let dialogKeys = "In dialogs: " + [KeyContext.confirm, .scale].flatMap(Keymap.bindings)
            .map { "\($0.keyLabel) \($0.footer ?? "")" }.joined(separator: " · ")
        let naturalWidth = keyColumn + (lines.joined().map { DisplayWidth.of($0.help) }.max() ?? 0) + 2
        let tallest = lines.map(\.count).max() ?? 0
        // Side by side when both fit across or when one under the other would not fit down
        // (then the descriptions are cut to share the width).
        let sideBySide = 2 * naturalWidth + 4 <= canvas.width - 2 || lines.joined().count + 6 > canvas.height - 2
        let columnWidth = sideBySide ? min(naturalWidth, (canvas.width - 6) / 2) : naturalWidth
        let contentWidth = max(DisplayWidth.of(dialogKeys), sideBySide ? 2 * columnWidth : columnWidth)
        let contentHeight = sideBySide ? tallest + 3 : lines.joined().count + 2 * sections.count
        let width = min(canvas.width - 2, contentWidth + 4)
        let height = min(canvas.height - 2, contentHeight + 2)
        let rect = Rect(x: (canvas.width - width) / 2, y: (canvas.height - height) / 2, width: width, height: height)
        guard rect.width >= 20, rect.height >= 5 else { return }
        canvas.fill(rect, role: .dialog)
        canvas.box(rect, glyphs: options.glyphs, role: .dialogBorder)
        canvas.put(" Help: keys ", x: rect.x + 2, y: rect.y, role: .title)
        let inner = rect.inset(by: 1)
        var y = inner.y
        for (index, section) in sections.enumerated() {
            let x = inner.x + 1 + (sideBySide ? index * columnWidth : 0)
            if sideBySide { y = inner.y }
            canvas.put(section.rawValue, x: x, y: y, role: .headerAccent, limit: columnWidth - 2)
            y += 1
            for line in lines[index] where y < inner.maxY - 1 {
                canvas.put(line.key, x: x, y: y, role: line.available ? .footerKey : .footerDisabled, limit: keyColumn - 1)
                canvas.put(line.help, x: x + keyColumn, y: y, role: line.available ? .dialog : .footerDisabled,
                           limit: min(columnWidth - keyColumn - 1, inner.maxX - x - keyColumn))
                y += 1
            }
            y += 1
        }
        canvas.put(dialogKeys, x: inner.x + 1, y: inner.maxY - 1, role: .textDim, limit: inner.width - 2)
        // What watching costs, where someone on a slow link would look for it.
        if let usage = state.selfUsage {
            let cost = " podtop itself: CPU \(Format.percent(usage.cpuPercent)) of a core · \(Format.bytes(UInt64(max(0, usage.terminalBytesPerSecond.rounded()))))/s to this terminal "
            canvas.putRight(cost, rightEdge: rect.maxX - 2, y: rect.maxY - 1, role: .title)
        }
    }

    /// A key's refusal in a word or two, for a line of the help.
    static func unavailableReason(_ action: Action, _ state: DashboardState) -> String {
        if state.readOnly { return "read-only" }
        let pod = state.selection.pod
        if let podAction = action.podAction, state.actions(of: pod).offers(podAction), state.busyPods.contains(pod) { return "busy" }
        return "not offered by \(state.identity?.kind ?? "this runtime")"
    }
}
