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
            // The configured URL, unless the probe went another way (Kubernetes: the details say which).
            let check = sample.route == nil ? pod.services.first { $0.name == id.name }.map { " " + $0.check.description } ?? "" : ""
            return "\(id)\(check): \(sample.verdict.word) \(sample.detail)"
        }
    }
}
