import Foundation
import NIOCore
import TestSupport

@testable import DICOMNetwork

/// Wire bytes and servers shared by the network fault tests.
enum FaultWire {
    static let secondaryCapture = "1.2.840.10008.5.1.4.1.1.7"

    /// A valid A-ASSOCIATE-RQ proposing Verification (context 1) and Secondary Capture (context 3).
    static func associateRQ(called: String = "DICOMLUA", calling: String = "FAULTY") throws -> [UInt8] {
        let rq = try AssociationRequestor.makeRequest(
            callingAETitle: calling, calledAETitle: called,
            contexts: [
                verificationContext,
                ProposedPresentationContext(
                    abstractSyntax: secondaryCapture,
                    transferSyntaxes: [TransferSyntaxUID.explicitVRLittleEndian]),
            ],
            maximumPDULength: 16384)
        return encode(.associateRQ(rq))
    }

    /// A P-DATA-TF PDU with one PDV.
    static func pData(contextID: UInt8 = 3, isCommand: Bool, isLast: Bool, _ data: [UInt8]) -> [UInt8] {
        encode(
            .dataTF([
                PresentationDataValue(
                    contextID: contextID, isCommand: isCommand, isLastFragment: isLast,
                    data: ByteBuffer(bytes: data))
            ]))
    }

    /// A C-STORE-RQ command PDV (Secondary Capture, context 3) announcing a data set.
    static func storeCommand(messageID: UInt16 = 1, sopInstance: String = "1.2.3.4") -> [UInt8] {
        let command = TestCommands.storeRQ(messageID: messageID, sopClass: secondaryCapture, sopInstance: sopInstance)
        return pData(isCommand: true, isLast: true, Array(command.readableBytesView))
    }

    /// A-RELEASE-RQ.
    static let releaseRQ: [UInt8] = hex("05 00 00000004 00000000")

    /// Connects `peer` and negotiates; true when the server answered A-ASSOCIATE-AC.
    static func establish(_ peer: FaultyPeer) throws -> Bool {
        peer.send(try associateRQ())
        return peer.readPDU()?.type == 0x02
    }
}

/// A `DataSetSink` that records what happened to it.
final class RecordingSink: DataSetSink, @unchecked Sendable {
    private let lock = NSLock()
    private var byteCount = 0
    private var finishedFlag = false
    private var abandonedFlag = false
    func write(_ fragment: ByteBuffer) throws { lock.withLock { byteCount += fragment.readableBytes } }
    func finish() throws { lock.withLock { finishedFlag = true } }
    func abandon() { lock.withLock { abandonedFlag = true } }
    var bytesWritten: Int { lock.withLock { byteCount } }
    var finished: Bool { lock.withLock { finishedFlag } }
    var abandoned: Bool { lock.withLock { abandonedFlag } }
}

/// Hands out one `RecordingSink` per streamed data set, and remembers them.
final class SinkFactory: @unchecked Sendable {
    private let lock = NSLock()
    private var made: [RecordingSink] = []
    var sinks: [RecordingSink] { lock.withLock { made } }
    var provider: DataSetSinkProvider {
        { _, _, _ in
            let sink = RecordingSink()
            self.lock.withLock { self.made.append(sink) }
            return sink
        }
    }
}

/// An echo server that also accepts Secondary Capture and streams its data sets into `sinks`.
func startStreamingServer(
    sinks: SinkFactory, maximumAssociations: Int = 4, artim: TimeAmount = .seconds(2),
    dimseTimeout: TimeAmount? = nil,
    onEnd: (@Sendable (Error?) -> Void)? = nil
) async throws -> DICOMServer {
    var configuration = AssociationConfiguration(artimTimeout: artim, dimseTimeout: dimseTimeout)
    configuration.dataSetSinkProvider = sinks.provider
    return try await startEchoServer(
        maximumAssociations: maximumAssociations, association: configuration,
        extraAbstractSyntaxes: [FaultWire.secondaryCapture: TransferSyntaxUID.uncompressed],
        onEnd: onEnd)
}

/// Connects with our own client and echoes: what "the server still serves" means in these tests.
func echoSucceeds(port: Int) async -> Bool {
    do {
        let association = try await DICOMAssociation.connect(
            host: "127.0.0.1", port: port, callingAETitle: "SCU",
            calledAETitle: "DICOMLUA", contexts: [verificationContext])
        try await association.send(command: TestCommands.echoRQ(messageID: 1), contextID: 1)
        var iterator = association.messages.makeAsyncIterator()
        let response = try await iterator.next()
        try await association.release()
        return response.flatMap { TestCommands.us(0x0900, in: $0.command) } == 0
    } catch {
        return false
    }
}
