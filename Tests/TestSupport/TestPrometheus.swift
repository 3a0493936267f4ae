import Foundation

/// The Prometheus scripts/test starts on loopback (scripts/private-prometheus), scraping itself
/// every second; nil when the tests run without it.
public enum TestPrometheus {
    public static let url = ProcessInfo.processInfo.environment["PODTOP_TEST_PROMETHEUS"]
}
