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
        var set = CommandSet(field: Self.commandField, hasDataSet: true)
        set.setUID(affectedSOPClassUID, for: .affectedSOPClassUID)
        set.setUnsignedShort(messageID, for: .messageID)
        set.setAETitle(moveDestination, for: .moveDestination)
        set.setUnsignedShort(priority.rawValue, for: .priority)
        return set
    }

    public init(commandSet set: CommandSet) throws {
        try set.requireCommandField(Self.commandField)
        messageID = try set.requiredUnsignedShort(.messageID, in: Self.commandField)
        affectedSOPClassUID = try set.requiredString(.affectedSOPClassUID, in: Self.commandField)
        moveDestination = try set.requiredString(.moveDestination, in: Self.commandField)
        priority = try set.priority()
    }
}

/// C-MOVE-RSP (PS3.7 §9.3.4.2): status plus the sub-operation counters; an identifier (Failed SOP
/// Instance UID List) may follow a final response.
public struct CMoveRSP: SubOperationResponse {
    public static let commandField = CommandField.cMoveRSP
    public var messageIDBeingRespondedTo: UInt16
    public var affectedSOPClassUID: String?
    public var status: DIMSEStatus
    public var subOperations: SubOperationCounts
    public var hasIdentifier: Bool
    public var offendingElements: [UInt32]?
    public var errorComment: String?

    public init(
        messageIDBeingRespondedTo: UInt16, status: DIMSEStatus, affectedSOPClassUID: String?,
        subOperations: SubOperationCounts = SubOperationCounts(), hasIdentifier: Bool = false,
        offendingElements: [UInt32]? = nil, errorComment: String? = nil
    ) {
        self.messageIDBeingRespondedTo = messageIDBeingRespondedTo
        self.status = status
        self.affectedSOPClassUID = affectedSOPClassUID
        self.subOperations = subOperations
        self.hasIdentifier = hasIdentifier
        self.offendingElements = offendingElements
        self.errorComment = errorComment
    }

    /// A response to `request`.
    public init(
        respondingTo request: CMoveRQ, status: DIMSEStatus, subOperations: SubOperationCounts,
        hasIdentifier: Bool = false, errorComment: String? = nil
    ) {
        self.init(
            messageIDBeingRespondedTo: request.messageID, status: status,
            affectedSOPClassUID: request.affectedSOPClassUID, subOperations: subOperations,
            hasIdentifier: hasIdentifier, errorComment: errorComment)
    }
}
