import PodtopCore

/// Draws the whole dashboard for one state into a fresh canvas. Pure: the same state and size
/// always give the same cells, which is what the golden tests rely on.
public enum Screen {
    public static func render(_ state: DashboardState, width: Int, height: Int, options: RenderOptions = RenderOptions()) -> Canvas {
        var canvas = Canvas(width: width, height: height)
        let layout = Layout.compute(width: width, height: height, topology: state.topology)
        guard layout.kind != .tooSmall else {
            TooSmallView.draw(into: &canvas)
            if options.glyphs == .ascii { canvas.transliterateToASCII() }
            return canvas
        }
        if state.isWallboard {
            WallboardView.draw(state, options: options, into: &canvas)
            if options.glyphs == .ascii { canvas.transliterateToASCII() }
            return canvas
        }
        HeaderView.draw(state, in: layout.header, into: &canvas)
        if state.logView.isFullScreen {
            LogPaneView.draw(state, in: layout.fullScreenLogs, options: options, into: &canvas)
            finish(state, layout, options: options, into: &canvas)
            return canvas
        }
        for (index, pod) in state.topology.pods.enumerated() where index < layout.pods.count {
            let view = PodView(state: state, pod: pod, options: options)
            if layout.kind == .wide {
                view.drawBox(in: layout.pods[index], into: &canvas)
            } else {
                view.drawRows(in: layout.pods[index], into: &canvas)
            }
        }
        InfraView.draw(state, in: layout.infrastructure, options: options, into: &canvas)
        if case .disconnected = state.connection { greyOut(state, layout, into: &canvas) }
        LogPaneView.draw(state, in: layout.logs, options: options, into: &canvas)
        finish(state, layout, options: options, into: &canvas)
        return canvas
    }

    /// The status line, the footer and any dialog, over whichever body was drawn.
    private static func finish(_ state: DashboardState, _ layout: Layout, options: RenderOptions, into canvas: inout Canvas) {
        StatusLineView.draw(state, in: layout.status, into: &canvas)
        FooterView.draw(state, in: layout.footer, into: &canvas)
        if let modal = state.modal {
            DialogView.draw(modal, state: state, options: options, into: &canvas)
        }
        if options.glyphs == .ascii { canvas.transliterateToASCII() }
    }

    /// While the runtime is away the last data stays up, greyed, each panel saying how old it is.
    static func greyOut(_ state: DashboardState, _ layout: Layout, into canvas: inout Canvas) {
        let age = state.dataAge.map { "data \(Format.duration($0)) old" } ?? "no data"
        for rect in layout.pods + [layout.infrastructure] where rect.height > 0 {
            canvas.restyle(rect, role: .textDim)
        }
        for rect in layout.pods {
            let y = layout.kind == .wide ? rect.y + 1 : rect.y
            canvas.putRight(" \(age) ", rightEdge: rect.maxX - (layout.kind == .wide ? 2 : 1), y: y, role: .statusWarn)
        }
    }

    /// Rows the log pane shows for this state at this size, so paging moves by a screenful.
    public static func logRows(_ state: DashboardState, width: Int, height: Int) -> Int {
        let layout = Layout.compute(width: width, height: height, topology: state.topology)
        return max(1, (state.logView.isFullScreen ? layout.fullScreenLogs : layout.logs).height - 1)
    }
}

enum TooSmallView {
    static func draw(into canvas: inout Canvas) {
        let message = "terminal too small (need \(Layout.minimumWidth)×\(Layout.minimumHeight))"
        let size = "now \(canvas.width)×\(canvas.height)"
        let y = canvas.height / 2
        for (offset, line) in [message, size].enumerated() {
            let x = max(0, (canvas.width - DisplayWidth.of(line)) / 2)
            canvas.put(line, x: x, y: y + offset - (canvas.height > 1 ? 1 : 0), role: offset == 0 ? .statusWarn : .textDim)
        }
    }
}
