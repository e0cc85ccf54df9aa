/// Any DIMSE-C message, for dispatch by (0000,0100) Command Field (PS3.7 §9.3).
public enum DIMSEMessage: Equatable, Sendable {
    case cEchoRQ(CEchoRQ)
    case cEchoRSP(CEchoRSP)
    case cStoreRQ(CStoreRQ)
    case cStoreRSP(CStoreRSP)
    case cFindRQ(CFindRQ)
    case cFindRSP(CFindRSP)
    case cMoveRQ(CMoveRQ)
    case cMoveRSP(CMoveRSP)
    case cGetRQ(CGetRQ)
    case cGetRSP(CGetRSP)
    case cCancelRQ(CCancelRQ)

    /// Decodes the message named by the command field; the N-services are rejected with
    /// `CommandSetError.unsupportedCommandField`.
    public init(commandSet set: CommandSet) throws {
        let raw = try set.unsignedShort(.commandField)
        guard let raw else { throw CommandSetError.missingElement(.commandField, message: "a DIMSE message") }
        guard let field = CommandField(rawValue: raw) else { throw CommandSetError.unsupportedCommandField(raw) }
        switch field {
        case .cEchoRQ: self = .cEchoRQ(try CEchoRQ(commandSet: set))
        case .cEchoRSP: self = .cEchoRSP(try CEchoRSP(commandSet: set))
        case .cStoreRQ: self = .cStoreRQ(try CStoreRQ(commandSet: set))
        case .cStoreRSP: self = .cStoreRSP(try CStoreRSP(commandSet: set))
        case .cFindRQ: self = .cFindRQ(try CFindRQ(commandSet: set))
        case .cFindRSP: self = .cFindRSP(try CFindRSP(commandSet: set))
        case .cMoveRQ: self = .cMoveRQ(try CMoveRQ(commandSet: set))
        case .cMoveRSP: self = .cMoveRSP(try CMoveRSP(commandSet: set))
        case .cGetRQ: self = .cGetRQ(try CGetRQ(commandSet: set))
        case .cGetRSP: self = .cGetRSP(try CGetRSP(commandSet: set))
        case .cCancelRQ: self = .cCancelRQ(try CCancelRQ(commandSet: set))
        case .nEventReportRQ, .nEventReportRSP, .nGetRQ, .nGetRSP, .nSetRQ, .nSetRSP, .nActionRQ, .nActionRSP,
            .nCreateRQ, .nCreateRSP, .nDeleteRQ, .nDeleteRSP:
            throw CommandSetError.unsupportedCommandField(raw)
        }
    }

    /// The wrapped message.
    public var message: any DIMSECommandMessage {
        switch self {
        case let .cEchoRQ(message): return message
        case let .cEchoRSP(message): return message
        case let .cStoreRQ(message): return message
        case let .cStoreRSP(message): return message
        case let .cFindRQ(message): return message
        case let .cFindRSP(message): return message
        case let .cMoveRQ(message): return message
        case let .cMoveRSP(message): return message
        case let .cGetRQ(message): return message
        case let .cGetRSP(message): return message
        case let .cCancelRQ(message): return message
        }
    }

    public var commandField: CommandField { type(of: message).commandField }
    public var commandSet: CommandSet { message.commandSet }
    public var hasDataSet: Bool { message.hasDataSet }
}
