import DICOMNetwork
import NIOCore
import TestSupport
import XCTest

@testable import DICOMServices

/// A peer that stops sending in the middle of an instance, or resets there, leaves no partial file
/// (RELIABILITY.md, "Storage"): the DIMSE time-out aborts the association and the depot file is removed.
final class StalledStoreTests: XCTestCase {
    private func beginStore(port: Int) throws -> FaultyPeer {
        let peer = try XCTUnwrap(FaultyPeer(port: port, timeout: 20))
        let sc = "1.2.840.10008.5.1.4.1.1.7"
        let rq = try AssociationRequestor.makeRequest(
            callingAETitle: "STALLER", calledAETitle: StorageSCPUnderTest.aeTitle,
            contexts: [
                ProposedPresentationContext(
                    abstractSyntax: sc, transferSyntaxes: [TransferSyntaxUID.explicitVRLittleEndian])
            ],
            maximumPDULength: 16384)
        peer.send(pdu(.associateRQ(rq)))
        XCTAssertEqual(peer.readPDU()?.type, 0x02, "A-ASSOCIATE-AC")
        let command = CStoreRQ(
            messageID: 1, affectedSOPClassUID: sc, affectedSOPInstanceUID: "1.2.3.99", priority: .medium)
        peer.send(
            pdu(
                .dataTF([
                    PresentationDataValue(
                        contextID: 1, isCommand: true, isLastFragment: true,
                        data: command.commandSet.encoded())
                ])))
        peer.send(
            pdu(
                .dataTF([
                    PresentationDataValue(
                        contextID: 1, isCommand: false, isLastFragment: false,
                        data: ByteBuffer(bytes: [UInt8](repeating: 0x20, count: 8000)))
                ])))
        return peer
    }

    private func pdu(_ value: PDU) -> [UInt8] {
        var buffer = ByteBuffer()
        buffer.writePDU(value)
        return Array(buffer.readableBytesView)
    }

    private func depotFiles(_ scp: StorageSCPUnderTest) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: scp.store.depotDirectory)) ?? []
    }

    private func waitUntil(_ condition: () -> Bool) async -> Bool {
        for _ in 0..<500 where !condition() { try? await Task.sleep(nanoseconds: 20_000_000) }
        return condition()
    }

    func testPeerSilentMidInstanceIsAbortedAndLeavesNoPartialFile() async throws {
        let folder = try makeTemporaryDirectory("stall")
        defer { try? FileManager.default.removeItem(at: folder) }
        let scp = try await StorageSCPUnderTest.start(directory: folder.path, dimseTimeout: .milliseconds(500))
        let peer = try beginStore(port: scp.port)
        let writing = await waitUntil { depotFiles(scp).count == 1 }
        XCTAssertTrue(writing, "the instance is being written in the depot")
        XCTAssertEqual(peer.readPDU()?.type, 0x07, "A-ABORT after the DIMSE time-out")
        XCTAssertTrue(peer.waitForClose())
        let cleaned = await waitUntil { depotFiles(scp).isEmpty }
        XCTAssertTrue(cleaned, "the partial file is removed")
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: folder.path), ["depot"], "no file in the folder")
        await scp.stop()
    }

    func testPeerResetMidInstanceLeavesNoPartialFile() async throws {
        let folder = try makeTemporaryDirectory("reset")
        defer { try? FileManager.default.removeItem(at: folder) }
        let scp = try await StorageSCPUnderTest.start(directory: folder.path)
        let peer = try beginStore(port: scp.port)
        let writing = await waitUntil { depotFiles(scp).count == 1 }
        XCTAssertTrue(writing)
        peer.reset()
        let cleaned = await waitUntil { depotFiles(scp).isEmpty }
        XCTAssertTrue(cleaned, "the partial file is removed")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), ["depot"])
        await scp.stop()
    }
}
