import PodtopCore

/// The bottom line: the keys this context offers, read from the keymap. A key the runtime
/// cannot serve is drawn greyed.
enum FooterView {
    static func draw(_ state: DashboardState, in rect: Rect, into canvas: inout Canvas) {
        guard rect.height > 0 else { return }
        canvas.fill(rect, role: .footerLabel)
        var x = rect.x + 1
        for binding in Keymap.bindings(state.keyContext) {
            guard let word = binding.footer else { continue }
            // Docker and the demo have no environments: not even a greyed key for them.
            if binding.action == .environments, state.environments.isEmpty { continue }
            // Only a pod's details list replicas to restart.
            if binding.action == .restartReplica || binding.action == .previousLogs, case .details(.service) = state.modal { continue }
            // Only Kubernetes keeps a crashed container's log: no greyed key elsewhere.
            if binding.action == .previousLogs, !state.actions(of: state.selection.pod).offers(.previousLogs) { continue }
            let available = isAvailable(binding.action, state)
            let keyText = binding.keyLabel
            let needed = DisplayWidth.of(keyText) + DisplayWidth.of(word) + 3
            guard x + needed <= rect.maxX else { break }
            x += canvas.put(keyText, x: x, y: rect.y, role: available ? .footerKey : .footerDisabled) + 1
            x += canvas.put(word, x: x, y: rect.y, role: available ? .footerLabel : .footerDisabled) + 2
        }
    }

    static func isAvailable(_ action: Action, _ state: DashboardState) -> Bool {
        if action == .environments { return !state.environments.isEmpty }
        guard let podAction = action.podAction else { return true }
        return state.refusal(of: podAction, on: state.selection.pod) == nil
    }
}
