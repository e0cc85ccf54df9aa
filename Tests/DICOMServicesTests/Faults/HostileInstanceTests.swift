import DICOMCore
import DICOMNetwork
import NIOCore
import TestSupport
import XCTest

@testable import DICOMServices

/// Data sets crafted against the storage SCP's header scan (Patient ID, Study/Series UID read from the
/// first 64 KiB): lengths of 0xFFFFFFFF, 10 000 nested items, garbage. The SCP stores the bytes as they came
/// (it is not a validator, like DCMTK's storescp), answers every C-STORE, and keeps serving.
final class HostileInstanceTests: XCTestCase {
    private func le16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8)] }
    private func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }

    func testHostileDataSetsAreAnsweredAndTheSCPKeepsServing() async throws {
        let folder = try makeTemporaryDirectory("hostile")
        defer { try? FileManager.default.removeItem(at: folder) }
        let scp = try await StorageSCPUnderTest.start(directory: folder.path)
        let sq = le16(0x0008) + le16(0x1115) + Array("SQ".utf8) + [0, 0] + le32(0xFFFF_FFFF)
        let item = le16(0xFFFE) + le16(0xE000) + le32(0xFFFF_FFFF)
        let deep = (0..<10_000).flatMap { _ in sq + item }
        let hugeText = le16(0x0010) + le16(0x0020) + Array("UT".utf8) + [0, 0] + le32(0xFFFF_FFFF) + Array("P1".utf8)
        let hugeShort = le16(0x0010) + le16(0x0010) + Array("PN".utf8) + le16(0xFFFF) + Array("AB".utf8)
        let itemHuge = sq + le16(0xFFFE) + le16(0xE000) + le32(0xFFFF_FFF0) + [1, 2, 3, 4]
        let garbage = (0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 9) }
        let sc = "1.2.840.10008.5.1.4.1.1.7"
        let association = try await DICOMAssociation.connect(
            host: "127.0.0.1", port: scp.port, callingAETitle: "HOSTILE", calledAETitle: StorageSCPUnderTest.aeTitle,
            contexts: [
                ProposedPresentationContext(
                    abstractSyntax: sc, transferSyntaxes: [TransferSyntaxUID.explicitVRLittleEndian])
            ])
        for (index, bytes) in [deep, hugeText, hugeShort, itemHuge, garbage].enumerated() {
            let response = try await association.store(
                sopClassUID: sc, sopInstanceUID: "1.2.3.\(index + 1)",
                dataSet: ByteBuffer(bytes: bytes))
            XCTAssertEqual(response.status, .success, "data set \(index)")
        }
        try await association.release()
        let stored = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".dcm") }
        XCTAssertEqual(stored.count, 5)
        await scp.stop()
    }
}
