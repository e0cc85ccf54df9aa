import NIOCore
import TestSupport
import XCTest

@testable import DICOMNetwork

/// `DICOMAssociation.handleOnEventLoop` (docs/design.md "Work on the event loop"): messages taken on the event
/// loop never overtake one the consumer's task has yet to finish, and nothing is seen twice or lost.
final class EventLoopHandlingTests: XCTestCase {
    private func message(_ id: UInt16) -> AssociationMessage {
        AssociationMessage(
            contextID: 1, command: CEchoRQ(messageID: id).commandSet, dataSet: .none)
    }

    func testTheHandlerIsAskedOnlyWhileTheConsumerHasNothingQueuedOrInHand() {
        let flow = InboundFlowControl()
        let asked = Recorder<UInt16>()
        flow.setInterceptor { message in
            asked.append((try? message.command.unsignedShort(.messageID)) ?? 0)
            return true
        }
        XCTAssertTrue(flow.intercepted(message(1)), "the consumer waits with nothing queued: taken on the loop")
        flow.produced(message(2))
        XCTAssertFalse(flow.intercepted(message(3)), "message 2 is queued: 3 must follow it to the consumer")
        flow.produced(message(3))
        flow.consumed(message(2))
        XCTAssertFalse(flow.intercepted(message(4)), "3 is still queued")
        flow.produced(message(4))
        flow.consumed(message(3))
        flow.consumerAsks()
        flow.consumed(message(4))
        XCTAssertFalse(flow.intercepted(message(5)), "the consumer works on 4: 5 must wait for it")
        flow.produced(message(5))
        flow.consumerAsks()
        flow.consumed(message(5))
        flow.consumerAsks()
        XCTAssertTrue(flow.intercepted(message(6)), "the consumer finished 5 and waits: taken on the loop")
        flow.setInterceptor(nil)
        XCTAssertFalse(flow.intercepted(message(7)), "removed")
        flow.endInterception()
        flow.setInterceptor { _ in true }
        XCTAssertFalse(flow.intercepted(message(8)), "a handler installed after the association ended is not kept")
        XCTAssertEqual(asked.all, [1, 6])
    }

    /// A handler that holds its association (as the retrieve's and the storage SCP's do) would keep it, its handler
    /// and its channel alive for ever if the association ended with the handler still installed (an abort, a lost
    /// connection): the end removes it, and one installed after the end is not kept.
    func testTheEndOfTheAssociationLetsGoOfAHandlerThatHoldsIt() async throws {
        let server = try await startEchoServer()
        weak var released: DICOMAssociation?
        weak var lateReleased: DICOMAssociation?
        for late in [false, true] {
            let association = try await DICOMAssociation.connect(
                host: "127.0.0.1", port: server.port, callingAETitle: "SCU", calledAETitle: "DICOMLUA",
                contexts: [verificationContext])
            let holding: @Sendable (AssociationMessage) -> Bool = { _ in
                withExtendedLifetime(association) { false }
            }
            if late {
                lateReleased = association
                await association.abort()
                _ = await association.waitUntilEnded()
                association.handleOnEventLoop(holding)
            } else {
                released = association
                association.handleOnEventLoop(holding)
                let echo = try await association.echo()
                XCTAssertEqual(echo, .success, "a declined message still reaches its consumer")
                await association.abort()
                _ = await association.waitUntilEnded()
            }
        }
        let gone = await eventually(timeout: 10) { released == nil && lateReleased == nil }
        XCTAssertTrue(gone, "the ended association is still alive: its handler kept it")
        await server.shutdown(gracePeriod: .seconds(5))
    }

    /// A C-GET whose pending responses and answered C-STOREs go to event-loop handlers: every message is handled
    /// once, by the loop or by the task, in the order it arrived, and the final response ends the iteration.
    func testAC_GETsMessagesAreHandledOnceInArrivalOrderWhicheverSideTakesThem() async throws {
        let sc = TestDataSets.secondaryCapture
        let getSOPClass = "1.2.840.10008.5.1.4.1.2.2.3"
        var configuration = AssociationConfiguration(dimseTimeout: .seconds(20))
        configuration.dataSetSinkProvider = { _, _, message in
            if case .cStoreRQ = message { AnsweringSink(status: .success) } else { nil }
        }
        let policy = AcceptancePolicy(
            supportedAbstractSyntaxes: [
                getSOPClass: TransferSyntaxUID.uncompressed, sc: TransferSyntaxUID.uncompressed,
            ],
            requestorSCPRoleAbstractSyntaxes: [sc])
        let count = 30
        let server = try await DICOMServer.start(configuration: ServerConfiguration(policy: policy)) { association in
            try? await association.serve(other: { message, dimse, association in
                guard case .cGetRQ(let request) = dimse else { return false }
                let storeContext = try association.presentationContext(for: sc)
                try await Task.sleep(nanoseconds: 50_000_000)  // the SCU is waiting by now
                for index in 1...count {
                    let uid = "1.2.3.9.\(index)"
                    _ = try await association.store(
                        sopClassUID: sc, sopInstanceUID: uid,
                        dataSet: TestDataSets.instance(
                            patientID: "P", studyUID: "1.2.3", seriesUID: "1.2.3.9", sopInstanceUID: uid),
                        transferSyntax: storeContext.transferSyntax)
                    try await association.send(
                        CGetRSP(
                            respondingTo: request, status: .pending,
                            subOperations: SubOperationCounts(
                                remaining: UInt16(count - index), completed: UInt16(index), failed: 0, warning: 0)),
                        contextID: message.contextID)
                }
                try await association.send(
                    CGetRSP(
                        respondingTo: request, status: .success,
                        subOperations: SubOperationCounts(
                            remaining: 0, completed: UInt16(count), failed: 0, warning: 0)),
                    contextID: message.contextID)
                return true
            })
        }
        let association = try await connectAsGetSCU(
            port: server.port, getSOPClass: getSOPClass, storageSOPClass: sc, configuration: configuration)
        let seen = Recorder<String>()
        let onLoop = Recorder<String>()
        let responses = try await association.get(sopClassUID: getSOPClass, identifier: ByteBuffer()) { incoming in
            seen.append("store \(incoming.request.affectedSOPInstanceUID)")
            return .success
        }
        responses.handleOnEventLoop(
            pending: { response in
                let entry = "pending \(response.response.subOperations.completed ?? 0)"
                seen.append(entry)
                onLoop.append(entry)
            },
            answeredStore: { incoming in
                let entry = "store \(incoming.request.affectedSOPInstanceUID)"
                seen.append(entry)
                onLoop.append(entry)
            })
        for try await response in responses {
            seen.append(
                response.response.status.isPending
                    ? "pending \(response.response.subOperations.completed ?? 0)" : "final")
        }
        let expected = (1...count).flatMap { ["store 1.2.3.9.\($0)", "pending \($0)"] } + ["final"]
        XCTAssertEqual(seen.all, expected, "each message once, in the order it arrived")
        XCTAssertFalse(onLoop.all.isEmpty, "the consumer waited: messages were taken on the event loop")
        try await association.release()
        await server.shutdown(gracePeriod: .seconds(5))
    }
}
