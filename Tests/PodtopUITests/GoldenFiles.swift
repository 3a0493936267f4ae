import Foundation
import Testing
import PodtopUI

/// Compares screens with checked-in text files. `PODTOP_UPDATE_GOLDEN=1 swift test` rewrites
/// them; review the diff before committing.
enum GoldenFiles {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    static func check(_ actual: String, named name: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let url = directory.appendingPathComponent(name)
        let text = actual + "\n"
        if ProcessInfo.processInfo.environment["PODTOP_UPDATE_GOLDEN"] == "1" {
            try? text.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
            Issue.record("missing golden file \(name); run with PODTOP_UPDATE_GOLDEN=1", sourceLocation: sourceLocation)
            return
        }
        guard expected != text else { return }
        let a = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let b = text.split(separator: "\n", omittingEmptySubsequences: false)
        var report = "\(name) differs:\n"
        for i in 0..<max(a.count, b.count) where (i < a.count ? a[i] : "") != (i < b.count ? b[i] : "") {
            report += "line \(i + 1)\n  expected: \(i < a.count ? a[i] : "<none>")\n  actual:   \(i < b.count ? b[i] : "<none>")\n"
        }
        Issue.record(Comment(rawValue: report), sourceLocation: sourceLocation)
    }
}
