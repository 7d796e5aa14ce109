// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "claude-fcgi",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "claude-fcgi", targets: ["FCGIWorker"]),
        .library(name: "Core", targets: ["Core"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // Debian's libfcgi-dev: module map and shim header only.
        .systemLibrary(
            name: "CFastCGI",
            pkgConfig: nil,
            providers: [.apt(["libfcgi-dev"])]
        ),
        // All behaviour; no dependency beyond the toolchain, so fuzz/run can build it with swiftc.
        .target(name: "Core"),
        .executableTarget(
            name: "FCGIWorker",
            dependencies: [
                "Core",
                "CFastCGI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "CoreTests", dependencies: ["Core"]),
    ]
)
