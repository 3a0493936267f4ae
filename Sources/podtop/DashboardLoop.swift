import Foundation
import PodtopCore
import PodtopRuntime
import PodtopTerminal
import PodtopUI
import Synchronization

/// The interactive dashboard: one thread owns the terminal and the state; the runtime works in
/// tasks and talks to it only through the inbox.
final class DashboardLoop {
    enum Ending {
        case quit
        case signal(Int32)
        case hangup
    }

    private let terminal: TerminalSession
    private var runtime: any ContainerRuntime
    /// Makes the runtime of another environment (Kubernetes); nil for Docker and the demo.
    private let switcher: EnvironmentSwitcher?
    private var runtimeTask: Task<Void, Never>?
    /// Which runtime may still post: a replaced one's events are dropped at the door.
    private let runtimeGeneration = RuntimeGeneration()
    /// Probes the health endpoints; nil where the runtime reports health itself (the demo).
    private let prober: HealthProber?
    /// Asks the team's Prometheus for the services' figures; nil when none is configured.
    private let monitoring: PrometheusWatcher?
    private let themes: [Theme]
    private let options: RenderOptions
    private let inbox = EventInbox()
    private var state: DashboardState
    private var actionTasks: [Task<Void, Never>] = []
    private let selfMeter = SelfMeter()

    init(terminal: TerminalSession, runtime: any ContainerRuntime, switcher: EnvironmentSwitcher? = nil, prober: HealthProber?,
         monitoring: PrometheusWatcher? = nil, state: DashboardState, themes: [Theme], options: RenderOptions) {
        self.terminal = terminal
        self.runtime = runtime
        self.switcher = switcher
        self.prober = prober
        self.monitoring = monitoring
        self.state = state
        self.themes = themes
        self.options = options
    }

    /// Runs `runtime` in a task of its own; its events reach the loop through the inbox for as
    /// long as it is the current one.
    private func startRuntime() {
        let inbox = self.inbox
        let runtime = self.runtime
        let generation = runtimeGeneration.next()
        let current = runtimeGeneration
        let refresh = Duration.milliseconds(Int64(state.refreshSeconds * 1000))
        runtimeTask = Task.detached {
            await runtime.run(refresh: refresh) { event in
                guard current.isCurrent(generation) else { return }
                if case .logs = event {
                    inbox.post(.runtime(event), wake: false)
                } else {
                    inbox.post(.runtime(event))
                }
            }
        }
    }

    func run() -> Ending {
        let inbox = self.inbox
        startRuntime()
        let prober = self.prober
        let proberTask = Task.detached {
            await prober?.run { inbox.post(.runtime($0)) }
        }
        let monitoring = self.monitoring
        let monitoringTask = Task.detached {
            await monitoring?.run { inbox.post(.runtime($0)) }
        }
        defer {
            runtimeTask?.cancel()
            proberTask.cancel()
            monitoringTask.cancel()
            actionTasks.forEach { $0.cancel() }
        }
        var appliedTheme = -1
        var lastClockSecond = -1
        // Keys redraw at once; a change to what the screen says about the fleet (a replica's
        // phase, a service's class, the connection: `changesAtAGlance`) at most every
        // `framePacing`. Everything else — new figures, sparkline samples, log lines — waits
        // for the clock's frame, once a second. A fleet's logs arrive hundreds of times a
        // second and replace the whole pane each frame: drawn 3 or 4 times a second they cost
        // as many panes of bytes, and no one reads 200 lines a second anyway.
        let framePacing = 0.25
        var lastFrame = Date.distantPast
        var inboxPacing = InboxPacing(interval: framePacing, now: Date())
        var dirty = true
        while true {
            if let signal = terminal.pendingSignal { return .signal(signal) }
            if appliedTheme != state.themeIndex {
                terminal.apply(theme: themes[state.themeIndex])
                appliedTheme = state.themeIndex
            }
            let now = Date()
            let second = Int(now.timeIntervalSince1970)
            if second != lastClockSecond {
                lastClockSecond = second
                _ = state.handle(.tick(now))
                if let usage = selfMeter.sample() {
                    _ = state.handle(.measured(SelfUsage(cpuPercent: usage.cpuPercent, terminalBytesPerSecond: usage.terminalBytesPerSecond)))
                }
                dirty = true
            }
            var wait = Int32((1 - now.timeIntervalSince1970.truncatingRemainder(dividingBy: 1)) * 1000) + 1
            let sinceFrame = now.timeIntervalSince(lastFrame)
            if dirty {
                if sinceFrame >= framePacing {
                    draw()
                    lastFrame = now
                    dirty = false
                    #if DEBUG
                    DebugCrash.overflowTheStackIfAsked()
                    #endif
                } else {
                    wait = min(wait, Int32((framePacing - sinceFrame) * 1000) + 1)
                }
            }
            // Sleep until the next whole second (the clock), a key, a resize, an event, or the
            // next frame that pending data is waiting for.
            let watchesInbox = InboxPacing.sleepWatchesInbox(frameOwed: dirty, firstAnswerShown: state.snapshot != nil)
            let watched = watchesInbox ? inbox.wakeDescriptor : -1
            let inputs = terminal.waitForInput(wakeDescriptor: watched, timeoutMilliseconds: wait)
            var effects: [Effect] = []
            for input in inputs {
                switch input {
                case .hangup: return .hangup
                case .resize: terminal.invalidate()
                case .key(let key): effects += state.handle(.key(key))
                }
                lastFrame = .distantPast  // a person is waiting: draw now
                dirty = true
            }
            let drainDue = inboxPacing.drainIsDue(at: now, keysThisTurn: !inputs.isEmpty)
            let inbound = drainDue ? inbox.drain() : []
            let hadData = state.snapshot != nil
            for event in inbound {
                if state.changesAtAGlance(event) { dirty = true }
                effects += state.handle(event)
            }
            // The runtime's first answer is what a person starting podtop waits for: drawn at
            // once rather than a frame's pacing after the "waiting for the runtime" one.
            if !hadData, state.snapshot != nil {
                lastFrame = .distantPast
                dirty = true
            }
            for effect in effects {
                if case .quit = effect { return .quit }
                perform(effect)
            }
        }
    }

    private func draw() {
        state.releaseLogs(at: Date())
        let (width, height) = terminal.size
        state.logPageSize = Screen.logRows(state, width: width, height: height)
        terminal.present(Screen.render(state, width: width, height: height, options: options))
    }

    private func perform(_ effect: Effect) {
        let inbox = self.inbox
        switch effect {
        case .restart(let pod):
            guard let runtime = runtime as? any PodRestarting else { return refuse(.restart, on: pod) }
            act(on: pod) { () async throws(RuntimeError) in try await runtime.restart(pod) { inbox.post(.actionProgress(pod, $0)) } }
        case .scale(let pod, let target):
            guard let runtime = runtime as? any PodScaling else { return refuse(.scale, on: pod) }
            act(on: pod) { () async throws(RuntimeError) in try await runtime.scale(pod, to: target) }
        case .saveLogs(let fileName, let lines):
            let directory = FileManager.default.currentDirectoryPath
            actionTasks.append(Task.detached {
                let outcome = LogFileWriter.save(lines, named: fileName, in: directory)
                inbox.post(.notice(outcome.message, isError: outcome.isError))
            })
        case .restartReplica(let pod, let replica):
            guard let runtime = runtime as? any ReplicaRestarting else { return refuse(.restartReplica, on: pod) }
            act(on: pod) { () async throws(RuntimeError) in try await runtime.restartReplica(pod, replica: replica) }
        case .previousLogs(let pod, let replica):
            guard let runtime = runtime as? any PreviousLogReading else {
                return inbox.post(.notice("\(runtime.identity.kind) keeps no previous container's log", isError: true))
            }
            actionTasks.append(Task.detached {
                do throws(RuntimeError) {
                    let lines = try await runtime.previousLogs(pod, replica: replica)
                    inbox.post(.runtime(.logs(lines)))
                    inbox.post(.notice("\(lines.count) line\(lines.count == 1 ? "" : "s") of \(replica)'s previous container, at the end of the log pane", isError: false))
                } catch {
                    inbox.post(.notice(error.message, isError: true))
                }
            })
        case .switchEnvironment(let index):
            guard let switcher else { return }
            runtimeTask?.cancel()
            actionTasks.forEach { $0.cancel() }
            actionTasks.removeAll()
            runtimeGeneration.endCurrent()
            inbox.discardRuntimeEvents()
            do {
                runtime = try switcher.runtime(for: index)
                startRuntime()
            } catch {
                inbox.post(.runtime(.disconnected(reason: error.message, retryIn: .seconds(3600))))
            }
        case .quit:
            break
        }
    }
}

extension DashboardLoop {
    /// An action the runtime turned out not to serve (its snapshot offered it, the runtime
    /// itself cannot): said as the action's failure, which also ends the pod's busy state.
    private func refuse(_ action: PodAction, on pod: PodID) {
        let message = "\(runtime.identity.kind) cannot \(action.verb) \(state.displayName(pod))"
        inbox.post(.actionFinished(pod, .failure(RuntimeError(message))))
    }

    /// Runs an action on `pod` in a task of its own; its summary or its error ends the pod's
    /// busy state through the inbox.
    private func act(on pod: PodID, _ action: @escaping @Sendable () async throws(RuntimeError) -> String) {
        let inbox = self.inbox
        actionTasks.append(Task.detached {
            do throws(RuntimeError) {
                inbox.post(.actionFinished(pod, .success(try await action())))
            } catch {
                inbox.post(.actionFinished(pod, .failure(error)))
            }
        })
    }
}
