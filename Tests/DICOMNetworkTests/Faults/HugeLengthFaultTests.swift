import NIOCore
import TestSupport
import XCTest

@testable import DICOMNetwork

/// Lengths of 0xFFFFFFFF from the network are refused before anything is allocated by them
/// (RELIABILITY.md, "Hostile lengths"). Before association: `LoopbackAssociationTests.testHugePDULengthIsAnsweredWithAbort26`.
final class HugeLengthFaultTests: XCTestCase {
    /// A P-DATA-TF announcing 4 GiB on an established association: A-ABORT 2/6 (invalid PDU parameter
    /// value), close; the server serves the next association.
    func testPDataLengthFFFFFFFFOnAnAssociationIsAborted26() async throws {
        let server = try await startStreamingServer(sinks: SinkFactory())
        let peer = try XCTUnwrap(FaultyPeer(port: server.port))
        XCTAssertTrue(try FaultWire.establish(peer))
        peer.send(hex("04 00 FFFFFFFF 0000FFFF 03 02") + [UInt8](repeating: 0, count: 64))
        let abort = peer.readPDU()
        XCTAssertEqual(abort?.type, 0x07)
        XCTAssertEqual(abort?.body, [0x00, 0x00, 0x02, 0x06])
        XCTAssertTrue(peer.waitForClose())
        let served = await echoSucceeds(port: server.port)
        XCTAssertTrue(served)
        await server.shutdown(gracePeriod: .seconds(5))
    }

    /// A PDV item length of 0xFFFFFFFF inside a small P-DATA-TF: A-ABORT, close.
    func testPDVItemLengthFFFFFFFFIsAborted() async throws {
        let server = try await startStreamingServer(sinks: SinkFactory())
        let peer = try XCTUnwrap(FaultyPeer(port: server.port))
        XCTAssertTrue(try FaultWire.establish(peer))
        peer.send(pdu(0x04, hex("FFFFFFFF 03 03") + [UInt8](repeating: 0, count: 32)))
        XCTAssertEqual(peer.readPDU()?.type, 0x07)
        XCTAssertTrue(peer.waitForClose())
        await server.shutdown(gracePeriod: .seconds(5))
    }

    /// A command set whose element declares 0xFFFFFFFF bytes: the association is aborted (the command
    /// cannot be decoded), the server survives.
    func testCommandElementLengthFFFFFFFFIsAborted() async throws {
        let server = try await startStreamingServer(sinks: SinkFactory())
        let peer = try XCTUnwrap(FaultyPeer(port: server.port))
        XCTAssertTrue(try FaultWire.establish(peer))
        // (0000,0000) UL 4 = 18, then (0000,0002) with length 0xFFFFFFFF and 10 bytes.
        let command = hex("00000000 04000000 12000000") + hex("00000200 FFFFFFFF") + ascii("1.2.840.10")
        peer.send(FaultWire.pData(contextID: 1, isCommand: true, isLast: true, command))
        XCTAssertEqual(peer.readPDU()?.type, 0x07, "A-ABORT")
        XCTAssertTrue(peer.waitForClose())
        let served = await echoSucceeds(port: server.port)
        XCTAssertTrue(served)
        await server.shutdown(gracePeriod: .seconds(5))
    }

    /// The command set parser itself: an element length of 0xFFFFFFFF is an error naming the length.
    func testCommandSetParserRejectsLengthFFFFFFFF() {
        let bytes = hex("00000000 04000000 12000000") + hex("00000200 FFFFFFFF") + ascii("1.2.840.10")
        XCTAssertThrowsError(try CommandSet(decoding: ByteBuffer(bytes: bytes))) { error in
            XCTAssertTrue("\(error)".contains("4294967295"), "\(error)")
        }
    }
}
