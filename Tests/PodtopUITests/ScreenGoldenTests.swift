import PodtopCore
import Testing
@testable import PodtopUI

@Suite(.timeLimit(.minutes(1))) struct ScreenGoldenTests {
    @Test(arguments: [(80, 24), (120, 40), (200, 50), (40, 12)])
    func demoDashboard(width: Int, height: Int) {
        let canvas = Screen.render(Fixtures.state(), width: width, height: height)
        GoldenFiles.check(canvas.text, named: "dashboard-\(width)x\(height).txt")
    }

    @Test func busyDashboardWithItsStyleRoles() {
        let canvas = Screen.render(Fixtures.busyState(), width: 120, height: 40)
        GoldenFiles.check(canvas.text, named: "busy-120x40.txt")
        GoldenFiles.check(canvas.roleLines().joined(separator: "\n") + "\n\nlegend:\n" + RoleLetters.legend,
                          named: "busy-120x40.roles.txt")
    }

    /// Every figure keeps its column at a thousand replicas, restarts in the tens of thousands,
    /// memory in TiB and PiB, and CPU past a hundred cores.
    @Test(arguments: [(80, 24), (120, 40), (200, 50)])
    func aFleetOfAThousand(width: Int, height: Int) {
        let state = Fixtures.fleetState()
        GoldenFiles.check(Screen.render(state, width: width, height: height).text, named: "fleet-\(width)x\(height).txt")
        var wallboard = state
        wallboard.isWallboard = true
        wallboard.readOnly = true
        GoldenFiles.check(Screen.render(wallboard, width: width, height: height).text, named: "fleet-wallboard-\(width)x\(height).txt")
    }

    @Test func asciiGlyphsAt80x24() {
        let canvas = Screen.render(Fixtures.state(), width: 80, height: 24, options: RenderOptions(glyphs: .ascii))
        GoldenFiles.check(canvas.text, named: "dashboard-80x24-ascii.txt")
        #expect(canvas.text.unicodeScalars.allSatisfy { $0.isASCII })
    }

    @Test func dialogsAndHelp() {
        var state = Fixtures.state()
        _ = state.handle(.key(.character("s")))
        _ = state.handle(.key(.character("+")))
        GoldenFiles.check(Screen.render(state, width: 80, height: 24).text, named: "scale-dialog-80x24.txt")
        _ = state.handle(.key(.escape))
        _ = state.handle(.key(.character("r")))
        GoldenFiles.check(Screen.render(state, width: 80, height: 24).text, named: "restart-confirm-80x24.txt")
        _ = state.handle(.key(.escape))
        _ = state.handle(.key(.character("?")))
        GoldenFiles.check(Screen.render(state, width: 120, height: 40).text, named: "help-120x40.txt")
    }
}

@Suite(.timeLimit(.minutes(1))) struct ScreenSafetyTests {
    /// No size may trap or draw outside the grid, including 1×1 and sizes around each threshold.
    @Test func everySizeRendersWithoutTrapping() {
        let state = Fixtures.busyState()
        for width in [0, 1, 2, 10, 39, 40, 59, 60, 61, 79, 80, 159, 160, 161, 300] {
            for height in [0, 1, 2, 5, 14, 15, 16, 23, 24, 30, 50, 100] {
                let canvas = Screen.render(state, width: width, height: height)
                #expect(canvas.cells.count == max(0, width) * max(0, height))
                #expect(canvas.textLines().allSatisfy { DisplayWidth.of($0) == width })
            }
        }
    }

    @Test func tooSmallSaysWhatItNeeds() {
        let text = Screen.render(Fixtures.state(), width: 59, height: 30).text
        #expect(text.contains("terminal too small (need 60×15)"))
        #expect(text.contains("now 59×30"))
    }

    @Test func wideCharactersNeverStraddleTheEdge() {
        var canvas = Canvas(width: 5, height: 1)
        canvas.put("ab日本", x: 0, y: 0, role: .text)
        #expect(canvas.text == "ab日 ")
        canvas.put("日本語", x: 0, y: 0, role: .text, limit: 3)
        #expect(canvas.text == "日   ")
    }
}

@Suite(.timeLimit(.minutes(1))) struct DisconnectedScreenTests {
    @Test func aLostRuntimeGreysThePanelsAndSaysHowOldTheDataIs() {
        var state = Fixtures.state()
        let lastData = state.now
        _ = state.handle(.runtime(.disconnected(reason: "cannot reach Docker at unix:///x.sock: connection refused", retryIn: .seconds(4))))
        _ = state.handle(.tick(lastData.addingTimeInterval(12)))
        let canvas = Screen.render(state, width: 120, height: 40)
        let text = canvas.text
        #expect(text.contains("DISCONNECTED — retrying in 0 s") || text.contains("DISCONNECTED — retrying in"))
        #expect(text.contains("data 12s old"))
        // Every cell of the Core row that is not the age label is dim.
        let coreRow = canvas.textLines().firstIndex { $0.contains("Core") }!
        #expect((0..<60).allSatisfy { canvas[$0, coreRow].role == .textDim })
    }
}

@Suite(.timeLimit(.minutes(1))) struct DetailAndGlyphGoldenTests {
    @Test func serviceAndPodDetails() {
        var state = Fixtures.busyState()  // the selection is Core's auth service
        _ = state.handle(.key(.enter))
        GoldenFiles.check(Screen.render(state, width: 120, height: 40).text, named: "detail-service-120x40.txt")
        _ = state.handle(.key(.escape))
        _ = state.handle(.key(.tab))
        _ = state.handle(.key(.enter))
        GoldenFiles.check(Screen.render(state, width: 120, height: 40).text, named: "detail-pod-120x40.txt")
    }

    @Test(arguments: [SparklineStyle.blocks, .braille, .ascii])
    func sparklineGlyphSets(style: SparklineStyle) {
        let options = RenderOptions(glyphs: style == .ascii ? .ascii : .unicode, sparklineStyle: style)
        let canvas = Screen.render(Fixtures.busyState(), width: 120, height: 40, options: options)
        GoldenFiles.check(canvas.textLines().prefix(13).joined(separator: "\n"), named: "sparklines-\(style.rawValue).txt")
    }
}
