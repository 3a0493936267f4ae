import CFuzzDriver
import Foundation

// `podtop-fuzz TARGET [libFuzzer flags] [corpus dirs or files]` runs libFuzzer on one decoder
// of outside bytes; `podtop-fuzz --list` names the targets. libFuzzer calls the first two
// functions below: the first once, with the command line, the second for every input. Built
// only with `PODTOP_FUZZ=1` (see `scripts/fuzz`).

/// The target chosen on the command line; set once, before the first input.
nonisolated(unsafe) private var chosen: FuzzTargets.Target?

/// Takes the target's name off the command line, so that libFuzzer reads only its own flags.
@_cdecl("LLVMFuzzerInitialize")
func fuzzerInitialize(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> Int32 {
    let arguments = (0..<Int(argc.pointee)).map { index in argv.pointee?[index].map { String(cString: $0) } ?? "" }
    let names = FuzzTargets.all.keys.sorted().joined(separator: " ")
    if arguments.count >= 2, arguments[1] == "--list" {
        print(names)
        exit(0)
    }
    guard arguments.count >= 2, let target = FuzzTargets.all[arguments[1]] else {
        FileHandle.standardError.write(Data("usage: podtop-fuzz TARGET [libFuzzer flags] [corpus…]\ntargets: \(names)\n".utf8))
        exit(2)
    }
    chosen = target
    // argv[1] becomes the program's name and libFuzzer starts reading there.
    argv.pointee![1] = argv.pointee![0]
    argv.pointee = argv.pointee! + 1
    argc.pointee -= 1
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    chosen?(UnsafeBufferPointer(start: data, count: size))
    return 0
}

/// The program's entry in debug builds, where SwiftPM links an executable's main under this
/// name; release builds start in libFuzzer's own main, which does the same.
@_cdecl("podtop_fuzz_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments) { data, size in fuzzerTestOneInput(data, size) }
}
