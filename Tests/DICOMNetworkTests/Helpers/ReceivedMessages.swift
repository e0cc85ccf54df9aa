import NIOCore

@testable import DICOMNetwork

/// A whole received DIMSE message as the tests compare it: command set and in-memory data set (nil when
/// (0000,0800) said none follows).
struct DIMSEReceivedMessage: Equatable {
    var contextID: UInt8
    var commandSet: CommandSet
    var dataSet: ByteBuffer?
}

/// Feeds PDVs through the association's own `MessageAssembler` (the one that frames and accumulates every
/// received message), with every presentation context accepted and no streaming sink.
struct ReceivedMessages {
    private var assembler: MessageAssembler
    private var contexts: [UInt8: AcceptedPresentationContext] = [:]

    init(maxDataSetLength: Int = 16 * 1024 * 1024) {
        assembler = MessageAssembler(maximumInMemoryDataSetLength: maxDataSetLength)
    }

    /// Feeds one PDV; returns the message it completes, if any.
    mutating func receive(_ pdv: PresentationDataValue) throws -> DIMSEReceivedMessage? {
        if contexts[pdv.contextID] == nil {
            contexts[pdv.contextID] = AcceptedPresentationContext(
                id: pdv.contextID, abstractSyntax: "1.2.840.10008.1.1", transferSyntax: "1.2.840.10008.1.2")
        }
        guard let message = try assembler.feed(pdv, acceptedContexts: contexts, sinkProvider: nil) else { return nil }
        switch message.dataSet {
        case .none: return DIMSEReceivedMessage(contextID: message.contextID, commandSet: message.command, dataSet: nil)
        case .bytes(let bytes):
            return DIMSEReceivedMessage(contextID: message.contextID, commandSet: message.command, dataSet: bytes)
        case .streamed: preconditionFailure("no sink provider, so nothing is streamed")
        }
    }
}
