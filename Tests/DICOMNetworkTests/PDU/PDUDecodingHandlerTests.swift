import NIOCore
import NIOEmbedded
import XCTest

@testable import DICOMNetwork

/// The pipeline stage that frames and parses (`PDUDecodingHandler`) on an EmbeddedChannel: what the association
/// handler above it receives, in which order, and what happens to the connection after each kind of error.
final class PDUDecodingHandlerTests: XCTestCase {
    /// Records what reaches the association handler's place in the pipeline; can feed more bytes into the
    /// pipeline from inside a read, as a handler that reads synchronously would.
    final class Recorder: ChannelInboundHandler {
        typealias InboundIn = PDU
        var pdus: [PDU] = []
        var errors: [String] = []
        var inactiveAfterErrors: [String]?
        var feedOnFirstPDU: ByteBuffer?

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            self.pdus.append(unwrapInboundIn(data))
            if let bytes = self.feedOnFirstPDU {
                self.feedOnFirstPDU = nil
                context.pipeline.fireChannelRead(NIOAny(bytes))
            }
        }

        func errorCaught(context: ChannelHandlerContext, error: Error) { self.errors.append("\(error)") }

        func channelInactive(context: ChannelHandlerContext) { self.inactiveAfterErrors = self.errors }
    }

    private let releaseRQ = hex("05 00 00000004 00000000")
    private let releaseRP = hex("06 00 00000004 00000000")
    private let abort = hex("07 00 00000004 0000 0206")

    private func makeChannel(maximum: Int = 1024) throws -> (EmbeddedChannel, Recorder) {
        let recorder = Recorder()
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(PDUDecodingHandler(maximumPDULength: maximum))
        try channel.pipeline.syncOperations.addHandler(recorder)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 104)).wait()
        return (channel, recorder)
    }

    func testSeveralPDUsInOneReadAndOneAcrossReadsArriveInOrder() throws {
        let (channel, recorder) = try makeChannel()
        defer { _ = try? channel.finish() }
        let stream = releaseRQ + releaseRP + abort
        try channel.writeInbound(ByteBuffer(bytes: stream[..<15]))
        XCTAssertEqual(recorder.pdus, [.releaseRQ])
        try channel.writeInbound(ByteBuffer(bytes: stream[15...]))
        XCTAssertEqual(recorder.pdus, [.releaseRQ, .releaseRP, .abort(AbortPDU(source: 2, reason: 6))])
        XCTAssertEqual(recorder.errors, [])
    }

    /// A read that arrives while an earlier read's PDUs are being passed on is framed after that read's rest.
    func testAReadArrivingFromInsideAReadWaitsForTheRestOfTheFirst() throws {
        let (channel, recorder) = try makeChannel()
        defer { _ = try? channel.finish() }
        recorder.feedOnFirstPDU = ByteBuffer(bytes: abort)
        try channel.writeInbound(ByteBuffer(bytes: releaseRQ + releaseRP))
        XCTAssertEqual(recorder.pdus, [.releaseRQ, .releaseRP, .abort(AbortPDU(source: 2, reason: 6))])
    }

    /// A PDU that does not parse is reported and the PDUs after it are still delivered.
    func testAParseErrorIsReportedAndTheNextPDUsStillArrive() throws {
        let (channel, recorder) = try makeChannel()
        defer { _ = try? channel.finish() }
        try channel.writeInbound(ByteBuffer(bytes: hex("05 00 00000002 0000") + releaseRP))
        XCTAssertEqual(recorder.errors.count, 1)
        XCTAssertEqual(recorder.pdus, [.releaseRP])
        XCTAssertTrue(channel.isActive)
    }

    /// A PDU-length over the maximum loses the stream's framing: it is reported once, the rest of the read is
    /// dropped, and a later read closes the connection.
    func testAnOverlongPDUIsReportedOnceAndALaterReadCloses() throws {
        let (channel, recorder) = try makeChannel(maximum: 16)
        try channel.writeInbound(ByteBuffer(bytes: hex("04 00 00000100") + releaseRQ))
        XCTAssertEqual(
            recorder.errors, [PDUFrameDecoderError.pduTooLong(type: 4, length: 256, maximum: 16).description])
        XCTAssertEqual(recorder.pdus, [])
        XCTAssertTrue(channel.isActive, "the association handler decides what to send before the close")
        try channel.writeInbound(ByteBuffer(bytes: releaseRQ))
        XCTAssertFalse(channel.isActive)
        XCTAssertEqual(recorder.pdus, [])
    }

    /// A read that was waiting its turn when an earlier read lost the framing is a later read: it closes the
    /// connection and none of its PDUs is delivered.
    func testAReadWaitingWhenTheFramingIsLostClosesTheConnection() throws {
        let (channel, recorder) = try makeChannel(maximum: 16)
        recorder.feedOnFirstPDU = ByteBuffer(bytes: releaseRP)
        try channel.writeInbound(ByteBuffer(bytes: releaseRQ + hex("04 00 00000100")))
        XCTAssertEqual(recorder.pdus, [.releaseRQ])
        XCTAssertEqual(
            recorder.errors, [PDUFrameDecoderError.pduTooLong(type: 4, length: 256, maximum: 16).description])
        XCTAssertFalse(channel.isActive)
    }

    /// A connection that closes inside a PDU is reported as such before the close reaches the handler above.
    func testClosingInsideAPDUIsReportedBeforeTheClose() throws {
        let (channel, recorder) = try makeChannel()
        try channel.writeInbound(ByteBuffer(bytes: releaseRQ[..<7]))
        _ = try? channel.finish()
        XCTAssertEqual(
            recorder.inactiveAfterErrors, [PDUFrameDecoderError.truncatedPDU(bufferedBytes: 7).description])
    }

    /// A header announcing 4 GiB, alone, is an incomplete PDU to the fixture parser: an error, not a trap, and
    /// no memory reserved for what never came.
    func testAHeaderAnnouncingFourGiBIsAnIncompletePDU() {
        XCTAssertThrowsError(try PDUParser.parse(bytes: hex("04 00 FFFFFFFF")))
    }
}
