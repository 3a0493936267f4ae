import Foundation
import Testing
@testable import PodtopCore

@Suite(.timeLimit(.minutes(1))) struct ConfigFileTests {
    @Test func anEmptyFileKeepsTheDreamScapeDefaults() throws {
        let config = try ConfigFile.parse("", file: "c.yaml")
        #expect(config.topology == DreamScapeDefaults.topology)
        #expect(config.topology.pods.map(\.displayName) == ["Core", "Experience", "Commerce"])
        #expect(config.topology.pods[0].services.map(\.check) == [
            .http(url: "http://127.0.0.1/health"), .http(url: "http://127.0.0.1:3001/health"), .http(url: "http://127.0.0.1:3002/health"),
        ])
    }

    @Test func trueAndFalseAreReadInYAMLsWordsAndAnythingElseIsRefusedWithItsLine() throws {
        for (word, value) in [("true", true), ("yes", true), ("On", true), ("FALSE", false), ("no", false), ("off", false)] {
            #expect(try ConfigFile.parse("read_only: \(word)", file: "c.yaml").readOnly == value, "\(word)")
        }
        for word in ["\"true\"", "'no'", "1", "maybe", "~"] {
            do {
                _ = try ConfigFile.parse("refresh: 2\nread_only: \(word)", file: "c.yaml")
                Issue.record("read_only: \(word) was taken")
            } catch {
                #expect("\(error)".contains("c.yaml:2"), "\(error)")
                #expect("\(error)".contains("expected true or false"), "\(error)")
            }
        }
    }

    @Test func prometheusIsOffUnlessConfiguredAndReadWithItsCredentialsFiles() throws {
        #expect(try ConfigFile.parse("", file: "c.yaml").prometheus == nil)
        let text = """
            prometheus:
              url: https://prometheus.example.org/prom/
              alertmanager: http://127.0.0.1:9093
              basic_auth: { username: ops, password_file: /etc/podtop/password }
              ca_file: /etc/podtop/ca.pem
              interval: 30
            """
        var expected = PrometheusSettings(url: "https://prometheus.example.org/prom/", alertmanagerURL: "http://127.0.0.1:9093",
                                          credentials: .basicAuth(username: "ops", passwordFile: "/etc/podtop/password"),
                                          caFile: "/etc/podtop/ca.pem")
        expected.intervalSeconds = 30
        #expect(try ConfigFile.parse(text, file: "c.yaml").prometheus == expected)
        let token = try ConfigFile.parse("prometheus: { url: \"http://127.0.0.1:9090\", bearer_token_file: /run/token }", file: "c.yaml")
        #expect(token.prometheus?.credentials == .bearerTokenFile("/run/token"))
        #expect(token.prometheus?.intervalSeconds == 15)
    }

    @Test func aPrometheusSectionThatCannotWorkIsRefusedWithItsLine() {
        let cases: [(String, String)] = [
            ("prometheus:\n  alertmanager: http://127.0.0.1:9093", "prometheus needs a url"),
            ("prometheus:\n  url: 127.0.0.1:9090", "is not an http:// or https:// URL"),
            ("prometheus:\n  url: \"http://127.0.0.1:9090/?x=1\"", "give the base URL only"),
            ("prometheus:\n  url: http://127.0.0.1:9090\n  bearer_token_file: /t\n  basic_auth: { username: a, password_file: /p }",
             "not both"),
            ("prometheus:\n  url: http://127.0.0.1:9090\n  interval: 0", "out of range"),
            ("prometheus:\n  url: http://127.0.0.1:9090\n  token: abc", "unknown field"),
        ]
        for (text, problem) in cases {
            do {
                _ = try ConfigFile.parse(text, file: "c.yaml")
                Issue.record("taken: \(text)")
            } catch {
                #expect("\(error)".contains("c.yaml:"), "\(error)")
                #expect("\(error)".contains(problem), "\(error)")
            }
        }
    }

    @Test func onKubernetesServicesAreTheirServicesAndTCPIsReadiness() throws {
        let defaults = try ConfigFile.parse("", file: "c.yaml").topology
        #expect(defaults.pods[0].services.map(\.kubernetes) == [
            .service(name: "nginx-service", port: 80, path: "/health"), .service(name: "auth-service", port: 3001, path: "/health"),
            .service(name: "user-service", port: 3002, path: "/health"),
        ])
        #expect(defaults.infrastructure.map(\.kubernetes) == [.readiness(workload: "mongodb"), .readiness(workload: "redis")])
        let text = """
            pods:
              - id: core
                services:
                  - { name: auth, health: "http://127.0.0.1:3001/health", kubernetes: { service: auth-api, port: 8080 } }
                  - { name: user, health: "http://127.0.0.1:3002/status?deep=1" }
                  - { name: edge, health: "http://127.0.0.1/health", kubernetes: { url: "https://edge.example.org/health" } }
            infrastructure:
              - { name: mongodb, tcp: "127.0.0.1:27017", kubernetes: { tcp: "mongo.internal:27017" } }
              - { name: redis, tcp: "127.0.0.1:6379", kubernetes: { readiness: redis-master } }
            """
        let topology = try ConfigFile.parse(text, file: "c.yaml").topology
        #expect(topology.pods[0].services.map(\.kubernetes) == [
            .service(name: "auth-api", port: 8080, path: "/health"), .service(name: "user-service", port: 3002, path: "/status?deep=1"),
            .direct(.http(url: "https://edge.example.org/health")),
        ])
        #expect(topology.infrastructure.map(\.kubernetes) == [.direct(.tcp(host: "mongo.internal", port: 27017)), .readiness(workload: "redis-master")])
    }

    @Test func aKubernetesProbeGivenTwoWaysOrABadPathIsRefusedWithItsLine() {
        let twoWays = """
            infrastructure:
              - { name: redis, tcp: "127.0.0.1:6379", kubernetes: { readiness: redis, url: "http://x/health" } }
            """
        #expect(throws: FileProblem.self) { try ConfigFile.parse(twoWays, file: "c.yaml") }
        do {
            _ = try ConfigFile.parse("""
                pods:
                  - id: core
                    services:
                      - name: auth
                        health: "http://127.0.0.1:3001/health"
                        kubernetes: { path: "health" }
                """, file: "c.yaml")
            Issue.record("a path without / was taken")
        } catch {
            #expect("\(error)".contains("c.yaml:6"), "\(error)")
            #expect("\(error)".contains("a path starts with /"), "\(error)")
        }
    }

    @Test func readsPodsServicesSelectorsAndThresholds() throws {
        let text = """
            refresh: 2.5
            theme: light
            log_lines: 500
            pods:
              - id: core
                name: Core Pod
                match:
                  - labels: { com.docker.compose.service: core-pod }
                  - name: "*-core-*"
                replicas: { min: 1, max: 4 }
                services:
                  - { name: nginx, health: "http://127.0.0.1:8080/health", warn_ms: 50, critical_ms: 150 }
                  - { name: cache, tcp: "127.0.0.1:6380" }
            infrastructure: []
            """
        let config = try ConfigFile.parse(text, file: "c.yaml")
        #expect(config.refreshSeconds == 2.5)
        #expect(config.theme == "light")
        #expect(config.logLines == 500)
        let pod = try #require(config.topology.pods.first)
        #expect(pod.displayName == "Core Pod")
        #expect(pod.minReplicas == 1 && pod.maxReplicas == 4)
        #expect(pod.services[0].thresholds == LatencyThresholds(warnMs: 50, criticalMs: 150))
        #expect(pod.services[1].check == .tcp(host: "127.0.0.1", port: 6380))
        #expect(pod.selector.matches(name: "x", labels: ["com.docker.compose.service": "core-pod"]))
        #expect(pod.selector.matches(name: "dreamscape-core-1", labels: [:]))
        #expect(!pod.selector.matches(name: "dreamscape-commerce-1", labels: ["com.docker.compose.service": "commerce-pod"]))
        #expect(config.topology.infrastructure.isEmpty)
    }

    @Test(arguments: [
        ("pods:\n  - id: core\n    services:\n      - { name: a, health: ftp://x }\n", 4, "pods[0].services[0].health", "not an http"),
        ("refresh: fast\n", 1, "refresh", "expected a number"),
        ("pods:\n  - id: core\n    servces: []\n", 3, "pods[0].servces", "unknown field"),
        ("pods:\n  - id: core\n    replicas: { min: 5, max: 2 }\n    services: []\n", 3, "pods[0].replicas", "min 5 is above max 2"),
        ("pods: [\n", 2, nil, "invalid YAML"),
        ("infrastructure:\n  - { name: redis, tcp: \"localhost\" }\n", 2, "infrastructure[0].tcp", "not host:port"),
    ] as [(String, Int, String?, String)])
    func malformedFilesNameTheLineAndTheField(_ text: String, _ line: Int, _ field: String?, _ words: String) {
        #expect {
            _ = try ConfigFile.parse(text, file: "bad.yaml")
        } throws: { error in
            guard let problem = error as? FileProblem else { return false }
            return problem.file == "bad.yaml" && problem.line == line && problem.field == field
                && problem.problem.contains(words)
        }
    }

    @Test func aProblemReadsLikeACompilerMessage() {
        let problem = FileProblem(file: "config.yaml", line: 12, field: "pods[0].name", problem: "expected a single value")
        #expect(problem.description == "config.yaml:12: pods[0].name: expected a single value")
    }
}

@Suite(.timeLimit(.minutes(1))) struct ThemeFileTests {
    @Test func everyBundledThemeParsesAndNamesItself() throws {
        let names = try BundledThemes.files.map { try ThemeFile.parse($0.text, file: $0.name).name }
        #expect(names == BundledThemes.files.map(\.name))
        #expect(Set(names).isSuperset(of: ["default", "light", "high-contrast", "mono"]))
    }

    @Test func bundledThemesMatchTheFilesInThemesFolder() throws {
        let themesFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../themes").standardizedFileURL
        for file in BundledThemes.files {
            let onDisk = try String(contentsOf: themesFolder.appendingPathComponent("\(file.name).yaml"), encoding: .utf8)
            #expect(onDisk.trimmingCharacters(in: .newlines) == file.text.trimmingCharacters(in: .newlines),
                    "themes/\(file.name).yaml changed: run scripts/embed-themes")
        }
    }

    @Test func readsColoursInEveryNotation() throws {
        let theme = try ThemeFile.parse("""
            name: t
            roles:
              text: { fg: bright-blue, bg: default }
              title: { fg: 208, bold: true }
              status.ok: { fg: "#00ff00", underline: true }
            """, file: "t.yaml")
        #expect(theme.style(.text) == ThemeStyle(foreground: .indexed(12), background: .terminalDefault))
        #expect(theme.style(.title) == ThemeStyle(foreground: .indexed(208), bold: true))
        #expect(theme.style(.statusOK) == ThemeStyle(foreground: .rgb(0, 255, 0), underline: true))
        // A role the theme leaves out looks like text.
        #expect(theme.style(.border) == theme.style(.text))
    }

    @Test(arguments: [
        ("name: t\nroles:\n  text: { fg: purplish }\n", 3, "roles.text.fg", "is not a colour"),
        ("name: t\nroles:\n  txet: { fg: red }\n", 3, "roles.txet", "unknown role"),
        ("roles: {}\n", 1, nil, "needs a name"),
        ("name: t\nroles:\n  text: { fg: 300 }\n", 3, "roles.text.fg", "not in 0…255"),
    ] as [(String, Int, String?, String)])
    func invalidThemesNameTheProblem(_ text: String, _ line: Int, _ field: String?, _ words: String) {
        #expect {
            _ = try ThemeFile.parse(text, file: "mine.yaml")
        } throws: { error in
            guard let problem = error as? FileProblem else { return false }
            return problem.line == line && problem.field == field && problem.problem.contains(words)
        }
    }
}

@Suite(.timeLimit(.minutes(1))) struct ColorMappingTests {
    @Test func coloursFallBackToWhatTheTerminalHas() {
        #expect(ColorMapping.terminalColor(.rgb(0xd5, 0x5e, 0x00), available: 256) == 166)
        #expect(ColorMapping.terminalColor(.indexed(208), available: 256) == 208)
        #expect(ColorMapping.terminalColor(.indexed(208), available: 8) == 3)  // orange → yellow
        #expect(ColorMapping.terminalColor(.rgb(255, 0, 0), available: 8) == 1)
        // Direct colour (xterm-direct): truecolour as it is, indexed colours as their RGB value.
        let direct = ColorMapping.directColorCount
        #expect(ColorMapping.terminalColor(.rgb(0xd5, 0x5e, 0x00), available: direct) == 0xd55e00)
        #expect(ColorMapping.terminalColor(.indexed(208), available: direct) == 0xff8700)
        #expect(ColorMapping.terminalColor(.indexed(1), available: direct) == 1)
        #expect(ColorMapping.terminalColor(.indexed(12), available: 8) == 4)  // bright blue → blue
        #expect(ColorMapping.terminalColor(.terminalDefault, available: 8) == -1)
        #expect(ColorMapping.terminalColor(.indexed(2), available: 0) == nil)
    }
}

@Suite(.timeLimit(.minutes(1))) struct DisplayWidthTests {
    @Test func widthsFollowWcwidth() {
        #expect(DisplayWidth.of("abc") == 3)
        #expect(DisplayWidth.of("日本") == 4)
        #expect(DisplayWidth.of("e\u{301}") == 1)
        #expect(DisplayWidth.of("▁▂█●") == 4)
        #expect(DisplayWidth.of("🙂") == 2)
    }
}
