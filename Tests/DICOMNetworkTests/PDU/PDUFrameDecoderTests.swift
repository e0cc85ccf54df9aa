import NIOCore
import NIOEmbedded
import NIOTestUtils
import XCTest

@testable import DICOMNetwork

final class PDUFrameDecoderTests: XCTestCase {
    /// Frames are cut exactly at 6 + length whatever the read boundaries (byte by byte, all at once…).
    func testVerifierAcceptsByteStreamsCutAnywhere() throws {
        let inputs: [(ByteBuffer, [PDUFrame])] = [
            (
                ByteBuffer(bytes: hex("05 00 00000004 00000000")),
                [PDUFrame(type: 5, body: ByteBuffer(bytes: [0, 0, 0, 0]))]
            ),
            (
                ByteBuffer(bytes: hex("04 00 00000008 00000004 01 03 AABB 07 00 00000004 00000206")),
                [
                    PDUFrame(type: 4, body: ByteBuffer(bytes: hex("00000004 01 03 AABB"))),
                    PDUFrame(type: 7, body: ByteBuffer(bytes: hex("00000206"))),
                ]
            ),
            (ByteBuffer(bytes: hex("06 00 00000000")), [PDUFrame(type: 6, body: ByteBuffer())]),
        ]
        XCTAssertNoThrow(
            try ByteToMessageDecoderVerifier.verifyDecoder(
                inputOutputPairs: inputs, decoderFactory: { PDUFrameDecoder(maximumPDULength: 1024) }))
    }

    /// A header announcing 0xFFFFFFFF bytes is rejected as soon as the header arrives.
    func testOverlongPDUIsRejectedFromTheHeaderAlone() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(PDUFrameDecoder(maximumPDULength: 16384)))
        defer { _ = try? channel.finish() }
        XCTAssertThrowsError(try channel.writeInbound(ByteBuffer(bytes: hex("04 00 FFFFFFFF")))) { error in
            XCTAssertEqual(
                error as? PDUFrameDecoderError,
                .pduTooLong(type: 4, length: 0xFFFF_FFFF, maximum: 16384))
        }
    }

    func testPDUExactlyAtTheMaximumIsAccepted() throws {
        var decoder = PDUFrameDecoder(maximumPDULength: 4)
        var buffer = ByteBuffer(bytes: hex("05 00 00000004 00000000"))
        XCTAssertEqual(try decoder.decode(buffer: &buffer)?.type, 5)
    }

    func testIncompletePDUWaitsForMoreBytes() throws {
        var decoder = PDUFrameDecoder(maximumPDULength: 1024)
        var buffer = ByteBuffer(bytes: hex("04 00 00000010 0000"))
        XCTAssertNil(try decoder.decode(buffer: &buffer))
        XCTAssertEqual(buffer.readableBytes, 8, "nothing consumed")
    }

    func testConnectionClosingInsideAPDUIsReported() throws {
        var decoder = PDUFrameDecoder(maximumPDULength: 1024)
        var buffer = ByteBuffer(bytes: hex("04 00 00000010 0000"))
        XCTAssertThrowsError(try decoder.decodeLast(buffer: &buffer, seenEOF: true)) { error in
            XCTAssertEqual(error as? PDUFrameDecoderError, .truncatedPDU(bufferedBytes: 8))
        }
    }
}
