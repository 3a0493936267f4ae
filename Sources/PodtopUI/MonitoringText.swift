import PodtopCore

/// A service's figures from the team's Prometheus, as its row and its details show them.
enum MonitoringText {
    /// "12.3 req/s  5xx 4.1%  p95 180ms"; every figure `n/a` while Prometheus cannot be read;
    /// nil when no Prometheus is configured.
    static func red(_ state: DashboardState, _ service: ServiceID) -> String? {
        guard let monitoring = state.monitoring else { return nil }
        guard monitoring.problem == nil else { return "n/a req/s  5xx n/a  p95 n/a" }
        let figures = monitoring.figures[service] ?? ServiceREDFigures()
        return "\(Format.requestRate(figures.requestsPerSecond))  5xx \(Format.percent(figures.errorRatio.map { $0 * 100 }))"
            + "  p95 \(Format.milliseconds(figures.p95Seconds.map { $0 * 1000 }))"
    }

    /// A share of 5xx answers worth a look (above 1 %), or figures podtop cannot read, are shown
    /// in the warning colour.
    static func role(_ state: DashboardState, _ service: ServiceID) -> StyleRole {
        guard let monitoring = state.monitoring else { return .textDim }
        if monitoring.problem != nil { return .statusWarn }
        return (monitoring.figures[service]?.errorRatio ?? 0) > 0.01 ? .statusWarn : .textDim
    }
}
