import Foundation

/// Where podtop reads the team's monitoring: `prometheus:` in the config file, or
/// `--prometheus URL` / `--alertmanager URL`. Off unless one of them is given.
public struct PrometheusSettings: Sendable, Equatable {
    /// Prometheus' base URL (`http://127.0.0.1:9090`, or with a path prefix behind a proxy).
    public var url: String
    /// Alertmanager's base URL, when alerts are read from it rather than from Prometheus.
    public var alertmanagerURL: String?
    public var credentials: Credentials?
    /// A PEM file of the certificate authorities to trust for https, instead of the system's.
    public var caFile: String?
    /// Seconds between two rounds of queries.
    public var intervalSeconds: Double = 15
    /// The job Prometheus scrapes the services under; a service's series are that job's at the
    /// service's port (`SeriesSelector.standard`).
    public var job = "dreamscape-services"
    /// Seconds of the range the rates are taken over (`rate(…[1m])`); at least four scrape
    /// intervals, or a rate reads low while its range fills.
    public var rateWindowSeconds = 60

    /// Secrets are kept in files and read when podtop connects, never written in the config.
    public enum Credentials: Sendable, Equatable {
        case bearerTokenFile(String)
        case basicAuth(username: String, passwordFile: String)
    }

    public init(url: String, alertmanagerURL: String? = nil, credentials: Credentials? = nil, caFile: String? = nil) {
        self.url = url
        self.alertmanagerURL = alertmanagerURL
        self.credentials = credentials
        self.caFile = caFile
    }

    /// Why `text` cannot be a Prometheus or Alertmanager base URL, or nil when it can: an
    /// http(s) URL with a host, and no query or fragment (podtop adds the API's path to it).
    public static func problem(withURL text: String) -> String? {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme) else {
            return "\(text) is not an http:// or https:// URL"
        }
        guard let host = url.host, !host.isEmpty else { return "\(text) names no host" }
        guard url.query == nil, url.fragment == nil else { return "\(text) has a query or fragment; give the base URL only" }
        return nil
    }
}
