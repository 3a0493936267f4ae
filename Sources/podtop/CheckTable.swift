import Foundation
import PodtopCore

/// `podtop check`'s table: pod, status, replicas ready/desired, restarts, then each service with
/// its class and latency. Colour only when asked (a terminal, no NO_COLOR); the words carry the
/// meaning either way.
enum CheckTable {
    static func render(_ report: CheckReport, quiet: Bool, colour: Bool, watching: Bool) -> String {
        var lines: [String] = []
        let version = report.runtime.version.map { " (\($0))" } ?? ""
        if !quiet || watching {
            lines.append("podtop check · \(report.runtime.kind) \(report.runtime.endpoint)\(version) · \(CheckReport.timestamp(report.checkedAt))")
        }
        if let insecure = report.runtime.insecure {
            lines.append(paint("INSECURE: \(insecure)", "degraded", colour))
        }
        if let error = report.runtime.error, !report.runtime.reachable {
            lines.append(paint("runtime unreachable: \(error)", "down", colour))
        }
        let rows = report.pods.flatMap { pod -> [[String]] in
            let podRow = [pod.name, paint(pod.status.uppercased(), pod.status, colour), "\(pod.replicas.ready)/\(pod.replicas.desired)",
                          "\(pod.restarts)", "", pod.status == "healthy" ? "" : pod.reason]
            let services = pod.services.filter { !quiet || $0.class != "up" }.map { serviceRow($0, colour) }
            if quiet && pod.status == "healthy" && services.isEmpty { return [] }
            return [podRow] + services
        }
        let infrastructure = report.infrastructure.filter { !quiet || $0.class != "up" }.map { serviceRow($0, colour) }
        if !rows.isEmpty || !infrastructure.isEmpty {
            var table = [["POD / SERVICE", "STATUS", "READY", "RESTARTS", "LATENCY", "WHY"]] + rows
            if !infrastructure.isEmpty { table += [["Infrastructure", "", "", "", "", ""]] + infrastructure }
            lines += align(table)
        }
        if !quiet || report.status != .healthy || watching {
            let cannotTell = report.status == .unknown ? " — cannot tell: a probe could not be made" : ""
            lines.append("overall: " + paint(report.status.rawValue.uppercased(), report.status.rawValue, colour) + cannotTell
                         + " (exit \(report.exitCode))")
        }
        return lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n"
    }

    private static func serviceRow(_ probe: CheckReport.Probe, _ colour: Bool) -> [String] {
        let latency = probe.latencyMs.map { String(format: "%.1f ms", $0) } ?? ""
        let detail = probe.class == "up" ? "" : probe.detail
        return ["  " + probe.name, paint(probe.class.uppercased(), probe.class, colour), "", "", latency, detail]
    }

    /// Columns padded to their widest cell; colour sequences do not count towards the width.
    private static func align(_ table: [[String]]) -> [String] {
        let widths = (0..<6).map { column in table.map { visibleWidth($0[column]) }.max() ?? 0 }
        return table.map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[column] - visibleWidth(cell) + 2)
            }.joined().replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }
    }

    private static func visibleWidth(_ text: String) -> Int {
        text.replacingOccurrences(of: "\u{1B}\\[[0-9;]*m", with: "", options: .regularExpression).count
    }

    private static func paint(_ text: String, _ state: String, _ colour: Bool) -> String {
        guard colour else { return text }
        let code = switch state {
        case "healthy", "up": "32"
        case "slow", "degraded", "updating": "33"
        case "unknown": "2"
        default: "31"
        }
        return "\u{1B}[\(code)m\(text)\u{1B}[0m"
    }
}
