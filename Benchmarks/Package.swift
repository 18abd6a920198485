// swift-tools-version:6.1
// Benchmarks of the dagstack console against the Python reference. A separate package so the main
// build stays light; `dagstack-console` is a symlink to the repository root.
import PackageDescription

let package = Package(
    name: "dagstack-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [.package(path: "dagstack-console")],
    targets: [
        // Starting the console on a pseudo-terminal of its own, as a terminal emulator does.
        .target(name: "CBenchPTY", linkerSettings: [.linkedLibrary("util")]),
        .executableTarget(
            name: "dagstack-bench",
            dependencies: [
                "CBenchPTY",
                .product(name: "PluginSystem", package: "dagstack-console"),
                .product(name: "PluginHosts", package: "dagstack-console"),
                .product(name: "Inspector", package: "dagstack-console"),
                .product(name: "Console", package: "dagstack-console"),
            ]
        )
    ]
)
