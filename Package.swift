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
        // Linux calls the Glibc module leaves out, as static inline wrappers: module map and header only.
        .systemLibrary(name: "CLinux"),
        // All behaviour; no dependency beyond the toolchain and CLinux, so fuzz/run can build it with swiftc.
        .target(name: "Core", dependencies: ["CLinux"]),
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
        // bench/run's "queue hand-over" rows: the waiting line measured by itself.
        .executableTarget(name: "queue-bench", dependencies: ["Core"], path: "bench/queue"),
    ]
)
