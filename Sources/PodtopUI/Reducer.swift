import Foundation
import PodtopCore

/// Everything that can change the dashboard.
public enum DashboardInput: Sendable {
    case key(KeyInput)
    case runtime(RuntimeEvent)
    case tick(Date)
    case actionProgress(PodID, String)
    case actionFinished(PodID, Result<String, RuntimeError>)
    /// The outcome of work that belongs to no pod (saving the logs), for the status line.
    case notice(String, isError: Bool)
    /// podtop's own cost over the last second.
    case measured(SelfUsage)
}

/// Work the reducer asks the outside world to do; results come back as inputs.
public enum Effect: Sendable, Equatable {
    case restart(PodID)
    case scale(PodID, to: Int)
    /// Watch another environment: the runtime is replaced by one for it.
    case switchEnvironment(Int)
    case restartReplica(PodID, replica: String)
    /// Fetch the log of a replica's previous (crashed) container into the log pane.
    case previousLogs(PodID, replica: String)
    /// Write these lines to a new file of this name in the current directory.
    case saveLogs(fileName: String, lines: [String])
    case quit
}

extension DashboardState {
    /// The one place state changes: an input in, the new state and the effects out.
    public mutating func handle(_ input: DashboardInput) -> [Effect] {
        switch input {
        case .key(let key):
            return handleKey(key)
        case .runtime(let event):
            apply(event)
        case .tick(let date):
            now = date
            releaseLogs(at: date)
        case .actionProgress(_, let text):
            say(text)
        case .actionFinished(let pod, let result):
            busyPods.remove(pod)
            switch result {
            case .success(let text): say(text)
            case .failure(let error): say(error.message, error: true)
            }
        case .notice(let text, let isError):
            say(text, error: isError)
        case .measured(let usage):
            selfUsage = usage
        }
        return []
    }

    /// Moves the lines that have waited out the reorder window into the ring, in timestamp
    /// order across sources: streams of different containers deliver with different delays,
    /// and a merged tail must not show a later line above an earlier one.
    public mutating func releaseLogs(at date: Date) {
        guard !pendingLogs.isEmpty else { return }
        if !pendingIsOrdered {
            // Stable: lines of one source with the same time keep their order. Positions are
            // sorted rather than the lines themselves, which are big to move (7,500 at start).
            let lines = pendingLogs
            pendingLogs = lines.indices
                .sorted { (lines[$0].at, $0) < (lines[$1].at, $1) }
                .map { lines[$0] }
            pendingIsOrdered = true
        }
        // Sorted by time: the lines old enough to go form a prefix, and the lines stamped more
        // than a window ahead of this clock (a container's clock that runs ahead, or a hostile
        // stamp) a suffix; they go now rather than when this clock catches up with them.
        let low = pendingLogs.firstIndex(stampedAfter: date.addingTimeInterval(-logReorderWindow))
        let ahead = max(low, pendingLogs.firstIndex(stampedAfter: date.addingTimeInterval(logReorderWindow)))
        guard low > 0 || ahead < pendingLogs.count else { return }
        let ready = pendingLogs[..<low] + pendingLogs[ahead...]
        logs.append(contentsOf: ready)
        if !logView.isFollowing {
            // Keep the reader's place: new lines push the view further from the newest.
            let filter = logFilter
            let arrived = ready.reduce(0) { $0 + (filter.accepts($1) ? 1 : 0) }
            logView.scrollBack += arrived
            logView.unseen += arrived
        }
        pendingLogs.removeSubrange(ahead...)
        pendingLogs.removeFirst(low)
    }

    /// Action results and progress carry a daemon's or an API server's words: made inert here.
    mutating func say(_ text: String, error: Bool = false) {
        status = StatusMessage(text: InertText.of(text), isError: error, at: now)
    }

    // MARK: - Runtime events

    /// Every string from a runtime is made inert here, the one door from the runtimes to the screen.
    mutating func apply(_ event: RuntimeEvent) {
        switch event.inert {
        case .connected(let identity):
            self.identity = identity
            connection = .connected
        case .snapshot(let snapshot):
            self.snapshot = snapshot
            lastDataAt = snapshot.takenAt
            connection = .connected
        case .confirmed(let at):
            lastDataAt = max(lastDataAt ?? at, at)
        case .health(let target, let sample):
            health[target, default: ServiceHealthHistory()].record(sample)
        case .logs(let lines):
            // The wallboard shows no logs: keeping them would only grow memory for days.
            guard !isWallboard else { return }
            if pendingIsOrdered {
                var previous = pendingLogs.last?.at ?? .distantPast
                for line in lines {
                    if line.at < previous { pendingIsOrdered = false; break }
                    previous = line.at
                }
            }
            pendingLogs.append(contentsOf: lines)
            // Bounded like the ring: a flood faster than the window drops its oldest, counted.
            // Trimmed in steps of a whole ring, so that a flood does not move the array per batch.
            if pendingLogs.count >= 2 * logs.capacity {
                let excess = pendingLogs.count - logs.capacity
                pendingLogs.removeFirst(excess)
                logs.countDropped(excess)
            }
        case .disconnected(let reason, let retryIn):
            connection = .disconnected(reason: reason, retryAt: now.addingTimeInterval(Double(retryIn.components.seconds)))
        case .monitoring(let monitoring):
            self.monitoring = monitoring
        }
    }

    // MARK: - Keys

    mutating func handleKey(_ key: KeyInput) -> [Effect] {
        if case .logPrompt(let prompt) = modal {
            handlePromptKey(key, prompt)
            return []
        }
        guard let action = Keymap.action(for: key, in: keyContext) else { return [] }
        if let modal { return handleModal(action, modal) }
        return handleAction(action)
    }

    private mutating func handleAction(_ action: Action) -> [Effect] {
        switch action {
        case .moveUp: moveSelection(by: -1)
        case .moveDown: moveSelection(by: 1)
        case .nextPod: jumpPod(by: 1)
        case .previousPod: jumpPod(by: -1)
        case .restart: return askRestart()
        case .scale: openScale()
        case .environments: openEnvironments()
        case .focusLogs: focus = .logs
        case .details:
            modal = .details(selection)
            detailReplicaIndex = 0
        case .cycleTheme:
            themeIndex = (themeIndex + 1) % themeNames.count
            say("Theme: \(themeName)")
        case .help: modal = .help
        case .quit: return [.quit]
        case .scrollUp, .scrollDown, .pageUp, .pageDown, .oldest, .follow, .leaveLogs,
             .searchLogs, .filterLogs, .olderMatch, .newerMatch, .toggleRawLogs, .toggleWrap,
             .toggleTimestamps, .toggleFullScreen, .toggleOnlySelection, .cycleMinimumLevel, .saveLogs:
            return handleLogAction(action)
        case .confirm, .cancel, .increment, .decrement, .apply, .restartReplica, .previousLogs: break
        }
        return []
    }

    private mutating func handleModal(_ action: Action, _ modal: Modal) -> [Effect] {
        switch (modal, action) {
        case (.confirmRestart(let pod), .confirm):
            self.modal = nil
            busyPods.insert(pod)
            say("Restarting \(displayName(pod))…")
            return [.restart(pod)]
        case (.scale(let pod, let current, let target), .increment):
            let bounds = replicaBounds(pod)
            self.modal = .scale(pod, current: current, target: min(bounds.upperBound, target + 1))
        case (.scale(let pod, let current, let target), .decrement):
            let bounds = replicaBounds(pod)
            self.modal = .scale(pod, current: current, target: max(bounds.lowerBound, target - 1))
        case (.scale(let pod, let current, let target), .apply):
            if target == current {
                self.modal = nil
                say("\(displayName(pod)) already has \(current) replica\(current == 1 ? "" : "s")")
            } else if target == 0 {
                self.modal = .confirmScaleToZero(pod, current: current)
            } else {
                return startScale(pod, to: target)
            }
        case (.confirmScaleToZero(let pod, _), .confirm):
            return startScale(pod, to: 0)
        case (.details(let shown), .moveUp):
            if case .pod = shown { detailReplicaIndex = max(0, detailReplicaIndex - 1) }
        case (.details(let shown), .moveDown):
            if case .pod(let pod) = shown {
                detailReplicaIndex = min(max(0, (snapshot?.pod(pod)?.replicas.count ?? 0) - 1), detailReplicaIndex + 1)
            }
        case (.details(let shown), .restartReplica):
            askReplicaRestart(shown)
        case (.details(.pod(let pod)), .previousLogs):
            if let reason = refusal(of: .previousLogs, on: pod) {
                say(reason, error: true)
                return []
            }
            guard let replica = highlightedReplica(of: pod) else {
                say("\(displayName(pod)) has no replica to read", error: true)
                return []
            }
            // The lines land in the log pane: the details close to show it.
            self.modal = nil
            say("Fetching the previous container's log of \(replica)…")
            return [.previousLogs(pod, replica: replica)]
        case (.confirmReplicaRestart(let pod, let replica), .confirm):
            self.modal = nil
            busyPods.insert(pod)
            say("Restarting \(replica)…")
            return [.restartReplica(pod, replica: replica)]
        case (.environments(let highlighted), .moveUp):
            self.modal = .environments(highlighted: max(0, highlighted - 1))
        case (.environments(let highlighted), .moveDown):
            self.modal = .environments(highlighted: min(environments.count - 1, highlighted + 1))
        case (.environments(let highlighted), .apply):
            self.modal = nil
            return switchEnvironment(to: highlighted)
        case (_, .cancel):
            self.modal = nil
        default:
            break
        }
        return []
    }

    private mutating func startScale(_ pod: PodID, to target: Int) -> [Effect] {
        modal = nil
        busyPods.insert(pod)
        say("Scaling \(displayName(pod)) to \(target)…")
        return [.scale(pod, to: target)]
    }

    // MARK: - Actions' preconditions

    /// Whether `action` may be asked of `pod` now (see `refusal(of:on:)`); says why not in the
    /// status line.
    private mutating func mayAct(_ action: PodAction, on pod: PodID) -> Bool {
        guard let reason = refusal(of: action, on: pod) else { return true }
        say(reason, error: true)
        return false
    }

    private mutating func askRestart() -> [Effect] {
        let pod = selection.pod
        guard mayAct(.restart, on: pod) else { return [] }
        modal = .confirmRestart(pod)
        return []
    }

    private mutating func openScale() {
        let pod = selection.pod
        guard mayAct(.scale, on: pod) else { return }
        // Made of Kubernetes workloads: the count is each workload's (they are scaled alike).
        let podSnapshot = snapshot?.pod(pod)
        let workloads = podSnapshot?.workloads ?? []
        let current = workloads.isEmpty ? podSnapshot?.desiredReplicas ?? 0 : workloads.map(\.desiredReplicas).max() ?? 0
        modal = .scale(pod, current: current, target: current)
    }

    private mutating func askReplicaRestart(_ shown: Selection) {
        guard case .pod(let pod) = shown, mayAct(.restartReplica, on: pod) else { return }
        guard let replica = highlightedReplica(of: pod) else {
            say("\(displayName(pod)) has no replica to restart", error: true)
            return
        }
        modal = .confirmReplicaRestart(pod, replica: replica)
    }

    /// The name of the replica highlighted in `pod`'s details.
    private func highlightedReplica(of pod: PodID) -> String? {
        let replicas = snapshot?.pod(pod)?.replicas ?? []
        return replicas.indices.contains(detailReplicaIndex) ? replicas[detailReplicaIndex].name : nil
    }

    private mutating func openEnvironments() {
        guard !environments.isEmpty else {
            say("environments are Kubernetes contexts and namespaces; \(identity?.kind ?? "this runtime") has none", error: true)
            return
        }
        modal = .environments(highlighted: environmentIndex)
    }

    /// What was seen belongs to the old environment: the pods, their logs and any action under
    /// way are let go, and the screen says so until the new one answers.
    private mutating func switchEnvironment(to index: Int) -> [Effect] {
        guard index != environmentIndex, environments.indices.contains(index) else { return [] }
        environmentIndex = index
        snapshot = nil
        identity = nil
        lastDataAt = nil
        connection = .connecting
        logs = LogBuffer(capacity: logs.capacity)
        pendingLogs.removeAll()
        busyPods.removeAll()
        let target = environments[index]
        say("Switched to \(target.name) (\(target.namespace))\(target.isProduction ? " — PRODUCTION" : "")")
        return [.switchEnvironment(index)]
    }

    public func replicaBounds(_ pod: PodID) -> ClosedRange<Int> {
        guard let spec = topology.pod(pod) else { return 0...20 }
        return spec.minReplicas...spec.maxReplicas
    }

    public func displayName(_ pod: PodID) -> String { topology.pod(pod)?.displayName ?? pod.rawValue }

    // MARK: - Movement

    private mutating func moveSelection(by delta: Int) {
        let items = selectableItems
        guard !items.isEmpty else { return }
        let index = items.firstIndex(of: selection) ?? 0
        selection = items[min(items.count - 1, max(0, index + delta))]
    }

    private mutating func jumpPod(by delta: Int) {
        let pods = topology.pods.map(\.id)
        guard !pods.isEmpty else { return }
        let index = pods.firstIndex(of: selection.pod) ?? 0
        selection = .pod(pods[(index + delta + pods.count) % pods.count])
    }
}

extension [LogLine] {
    /// The first index of a line stamped after `date`, by bisection: the lines are in time order.
    func firstIndex(stampedAfter date: Date) -> Int {
        var low = 0, high = count
        while low < high {
            let middle = (low + high) / 2
            if self[middle].at <= date { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
