// swift-tools-version:6.1
// Benchmarks of VUMStandaard (decoding, evaluation, generation) with ordo-one/benchmark, which counts
// allocations through its malloc interposer. A package of its own so the project's build and CI do not
// build the benchmark framework. Run: scripts/bench-standaard.sh (or `swift package benchmark` here).
import Foundation
import PackageDescription

/// SwiftPM names a path dependency after its folder, which differs between clones.
let projectFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().lastPathComponent

let package = Package(
    name: "standaard-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: "../.."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "StandaardBenchmarks",
            dependencies: [
                .product(name: "VUMStandaard", package: projectFolder),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/StandaardBenchmarks",
            swiftSettings: [.swiftLanguageMode(.v6)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    ]
)
