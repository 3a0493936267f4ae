/// The `prometheus:` section:
///
/// ```yaml
/// prometheus:
///   url: http://127.0.0.1:9090
///   alertmanager: http://127.0.0.1:9093            # optional: alerts from it, not Prometheus
///   bearer_token_file: /etc/podtop/prometheus-token # or basic_auth: { username: ops, password_file: … }
///   ca_file: /etc/podtop/monitoring-ca.pem          # optional, for https
///   interval: 15                                    # seconds between rounds of queries
///   job: dreamscape-services                        # the services' scrape job
///   rate_window: 60                                 # seconds the rates are taken over
/// ```
extension ConfigFile {
    static func prometheus(_ node: YAMLReader.Located) throws(FileProblem) -> PrometheusSettings {
        let fields = try node.entries(allowed: ["url", "alertmanager", "bearer_token_file", "basic_auth", "ca_file", "interval", "job",
                                                    "rate_window"])
        guard let urlNode = fields["url"] else { throw node.fail("prometheus needs a url") }
        var settings = PrometheusSettings(url: try baseURL(urlNode))
        if let alertmanager = fields["alertmanager"] { settings.alertmanagerURL = try baseURL(alertmanager) }
        if let token = fields["bearer_token_file"] { settings.credentials = .bearerTokenFile(try path(token)) }
        if let basic = fields["basic_auth"] {
            guard settings.credentials == nil else { throw basic.fail("give bearer_token_file or basic_auth, not both") }
            let auth = try basic.entries(allowed: ["username", "password_file"])
            guard let username = try auth["username"]?.string(), !username.isEmpty else { throw basic.fail("basic_auth needs a username") }
            guard let passwordFile = auth["password_file"] else { throw basic.fail("basic_auth needs a password_file") }
            settings.credentials = .basicAuth(username: username, passwordFile: try path(passwordFile))
        }
        if let ca = fields["ca_file"] { settings.caFile = try path(ca) }
        if let interval = fields["interval"] { settings.intervalSeconds = try interval.double(in: 1...3600) }
        if let window = fields["rate_window"] { settings.rateWindowSeconds = try window.int(in: 2...86_400) }
        if let job = fields["job"] {
            settings.job = try job.string()
            guard !settings.job.isEmpty else { throw job.fail("expected the scrape job's name") }
        }
        return settings
    }

    private static func baseURL(_ node: YAMLReader.Located) throws(FileProblem) -> String {
        let text = try node.string()
        if let problem = PrometheusSettings.problem(withURL: text) { throw node.fail(problem) }
        return text
    }

    private static func path(_ node: YAMLReader.Located) throws(FileProblem) -> String {
        let text = try node.string()
        guard !text.isEmpty else { throw node.fail("expected a file's path") }
        return text
    }
}
