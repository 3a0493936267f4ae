import PodtopCore

/// Dialogs over the dashboard: restart and scale-to-zero confirmations, the scale dialog, help.
enum DialogView {
    static func draw(_ modal: Modal, state: DashboardState, options: RenderOptions, into canvas: inout Canvas) {
        switch modal {
        case .confirmRestart(let pod):
            let replicas = state.snapshot?.pod(pod)?.replicas.count ?? 0
            box(title: "Restart \(state.displayName(pod))", lines: [
                ("Rolling restart: \(replicas) replica\(replicas == 1 ? "" : "s"), one at a time;", .dialog),
                ("each must be back before the next goes down.", .dialog),
                ("", .dialog),
                ("Restart now? [y/N]", .title),
            ], options: options, into: &canvas)
        case .scale(let pod, let current, let target):
            let bounds = state.replicaBounds(pod)
            let change = target == current ? "no change" : target > current ? "+\(target - current)" : "\(target - current)"
            box(title: "Scale \(state.displayName(pod))", lines: [
                ("replicas   \(current) \(options.glyphs.arrow) \(target)   (\(change))", .title),
                ("allowed    \(bounds.lowerBound)…\(bounds.upperBound)", .dialog),
                ("", .dialog),
                ("+/- adjust · Enter apply · Esc cancel", .textDim),
            ], options: options, into: &canvas)
        case .confirmScaleToZero(let pod, let current):
            box(title: "Scale \(state.displayName(pod)) to 0?", lines: [
                ("All \(current) replica\(current == 1 ? "" : "s") stop; its services go DOWN.", .statusCritical),
                ("", .dialog),
                ("Scale to 0 now? [y/N]", .title),
            ], options: options, into: &canvas)
        case .filter:
            break  // typed in the log pane's title line
        case .help:
            HelpView.draw(state: state, options: options, into: &canvas)
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
    static func draw(state: DashboardState, options: RenderOptions, into canvas: inout Canvas) {
        let rect = Rect(x: 2, y: 1, width: canvas.width - 4, height: canvas.height - 2)
        guard rect.width >= 20, rect.height >= 5 else { return }
        canvas.fill(rect, role: .dialog)
        canvas.box(rect, glyphs: options.glyphs, role: .dialogBorder)
        canvas.put(" Help: keys ", x: rect.x + 2, y: rect.y, role: .title)
        let inner = rect.inset(by: 1)
        let sections: [KeyContext] = [.dashboard, .logs]
        let twoColumns = inner.width >= 2 * 46
        let columnWidth = twoColumns ? inner.width / 2 : inner.width
        for (index, context) in sections.enumerated() {
            let x = inner.x + 1 + (twoColumns ? index * columnWidth : 0)
            var y = inner.y + (twoColumns ? 0 : index * (Keymap.bindings(.dashboard).count + 2))
            canvas.put(context.rawValue, x: x, y: y, role: .headerAccent, limit: columnWidth - 2)
            y += 1
            for binding in Keymap.bindings(context) where y < inner.maxY - 1 {
                let available = FooterView.isAvailable(binding.action, state)
                canvas.put(binding.keyLabel, x: x, y: y, role: available ? .footerKey : .footerDisabled, limit: 9)
                var help = binding.help
                if !available { help += unavailableReason(binding.action, state) }
                canvas.put(help, x: x + 10, y: y, role: available ? .dialog : .footerDisabled, limit: columnWidth - 12)
                y += 1
            }
        }
        let dialogKeys = [KeyContext.confirm, .scale].flatMap(Keymap.bindings).map { "\($0.keyLabel) \($0.footer ?? "")" }
        canvas.put("In dialogs: " + dialogKeys.joined(separator: " · "), x: inner.x + 1, y: inner.maxY - 1, role: .textDim, limit: inner.width - 2)
    }

    static func unavailableReason(_ action: Action, _ state: DashboardState) -> String {
        if state.busyPods.contains(state.selection.pod) { return " (busy)" }
        return " (not offered by \(state.identity?.kind ?? "this runtime"))"
    }
}
