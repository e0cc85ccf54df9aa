import NIOCore

/// Assembles PDVs into DIMSE messages (PS3.8 Annex E; PS3.7 §6.3): a pure value fed one PDV at a time.
///
/// Command fragments are collected (up to `maxCommandSetLength`) and decoded when the last one arrives;
/// data set fragments are passed straight through, so a storage SCP can stream them to disk. After an
/// error the assembler is in an undefined state: the association must be aborted.
public struct DIMSEMessageAssembler: Sendable {
    /// Default limit on a command set; real ones are a few hundred bytes.
    public static let defaultMaxCommandSetLength = 64 * 1024

    public let maxCommandSetLength: Int

    private enum State: Sendable {
        /// Waiting for the first command PDV; remembers the previous command if it declared no data set.
        case awaitingCommand(previousWithoutDataSet: (contextID: UInt8, commandField: UInt16?)?)
        case receivingCommand(contextID: UInt8, bytes: ByteBuffer)
        case receivingDataSet(contextID: UInt8)
    }

    private var state: State = .awaitingCommand(previousWithoutDataSet: nil)

    public init(maxCommandSetLength: Int = DIMSEMessageAssembler.defaultMaxCommandSetLength) {
        self.maxCommandSetLength = maxCommandSetLength
    }

    /// True between messages (no command or data set in progress).
    public var isIdle: Bool {
        switch state {
        case .awaitingCommand: return true
        case .receivingCommand, .receivingDataSet: return false
        }
    }

    /// Feeds one PDV; returns what it completes (nothing, a command, a command and `.noDataSet`, or a
    /// data fragment).
    public mutating func receive(_ pdv: PresentationDataValue) throws -> [DIMSEAssemblyEvent] {
        switch state {
        case let .awaitingCommand(previous):
            guard pdv.isCommand else {
                if let previous, previous.contextID == pdv.contextID {
                    throw DIMSEAssemblyError.dataSetAfterCommandWithoutDataSet(
                        contextID: pdv.contextID, commandField: previous.commandField)
                }
                throw DIMSEAssemblyError.dataSetBeforeCommand(contextID: pdv.contextID)
            }
            return try appendCommand(pdv, to: ByteBuffer())

        case let .receivingCommand(contextID, bytes):
            guard pdv.contextID == contextID else {
                throw DIMSEAssemblyError.contextChanged(expected: contextID, actual: pdv.contextID)
            }
            guard pdv.isCommand else {
                throw DIMSEAssemblyError.dataSetBeforeCommand(contextID: pdv.contextID)
            }
            state = .awaitingCommand(previousWithoutDataSet: nil)  // drop our reference before appending
            return try appendCommand(pdv, to: bytes)

        case let .receivingDataSet(contextID):
            guard pdv.contextID == contextID else {
                throw DIMSEAssemblyError.contextChanged(expected: contextID, actual: pdv.contextID)
            }
            guard !pdv.isCommand else {
                throw DIMSEAssemblyError.commandWhileDataSetExpected(contextID: pdv.contextID)
            }
            if pdv.isLastFragment { state = .awaitingCommand(previousWithoutDataSet: nil) }
            return [.dataFragment(pdv.data, isLast: pdv.isLastFragment)]
        }
    }

    private mutating func appendCommand(
        _ pdv: PresentationDataValue, to collected: ByteBuffer
    ) throws
        -> [DIMSEAssemblyEvent]
    {
        let total = collected.readableBytes + pdv.data.readableBytes
        guard total <= maxCommandSetLength else {
            throw DIMSEAssemblyError.commandSetTooLarge(limit: maxCommandSetLength, received: total)
        }
        var bytes: ByteBuffer
        if collected.readableBytes == 0 {
            bytes = pdv.data  // the usual case: the whole command set in one PDV, no copy
        } else {
            bytes = collected
            var fragment = pdv.data
            bytes.writeBuffer(&fragment)
        }
        guard pdv.isLastFragment else {
            state = .receivingCommand(contextID: pdv.contextID, bytes: bytes)
            return []
        }
        let commandSet: CommandSet
        do {
            commandSet = try CommandSet(decoding: bytes)
        } catch let error as CommandSetError {
            throw DIMSEAssemblyError.invalidCommandSet(error)
        }
        let command = DIMSEAssemblyEvent.command(contextID: pdv.contextID, commandSet: commandSet)
        if commandSet.hasDataSet {
            state = .receivingDataSet(contextID: pdv.contextID)
            return [command]
        }
        let field = try? commandSet.unsignedShort(.commandField)
        state = .awaitingCommand(previousWithoutDataSet: (pdv.contextID, field ?? nil))
        return [command, .noDataSet]
    }
}
