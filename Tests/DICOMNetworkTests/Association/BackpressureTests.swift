import NIOCore
import TestSupport
import XCTest

@testable import DICOMNetwork

/// A consumer that falls behind makes the association stop reading, so a fast sender is slowed down by
/// TCP instead of filling the receiver's memory; everything arrives once the consumer catches up.
final class BackpressureTests: XCTestCase {
    func testSlowConsumerPausesReadingAndLosesNothing() async throws {
        let sc = TestDataSets.secondaryCapture
        let gate = Gate()
        let serverSide = Recorder<DICOMAssociation>()
        let received = Recorder<Int>()
        let policy = AcceptancePolicy(supportedAbstractSyntaxes: [sc: [TransferSyntaxUID.implicitVRLittleEndian]])
        let server = try await DICOMServer.start(configuration: ServerConfiguration(policy: policy)) { association in
            serverSide.append(association)
            await gate.wait()
            do {
                for try await message in association.messages {
                    received.append(message.dataSetBytes?.readableBytes ?? 0)
                }
            } catch {}
        }
        let client = try await DICOMAssociation.connect(
            host: "127.0.0.1", port: server.port, callingAETitle: "SCU", calledAETitle: "ANY",
            contexts: [
                ProposedPresentationContext(
                    abstractSyntax: sc, transferSyntaxes: [TransferSyntaxUID.implicitVRLittleEndian])
            ])
        let count = 40
        let payload = ByteBuffer(repeating: 0x5A, count: 1 << 20)
        let sender = Task {
            for i in 1...count {
                try await client.send(
                    CStoreRQ(messageID: UInt16(i), affectedSOPClassUID: sc, affectedSOPInstanceUID: "1.2.\(i)"),
                    dataSet: payload, contextID: 1)
            }
        }
        let paused = await eventually(timeout: 30) {
            guard let association = serverSide.all.first else { return false }
            let handler = association.handler
            return (try? association.channel.eventLoop.submit { handler.value.flow.isPaused }.wait()) ?? false
        }
        XCTAssertTrue(paused, "the server should stop reading while its consumer is blocked")
        await gate.open()
        try await sender.value
        let all = await eventually(timeout: 60) { received.all.count == count }
        XCTAssertTrue(all, "received \(received.all.count) of \(count)")
        XCTAssertTrue(received.all.allSatisfy { $0 == 1 << 20 })
        try await client.release()
        await server.shutdown(gracePeriod: .seconds(5))
    }
}

/// A one-shot gate tasks can wait on.
actor Gate {
    private var isOpen = false
    private var waiters: [CheckedContinuation<Void, Never>] = []
    func wait() async {
        if isOpen { return }
        await withCheckedContinuation { waiters.append($0) }
    }
    func open() {
        isOpen = true
        waiters.forEach { $0.resume() }
        waiters = []
    }
}
