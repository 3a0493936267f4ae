import Foundation
import PodtopCore

/// Asks Prometheus for every service's RED figures every `interval`: one query per figure for
/// all services at once, never one per service, each answer's series then given to the service
/// whose selector they match. Runs beside the runtime and the probes and never waits on them:
/// a slow or absent Prometheus delays nothing but its own figures.
public struct PrometheusWatcher: Sendable {
    let client: PrometheusClient
    /// Where alerts are read when an Alertmanager is configured (it knows silences and
    /// inhibitions); else they are Prometheus' own.
    let alertmanager: PrometheusClient?
    let selectors: [ServiceID: SeriesSelector]
    let interval: Duration
    let rateWindowSeconds: Int
    let clock: RuntimeClock

    public init(client: PrometheusClient, alertmanager: PrometheusClient? = nil, settings: PrometheusSettings, topology: Topology,
                clock: any Clock<Duration> = ContinuousClock()) {
        self.client = client
        self.alertmanager = alertmanager
        var selectors: [ServiceID: SeriesSelector] = [:]
        for pod in topology.pods {
            for service in pod.services {
                selectors[ServiceID(pod: pod.id, name: service.name)] = SeriesSelector.standard(for: service, job: settings.job)
            }
        }
        self.selectors = selectors
        interval = .milliseconds(Int64(settings.intervalSeconds * 1000))
        rateWindowSeconds = settings.rateWindowSeconds
        self.clock = RuntimeClock(clock)
    }

    /// A round now, then one every interval, until cancelled; then the client's connections
    /// are closed.
    public func run(emit: @escaping @Sendable (RuntimeEvent) -> Void) async {
        while !Task.isCancelled {
            emit(.monitoring(await round()))
            do { try await clock.sleep(for: interval) } catch { break }
        }
        await client.shutdown()
        await alertmanager?.shutdown()
    }

    /// The three queries and the alerts, side by side. A query failing makes the figures'
    /// problem; the alerts failing, the alerts' own (the figures may still be there).
    func round() async -> MonitoringSnapshot {
        let queries = Self.queries(grouping: selectors.values.reduce(into: Set<String>()) { $0.formUnion($1.labelNames) },
                                   window: rateWindowSeconds)
        async let requests = client.query(queries.requests)
        async let errors = client.query(queries.errors)
        async let latency = client.query(queries.p95)
        async let firing = alerts()
        var snapshot = MonitoringSnapshot(source: client.baseURL, takenAt: Date())
        do {
            let (requestRates, errorRates, p95s) = (try await requests, try await errors, try await latency)
            snapshot.figures = figures(requests: requestRates.samples, errors: errorRates.samples, p95: p95s.samples)
        } catch {
            snapshot.problem = error.message
        }
        do {
            snapshot.alerts = try await firing.map(assigned)
        } catch {
            snapshot.alertsProblem = error.message
        }
        return snapshot
    }

    /// The PromQL of each figure, keeping the labels the selectors tell services apart by.
    static func queries(grouping labels: Set<String>, window seconds: Int) -> (requests: String, errors: String, p95: String) {
        let by = labels.sorted().joined(separator: ", ")
        let range = seconds % 60 == 0 ? "\(seconds / 60)m" : "\(seconds)s"
        return (
            "sum by (\(by)) (rate(http_requests_total[\(range)]))",
            #"sum by (\#(by)) (rate(http_requests_total{status=~"5.."}[\#(range)]))"#,
            "histogram_quantile(0.95, sum by (\(by), le) (rate(http_request_duration_seconds_bucket[\(range)])))"
        )
    }

    private func alerts() async throws(RuntimeError) -> [MonitoringAlert] {
        if let alertmanager { return try await alertmanager.alertmanagerAlerts() }
        return try await client.prometheusAlerts()
    }

    /// The alert with the service its labels name, when they name one (by the same selectors
    /// as the series: `job` and the port in `instance`).
    func assigned(_ alert: MonitoringAlert) -> MonitoringAlert {
        var alert = alert
        alert.service = selectors.filter { $0.value.matches(alert.labels) }.map(\.key).min { $0.description < $1.description }
        return alert
    }

    /// Each service's figures from the answers; the 5xx ratio is errors over requests, and none
    /// when no request came. A value that is not a finite number is no figure.
    func figures(requests: [PrometheusSample], errors: [PrometheusSample], p95: [PrometheusSample]) -> [ServiceID: ServiceREDFigures] {
        func total(_ samples: [PrometheusSample], _ selector: SeriesSelector) -> Double? {
            let values = samples.filter { selector.matches($0.labels) && $0.value.isFinite }.map(\.value)
            return values.isEmpty ? nil : values.reduce(0, +)
        }
        var result: [ServiceID: ServiceREDFigures] = [:]
        for (service, selector) in selectors {
            let rate = total(requests, selector)
            let failing = total(errors, selector)
            let ratio = rate.flatMap { rate in rate > 0 ? min(1, (failing ?? 0) / rate) : nil }
            // Several instances of one service: the worst p95 is the one to show.
            let latency = p95.filter { selector.matches($0.labels) && $0.value.isFinite }.map(\.value).max()
            result[service] = ServiceREDFigures(requestsPerSecond: rate, errorRatio: ratio, p95Seconds: latency)
        }
        return result
    }
}
