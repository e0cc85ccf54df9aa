// swift-tools-version:6.0
// dicomlua: DICOM query/retrieve automation from Lua 5.4 scripts. Layers: see docs/design.md.
import PackageDescription

let package = Package(
    name: "dicomlua",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "dicomlua", targets: ["dicomlua"]),
        .library(name: "DICOMCore", targets: ["DICOMCore"]),
        .library(name: "DICOMNetwork", targets: ["DICOMNetwork"]),
        .library(name: "DICOMServices", targets: ["DICOMServices"]),
        .library(name: "DICOMDeidentify", targets: ["DICOMDeidentify"]),
        .library(name: "DICOMCampaign", targets: ["DICOMCampaign"]),
        .library(name: "LuaBridge", targets: ["LuaBridge"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.81.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
    ],
    targets: [
        // System libraries (Debian: liblua5.4-dev, zlib1g-dev, libedit-dev).
        .systemLibrary(name: "CLua", pkgConfig: "lua5.4", providers: [.apt(["liblua5.4-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // Line editing and history for `dicomlua -i` (Debian: libedit-dev), as lua.c's LUA_USE_READLINE.
        .systemLibrary(name: "CEdit", pkgConfig: "libedit", providers: [.apt(["libedit-dev"])]),
        // C shim: inline wrappers for Lua macros and the one place that raises Lua errors.
        .target(name: "CLuaShim", dependencies: ["CLua"]),
        // C shim: the Linux calls glibc declares only under _GNU_SOURCE (preadv2 with RWF_NOWAIT).
        .target(name: "CPosixShim"),

        .target(name: "LuaBridge", dependencies: ["CLua", "CLuaShim"]),
        .target(
            name: "DICOMCore",
            dependencies: ["CZlib", .product(name: "Logging", package: "swift-log")]),
        .target(
            name: "DICOMNetwork",
            dependencies: [
                "CPosixShim",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
            ]),
        .target(
            name: "DICOMServices",
            dependencies: [
                "DICOMCore", "DICOMNetwork", "DICOMDeidentify",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        // PS3.15 Annex E de-identification: profile engine, streaming file rewrite, SQLite map (GRDB).
        .target(
            name: "DICOMDeidentify",
            dependencies: [
                "DICOMCore", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        // Bulk retrieval with a SQLite journal (GRDB): kept apart so that DICOMServices does not carry SQLite.
        .target(
            name: "DICOMCampaign",
            dependencies: [
                "DICOMCore", "DICOMNetwork", "DICOMServices", "DICOMDeidentify",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]),
        .target(
            name: "DICOMScripting",
            dependencies: [
                "LuaBridge", "DICOMCore", "DICOMServices", "DICOMDeidentify", "DICOMCampaign",
            ]),
        .executableTarget(
            name: "dicomlua",
            dependencies: [
                "DICOMScripting", "DICOMServices", "DICOMDeidentify", "DICOMCampaign", "DICOMNetwork", "DICOMCore",
                "LuaBridge", "CEdit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),

        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "LuaBridgeTests", dependencies: ["LuaBridge", "TestSupport"]),
        .testTarget(name: "DICOMCoreTests", dependencies: ["TestSupport", "DICOMCore"]),
        .testTarget(
            name: "DICOMNetworkTests",
            dependencies: [
                "DICOMNetwork", "DICOMCore", "TestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOTestUtils", package: "swift-nio"),
            ]),
        .testTarget(
            name: "DICOMServicesTests",
            dependencies: [
                "TestSupport", "DICOMServices", "DICOMNetwork", "DICOMCore", "DICOMDeidentify",
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        .testTarget(name: "DICOMDeidentifyTests", dependencies: ["TestSupport", "DICOMDeidentify", "DICOMCore"]),
        .testTarget(
            name: "DICOMCampaignTests",
            dependencies: ["TestSupport", "DICOMCampaign", "DICOMServices", "DICOMNetwork", "DICOMCore"]),
        // The tests also play the archive (DICOMNetwork's acceptor) that a script talks to.
        .testTarget(
            name: "DICOMScriptingTests", dependencies: ["TestSupport", "DICOMScripting", "DICOMNetwork", "LuaBridge"]),
        .testTarget(name: "dicomluaTests", dependencies: ["TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
