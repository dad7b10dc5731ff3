// swift-tools-version:6.0
// The Cloud Connector: keeps a Mindscape Local-Core device connected to a compatible cloud over one
// WebSocket, with every outbound report kept in a durable SQLite outbox until the cloud acks it.
import PackageDescription

let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "cloud-connector",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "cloud-connector", targets: ["CloudConnectorCLI"]),
        .executable(name: "connector-bench", targets: ["ConnectorBench"]),
        .executable(name: "reference-cloud", targets: ["ReferenceCloudCLI"]),
        .library(name: "OutboxStore", targets: ["OutboxStore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.5.0"),
        // Already built for swift-service-lifecycle (through swift-async-algorithms); we use its Deque.
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.1.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
    ],
    targets: [
        // System libraries, installed by tools/setup from Debian's -dev packages.
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CLZ4", pkgConfig: "liblz4", providers: [.apt(["liblz4-dev"])]),
        .systemLibrary(
            name: "CWebSockets", pkgConfig: "libwebsockets", providers: [.apt(["libwebsockets-dev"])]),

        // Pure code: the wire protocol's JSON, envelope and payload rules, time, redaction.
        // No I/O, so it can be fuzzed and tested without sockets, clocks or disk.
        .target(
            name: "ConnectorCore", dependencies: [.product(name: "DequeModule", package: "swift-collections")],
            swiftSettings: strictSettings),

        // Thin Swift wrappers over the C libraries.
        .target(name: "SQLiteDB", dependencies: ["CSQLite"], swiftSettings: strictSettings),
        .target(name: "LZ4Codec", dependencies: ["CLZ4"], swiftSettings: strictSettings),

        // The only code that touches libwebsockets' C API: one service thread per event loop,
        // WebSocket client and server, HTTP client and server. Its tests run under ThreadSanitizer.
        .target(
            name: "WebSocketTransport",
            dependencies: [
                "CWebSockets", .product(name: "Logging", package: "swift-log"),
                .product(name: "DequeModule", package: "swift-collections"),
            ],
            swiftSettings: strictSettings
        ),

        // The event log: outbox, group-commit writer, projections, retention, exports.
        .target(
            name: "OutboxStore",
            dependencies: [
                "ConnectorCore", "SQLiteDB", "LZ4Codec",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings,
            plugins: ["EmbedMigrations"]
        ),

        // The seed's CloudConnector: configuration, identity, data-directory ownership, and the link
        // service that drives the pure state machines (ConnectorCore/Link) over WebSocketTransport.
        .target(
            name: "CloudConnector",
            dependencies: [
                "ConnectorCore", "OutboxStore", "WebSocketTransport", "Executors",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),

        .executableTarget(
            name: "CloudConnectorCLI",
            dependencies: [
                "ConnectorCore", "OutboxStore", "CloudConnector", "LZ4Codec", "LocalAPI", "Executors", "Conformance",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            // Debug builds honour the delivery faults the torture runs' negative controls switch on
            // (TestFaults.swift); the release build that ships never does.
            swiftSettings: strictSettings + [.define("CLOUD_CONNECTOR_TEST_FAULTS", .when(configuration: .debug))]
        ),
        // The work the cloud sends, behind one protocol: command handlers in <data>/handlers (a child
        // process per execution, in its own process group) and an HTTP executor for a local API.
        .target(
            name: "Executors",
            dependencies: ["ConnectorCore", "WebSocketTransport", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strictSettings
        ),
        // The local API for Local-Core on the device: append events/usage/replies, status, health,
        // Prometheus metrics; a local bearer token guards writes.
        .target(
            name: "LocalAPI",
            dependencies: [
                "ConnectorCore", "OutboxStore", "WebSocketTransport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            exclude: ["AGENT_PROTOCOL.md"],
            swiftSettings: strictSettings
        ),
        // The conformance kit (`cloud-connector conformance`): plays the device side of PROTOCOL.md
        // against any cloud and judges the cloud-side rules, each check as a device of its own.
        .target(
            name: "Conformance",
            dependencies: [
                "ConnectorCore", "CloudConnector", "WebSocketTransport", .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // The cloud side of PROTOCOL.md, for tests, demos and other teams: token endpoint, handshake,
        // acks after a durable store, dedupe (R6), an admin endpoint, and fault modes.
        .target(
            name: "ReferenceCloud",
            dependencies: [
                "ConnectorCore", "SQLiteDB", "WebSocketTransport",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "ReferenceCloudCLI",
            dependencies: [
                "ReferenceCloud", "WebSocketTransport", .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),

        // A TCP proxy on 127.0.0.1 that cuts, stalls, slows or half-opens connections on a schedule:
        // for link tests, tools/soak and the benchmarks.
        .target(name: "FaultProxy", dependencies: ["ConnectorCore"], swiftSettings: strictSettings),

        // Realistic, seeded PROTOCOL §4 traffic for tests, benchmarks, the crash harness and
        // dictionary training.
        .target(name: "TrafficGenerator", dependencies: ["ConnectorCore", "OutboxStore"], swiftSettings: strictSettings),
        .executableTarget(
            name: "ConnectorBench",
            dependencies: [
                "ConnectorCore", "OutboxStore", "SQLiteDB", "LZ4Codec", "CSQLite", "TrafficGenerator", "CloudConnector",
                "ReferenceCloud", "WebSocketTransport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        // A child process for the crash-safety tests: appends from several producers and reports
        // each append that returned, until it is SIGKILLed.
        .executableTarget(
            name: "CrashHarness",
            dependencies: ["ConnectorCore", "OutboxStore", "TrafficGenerator"],
            swiftSettings: strictSettings
        ),

        // The end-to-end torture runs (tools/crash-loop, tools/chaos): the real `cloud-connector run`
        // and `reference-cloud serve` as child processes, SIGKILLed or linked through the fault proxy
        // under load, with every delivery property checked from both stores.
        .executableTarget(
            name: "LinkTorture",
            dependencies: [
                "ConnectorCore", "OutboxStore", "FaultProxy", "WebSocketTransport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),

        // Trains the payload compression dictionary (tools/train-dictionary); its output is committed.
        .executableTarget(
            name: "DictionaryTrainer", dependencies: ["ConnectorCore", "LZ4Codec", "OutboxStore", "TrafficGenerator"],
            swiftSettings: strictSettings),

        // Embeds Migrations/*.sql into the binary at build time.
        .executableTarget(name: "MigrationEmbedder", swiftSettings: strictSettings),
        .plugin(
            name: "EmbedMigrations", capability: .buildTool(), dependencies: ["MigrationEmbedder"]),

        // The libFuzzer target over the inbound frame decoder and request validation (tools/fuzz);
        // its body is a library so the corpus regression test runs the same code without libFuzzer.
        .target(name: "FuzzBodies", dependencies: ["ConnectorCore"], swiftSettings: strictSettings),
        .executableTarget(
            name: "FrameFuzzer", dependencies: ["FuzzBodies"],
            swiftSettings: strictSettings),

        .testTarget(name: "ConnectorCoreTests", dependencies: ["ConnectorCore"]),
        .testTarget(name: "FuzzCorpusTests", dependencies: ["FuzzBodies", "ConnectorCore"]),
        .testTarget(name: "SQLiteDBTests", dependencies: ["SQLiteDB", "CSQLite"]),
        .testTarget(name: "LZ4CodecTests", dependencies: ["LZ4Codec", "ConnectorCore"]),
        // Tests only: throwaway certificates, listeners and a byte-by-byte HTTP server, and a log
        // capture, shared by the socket suites.
        .target(
            name: "SocketTestSupport", dependencies: [.product(name: "Logging", package: "swift-log")],
            swiftSettings: strictSettings),
        .testTarget(name: "WebSocketTransportTests", dependencies: ["WebSocketTransport", "SocketTestSupport"]),
        .testTarget(name: "FaultProxyTests", dependencies: ["FaultProxy"]),
        .testTarget(name: "ExecutorsTests", dependencies: ["Executors", "ConnectorCore", "SocketTestSupport", "WebSocketTransport"]),
        .testTarget(
            name: "LocalAPITests",
            dependencies: ["LocalAPI", "OutboxStore", "ConnectorCore", "SocketTestSupport", "WebSocketTransport", "TrafficGenerator",
                           .product(name: "Metrics", package: "swift-metrics"),
                           .product(name: "Logging", package: "swift-log"),
                           .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")]),
        .testTarget(
            name: "ReferenceCloudTests",
            dependencies: ["ReferenceCloud", "WebSocketTransport", "ConnectorCore", "SQLiteDB"]
        ),
        .testTarget(
            name: "OutboxStoreTests",
            dependencies: ["OutboxStore", "ConnectorCore", "SQLiteDB", "LZ4Codec", "CrashHarness", "TrafficGenerator"]
        ),
        // The link end to end over loopback: the connector service against the reference cloud (and a
        // Python one), through the fault proxy; SIGKILL and SIGTERM of the real binary.
        .testTarget(
            name: "LinkTests",
            dependencies: [
                "CloudConnector", "CloudConnectorCLI", "Conformance", "ConnectorCore", "Executors", "FaultProxy", "LocalAPI", "OutboxStore",
                "ReferenceCloud", "SQLiteDB", "SocketTestSupport", "TrafficGenerator", "WebSocketTransport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The kit against the reference cloud, healthy and in each broken mode, in process and
        // through the real `cloud-connector conformance`.
        .testTarget(
            name: "ConformanceTests",
            dependencies: [
                "Conformance", "CloudConnector", "CloudConnectorCLI", "ConnectorCore", "ReferenceCloud", "SocketTestSupport",
                "WebSocketTransport", .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "CloudConnectorTests",
            dependencies: [
                "CloudConnector", "OutboxStore", "ConnectorCore", "CloudConnectorCLI", "Executors", "SQLiteDB",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
