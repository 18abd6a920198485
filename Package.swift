// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "dagstack-console",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "PluginSystem", targets: ["PluginSystem"]),
        .library(name: "PluginHosts", targets: ["PluginHosts"]),
        .library(name: "Inspector", targets: ["Inspector"]),
        .library(name: "Console", targets: ["Console"]),
    ],
    dependencies: [
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
    ],
    targets: [
        .target(
            name: "PluginSystem",
            dependencies: [
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "OrderedCollections", package: "swift-collections"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        .target(name: "CProcess"),
        // HTTP for mcp_http plugins: libcurl (TLS with the system trust store or a CA bundle, kept-alive connections).
        .target(name: "CHTTP", linkerSettings: [.linkedLibrary("curl")]),
        .systemLibrary(name: "CLibEdit", pkgConfig: "libedit", providers: [.apt(["libedit-dev"])]),
        .target(name: "EditLineShim", dependencies: ["CLibEdit"]),
        .target(
            name: "PluginHosts",
            dependencies: [
                "PluginSystem", "CProcess", "CHTTP", .product(name: "OrderedCollections", package: "swift-collections"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            // The Python and Node hosts' sources, embedded in the binary (see PythonHostSource.swift
            // and NodeHostSource.swift).
            resources: [.embedInCode("Python/host"), .embedInCode("Node/host")]
        ),
        .target(
            name: "Inspector",
            dependencies: ["PluginSystem", .product(name: "OrderedCollections", package: "swift-collections")]
        ),
        .target(
            name: "Console",
            dependencies: [
                "PluginSystem", "PluginHosts", "Inspector", "EditLineShim", "CLibEdit", "CProcess",
                .product(name: "OrderedCollections", package: "swift-collections"),
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        .executableTarget(
            name: "dagstack-console",
            dependencies: [
                "Console", "PluginHosts", "PluginSystem", .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "OrderedCollections", package: "swift-collections"),
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        .target(name: "TestSupport", dependencies: ["PluginHosts", "PluginSystem"], path: "Tests/TestSupport"),
        .target(name: "CTestPTY", path: "Tests/CTestPTY"),
        .testTarget(
            name: "PluginSystemTests",
            dependencies: ["PluginSystem", "TestSupport"]
        ),
        .testTarget(
            name: "PluginHostsTests",
            dependencies: ["PluginHosts", "PluginSystem", "Inspector", "TestSupport"]
        ),
        .testTarget(
            name: "RobustnessTests",
            dependencies: ["Console", "Inspector", "PluginHosts", "PluginSystem", "TestSupport"]
        ),
        .testTarget(
            name: "InspectorTests",
            dependencies: ["Inspector", "PluginSystem"]
        ),
        .testTarget(
            name: "ConsoleTests",
            dependencies: ["Console", "Inspector", "PluginSystem", "TestSupport", "CTestPTY", "dagstack-console"]
        ),
    ]
)
