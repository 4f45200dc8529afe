// swift-tools-version:6.1
import PackageDescription

/// One settings list for every target: Swift 6 mode (strict concurrency) and no warning left standing.
let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .unsafeFlags(["-warnings-as-errors"]),
]

let package = Package(
    name: "vum-exchange",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "AMQPClient", targets: ["AMQPClient"]),
        .library(name: "VUMStandaard", targets: ["VUMStandaard"]),
        .library(name: "VUMExchange", targets: ["VUMExchange"]),
        .library(name: "VUMAdapter", targets: ["VUMAdapter"]),
        .library(name: "VUMAggregator", targets: ["VUMAggregator"]),
        .library(name: "VUMAudit", targets: ["VUMAudit"]),
        .executable(name: "amqp-example", targets: ["amqp-example"]),
        .executable(name: "vum", targets: ["vum"]),
        .executable(name: "vum-adapter", targets: ["vum-adapter"]),
        .executable(name: "vum-aggregator", targets: ["vum-aggregator"]),
        .executable(name: "vum-audit", targets: ["vum-audit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
    ],
    targets: [
        .systemLibrary(
            name: "CRabbitMQ",
            pkgConfig: "librabbitmq",
            providers: [.apt(["librabbitmq-dev"])]
        ),
        .systemLibrary(name: "CMalloc"),
        .target(
            name: "AMQPClient",
            dependencies: [
                "CRabbitMQ",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "VUMStandaard",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "VUMExchange",
            dependencies: ["VUMStandaard", "AMQPClient"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "VUMConfiguration",
            dependencies: [
                "AMQPClient", "VUMStandaard",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                // PostgresServer: the adapter's partner database and the aggregator's shared request store.
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "VUMAdapter",
            dependencies: [
                "VUMExchange", "VUMStandaard", "AMQPClient", "VUMConfiguration",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "VUMAggregator",
            dependencies: [
                "VUMExchange", "VUMStandaard", "AMQPClient", "VUMConfiguration", "CMalloc",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Metrics", package: "swift-metrics"),
                // The OIN in a REST client's certificate (mutual TLS).
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "VUMAudit",
            dependencies: [
                "VUMExchange", "VUMStandaard", "AMQPClient", "VUMConfiguration",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "VUMConformance",
            dependencies: [
                "VUMExchange", "VUMStandaard", "AMQPClient", .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "VUMDeploy",
            dependencies: [
                "VUMExchange", "VUMStandaard",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "VUMTesting",
            dependencies: ["AMQPClient", "VUMStandaard"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "amqp-example",
            dependencies: ["AMQPClient"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "vum",
            dependencies: [
                "VUMStandaard", "VUMAdapter", "VUMDeploy", "VUMExchange", "VUMConformance", "AMQPClient",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "vum-adapter",
            dependencies: [
                "VUMAdapter", "VUMExchange", "VUMStandaard", "AMQPClient", "VUMConfiguration",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "vum-aggregator",
            dependencies: [
                "VUMAggregator", "VUMConfiguration", "VUMStandaard", "AMQPClient",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "vum-audit",
            dependencies: [
                "VUMAudit", "VUMConfiguration", "VUMStandaard", "AMQPClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "amqp-benchmark",
            dependencies: ["AMQPClient"],
            path: "Benchmarks/amqp-benchmark",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "federation-benchmark",
            dependencies: [
                "VUMAggregator", "VUMAdapter", "VUMExchange", "VUMStandaard", "AMQPClient", "VUMConfiguration",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/federation-benchmark",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "vum-bench",
            dependencies: [
                "VUMExchange", "VUMStandaard", "AMQPClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            path: "Benchmarks/vum-bench",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "audit-benchmark",
            dependencies: ["VUMAudit", "VUMExchange", "AMQPClient", .product(name: "Logging", package: "swift-log")],
            path: "Benchmarks/audit-benchmark",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "store-benchmark",
            dependencies: ["VUMAdapter", "VUMStandaard"],
            path: "Benchmarks/store-benchmark",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AMQPClientTests",
            dependencies: ["AMQPClient"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "VUMStandaardTests",
            dependencies: ["VUMStandaard", "VUMTesting", "vum"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "VUMExchangeTests",
            dependencies: ["VUMExchange", "VUMStandaard", "AMQPClient", "VUMTesting"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "VUMAdapterTests",
            dependencies: [
                "VUMAdapter", "VUMStandaard", "VUMExchange", "VUMTesting",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "VUMAggregatorTests",
            dependencies: [
                "VUMAggregator", "VUMExchange", "VUMStandaard", "VUMConfiguration", "VUMTesting",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "VUMAuditTests",
            dependencies: [
                "VUMAudit", "VUMExchange", "VUMStandaard", "VUMTesting",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "VUMDeployTests",
            dependencies: [
                "VUMDeploy", "VUMAggregator", "VUMAdapter", "VUMAudit", "VUMExchange", "VUMStandaard",
                "VUMConfiguration", .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "AMQPClient", "VUMTesting", "VUMExchange", "VUMStandaard", "VUMAdapter", "vum-adapter", "VUMAggregator",
                "vum-aggregator", "VUMAudit", "vum-audit", "VUMConformance", "VUMDeploy",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
