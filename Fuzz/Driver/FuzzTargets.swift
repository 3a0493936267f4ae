import Foundation
@testable import PodtopCore
@testable import PodtopRuntime

/// Every decoder of bytes from outside, each as a fuzz target: the bytes go in the way the
/// product feeds them (in chunks, for the stream decoders), and what comes out is checked
/// against the promises the rest of podtop relies on (no control character in text that
/// reaches the screen, bounded lines). A broken promise aborts, which libFuzzer reports.
enum FuzzTargets {
    typealias Target = @Sendable (UnsafeBufferPointer<UInt8>) -> Void

    static let all: [String: Target] = [
        "log-frames": { logStream(Array($0), tty: false) },
        "log-raw": { logStream(Array($0), tty: true) },
        "json-lines": { jsonLines(Array($0)) },
        "json-file": { jsonFile(Array($0)) },
        "docker-list": { dockerList(Data($0)) },
        "docker-inspect": { dockerInspect(Data($0)) },
        "docker-stats": { dockerStats(Data($0)) },
        "docker-event": { dockerEvent(Data($0)) },
        "kube-watch": { kubernetesWatch(Array($0)) },
        "kube-list": { kubernetesList(Data($0)) },
        "kube-quantity": { kubernetesQuantity(String(decoding: $0, as: UTF8.self)) },
        "log-sanitizer": { logSanitizer(Array($0)) },
        "log-structure": { logStructure(String(decoding: $0, as: UTF8.self)) },
        "health-body": { healthBody(Array($0)) },
        "config": { configFile(String(decoding: $0, as: UTF8.self)) },
        "theme": { themeFile(String(decoding: $0, as: UTF8.self)) },
        "kubeconfig": { kubeconfig(String(decoding: $0, as: UTF8.self)) },
        "prometheus-answer": { prometheusAnswer(Data($0)) },
        "prometheus-alerts": { prometheusAlerts(Data($0)) },
    ]

    /// Stops the run with `message` when a promise is broken: libFuzzer saves the input.
    static func require(_ condition: Bool, _ message: @autoclosure () -> String) {
        guard condition else {
            FileHandle.standardError.write(Data("broken promise: \(message())\n".utf8))
            abort()
        }
    }

    /// The input in chunks whose length its first byte sets, so that chunk boundaries fall
    /// everywhere a network read could put them.
    static func chunks(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        let step = Int(bytes.first ?? 0) % 61 + 1
        return stride(from: 0, to: bytes.count, by: step).map { bytes[$0..<min($0 + step, bytes.count)] }
    }

    /// Text that reaches the screen or stdout: no C0 or C1 control, no bidirectional control.
    static func requireInert(_ text: String, bound: Int) {
        require(text.utf8.count <= bound, "\(text.utf8.count) bytes past the bound of \(bound)")
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x00..<0x20, 0x7F...0x9F, 0x202A...0x202E, 0x2066...0x2069, 0x200E, 0x200F, 0x061C:
                require(false, "control U+\(String(scalar.value, radix: 16)) in \(text.debugDescription)")
            default: break
            }
        }
    }
}

// MARK: Logs

extension FuzzTargets {
    static func logStream(_ bytes: [UInt8], tty: Bool) {
        var decoder = LogStreamDecoder(tty: tty)
        decoder.maxLineBytes = 512
        var lines: [LogStreamDecoder.Line] = []
        for chunk in chunks(bytes) {
            lines += decoder.feed(chunk)
            require(decoder.bufferedBytes <= 4 * 1024, "\(decoder.bufferedBytes) bytes held")
        }
        lines += decoder.finish()
        for line in lines {
            require(line.bytes.count <= 512, "a line of \(line.bytes.count) bytes past the limit of 512")
            requireInert(LogSanitizer().sanitize(line.bytes, writtenLength: line.writtenLength), bound: 16 * 1024 + 256)
        }
    }

    static func jsonLines(_ bytes: [UInt8]) {
        var splitter = JSONLineSplitter(maxLineBytes: 256)
        var lines: [[UInt8]] = []
        for chunk in chunks(bytes) { lines += splitter.feed(chunk) }
        for line in lines {
            require(line.count <= 256, "a line of \(line.count) bytes past the limit")
            require(!line.contains(UInt8(ascii: "\n")), "a line holds a newline")
        }
    }

    static func jsonFile(_ bytes: [UInt8]) {
        var decoder = JSONFileLogDecoder()
        decoder.maxLineBytes = 512
        var lines: [LogStreamDecoder.Line] = []
        for chunk in chunks(bytes) { lines += decoder.feed(chunk) }
        lines += decoder.finish()
        for line in lines {
            require(line.bytes.count <= 512 + 4, "a line of \(line.bytes.count) bytes past the limit of 512")
        }
    }

    static func logSanitizer(_ bytes: [UInt8]) {
        let sanitizer = LogSanitizer(maxBytes: 1024)
        let text = sanitizer.sanitize(bytes)
        requireInert(text, bound: 1024 + 128)
        requireInert(InertText.of(String(decoding: bytes, as: UTF8.self)), bound: InertText.maxBytes + 128)
        _ = DisplayWidth.of(text)
    }

    static func logStructure(_ text: String) {
        guard let structure = LogStructure.parse(text) else { return }
        _ = structure.compact
    }
}

// MARK: Docker

extension FuzzTargets {
    static func dockerList(_ data: Data) {
        guard let entries = try? JSONDecoder().decode([Readable<DockerContainerSummary>].self, from: data) else { return }
        for summary in entries.compactMap(\.value) {
            _ = ContainerCondition(listState: summary.state, statusText: summary.status)
            _ = summary.name
        }
    }

    static func dockerInspect(_ data: Data) {
        guard let inspect = try? JSONDecoder().decode(DockerContainerInspect.self, from: data) else { return }
        _ = ContainerCondition(inspect.state)
        _ = (inspect.startedAt, inspect.logRotates, inspect.logDriver)
    }

    static func dockerStats(_ data: Data) {
        guard let sample = try? JSONDecoder().decode(DockerStatsSample.self, from: data) else { return }
        _ = sample.memoryUsedBytes
        if let percent = DockerStatsSample.cpuPercent(previous: sample, current: sample) { _ = Format.percent(percent) }
        var later = sample
        later.cpuTotal = sample.cpuTotal &+ 1
        later.systemCPU = sample.systemCPU.map { $0 &+ 1 }
        if let percent = DockerStatsSample.cpuPercent(previous: sample, current: later) { _ = Format.percent(percent) }
    }

    static func dockerEvent(_ data: Data) {
        guard let event = try? JSONDecoder().decode(DockerEvent.self, from: data) else { return }
        var condition = ContainerCondition(listState: "running", statusText: "Up 1 second")
        _ = condition.apply(event)
        _ = event.changesInventory
    }
}

// MARK: Kubernetes

extension FuzzTargets {
    static func kubernetesWatch(_ bytes: [UInt8]) {
        var splitter = JSONLineSplitter()
        for line in splitter.feed(bytes + [UInt8(ascii: "\n")]) {
            if case .added(let pod)? = try? KubernetesWatchEvent<KubernetesPod>.decode(line) {
                _ = (pod.replica, pod.notReadyReason, pod.readyContainers)
            }
            if case .modified(let workload)? = try? KubernetesWatchEvent<KubernetesWorkload>.decode(line) {
                _ = (workload.rolloutComplete, workload.rolloutProgress)
            }
        }
    }

    static func kubernetesList(_ data: Data) {
        if let pods = try? JSONDecoder().decode(KubernetesList<KubernetesPod>.self, from: data) {
            _ = pods.items.map(\.replica)
        }
        if let workloads = try? JSONDecoder().decode(KubernetesList<KubernetesWorkload>.self, from: data) {
            _ = workloads.items.saturatingSum(\.desiredReplicas)
        }
        if let metrics = try? JSONDecoder().decode(KubernetesList<KubernetesPodMetrics>.self, from: data) {
            for item in metrics.items {
                let usage = item.usage
                _ = (usage.cpuPercent.map(Format.percent), usage.memoryBytes.map(Format.bytes))
            }
        }
    }

    static func kubernetesQuantity(_ text: String) {
        guard let quantity = KubernetesQuantity(text) else { return }
        _ = (quantity.nanoUnits, quantity.milliUnits, quantity.units)
    }
}

// MARK: Prometheus

extension FuzzTargets {
    static func prometheusAnswer(_ data: Data) {
        do {
            let answer = try PrometheusAnswer.read(data, status: 200)
            for sample in answer.samples {
                for (name, value) in sample.labels {
                    requireInert(name, bound: InertText.maxBytes + 128)
                    requireInert(value, bound: InertText.maxBytes + 128)
                }
            }
        } catch {
            requireInert(error.message, bound: 2 * InertText.maxBytes + 256)
        }
    }

    /// The same bytes as Prometheus' and as Alertmanager's alerts.
    static func prometheusAlerts(_ data: Data) {
        let fromPrometheus = (try? AlertAnswers.prometheus(data, status: 200)) ?? []
        let fromAlertmanager = (try? AlertAnswers.alertmanager(data, status: 200)) ?? []
        for alert in fromPrometheus + fromAlertmanager {
            requireInert(alert.name, bound: InertText.maxBytes + 128)
            requireInert(alert.summary, bound: InertText.maxBytes + 128)
            for (name, value) in alert.labels {
                requireInert(name, bound: InertText.maxBytes + 128)
                requireInert(value, bound: InertText.maxBytes + 128)
            }
        }
    }
}

// MARK: Health and files

extension FuzzTargets {
    static func healthBody(_ bytes: [UInt8]) {
        let status = Int(bytes.first ?? 200) % 2 == 0 ? 200 : 503
        let (_, detail) = HealthClassifier.classify(statusCode: status, body: bytes, latencyMs: 12, thresholds: .standard)
        requireInert(InertText.of(detail), bound: InertText.maxBytes + 128)
    }

    static func configFile(_ text: String) {
        do {
            _ = try ConfigFile.parse(text, file: "fuzz.yaml")
        } catch {
            requireInert(InertText.of(error.description), bound: InertText.maxBytes + 128)
        }
    }

    static func themeFile(_ text: String) {
        _ = try? ThemeFile.parse(text, file: "fuzz-theme.yaml")
    }

    static func kubeconfig(_ text: String) {
        var config = KubeConfig()
        do {
            try config.merge(text, path: "/nonexistent/fuzz-kubeconfig")
            _ = try? config.target()
        } catch {
            // A parse error names the line and the problem, never the content (a key or a token).
            require(!error.description.contains("fuzz-secret"), "a secret in \(error.description)")
        }
    }
}
