// swift-tools-version:6.0
// libFuzzer targets for dicomlua's decoders (issue 9). Not part of the main package: build and run them with
// `scripts/fuzz TARGET SECONDS` (which passes `-sanitize=fuzzer,address`), never with a plain `swift build`.
import PackageDescription

let package = Package(
    name: "dicomlua-fuzz",
    dependencies: [
        // scripts/fuzz links .build-fuzz/dicomlua to the repository root, so the identity is "dicomlua" whatever
        // the checkout folder is called (a folder named like this one, "fuzz", would collide).
        .package(path: "../.build-fuzz/dicomlua"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.81.0"),
    ],
    targets: [
        // Declares libFuzzer's LLVMFuzzerRunDriver, the entry each target's main calls.
        .target(name: "FuzzerDriver", path: "FuzzerDriver"),
        .executableTarget(
            name: "FuzzPDU",
            dependencies: [
                "FuzzerDriver",
                .product(name: "DICOMNetwork", package: "dicomlua"),
                .product(name: "NIOCore", package: "swift-nio"),
            ], path: "PDU"),
        .executableTarget(
            name: "FuzzDIMSE",
            dependencies: [
                "FuzzerDriver",
                .product(name: "DICOMNetwork", package: "dicomlua"),
                .product(name: "NIOCore", package: "swift-nio"),
            ], path: "DIMSE"),
        .executableTarget(
            name: "FuzzDataSet",
            dependencies: [
                "FuzzerDriver",
                .product(name: "DICOMCore", package: "dicomlua"),
            ], path: "DataSet"),
    ],
    swiftLanguageModes: [.v5]
)
