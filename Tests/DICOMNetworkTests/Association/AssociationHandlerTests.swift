import NIOCore
import NIOEmbedded
import XCTest

@testable import DICOMNetwork

/// The association handler on an EmbeddedChannel: the Upper Layer behaviours that are hard to provoke with
/// real peers — release collisions, ARTIM while awaiting the A-ASSOCIATE-AC, P-DATA during release, peer
/// aborts and invalid PDVs — observed as the PDUs on the wire and what the local user is told.
final class AssociationHandlerTests: XCTestCase {
    let configuration = AssociationConfiguration(artimTimeout: .seconds(5))
    let verification = "1.2.840.10008.1.1"
    let implicitLE = "1.2.840.10008.1.2"

    struct Harness {
        let channel: EmbeddedChannel
        let loop: EmbeddedEventLoop
        let handler: AssociationHandler
        let established: EventLoopFuture<DICOMAssociation>
        let closed: EventLoopFuture<AssociationError?>

        func nextPDU(file: StaticString = #filePath, line: UInt = #line) throws -> PDU? {
            guard var buffer = try channel.readOutbound(as: ByteBuffer.self) else { return nil }
            return try PDUParser.parse(bytes: buffer.readBytes(length: buffer.readableBytes)!)
        }

        func receive(_ pdu: PDU) throws {
            var buffer = ByteBuffer()
            buffer.writePDU(pdu)
            try channel.writeInbound(buffer)
        }
    }

    private func makeHarness(requestor: Bool) throws -> Harness {
        let loop = EmbeddedEventLoop()
        let channel = EmbeddedChannel(loop: loop)
        let established = loop.makePromise(of: DICOMAssociation.self)
        let closed = loop.makePromise(of: AssociationError?.self)
        let side: AssociationHandler.Side
        if requestor {
            side = .requestor(
                try AssociationRequestor.makeRequest(
                    callingAETitle: "SCU", calledAETitle: "SCP",
                    contexts: [
                        ProposedPresentationContext(abstractSyntax: verification, transferSyntaxes: [implicitLE])
                    ],
                    maximumPDULength: 16384))
        } else {
            let policy = AcceptancePolicy(supportedAbstractSyntaxes: [verification: [implicitLE]])
            side = .acceptor(
                AssociationHandler.AcceptorHooks(
                    decide: { rq, _ in AssociationAcceptor.decide(request: rq, policy: policy) }, established: { _ in })
            )
        }
        let handler = AssociationHandler(
            side: side, configuration: configuration, establishedPromise: established,
            closedPromise: closed)
        try channel.pipeline.syncOperations.addPipeline(handler: handler, configuration: configuration)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 104)).wait()
        return Harness(
            channel: channel, loop: loop, handler: handler, established: established.futureResult,
            closed: closed.futureResult)
    }

    /// Requestor in Sta6 (A-ASSOCIATE-AC received).
    private func establishedRequestor() throws -> Harness {
        let harness = try makeHarness(requestor: true)
        guard case .associateRQ(let rq)? = try harness.nextPDU() else { throw XCTSkip("no RQ") }
        let ac = AssociateAC(
            calledAETitle: rq.calledAETitle, callingAETitle: rq.callingAETitle,
            presentationContexts: [PresentationContextResult(id: 1, result: .acceptance, transferSyntax: implicitLE)],
            userInformation: UserInformation(maximumLength: 16384))
        try harness.receive(.associateAC(ac))
        XCTAssertNoThrow(try harness.established.wait())
        XCTAssertEqual(harness.handler.machine.state, .sta6)
        return harness
    }

    /// Acceptor in Sta6 (A-ASSOCIATE-AC sent).
    private func establishedAcceptor() throws -> Harness {
        let harness = try makeHarness(requestor: false)
        let rq = try AssociationRequestor.makeRequest(
            callingAETitle: "SCU", calledAETitle: "SCP",
            contexts: [ProposedPresentationContext(abstractSyntax: verification, transferSyntaxes: [implicitLE])],
            maximumPDULength: 16384)
        try harness.receive(.associateRQ(rq))
        guard case .associateAC? = try harness.nextPDU() else { throw XCTSkip("no AC") }
        XCTAssertEqual(harness.handler.machine.state, .sta6)
        return harness
    }

    func testRequestorSendsTheRequestAsSoonAsConnected() throws {
        let harness = try makeHarness(requestor: true)
        guard case .associateRQ(let rq)? = try harness.nextPDU() else { return XCTFail("expected an A-ASSOCIATE-RQ") }
        XCTAssertEqual(rq.calledAETitle, "SCP")
        XCTAssertEqual(harness.handler.machine.state, .sta5)
    }

    /// No A-ASSOCIATE-AC within ARTIM: the connection is closed and connect fails with a time-out
    /// (the Sta5 deviation shared with DCMTK).
    func testNoAnswerToTheRequestTimesOut() throws {
        let harness = try makeHarness(requestor: true)
        _ = try harness.nextPDU()
        harness.loop.advanceTime(by: .seconds(6))
        XCTAssertThrowsError(try harness.established.wait()) { error in
            guard case .timedOut? = error as? AssociationError else { return XCTFail("\(error)") }
        }
        XCTAssertFalse(harness.channel.isActive)
    }

    /// No A-RELEASE-RP within ARTIM: closed, release fails with a time-out (Sta7 deviation).
    func testNoAnswerToReleaseTimesOut() throws {
        let harness = try establishedRequestor()
        let release = harness.handler.requestRelease()
        XCTAssertEqual(try harness.nextPDU(), .releaseRQ)
        harness.loop.advanceTime(by: .seconds(6))
        XCTAssertThrowsError(try release.wait())
        XCTAssertFalse(harness.channel.isActive)
    }

    /// Release collision, requestor side (PS3.8 §9.2.2 AR-8 → Sta9 → AR-9 → Sta11 → AR-3).
    func testReleaseCollisionOnTheRequestorSide() throws {
        let harness = try establishedRequestor()
        let release = harness.handler.requestRelease()
        XCTAssertEqual(try harness.nextPDU(), .releaseRQ)
        try harness.receive(.releaseRQ)
        XCTAssertEqual(try harness.nextPDU(), .releaseRP, "the requestor answers first")
        XCTAssertEqual(harness.handler.machine.state, .sta11)
        try harness.receive(.releaseRP)
        XCTAssertNoThrow(try release.wait())
        XCTAssertNil(try harness.closed.wait())
        XCTAssertFalse(harness.channel.isActive)
    }

    /// Release collision, acceptor side (AR-8 → Sta10 → AR-10 → Sta12 → AR-4 → Sta13).
    func testReleaseCollisionOnTheAcceptorSide() throws {
        let harness = try establishedAcceptor()
        let release = harness.handler.requestRelease()
        XCTAssertEqual(try harness.nextPDU(), .releaseRQ)
        try harness.receive(.releaseRQ)
        XCTAssertNil(try harness.nextPDU(), "the acceptor waits for the peer's RP first")
        XCTAssertEqual(harness.handler.machine.state, .sta10)
        try harness.receive(.releaseRP)
        XCTAssertEqual(try harness.nextPDU(), .releaseRP)
        XCTAssertEqual(harness.handler.machine.state, .sta13)
        XCTAssertNoThrow(try release.wait())
    }

    /// P-DATA arriving after we asked for release is still delivered (Sta7 + Evt10 → AR-6).
    func testPDataDuringReleaseIsDelivered() async throws {
        let harness = try establishedRequestor()
        let association = try harness.established.wait()
        _ = harness.handler.requestRelease()
        _ = try harness.nextPDU()
        var buffer = ByteBuffer()
        buffer.writePDU(
            .dataTF([
                PresentationDataValue(
                    contextID: 1, isCommand: true, isLastFragment: true,
                    data: CEchoRSP(messageIDBeingRespondedTo: 1).encodedCommandSet())
            ]))
        try harness.channel.writeInbound(buffer)
        try harness.receive(.releaseRP)
        var iterator = association.messages.makeAsyncIterator()
        let message = try await iterator.next()
        XCTAssertEqual(try message?.dimse(), .cEchoRSP(CEchoRSP(messageIDBeingRespondedTo: 1)))
    }

    /// A peer A-ABORT ends the message stream with the source and reason the peer sent.
    func testPeerAbortIsReportedWithSourceAndReason() async throws {
        let harness = try establishedRequestor()
        let association = try harness.established.wait()
        try harness.receive(.abort(AbortPDU(source: .serviceProvider, reason: .unexpectedPDU)))
        var iterator = association.messages.makeAsyncIterator()
        do {
            _ = try await iterator.next()
            XCTFail("expected the stream to throw")
        } catch let error as AssociationError {
            XCTAssertEqual(error, .aborted(AbortPDU(source: 2, reason: 2), byPeer: true, detail: ""))
            XCTAssertTrue(error.description.contains("unexpected-PDU"), error.description)
        }
        XCTAssertFalse(harness.channel.isActive)
    }

    /// A PDV on a context that was never accepted: A-ABORT source 2 reason 6, Sta13.
    func testPDVOnUnknownContextIsAborted() throws {
        let harness = try establishedRequestor()
        try harness.receive(
            .dataTF([
                PresentationDataValue(
                    contextID: 3, isCommand: true, isLastFragment: true,
                    data: ByteBuffer(bytes: [0, 0]))
            ]))
        XCTAssertEqual(try harness.nextPDU(), .abort(AbortPDU(source: 2, reason: 6)))
        XCTAssertEqual(harness.handler.machine.state, .sta13)
        guard case .protocolError? = try harness.closed.wait() else { return XCTFail("expected a protocol error") }
        harness.loop.advanceTime(by: .seconds(6))
        XCTAssertFalse(harness.channel.isActive, "ARTIM closes the connection if the peer does not")
    }

    /// A second A-ASSOCIATE-RQ on an established association: A-ABORT 2/2 (unexpected PDU).
    func testUnexpectedAssociateRequestIsAborted() throws {
        let harness = try establishedAcceptor()
        let rq = try AssociationRequestor.makeRequest(
            callingAETitle: "SCU", calledAETitle: "SCP",
            contexts: [ProposedPresentationContext(abstractSyntax: verification, transferSyntaxes: [implicitLE])],
            maximumPDULength: 16384)
        try harness.receive(.associateRQ(rq))
        XCTAssertEqual(try harness.nextPDU(), .abort(AbortPDU(source: 2, reason: 2)))
    }

    /// Sending after the association ended is an error to the caller, not an A-ABORT.
    func testSendingAfterReleaseFailsWithoutTouchingTheWire() throws {
        let harness = try establishedRequestor()
        let release = harness.handler.requestRelease()
        _ = try harness.nextPDU()
        try harness.receive(.releaseRP)
        try release.wait()
        XCTAssertThrowsError(try harness.handler.sendPData([[ByteBuffer(bytes: [1])]]).wait()) { error in
            XCTAssertEqual(error as? AssociationError, .notEstablished)
        }
    }
}
