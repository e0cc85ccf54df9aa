/// The operations whose request is a Message ID, an Affected SOP Class UID and a Priority, followed by an
/// identifier: C-FIND (PS3.7 §9.3.2.1) and C-GET (PS3.7 §9.3.3.1).
public protocol IdentifierOperation: Sendable {
    /// The (0000,0100) value of the request.
    static var requestField: CommandField { get }
}

/// A C-FIND-RQ or C-GET-RQ (PS3.7 §9.3.2.1, §9.3.3.1): the same fields, another command field.
public struct IdentifierRQ<Operation: IdentifierOperation>: DIMSECommandMessage {
    public static var commandField: CommandField { Operation.requestField }
    public var messageID: UInt16
    public var affectedSOPClassUID: String
    public var priority: DIMSEPriority

    public init(messageID: UInt16, affectedSOPClassUID: String, priority: DIMSEPriority = .medium) {
        self.messageID = messageID
        self.affectedSOPClassUID = affectedSOPClassUID
        self.priority = priority
    }

    public var hasDataSet: Bool { true }

    public var commandSet: CommandSet {
        CommandSet(
            request: Self.commandField, hasDataSet: true, messageID: messageID, sopClassUID: affectedSOPClassUID,
            priority: priority)
    }

    public init(commandSet set: CommandSet) throws {
        (messageID, affectedSOPClassUID, priority) = try set.requestFields(Self.commandField)
    }
}
