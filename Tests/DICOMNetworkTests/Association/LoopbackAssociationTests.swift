import NIOCore
import TestSupport
import XCTest

@testable import DICOMNetwork

/// Our client against our server on loopback: establishment, messages, release, abort, rejection, limits,
/// ARTIM and protocol errors as a user (or a peer) observes them.
final class LoopbackAssociationTests: XCTestCase {
    func testEchoThenReleaseEndsBothSidesNormally() async throws {
        let ends = Recorder<String>()
        let server = try await startEchoServer(onEnd: { ends.append($0.map { "\($0)" } ?? "released") })
        let association = try await DICOMAssociation.connect(
            host: "127.0.0.1", port: server.port, callingAETitle: "SCU", calledAETitle: "DICOMLUA",
            contexts: [verificationContext])
        XCTAssertEqual(
            association.negotiated.acceptedContexts[1]?.transferSyntax, TransferSyntaxUID.implicitVRLittleEndian)
        XCTAssertEqual(association.negotiated.peerImplementationVersionName, "DICOMLUA_0.1")
        try await association.send(command: TestCommands.echoRQ(messageID: 7), contextID: 1)
        var iterator = association.messages.makeAsyncIterator()
        let response = try await iterator.next()
        XCTAssertEqual(response.flatMap { TestCommands.us(0x0100, in: $0.command) }, 0x8030)
        XCTAssertEqual(response.flatMap { TestCommands.us(0x0120, in: $0.command) }, 7)
        XCTAssertEqual(response.flatMap { TestCommands.us(0x0900, in: $0.command) }, 0)
        try await association.release()
        let ended = await association.waitUntilEnded()
        XCTAssertNil(ended)
        let serverSawRelease = await eventually { ends.all == ["released"] }
        XCTAssertTrue(serverSawRelease, "\(ends.all)")
        try await association.release()  // idempotent once released
        await server.shutdown(gracePeriod: .seconds(5))
    }

    func testWrongCalledAETitleIsRejectedWithReason117() async throws {
        let server = try await startEchoServer()
        do {
            _ = try await DICOMAssociation.connect(
                host: "127.0.0.1", port: server.port, callingAETitle: "SCU",
                calledAETitle: "NOBODY", contexts: [verificationContext])
            XCTFail("expected a rejection")
        } catch let error as AssociationError {
            XCTAssertEqual(error, .rejected(.calledAETitleNotRecognized))
            XCTAssertTrue(error.description.contains("called-AE-title-not-recognized"))
        }
        await server.shutdown(gracePeriod: .seconds(5))
    }

    func testAssociationsBeyondTheLimitAreRejected232() async throws {
        let server = try await startEchoServer(maximumAssociations: 1)
        let first = try await DICOMAssociation.connect(
            host: "127.0.0.1", port: server.port, callingAETitle: "SCU",
            calledAETitle: "DICOMLUA", contexts: [verificationContext])
        do {
            _ = try await DICOMAssociation.connect(
                host: "127.0.0.1", port: server.port, callingAETitle: "SCU",
                calledAETitle: "DICOMLUA", contexts: [verificationContext])
            XCTFail("expected a rejection")
        } catch let error as AssociationError {
            XCTAssertEqual(error, .rejected(AssociateRJ(result: 2, source: 3, reason: 2)))
        }
        try await first.release()
        await server.shutdown(gracePeriod: .seconds(5))
    }

    func testConnectionRefusedIsReported() async throws {
        let port = freeTCPPort()
        do {
            _ = try await DICOMAssociation.connect(
                host: "127.0.0.1", port: port, callingAETitle: "SCU",
                calledAETitle: "X", contexts: [verificationContext])
            XCTFail("expected an error")
        } catch let error as AssociationError {
            XCTAssertEqual(error, .connectionRefused(host: "127.0.0.1", port: port))
        }
    }

    func testNoAcceptedContextFailsTheConnect() async throws {
        let server = try await startEchoServer()
        do {
            _ = try await DICOMAssociation.connect(
                host: "127.0.0.1", port: server.port, callingAETitle: "SCU", calledAETitle: "DICOMLUA",
                contexts: [
                    ProposedPresentationContext(
                        abstractSyntax: "1.2.840.10008.5.1.4.1.1.2",
                        transferSyntaxes: [TransferSyntaxUID.implicitVRLittleEndian])
                ])
            XCTFail("expected an error")
        } catch let error as AssociationError {
            XCTAssertTrue(error.description.contains("abstract-syntax-not-supported"), error.description)
        }
        await server.shutdown(gracePeriod: .seconds(5))
    }

    /// A 1 MB data set crosses a 16 KiB-PDU association in even fragments and arrives intact, both
    /// accumulated and streamed to a sink.
    func testLargeDataSetIsFragmentedAndReassembled() async throws {
        let ct = "1.2.840.10008.5.1.4.1.1.2"
        let received = Recorder<AssociationMessage>()
        let sink = CollectingSink()
        var configuration = AssociationConfiguration(maximumPDULength: 16384)
        configuration.dataSetSinkProvider = { _, _, message in
            // priority LOW marks "stream me"
            if case .cStoreRQ(let request) = message, request.priority == .low { sink } else { nil }
        }
        let server = try await startEchoServer(
            association: configuration, extraAbstractSyntaxes: [ct: TransferSyntaxUID.uncompressed],
            onMessage: { received.append($0) })
        let association = try await DICOMAssociation.connect(
            host: "127.0.0.1", port: server.port, callingAETitle: "SCU", calledAETitle: "DICOMLUA",
            contexts: [
                ProposedPresentationContext(
                    abstractSyntax: ct, transferSyntaxes: [TransferSyntaxUID.explicitVRLittleEndian])
            ])
        XCTAssertEqual(association.negotiated.maximumPDULengthToSend, 16384)
        let payload = ByteBuffer(bytes: (0..<1_000_000).map { UInt8(truncatingIfNeeded: $0 &* 7) })
        var iterator = association.messages.makeAsyncIterator()
        try await association.send(
            command: TestCommands.storeRQ(messageID: 1, sopClass: ct, sopInstance: "1.2.3"),
            dataSet: payload, contextID: 1)
        _ = try await iterator.next()
        var streamed = TestCommands.storeRQ(messageID: 2, sopClass: ct, sopInstance: "1.2.4")
        streamed = TestCommands.command([
            (0x0002, .uid(ct)), (0x0100, .us(0x0001)), (0x0110, .us(2)), (0x0700, .us(2)),
            (0x0800, .us(0x0001)), (0x1000, .uid("1.2.4")),
        ])
        try await association.send(command: streamed, dataSet: payload, contextID: 1)
        _ = try await iterator.next()
        try await association.release()
        let messages = received.all
        XCTAssertEqual(messages.count, 2)
        guard case .bytes(let bytes)? = messages.first?.dataSet else { return XCTFail("expected accumulated bytes") }
        XCTAssertEqual(bytes, payload)
        guard case .streamed(let failure)? = messages.last?.dataSet else {
            return XCTFail("expected a streamed data set")
        }
        XCTAssertNil(failure)
        XCTAssertEqual(sink.bytes, Array(payload.readableBytesView))
        XCTAssertTrue(sink.finished)
        XCTAssertGreaterThan(sink.fragmentCount, 60, "1 MB in fragments of at most 16378 bytes")
        XCTAssertTrue(sink.allFragmentsEven)
        await server.shutdown(gracePeriod: .seconds(5))
    }

    func testLocalAbortIsSeenByTheServerAsPeerAbort() async throws {
        let ends = Recorder<String>()
        let server = try await startEchoServer(onEnd: { ends.append($0.map { "\($0)" } ?? "released") })
        let association = try await DICOMAssociation.connect(
            host: "127.0.0.1", port: server.port, callingAETitle: "SCU",
            calledAETitle: "DICOMLUA", contexts: [verificationContext])
        await association.abort()
        let ended = await association.waitUntilEnded()
        XCTAssertEqual(ended, .aborted(.serviceUser, byPeer: false, detail: "aborted by the local user"))
        let serverSawAbort = await eventually { ends.all.first?.contains("aborted by the peer") ?? false }
        XCTAssertTrue(serverSawAbort, "\(ends.all)")
        do {
            try await association.send(command: TestCommands.echoRQ(messageID: 1), contextID: 1)
            XCTFail("sending after abort must fail")
        } catch {}
        await server.shutdown(gracePeriod: .seconds(5))
    }

    /// A peer that connects and says nothing is dropped when ARTIM expires.
    func testSilentPeerIsClosedByARTIM() async throws {
        let server = try await startEchoServer(association: AssociationConfiguration(artimTimeout: .milliseconds(300)))
        let client = try XCTUnwrap(RawTCPClient(port: server.port, timeout: 10))
        XCTAssertTrue(client.waitForClose(), "server should close a silent connection")
        await server.shutdown(gracePeriod: .seconds(5))
    }

    /// An unknown PDU type is answered with A-ABORT source 2, reason 1 (unrecognized PDU), then closed.
    func testUnrecognizedPDUIsAnsweredWithAbort21() async throws {
        let server = try await startEchoServer(association: AssociationConfiguration(artimTimeout: .seconds(1)))
        let client = try XCTUnwrap(RawTCPClient(port: server.port, timeout: 10))
        client.send(hex("09 00 00000004 00000000"))
        let (bytes, _) = client.read(upTo: 10)
        XCTAssertEqual(bytes, hex("07 00 00000004 00 00 02 01"))
        XCTAssertTrue(client.waitForClose())
        await server.shutdown(gracePeriod: .seconds(5))
    }

    /// A PDU-length of 0xFFFFFFFF is refused at once (A-ABORT 2/6), with no allocation.
    func testHugePDULengthIsAnsweredWithAbort26() async throws {
        let server = try await startEchoServer(association: AssociationConfiguration(artimTimeout: .seconds(1)))
        let client = try XCTUnwrap(RawTCPClient(port: server.port, timeout: 10))
        client.send(hex("01 00 FFFFFFFF 0001"))
        let (bytes, _) = client.read(upTo: 10)
        XCTAssertEqual(bytes, hex("07 00 00000004 00 00 02 06"))
        XCTAssertTrue(client.waitForClose())
        await server.shutdown(gracePeriod: .seconds(5))
    }

    /// P-DATA before any A-ASSOCIATE-RQ (Sta2 + Evt10 → AA-1): A-ABORT, then close.
    func testPDataBeforeAssociationIsAborted() async throws {
        let server = try await startEchoServer(association: AssociationConfiguration(artimTimeout: .seconds(1)))
        let client = try XCTUnwrap(RawTCPClient(port: server.port, timeout: 10))
        client.send(hex("04 00 00000008 00000004 01 03 AABB"))
        let (bytes, _) = client.read(upTo: 10)
        XCTAssertEqual(Array(bytes.prefix(2)), [0x07, 0x00])
        XCTAssertTrue(client.waitForClose())
        await server.shutdown(gracePeriod: .seconds(5))
    }

    func testShutdownWaitsForAssociationsInFlightThenStopsAccepting() async throws {
        let server = try await startEchoServer()
        let association = try await DICOMAssociation.connect(
            host: "127.0.0.1", port: server.port, callingAETitle: "SCU",
            calledAETitle: "DICOMLUA", contexts: [verificationContext])
        let port = server.port
        async let shutdown: Void = server.shutdown(gracePeriod: .seconds(20))
        try await association.send(command: TestCommands.echoRQ(messageID: 1), contextID: 1)
        var iterator = association.messages.makeAsyncIterator()
        let response = try await iterator.next()
        XCTAssertEqual(response.flatMap { TestCommands.us(0x0900, in: $0.command) }, 0, "served while shutting down")
        try await association.release()
        await shutdown
        XCTAssertEqual(server.openConnections, 0)
        XCTAssertNil(RawTCPClient(port: port, timeout: 1), "no longer listening")
    }
}

/// A sink that keeps what it receives.
final class CollectingSink: DataSetSink, @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [UInt8] = []
    private var fragments: [Int] = []
    private var done = false
    func write(_ fragment: ByteBuffer) throws {
        lock.withLock {
            storage += fragment.readableBytesView
            fragments.append(fragment.readableBytes)
        }
    }
    func finish() throws { lock.withLock { done = true } }
    func abandon() {}
    var bytes: [UInt8] { lock.withLock { storage } }
    var finished: Bool { lock.withLock { done } }
    var fragmentCount: Int { lock.withLock { fragments.count } }
    var allFragmentsEven: Bool { lock.withLock { fragments.allSatisfy { $0 % 2 == 0 } } }
}

extension LoopbackAssociationTests {
    /// An association still open when the grace period ends is aborted, and its client is told so.
    func testShutdownAbortsAssociationsPastTheGracePeriod() async throws {
        let server = try await startEchoServer()
        let association = try await DICOMAssociation.connect(
            host: "127.0.0.1", port: server.port, callingAETitle: "SCU",
            calledAETitle: "DICOMLUA", contexts: [verificationContext])
        await server.shutdown(gracePeriod: .milliseconds(100))
        let ended = await association.waitUntilEnded()
        guard case .aborted(let abort, byPeer: true, _)? = ended else { return XCTFail("\(String(describing: ended))") }
        XCTAssertEqual(abort.source, 0)
        XCTAssertEqual(server.openConnections, 0)
    }
}

extension LoopbackAssociationTests {
    /// The admission callback sees calling/called AE titles and the peer address, and its RJ reaches the peer.
    func testAdmissionCallbackDecidesWithPeerAddress() async throws {
        let seen = Recorder<AssociationRequestInfo>()
        let policy = AcceptancePolicy(supportedAbstractSyntaxes: [
            TestCommands.verification: TransferSyntaxUID.uncompressed
        ])
        let configuration = ServerConfiguration(
            policy: policy,
            admission: { info in
                seen.append(info)
                return info.callingAETitle == "INTRUDER" ? .callingAETitleNotRecognized : nil
            })
        let server = try await DICOMServer.start(configuration: configuration) { try? await $0.serve() }
        do {
            _ = try await DICOMAssociation.connect(
                host: "127.0.0.1", port: server.port, callingAETitle: "INTRUDER",
                calledAETitle: "ANY", contexts: [verificationContext])
            XCTFail("expected a rejection")
        } catch let error as AssociationError {
            XCTAssertEqual(error, .rejected(AssociateRJ(result: 1, source: 1, reason: 3)))
        }
        let friend = try await DICOMAssociation.connect(
            host: "127.0.0.1", port: server.port, callingAETitle: "FRIEND",
            calledAETitle: "ANY", contexts: [verificationContext])
        let status = try await friend.echo()
        XCTAssertEqual(status, .success)
        try await friend.release()
        XCTAssertEqual(seen.all.map(\.callingAETitle), ["INTRUDER", "FRIEND"])
        XCTAssertEqual(seen.all.first?.calledAETitle, "ANY")
        XCTAssertEqual(seen.all.first?.peerAddress?.ipAddress, "127.0.0.1")
        await server.shutdown(gracePeriod: .seconds(5))
    }
}

extension LoopbackAssociationTests {
    /// The peer's address outlives the connection: a service that first looks after the peer has released
    /// and closed (a storage SCU sending one instance does so within a millisecond) still sees it, so its
    /// log lines name the peer (a `"peer":"?"` in the storage SCP's JSON log before the address was kept).
    func testThePeerAddressIsKnownAfterThePeerHasClosed() async throws {
        let seen = Recorder<String>()
        let policy = AcceptancePolicy(supportedAbstractSyntaxes: [
            TestCommands.verification: TransferSyntaxUID.uncompressed
        ])
        let server = try await DICOMServer.start(configuration: ServerConfiguration(policy: policy)) { association in
            try? await association.serve()
            _ = await association.waitUntilEnded()
            try? await Task.sleep(for: .milliseconds(200))  // NIO resets a closed channel's addresses just after
            seen.append(association.remoteAddress?.ipAddress ?? "none")
        }
        let client = try await DICOMAssociation.connect(
            host: "127.0.0.1", port: server.port, callingAETitle: "SCU", calledAETitle: "ANY",
            contexts: [verificationContext])
        try await client.release()
        let deadline = Date().addingTimeInterval(10)
        while seen.all.isEmpty, Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
        XCTAssertEqual(seen.all, ["127.0.0.1"], "the address of a peer that has gone")
        await server.shutdown(gracePeriod: .seconds(5))
    }
}
