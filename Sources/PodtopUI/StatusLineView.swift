import PodtopCore

/// The line above the footer: an action's progress or outcome while it is fresh, otherwise
/// what the selection is and why its pod has the status it has.
enum StatusLineView {
    static let freshSeconds = 10.0

    static func draw(_ state: DashboardState, in rect: Rect, into canvas: inout Canvas) {
        guard rect.height > 0 else { return }
        if let status = state.status, state.now.timeIntervalSince(status.at) < freshSeconds || !state.busyPods.isEmpty {
            canvas.fill(rect, role: status.isError ? .statusLineError : .statusLine)
            canvas.put(" " + status.text, x: rect.x, y: rect.y, role: status.isError ? .statusLineError : .statusLine, limit: rect.width)
            return
        }
        canvas.put(" " + describeSelection(state), x: rect.x, y: rect.y, role: .textDim, limit: rect.width)
    }

    static func describeSelection(_ state: DashboardState) -> String {
        guard let pod = state.topology.pod(state.selection.pod) else { return "" }
        let rollup = state.rollup(of: pod)
        switch state.selection {
        case .pod:
            return "\(pod.displayName): \(rollup.status.word.lowercased()), \(rollup.reason) · CPU % is of one core (100 % = a full core)"
        case .service(let id):
            guard let sample = state.history(.service(id))?.latest else { return "\(id): not probed yet" }
            let check = pod.services.first { $0.name == id.name }?.check.description ?? ""
            return "\(id) \(check): \(sample.verdict.word) \(sample.detail)"
        }
    }
}

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
            if binding.action == .previousLogs, !state.capabilities.canReadPreviousLogs { continue }
            let available = isAvailable(binding.action, state)
            let keyText = binding.keyLabel
            let needed = DisplayWidth.of(keyText) + DisplayWidth.of(word) + 3
            guard x + needed <= rect.maxX else { break }
            x += canvas.put(keyText, x: x, y: rect.y, role: available ? .footerKey : .footerDisabled) + 1
            x += canvas.put(word, x: x, y: rect.y, role: available ? .footerLabel : .footerDisabled) + 2
        }
    }

    static func isAvailable(_ action: Action, _ state: DashboardState) -> Bool {
        switch action {
        case .restart: state.capabilities.canRestart && !state.busyPods.contains(state.selection.pod)
        case .scale: state.capabilities.canScale && !state.busyPods.contains(state.selection.pod)
        case .environments: !state.environments.isEmpty
        case .restartReplica: state.capabilities.canRestartReplica && !state.busyPods.contains(state.selection.pod)
        case .previousLogs: state.capabilities.canReadPreviousLogs
        default: true
        }
    }
}
