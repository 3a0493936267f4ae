import PodtopCore

/// Where each part of the dashboard goes for a given terminal size.
public struct Layout: Equatable, Sendable {
    public enum Kind: Equatable, Sendable {
        /// ≥ 160 columns with room: pods in boxes side by side.
        case wide
        /// From 60×15: pods stacked, one line per service.
        case standard
        case tooSmall
    }

    public static let minimumWidth = 60
    public static let minimumHeight = 15
    public static let wideWidth = 160

    public var kind: Kind
    public var header: Rect
    /// One rectangle per pod, in topology order.
    public var pods: [Rect]
    public var infrastructure: Rect
    public var logs: Rect
    public var status: Rect
    public var footer: Rect

    /// The log pane in full-screen mode: everything between the header and the status line.
    public var fullScreenLogs: Rect { Rect(x: 0, y: header.maxY, width: header.width, height: max(0, status.y - header.maxY)) }

    public static func compute(width: Int, height: Int, topology: Topology) -> Layout {
        let zero = Rect(x: 0, y: 0, width: 0, height: 0)
        guard width >= minimumWidth, height >= minimumHeight else {
            return Layout(kind: .tooSmall, header: zero, pods: [], infrastructure: zero, logs: zero, status: zero, footer: zero)
        }
        let header = Rect(x: 0, y: 0, width: width, height: 1)
        let footer = Rect(x: 0, y: height - 1, width: width, height: 1)
        let status = Rect(x: 0, y: height - 2, width: width, height: 1)
        let hasInfra = !topology.infrastructure.isEmpty
        let minimumLogRows = 4

        if width >= wideWidth, let wide = wideLayout(width: width, height: height, topology: topology, minimumLogRows: minimumLogRows) {
            return Layout(kind: .wide, header: header, pods: wide.pods, infrastructure: wide.infra, logs: wide.logs, status: status, footer: footer)
        }

        var y = 1
        var podRects: [Rect] = []
        for pod in topology.pods {
            let rows = 1 + pod.services.count
            podRects.append(Rect(x: 0, y: y, width: width, height: rows))
            y += rows
        }
        let infra = Rect(x: 0, y: y, width: width, height: hasInfra ? 1 : 0)
        y += infra.height
        // Whatever is left goes to the logs; when pods alone overflow, clipping keeps it safe.
        let logs = Rect(x: 0, y: y, width: width, height: max(0, status.y - y))
        return Layout(kind: .standard, header: header, pods: podRects, infrastructure: infra, logs: logs, status: status, footer: footer)
    }

    private static func wideLayout(
        width: Int, height: Int, topology: Topology, minimumLogRows: Int
    ) -> (pods: [Rect], infra: Rect, logs: Rect)? {
        let count = topology.pods.count
        guard count > 0 else { return nil }
        let perRow = min(count, 3)
        let rows = (count + perRow - 1) / perRow
        var rects: [Rect] = []
        var y = 1
        for row in 0..<rows {
            let members = topology.pods[(row * perRow)..<min(count, (row + 1) * perRow)]
            // Border, a summary line, one line per service, border.
            let boxHeight = 3 + (members.map(\.services.count).max() ?? 0)
            let boxWidth = width / perRow
            for (column, _) in members.enumerated() {
                let x = column * boxWidth
                let w = column == perRow - 1 ? width - x : boxWidth
                rects.append(Rect(x: x, y: y, width: w, height: boxHeight))
            }
            y += boxHeight
        }
        let infra = Rect(x: 0, y: y, width: width, height: topology.infrastructure.isEmpty ? 0 : 1)
        y += infra.height
        let logs = Rect(x: 0, y: y, width: width, height: height - 2 - y)
        guard logs.height >= minimumLogRows + 1 else { return nil }
        return (rects, infra, logs)
    }
}
