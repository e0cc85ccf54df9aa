import DICOMCore
import Foundation
import TestSupport
import XCTest

@testable import DICOMServices

/// The default `StorScpDir` is created when first needed: a C-GET without a `directory` works out of the box
/// (issue 20), while a folder the script names must exist.
final class DefaultStorageFolderTests: XCTestCase {
    func testGetWithoutDirectoryCreatesTheDefaultStorScpDir() async throws {
        try XCTSkipUnless(dcmtkAvailable, "DCMTK is not installed")
        let peer = try QRTestPeer()
        defer { peer.stop() }
        let configuration = try QRTestConfiguration.make(peer: peer)
        let folder = configuration.storageDirectory
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.path), "a fresh install has no StorScpDir yet")
        let outcome = try await RetrieveService.get(
            keys: RetrieveKeys(studyInstanceUID: peer.instances[3].studyUID), model: .studyRoot,
            level: .study, queryAE: "remote_qr", directory: nil, configuration: configuration)
        XCTAssertTrue(outcome.succeeded, outcome.message ?? "")
        XCTAssertEqual(outcome.count, 2)
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0 != "depot" }
        XCTAssertEqual(names.count, 2, "\(names)")
    }
}
