/// C-CANCEL-RQ (PS3.7 §9.3.2.3, §9.3.3.3, §9.3.4.3): asks the SCP to stop the C-FIND, C-GET or C-MOVE whose
/// Message ID is `messageIDBeingRespondedTo`; sent on the same presentation context and never answered
/// directly (the operation's final response carries 0xFE00 Cancel).
public struct CCancelRQ: DIMSECommandMessage {
    public static let commandField = CommandField.cCancelRQ
    public var messageIDBeingRespondedTo: UInt16

    public init(messageIDBeingRespondedTo: UInt16) {
        self.messageIDBeingRespondedTo = messageIDBeingRespondedTo
    }

    public var hasDataSet: Bool { false }

    public var commandSet: CommandSet {
        var set = CommandSet(field: Self.commandField, hasDataSet: false)
        set.setUnsignedShort(messageIDBeingRespondedTo, for: .messageIDBeingRespondedTo)
        return set
    }

    public init(commandSet set: CommandSet) throws {
        try set.requireCommandField(Self.commandField)
        messageIDBeingRespondedTo = try set.requiredUnsignedShort(.messageIDBeingRespondedTo, in: Self.commandField)
    }
}
