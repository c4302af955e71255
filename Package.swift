// swift-tools-version:6.0
import PackageDescription

// Module map (data flows one way: files → plan → run (events) → analysis → reports):
//   PGDrillModel     drill and cluster files: typed values, YAML loading with file:line:column errors
//   PGDrillSSH       remote execution over libssh2 (host keys checked against known_hosts)
//   PGDrillPostgres  libpq connections and the write probe
//   PGDrillCore      recorded events, analysis (metrics) and reports: pure functions, no I/O to the cluster
//   PGDrillEngine    discovery, faults, cluster monitor, the run loop and its journal
//   pgdrill          the thin command-line front end
let package = Package(
    name: "pgdrill",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "pgdrill", targets: ["pgdrill"]),
        .library(name: "PGDrillEngine", targets: ["PGDrillEngine"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    ],
    targets: [
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CLibSSH2", pkgConfig: "libssh2", providers: [.apt(["libssh2-1-dev"])]),
        .systemLibrary(name: "CLibCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .target(name: "PGDrillModel", dependencies: [.product(name: "Yams", package: "Yams")]),
        // The probe's record (attempts, the run clock, write keys): what PGDrillPostgres produces and PGDrillCore
        // analyses, so the database layer does not depend on the analysis.
        .target(name: "PGDrillProbeRecord"),
        .target(name: "PGDrillCore", dependencies: ["PGDrillModel", "PGDrillProbeRecord"]),
        .target(name: "PGDrillSSH", dependencies: ["CLibSSH2", .product(name: "Logging", package: "swift-log")]),
        .target(name: "PGDrillPostgres", dependencies: ["CLibPQ", "PGDrillProbeRecord", .product(name: "Logging", package: "swift-log")]),
        .target(
            name: "PGDrillEngine",
            dependencies: [
                "PGDrillModel", "PGDrillCore", "PGDrillSSH", "PGDrillPostgres", "CLibCurl",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "pgdrill",
            dependencies: [
                "PGDrillEngine",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "pgdrill-bench",
            dependencies: [
                "PGDrillModel", "PGDrillCore", "PGDrillPostgres", "PGDrillSSH", "PGDrillEngine",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/pgdrill-bench"
        ),
        .testTarget(name: "PGDrillModelTests", dependencies: ["PGDrillModel"], exclude: ["Corpus"], resources: [.copy("Fixtures")]),
        .testTarget(name: "PGDrillCoreTests", dependencies: ["PGDrillCore"]),
        .testTarget(name: "PGDrillSSHTests", dependencies: ["PGDrillSSH"]),
        .testTarget(name: "PGDrillPostgresTests", dependencies: ["PGDrillPostgres", "PGDrillProbeRecord"]),
        .testTarget(name: "PGDrillEngineTests", dependencies: ["PGDrillEngine"]),
        .testTarget(name: "IntegrationTests", dependencies: ["PGDrillEngine"]),
    ]
)
