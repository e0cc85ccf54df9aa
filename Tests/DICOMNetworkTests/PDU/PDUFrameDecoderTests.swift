import NIOCore
import XCTest

@testable import DICOMNetwork

final class PDUFrameDecoderTests: XCTestCase {
    /// Two PDUs and an empty one, back to back.
    private let stream = hex("04 00 00000008 00000004 01 03 AABB 07 00 00000004 00000206 06 00 00000000")
    private let expected = [
        PDUFrame(type: 4, body: ByteBuffer(bytes: hex("00000004 01 03 AABB"))),
        PDUFrame(type: 7, body: ByteBuffer(bytes: hex("00000206"))),
        PDUFrame(type: 6, body: ByteBuffer()),
    ]

    /// Feeds `reads` one after the other, as a socket delivers them; every byte of every read is used.
    private func frames(of reads: [[UInt8]], maximum: Int = 1024) throws -> [PDUFrame] {
        var decoder = PDUFrameDecoder(maximumPDULength: maximum)
        var frames: [PDUFrame] = []
        for read in reads {
            var buffer = ByteBuffer(bytes: read)
            while let frame = try decoder.nextFrame(from: &buffer) { frames.append(frame) }
            XCTAssertEqual(buffer.readableBytes, 0, "every byte of a read is framed or kept")
        }
        try decoder.finish()
        return frames
    }

    /// Frames are cut exactly at 6 + length whatever the read boundaries: all at once, byte by byte, and cut
    /// at every pair of places.
    func testFramesAreTheSameWhereverTheReadsEnd() throws {
        XCTAssertEqual(try frames(of: [stream]), expected)
        XCTAssertEqual(try frames(of: stream.map { [$0] }), expected)
        for first in 0...stream.count {
            for second in first...stream.count {
                let reads = [Array(stream[..<first]), Array(stream[first..<second]), Array(stream[second...])]
                XCTAssertEqual(try frames(of: reads), expected, "reads cut at \(first) and \(second)")
            }
        }
    }

    /// A PDU that lies whole in a read is a slice of it: its bytes are not copied.
    func testAPDUInsideOneReadIsNotCopied() throws {
        var decoder = PDUFrameDecoder(maximumPDULength: 1024)
        var read = ByteBuffer(bytes: stream)
        let readStart = read.withUnsafeReadableBytes { UInt(bitPattern: $0.baseAddress) }
        let frame = try XCTUnwrap(decoder.nextFrame(from: &read))
        let bodyStart = frame.body.withUnsafeReadableBytes { UInt(bitPattern: $0.baseAddress) }
        XCTAssertEqual(bodyStart, readStart + 6, "the body is the read's own memory")
    }

    /// A PDU cut by the end of a read is copied into a buffer of its own, not appended to the read.
    func testAPDUCutByAReadIsKeptInABufferOfItsOwn() throws {
        var decoder = PDUFrameDecoder(maximumPDULength: 1024)
        var first = ByteBuffer(bytes: stream[..<9])
        XCTAssertNil(try decoder.nextFrame(from: &first))
        XCTAssertEqual(decoder.bufferedBytes, 9)
        var second = ByteBuffer(bytes: stream[9...])
        let frame = try XCTUnwrap(decoder.nextFrame(from: &second))
        XCTAssertEqual(frame, expected[0])
        XCTAssertLessThan(frame.body.capacity, 64, "kept in a buffer sized for the PDU's 14 bytes, not the reads'")
        XCTAssertEqual(try decoder.nextFrame(from: &second), expected[1])
    }

    /// A header announcing 0xFFFFFFFF bytes is rejected as soon as the header arrives.
    func testOverlongPDUIsRejectedFromTheHeaderAlone() throws {
        XCTAssertThrowsError(try frames(of: [hex("04 00 FFFFFFFF")], maximum: 16384)) { error in
            XCTAssertEqual(
                error as? PDUFrameDecoderError,
                .pduTooLong(type: 4, length: 0xFFFF_FFFF, maximum: 16384))
        }
        XCTAssertThrowsError(try frames(of: [hex("04 00 FF"), hex("FF"), hex("FFFF")], maximum: 16384)) { error in
            XCTAssertEqual(
                error as? PDUFrameDecoderError, .pduTooLong(type: 4, length: 0xFFFF_FFFF, maximum: 16384),
                "also when the header comes in pieces")
        }
    }

    func testPDUExactlyAtTheMaximumIsAccepted() throws {
        XCTAssertEqual(try frames(of: [hex("05 00 00000004 00000000")], maximum: 4).map(\.type), [5])
    }

    func testIncompletePDUWaitsForMoreBytes() throws {
        var decoder = PDUFrameDecoder(maximumPDULength: 1024)
        var buffer = ByteBuffer(bytes: hex("04 00 00000010 0000"))
        XCTAssertNil(try decoder.nextFrame(from: &buffer))
        XCTAssertEqual(decoder.bufferedBytes, 8, "kept until the rest arrives")
    }

    func testConnectionClosingInsideAPDUIsReported() throws {
        XCTAssertThrowsError(try frames(of: [hex("04 00 00000010 0000")])) { error in
            XCTAssertEqual(error as? PDUFrameDecoderError, .truncatedPDU(bufferedBytes: 8))
        }
    }
}
