import NIOCore
import TestSupport
import XCTest

@testable import DICOMNetwork

/// The DIMSE operations on our own client and server: what an SCU user sees.
final class DIMSEOperationsTests: XCTestCase {
    let sc = TestDataSets.secondaryCapture

    private func startServer(
        store: StoreHandler? = nil, other: RequestHandler? = nil,
        configuration: AssociationConfiguration = AssociationConfiguration(),
        extra: [String: [String]] = [:]
    ) async throws -> DICOMServer {
        var supported: [String: [String]] = [
            verificationSOPClassUID: TransferSyntaxUID.uncompressed,
            sc: TransferSyntaxUID.uncompressed,
        ]
        supported.merge(extra) { a, _ in a }
        let policy = AcceptancePolicy(supportedAbstractSyntaxes: supported, requestorSCPRoleAbstractSyntaxes: [sc])
        return try await DICOMServer.start(
            configuration: ServerConfiguration(policy: policy, association: configuration)
        ) {
            try? await $0.serve(store: store, other: other)
        }
    }

    private func connect(
        _ server: DICOMServer, _ contexts: [ProposedPresentationContext]
    ) async throws -> DICOMAssociation {
        try await DICOMAssociation.connect(
            host: "127.0.0.1", port: server.port, callingAETitle: "SCU", calledAETitle: "ANY",
            contexts: contexts)
    }

    func testEchoReturnsSuccess() async throws {
        let server = try await startServer()
        let association = try await connect(server, [verificationContext])
        let first = try await association.echo()
        let second = try await association.echo()
        XCTAssertEqual(first, .success)
        XCTAssertEqual(second, .success)
        try await association.release()
        await server.shutdown(gracePeriod: .seconds(5))
    }

    func testEchoWithoutVerificationContextIsAClearError() async throws {
        let server = try await startServer()
        let association = try await connect(
            server, [ProposedPresentationContext(abstractSyntax: sc, transferSyntaxes: TransferSyntaxUID.uncompressed)])
        do {
            _ = try await association.echo()
            XCTFail("expected an error")
        } catch let error as AssociationError {
            XCTAssertTrue(error.description.contains("1.2.840.10008.1.1"), error.description)
        }
        try await association.release()
        await server.shutdown(gracePeriod: .seconds(5))
    }

    /// C-STORE from memory and from a file region, received by a streaming sink on the server.
    func testStoreFromMemoryAndFromFileArrivesIntactInTheSink() async throws {
        let sink = CollectingSink()
        var configuration = AssociationConfiguration(maximumPDULength: 4096)
        configuration.dataSetSinkProvider = { _, _, message in
            if case .cStoreRQ = message { sink } else { nil }
        }
        let stored = Recorder<String>()
        let server = try await startServer(
            store: { incoming in
                if case .streamed(nil) = incoming.dataSet { stored.append(incoming.request.affectedSOPInstanceUID) }
                return .success
            }, configuration: configuration)
        let association = try await connect(
            server,
            [
                ProposedPresentationContext(
                    abstractSyntax: sc, transferSyntaxes: [TransferSyntaxUID.implicitVRLittleEndian])
            ])
        let dataSet = TestDataSets.instance(
            patientID: "P1", studyUID: "1.2.3", seriesUID: "1.2.3.1", sopInstanceUID: "1.2.3.1.1")
        let first = try await association.store(sopClassUID: sc, sopInstanceUID: "1.2.3.1.1", dataSet: dataSet)
        XCTAssertEqual(first.status, .success)

        let directory = try makeTemporaryDirectory("store")
        let file = directory.appendingPathComponent("instance.bin")
        var big = [UInt8](repeating: 0xAB, count: 100)  // junk before the data set
        big += Array(dataSet.readableBytesView)
        big += (0..<300_000).map { UInt8(truncatingIfNeeded: $0) }
        try Data(big).write(to: file)
        let source = FileRegionDataSetSource(path: file.path, offset: 100, length: big.count - 100)
        let second = try await association.store(sopClassUID: sc, sopInstanceUID: "1.2.3.1.2", dataSet: source)
        XCTAssertEqual(second.status, .success)
        try await association.release()
        XCTAssertEqual(stored.all, ["1.2.3.1.1", "1.2.3.1.2"])
        XCTAssertEqual(sink.bytes, Array(dataSet.readableBytesView) + Array(big[100...]))
        await server.shutdown(gracePeriod: .seconds(5))
    }

    /// C-FIND: pending matches with identifiers, then the final success; C-CANCEL ends it with 0xFE00.
    func testFindResponsesAndCancel() async throws {
        let find = TestDataSets.studyRootFind
        let server = try await startServer(
            other: { message, dimse, association in
                guard case .cFindRQ(let request) = dimse else { return false }
                let wantsMany = TestDataSets.value(0x0020, 0x000D, in: message.dataSetBytes ?? ByteBuffer()) == "MANY"
                var iterator = association.messages.makeAsyncIterator()
                for i in 1...(wantsMany ? 1000 : 2) {
                    try await association.send(
                        CFindRSP(respondingTo: request, status: .pending, hasIdentifier: true),
                        dataSet: TestDataSets.studyIdentifier(studyUID: "1.2.\(i)"), contextID: message.contextID)
                    if wantsMany, i == 3, let next = try await iterator.next(), case .cCancelRQ? = try? next.dimse() {
                        try await association.send(
                            CFindRSP(respondingTo: request, status: .cancel), contextID: message.contextID)
                        return true
                    }
                }
                try await association.send(
                    CFindRSP(respondingTo: request, status: .success), contextID: message.contextID)
                return true
            }, extra: [find: [TransferSyntaxUID.implicitVRLittleEndian]])
        let association = try await connect(
            server,
            [
                ProposedPresentationContext(
                    abstractSyntax: find, transferSyntaxes: [TransferSyntaxUID.implicitVRLittleEndian])
            ])
        let responses = try await association.find(sopClassUID: find, identifier: TestDataSets.studyIdentifier())
            .collect()
        XCTAssertEqual(responses.map(\.response.status), [.pending, .pending, .success])
        XCTAssertEqual(
            responses.compactMap { $0.identifier.flatMap { TestDataSets.value(0x0020, 0x000D, in: $0) } },
            ["1.2.1", "1.2.2"])

        let cancelled = try await association.find(
            sopClassUID: find, identifier: TestDataSets.studyIdentifier(studyUID: "MANY"))
        var statuses: [DIMSEStatus] = []
        for try await response in cancelled {
            statuses.append(response.response.status)
            if statuses.count == 1 { try await cancelled.cancel() }
        }
        XCTAssertEqual(statuses.last, .cancel)
        XCTAssertLessThan(statuses.count, 10)
        try await association.release()
        await server.shutdown(gracePeriod: .seconds(5))
    }

    /// C-GET: the SCP sends C-STORE sub-operations on the same association (SCP role negotiated); the
    /// store handler's status goes back in each C-STORE-RSP, then the final C-GET-RSP arrives.
    func testGetReceivesStoreSubOperations() async throws {
        let get = TestDataSets.studyRootGet
        let server = try await startServer(
            other: { message, dimse, association in
                guard case .cGetRQ(let request) = dimse else { return false }
                let storeContext = try XCTUnwrap(
                    association.negotiated.context(forAbstractSyntax: TestDataSets.secondaryCapture))
                XCTAssertTrue(storeContext.requestorIsSCP)
                var iterator = association.messages.makeAsyncIterator()
                for i in 1...2 {
                    let store = CStoreRQ(
                        messageID: association.nextMessageID(), affectedSOPClassUID: TestDataSets.secondaryCapture,
                        affectedSOPInstanceUID: "1.2.9.\(i)")
                    try await association.send(
                        store,
                        dataSet: TestDataSets.instance(
                            patientID: "P", studyUID: "1.2", seriesUID: "1.2.9",
                            sopInstanceUID: "1.2.9.\(i)"),
                        contextID: storeContext.id)
                    _ = try await iterator.next()  // C-STORE-RSP
                    try await association.send(
                        CGetRSP(
                            respondingTo: request, status: .pending,
                            subOperations: SubOperationCounts(
                                remaining: UInt16(2 - i), completed: UInt16(i), failed: 0, warning: 0)),
                        contextID: message.contextID)
                }
                try await association.send(
                    CGetRSP(
                        respondingTo: request, status: .success,
                        subOperations: SubOperationCounts(remaining: 0, completed: 2, failed: 0, warning: 0)),
                    contextID: message.contextID)
                return true
            }, extra: [get: [TransferSyntaxUID.implicitVRLittleEndian]])
        let association = try await connect(
            server,
            [
                ProposedPresentationContext(
                    abstractSyntax: get, transferSyntaxes: [TransferSyntaxUID.implicitVRLittleEndian]),
                ProposedPresentationContext(
                    abstractSyntax: sc, transferSyntaxes: [TransferSyntaxUID.implicitVRLittleEndian], role: .scuAndSCP),
            ])
        let received = Recorder<String>()
        let responses = try await association.get(
            sopClassUID: get, identifier: TestDataSets.studyIdentifier(studyUID: "1.2")
        ) { incoming in
            if case .bytes(let bytes) = incoming.dataSet, let uid = TestDataSets.value(0x0008, 0x0018, in: bytes) {
                received.append(uid)
            }
            return .success
        }.collect()
        XCTAssertEqual(received.all, ["1.2.9.1", "1.2.9.2"])
        XCTAssertEqual(responses.map(\.response.status), [.pending, .pending, .success])
        XCTAssertEqual(responses.last?.response.subOperations.completed, 2)
        try await association.release()
        await server.shutdown(gracePeriod: .seconds(5))
    }
}

extension DIMSEOperationsTests {
    /// A peer that never answers: with a DIMSE time-out the operation fails and the association is aborted;
    /// a peer that answers in time is unaffected.
    func testDIMSETimeoutAbortsASilentPeer() async throws {
        // Message IDs come from the process-wide counter: the 2nd echo is recognised by counting.
        let echoes = EchoCounter()
        let server = try await startServer(other: { _, dimse, _ in
            if case .cEchoRQ = dimse, echoes.next() == 2 { return true }  // swallow the 2nd echo
            return false
        })
        let association = try await DICOMAssociation.connect(
            host: "127.0.0.1", port: server.port, callingAETitle: "SCU", calledAETitle: "ANY",
            contexts: [verificationContext],
            configuration: AssociationConfiguration(dimseTimeout: .milliseconds(300)))
        let first = try await association.echo()
        XCTAssertEqual(first, .success)
        do {
            _ = try await association.echo()
            XCTFail("expected a time-out")
        } catch let error as AssociationError {
            guard case .timedOut(let text) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(text.contains("DIMSE"), text)
        }
        let ended = await association.waitUntilEnded()
        guard case .timedOut? = ended else { return XCTFail("\(String(describing: ended))") }
        await server.shutdown(gracePeriod: .seconds(5))
    }
}

/// Counts the C-ECHO-RQs a test server saw.
final class EchoCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func next() -> Int {
        lock.withLock {
            count += 1
            return count
        }
    }
}
