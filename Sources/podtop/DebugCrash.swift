#if DEBUG
import Foundation

/// Debug builds only, for the end-to-end test of the crash handler: with
/// `PODTOP_DEBUG_OVERFLOW_STACK=1`, podtop overflows its main thread's stack once the screen is
/// up. The handler must still restore the terminal, which it can only do on a stack of its own.
enum DebugCrash {
    static let overflowAsked = ProcessInfo.processInfo.environment["PODTOP_DEBUG_OVERFLOW_STACK"] == "1"

    static func overflowTheStackIfAsked() {
        guard overflowAsked else { return }
        _ = recurse(1)
    }

    @inline(never)
    private static func recurse(_ depth: Int) -> Int {
        var frame = [Int](repeating: depth, count: 4)
        return withUnsafeMutableBytes(of: &frame) { _ in depth < Int.max ? recurse(depth + 1) : 0 } + frame[0]
    }
}
#endif
