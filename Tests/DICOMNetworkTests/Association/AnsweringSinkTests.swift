import NIOCore
import TestSupport
import XCTest

@testable import DICOMNetwork

/// A C-STORE streamed into an `AnsweringDataSetSink` is answered by the association on its event loop:
/// the sender gets its C-STORE-RSP (with the sink's status) while the service task is still busy, and
/// exactly one response per request.
final class AnsweringSinkTests: XCTestCase {
    let sc = TestDataSets.secondaryCapture

    func testStreamedStoresAreAnsweredOnTheEventLoopOncePerRequestWithTheSinksStatus() async throws {
        var configuration = AssociationConfiguration(maximumPDULength: 4096)
        configuration.dataSetSinkProvider = { _, _, message in
            guard case .cStoreRQ(let request) = message else { return nil }
            // Instance "…​.13" cannot be stored: its sink answers 0xA700.
            return AnsweringSink(
                status: request.affectedSOPInstanceUID.hasSuffix(".13") ? DIMSEStatus(0xA700) : .success)
        }
        let gate = Gate()
        let handled = Recorder<String>()
        let policy = AcceptancePolicy(supportedAbstractSyntaxes: [
            sc: TransferSyntaxUID.uncompressed,
            TestCommands.verification: TransferSyntaxUID.uncompressed,
        ])
        let server = try await DICOMServer.start(
            configuration: ServerConfiguration(policy: policy, association: configuration)
        ) {
            try? await $0.serve(store: { incoming in
                await gate.wait()  // the service task is busy until every store was answered
                handled.append(
                    "\(incoming.request.affectedSOPInstanceUID)=\(incoming.answeredStatus.map { "\($0.code)" } ?? "nil")"
                )
                return DIMSEStatus(0xC000)  // ignored: the association answered already
            })
        }
        let association = try await DICOMAssociation.connect(
            host: "127.0.0.1", port: server.port, callingAETitle: "SCU", calledAETitle: "ANY",
            contexts: [
                ProposedPresentationContext(
                    abstractSyntax: sc, transferSyntaxes: [TransferSyntaxUID.implicitVRLittleEndian]),
                verificationContext,
            ],
            configuration: AssociationConfiguration(dimseTimeout: .seconds(20)))  // a missing answer fails, not hangs
        var statuses: [UInt16] = []
        for index in 10..<16 {
            let uid = "1.2.3.1.\(index)"
            let dataSet = TestDataSets.instance(
                patientID: "P", studyUID: "1.2.3", seriesUID: "1.2.3.1", sopInstanceUID: uid)
            statuses.append(
                try await association.store(sopClassUID: sc, sopInstanceUID: uid, dataSet: dataSet).status.code)
        }
        XCTAssertEqual(statuses, [0, 0, 0, 0xA700, 0, 0])
        XCTAssertEqual(handled.all, [], "answered before the service task handled anything")
        await gate.open()
        // An echo after the stores: the service answers it only after handling the six stores, so a second
        // (late) C-STORE-RSP from the service would arrive before the C-ECHO-RSP and fail this.
        let echo = try await association.echo()
        XCTAssertEqual(echo, .success)
        try await association.release()
        await server.shutdown(gracePeriod: .seconds(5))
        XCTAssertEqual(
            handled.all, (10..<16).map { "1.2.3.1.\($0)=\($0 == 13 ? 0xA700 : 0)" },
            "the service still sees every store, marked as answered")
    }

    func testAnsweredStoresDuringCGetAreNotAnsweredTwice() async throws {
        // The SCU side of C-GET (PS3.4 C.4.3) streams sub-operations into answering sinks too: the
        // SCP must see one C-STORE-RSP per sub-operation, then the final C-GET-RSP.
        let sink: @Sendable () -> AnsweringSink = { AnsweringSink(status: .success) }
        var configuration = AssociationConfiguration()
        configuration.dataSetSinkProvider = { _, _, message in
            if case .cStoreRQ = message { sink() } else { nil }
        }
        let getSOPClass = "1.2.840.10008.5.1.4.1.2.2.3"
        let sc = self.sc
        let responsesSeen = Recorder<UInt16>()
        let policy = AcceptancePolicy(
            supportedAbstractSyntaxes: [
                getSOPClass: TransferSyntaxUID.uncompressed,
                sc: TransferSyntaxUID.uncompressed,
            ],
            requestorSCPRoleAbstractSyntaxes: [sc])
        let server = try await DICOMServer.start(configuration: ServerConfiguration(policy: policy)) { association in
            try? await association.serve(other: { message, dimse, association in
                guard case .cGetRQ(let request) = dimse else { return false }
                let storeContext = try association.presentationContext(for: sc)
                var completed = 0
                for index in 1...3 {
                    let uid = "1.2.3.9.\(index)"
                    let rsp = try await association.store(
                        sopClassUID: sc, sopInstanceUID: uid,
                        dataSet: TestDataSets.instance(
                            patientID: "P", studyUID: "1.2.3", seriesUID: "1.2.3.9", sopInstanceUID: uid),
                        transferSyntax: storeContext.transferSyntax)
                    responsesSeen.append(rsp.status.code)
                    completed += 1
                }
                try await association.send(
                    CGetRSP(
                        respondingTo: request, status: .success,
                        subOperations: SubOperationCounts(
                            remaining: 0, completed: UInt16(completed),
                            failed: 0, warning: 0)),
                    contextID: message.contextID)
                return true
            })
        }
        let association = try await connectAsGetSCU(
            port: server.port, getSOPClass: getSOPClass, storageSOPClass: sc, configuration: configuration)
        let handled = Recorder<String>()
        let responses = try await association.get(sopClassUID: getSOPClass, identifier: ByteBuffer()) { incoming in
            handled.append(incoming.request.affectedSOPInstanceUID)
            return DIMSEStatus(0xC000)  // ignored: answered on the event loop
        }
        let all = try await responses.collect()
        XCTAssertEqual(all.last?.response.status, .success)
        XCTAssertEqual(responsesSeen.all, [0, 0, 0], "the sinks' statuses, not the handler's")
        XCTAssertEqual(handled.all, ["1.2.3.9.1", "1.2.3.9.2", "1.2.3.9.3"])
        try await association.release()
        await server.shutdown(gracePeriod: .seconds(5))
    }
}

/// A sink that discards the data and answers with a fixed status.
final class AnsweringSink: AnsweringDataSetSink, @unchecked Sendable {
    let status: DIMSEStatus
    init(status: DIMSEStatus) { self.status = status }
    func write(_ fragment: ByteBuffer) throws {}
    func finish() throws {}
    func abandon() {}
    var responseStatus: DIMSEStatus { status }
}
