/// C-FIND-RQ (PS3.7 §9.3.2.1): the identifier (query keys) always follows.
public struct CFindRQ: DIMSECommandMessage {
    public static let commandField = CommandField.cFindRQ
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
        var set = CommandSet(field: Self.commandField, hasDataSet: true)
        set.setUID(affectedSOPClassUID, for: .affectedSOPClassUID)
        set.setUnsignedShort(messageID, for: .messageID)
        set.setUnsignedShort(priority.rawValue, for: .priority)
        return set
    }

    public init(commandSet set: CommandSet) throws {
        try set.requireCommandField(Self.commandField)
        messageID = try set.requiredUnsignedShort(.messageID, in: Self.commandField)
        affectedSOPClassUID = try set.requiredString(.affectedSOPClassUID, in: Self.commandField)
        priority = try set.priority()
    }
}

/// C-FIND-RSP (PS3.7 §9.3.2.2): pending responses carry a matching identifier, the final one normally not.
public struct CFindRSP: DIMSECommandMessage {
    public static let commandField = CommandField.cFindRSP
    public var messageIDBeingRespondedTo: UInt16
    public var affectedSOPClassUID: String?
    public var status: DIMSEStatus
    /// True when an identifier follows.
    public var hasIdentifier: Bool
    public var offendingElements: [UInt32]?
    public var errorComment: String?

    /// `hasIdentifier` defaults to true for pending statuses.
    public init(
        messageIDBeingRespondedTo: UInt16, status: DIMSEStatus, affectedSOPClassUID: String?,
        hasIdentifier: Bool? = nil, offendingElements: [UInt32]? = nil, errorComment: String? = nil
    ) {
        self.messageIDBeingRespondedTo = messageIDBeingRespondedTo
        self.status = status
        self.affectedSOPClassUID = affectedSOPClassUID
        self.hasIdentifier = hasIdentifier ?? status.isPending
        self.offendingElements = offendingElements
        self.errorComment = errorComment
    }

    /// A response to `request`; `hasIdentifier` defaults to true for pending statuses.
    public init(
        respondingTo request: CFindRQ, status: DIMSEStatus, hasIdentifier: Bool? = nil,
        errorComment: String? = nil
    ) {
        self.init(
            messageIDBeingRespondedTo: request.messageID, status: status,
            affectedSOPClassUID: request.affectedSOPClassUID, hasIdentifier: hasIdentifier,
            errorComment: errorComment)
    }

    public var hasDataSet: Bool { hasIdentifier }

    public var commandSet: CommandSet {
        var set = CommandSet(field: Self.commandField, hasDataSet: hasIdentifier)
        set.setOptionalUID(affectedSOPClassUID, for: .affectedSOPClassUID)
        set.setUnsignedShort(messageIDBeingRespondedTo, for: .messageIDBeingRespondedTo)
        set.setUnsignedShort(status.rawValue, for: .status)
        set.setErrorDetails(offendingElements: offendingElements, errorComment: errorComment)
        return set
    }

    public init(commandSet set: CommandSet) throws {
        try set.requireCommandField(Self.commandField)
        messageIDBeingRespondedTo = try set.requiredUnsignedShort(.messageIDBeingRespondedTo, in: Self.commandField)
        status = DIMSEStatus(try set.requiredUnsignedShort(.status, in: Self.commandField))
        affectedSOPClassUID = set.string(.affectedSOPClassUID)
        hasIdentifier = set.hasDataSet
        offendingElements = try set.attributeTags(.offendingElement)
        errorComment = set.string(.errorComment)
    }
}
