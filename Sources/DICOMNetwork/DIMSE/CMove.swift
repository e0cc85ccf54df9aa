/// C-MOVE-RQ (PS3.7 §9.3.4.1): the identifier always follows; the SCP sends the matches to
/// `moveDestination` over another association (PS3.4 C.4.2).
public struct CMoveRQ: DIMSECommandMessage {
    public static let commandField = CommandField.cMoveRQ
    public var messageID: UInt16
    public var affectedSOPClassUID: String
    public var priority: DIMSEPriority
    /// The AE title to store to, (0000,0600).
    public var moveDestination: String

    public init(
        messageID: UInt16, affectedSOPClassUID: String, moveDestination: String,
        priority: DIMSEPriority = .medium
    ) {
        self.messageID = messageID
        self.affectedSOPClassUID = affectedSOPClassUID
        self.moveDestination = moveDestination
        self.priority = priority
    }

    public var hasDataSet: Bool { true }

    public var commandSet: CommandSet {
        var set = CommandSet(
            request: Self.commandField, hasDataSet: true, messageID: messageID, sopClassUID: affectedSOPClassUID,
            priority: priority)
        set.setAETitle(moveDestination, for: .moveDestination)
        return set
    }

    public init(commandSet set: CommandSet) throws {
        (messageID, affectedSOPClassUID, priority) = try set.requestFields(Self.commandField)
        moveDestination = try set.requiredString(.moveDestination, in: Self.commandField)
    }
}
