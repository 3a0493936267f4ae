// swift-tools-version:6.0
import PackageDescription

// `PODTOP_FUZZ=1` (scripts/fuzz): the modules that read bytes from outside get libFuzzer's
// coverage and AddressSanitizer, and the fuzz driver joins the package.
let fuzzing = Context.environment["PODTOP_FUZZ"] == "1"
let fuzzedModule: [SwiftSetting] = fuzzing ? [.unsafeFlags(["-sanitize=fuzzer,address", "-enable-testing", "-cross-module-optimization"])] : []

let package = Package(
    name: "podtop",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "podtop", targets: ["podtop"]),
    ],
    dependencies: [
        // YAML for config and theme files; measured: ~30 s of a 2-core debug build together
        // with ArgumentParser.
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // HTTP over the Docker unix socket (http+unix://) on SwiftNIO, and later the health
        // probes and Kubernetes; the costliest dependency to build (see README).
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        // Already built for AsyncHTTPClient; named here because podtop imports NIO directly
        // (TCP connect probes, byte buffers).
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        // Also already built for AsyncHTTPClient; named for the Kubernetes API's TLS (a
        // kubeconfig's own CA, client certificates).
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    ],
    targets: [
        // The only C in the project: ncursesw with wide characters on, wrappers for the macros
        // Swift cannot import, and async-signal-safe terminal restoration.
        .target(
            name: "CNcursesw",
            cSettings: [
                .define("NCURSES_WIDECHAR", to: "1"),
                .define("_XOPEN_SOURCE_EXTENDED", to: "1"),
                .define("_DEFAULT_SOURCE"),
            ],
            linkerSettings: [.linkedLibrary("ncursesw"), .linkedLibrary("tinfo")]
        ),
        // Child processes without Foundation's Process: posix_spawn, pipes read as they fill,
        // exits watched through pidfd on a thread of their own, a time limit that ends in SIGKILL.
        .target(name: "PodtopProcess"),
        // Vocabulary and pure logic: topology, states, latency series, logs, config, themes.
        .target(name: "PodtopCore", dependencies: ["Yams"], swiftSettings: fuzzedModule),
        // The outside world behind small protocols; today the built-in demo cluster.
        .target(
            name: "PodtopRuntime",
            dependencies: [
                "PodtopCore", "PodtopProcess", "Yams",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: fuzzedModule
        ),
        // Canvas, widgets, layout, keymap, dashboard state and reducer. No I/O.
        .target(name: "PodtopUI", dependencies: ["PodtopCore"]),
        // The ncurses session: the one Swift module that imports CNcursesw.
        .target(name: "PodtopTerminal", dependencies: ["CNcursesw", "PodtopCore", "PodtopUI"]),
        .executableTarget(
            name: "podtop",
            dependencies: [
                "PodtopCore", "PodtopRuntime", "PodtopUI", "PodtopTerminal",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Micro-benchmarks (render a busy frame into the grid); run in release by scripts/bench.
        .executableTarget(name: "podtop-bench", dependencies: ["PodtopCore", "PodtopRuntime", "PodtopUI"]),
        .testTarget(name: "PodtopCoreTests", dependencies: ["PodtopCore", "TestSupport"]),
        // The test daemon, the test API server, ports, corpora and schemas the tests share.
        .target(name: "TestSupport", dependencies: ["PodtopProcess"], path: "Tests/TestSupport", exclude: ["Servers"]),
        .testTarget(name: "PodtopRuntimeTests", dependencies: ["PodtopRuntime", "PodtopProcess", "TestSupport"], exclude: ["DockerCaptures", "PrometheusCaptures", "Servers"]),
        .testTarget(
            name: "PodtopUITests",
            dependencies: ["PodtopUI", "PodtopRuntime"],
            resources: [.copy("Golden")]
        ),
        .testTarget(name: "EndToEndTests", dependencies: ["PodtopCore", "PodtopProcess", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)

if fuzzing {
    package.products.append(.executable(name: "podtop-fuzz", targets: ["podtop-fuzz"]))
    package.targets += [
        .target(name: "CFuzzDriver", path: "Fuzz/CFuzzDriver"),
        // lld: gold stops with an internal error on the instrumented objects.
        .executableTarget(
            name: "podtop-fuzz", dependencies: ["CFuzzDriver", "PodtopCore", "PodtopRuntime"], path: "Fuzz/Driver",
            swiftSettings: fuzzedModule, linkerSettings: [.unsafeFlags(["-sanitize=fuzzer,address", "-use-ld=lld"])]
        ),
    ]
}
