import NIOCore

/// A whole received DIMSE message: its command set and, if one followed, its data set bytes.
public struct DIMSEReceivedMessage: Equatable, Sendable {
    public var contextID: UInt8
    public var commandSet: CommandSet
    /// nil when (0000,0800) said no data set follows.
    public var dataSet: ByteBuffer?

    public init(contextID: UInt8, commandSet: CommandSet, dataSet: ByteBuffer?) {
        self.contextID = contextID
        self.commandSet = commandSet
        self.dataSet = dataSet
    }
}

/// The convenience on top of `DIMSEMessageAssembler` for messages small enough to hold in memory (C-FIND
/// identifiers, responses): collects the data set up to `maxDataSetLength` and returns whole messages.
public struct DIMSEMessageAccumulator: Sendable {
    /// Default limit on an accumulated data set (identifiers are small; stored instances should stream).
    public static let defaultMaxDataSetLength = 16 * 1024 * 1024

    public let maxDataSetLength: Int
    private var assembler: DIMSEMessageAssembler
    private var pending: (contextID: UInt8, commandSet: CommandSet, dataSet: ByteBuffer)?

    public init(
        maxCommandSetLength: Int = DIMSEMessageAssembler.defaultMaxCommandSetLength,
        maxDataSetLength: Int = DIMSEMessageAccumulator.defaultMaxDataSetLength
    ) {
        assembler = DIMSEMessageAssembler(maxCommandSetLength: maxCommandSetLength)
        self.maxDataSetLength = maxDataSetLength
    }

    /// Feeds one PDV; returns the message it completes, if any.
    public mutating func receive(_ pdv: PresentationDataValue) throws -> DIMSEReceivedMessage? {
        var completed: DIMSEReceivedMessage?
        for event in try assembler.receive(pdv) {
            switch event {
            case let .command(contextID, commandSet):
                pending = (contextID, commandSet, ByteBuffer())
            case .noDataSet:
                if let message = pending {
                    completed = DIMSEReceivedMessage(
                        contextID: message.contextID, commandSet: message.commandSet,
                        dataSet: nil)
                }
                pending = nil
            case let .dataFragment(fragment, isLast):
                guard var message = pending else { continue }
                pending = nil
                let total = message.dataSet.readableBytes + fragment.readableBytes
                guard total <= maxDataSetLength else {
                    throw DIMSEAssemblyError.dataSetTooLarge(limit: maxDataSetLength, received: total)
                }
                var bytes = fragment
                message.dataSet.writeBuffer(&bytes)
                if isLast {
                    completed = DIMSEReceivedMessage(
                        contextID: message.contextID, commandSet: message.commandSet,
                        dataSet: message.dataSet)
                } else {
                    pending = message
                }
            }
        }
        return completed
    }
}
