import NIOCore

/// What the assembler reports as PDVs arrive (PS3.8 Annex E; PS3.7 §6.3).
public enum DIMSEAssemblyEvent: Equatable, Sendable {
    /// A complete, decoded command set received on presentation context `contextID`.
    case command(contextID: UInt8, commandSet: CommandSet)
    /// The command just reported carries no data set: the message is complete.
    case noDataSet
    /// A fragment of the data set of the command just reported; the message is complete when `isLast`.
    case dataFragment(ByteBuffer, isLast: Bool)
}

/// A protocol violation while assembling a DIMSE message; the association should be aborted.
public enum DIMSEAssemblyError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A data set PDV arrived when a command was expected.
    case dataSetBeforeCommand(contextID: UInt8)
    /// A data set PDV arrived after a command whose (0000,0800) said no data set follows.
    case dataSetAfterCommandWithoutDataSet(contextID: UInt8, commandField: UInt16?)
    /// A command PDV arrived while the data set of the previous command was expected.
    case commandWhileDataSetExpected(contextID: UInt8)
    /// A PDV on a presentation context other than the one of the message in progress (PS3.8 E.1).
    case contextChanged(expected: UInt8, actual: UInt8)
    /// The command fragments add up to more than the limit.
    case commandSetTooLarge(limit: Int, received: Int)
    /// The command set could not be decoded.
    case invalidCommandSet(CommandSetError)

    public var description: String {
        switch self {
        case let .dataSetBeforeCommand(contextID):
            return "DIMSE: expected a command PDV, received a data set PDV on context \(contextID)"
        case let .dataSetAfterCommandWithoutDataSet(contextID, field):
            let name = field.map { "0x" + hex4($0) } ?? "unknown"
            return "DIMSE: command \(name) declared no data set (0000,0800)=0x0101, "
                + "but a data set PDV arrived on context \(contextID)"
        case let .commandWhileDataSetExpected(contextID):
            return "DIMSE: expected a data set PDV, received a command PDV on context \(contextID)"
        case let .contextChanged(expected, actual):
            return "DIMSE: expected a PDV on presentation context \(expected) (message in progress), "
                + "received one on context \(actual)"
        case let .commandSetTooLarge(limit, received):
            return "DIMSE: command set exceeds the limit of \(limit) bytes (\(received) received)"
        case let .invalidCommandSet(error):
            return "DIMSE: \(error)"
        }
    }
}
