/// C-STORE-RQ (PS3.7 §9.3.1.1): the data set to store always follows.
///
/// `moveOriginatorAETitle` and `moveOriginatorMessageID` are set when the store is a C-MOVE sub-operation
/// (PS3.7 §9.3.1.1, Table 9.3-1).
public struct CStoreRQ: DIMSECommandMessage {
    public static let commandField = CommandField.cStoreRQ
    public var messageID: UInt16
    public var affectedSOPClassUID: String
    public var affectedSOPInstanceUID: String
    public var priority: DIMSEPriority
    public var moveOriginatorAETitle: String?
    public var moveOriginatorMessageID: UInt16?

    public init(
        messageID: UInt16, affectedSOPClassUID: String, affectedSOPInstanceUID: String,
        priority: DIMSEPriority = .medium, moveOriginatorAETitle: String? = nil,
        moveOriginatorMessageID: UInt16? = nil
    ) {
        self.messageID = messageID
        self.affectedSOPClassUID = affectedSOPClassUID
        self.affectedSOPInstanceUID = affectedSOPInstanceUID
        self.priority = priority
        self.moveOriginatorAETitle = moveOriginatorAETitle
        self.moveOriginatorMessageID = moveOriginatorMessageID
    }

    public var hasDataSet: Bool { true }

    public var commandSet: CommandSet {
        var set = CommandSet(field: Self.commandField, hasDataSet: true)
        set.setUID(affectedSOPClassUID, for: .affectedSOPClassUID)
        set.setUnsignedShort(messageID, for: .messageID)
        set.setUnsignedShort(priority.rawValue, for: .priority)
        set.setUID(affectedSOPInstanceUID, for: .affectedSOPInstanceUID)
        if let moveOriginatorAETitle {
            set.setAETitle(moveOriginatorAETitle, for: .moveOriginatorApplicationEntityTitle)
        }
        if let moveOriginatorMessageID { set.setUnsignedShort(moveOriginatorMessageID, for: .moveOriginatorMessageID) }
        return set
    }

    public init(commandSet set: CommandSet) throws {
        try set.requireCommandField(Self.commandField)
        messageID = try set.requiredUnsignedShort(.messageID, in: Self.commandField)
        affectedSOPClassUID = try set.requiredString(.affectedSOPClassUID, in: Self.commandField)
        affectedSOPInstanceUID = try set.requiredString(.affectedSOPInstanceUID, in: Self.commandField)
        priority = try set.priority()
        moveOriginatorAETitle = set.string(.moveOriginatorApplicationEntityTitle)
        moveOriginatorMessageID = try set.unsignedShort(.moveOriginatorMessageID)
    }
}

/// C-STORE-RSP (PS3.7 §9.3.1.2); never carries a data set.
public struct CStoreRSP: DIMSECommandMessage {
    public static let commandField = CommandField.cStoreRSP
    public var messageIDBeingRespondedTo: UInt16
    public var affectedSOPClassUID: String?
    public var affectedSOPInstanceUID: String?
    public var status: DIMSEStatus
    public var offendingElements: [UInt32]?
    public var errorComment: String?

    public init(
        messageIDBeingRespondedTo: UInt16, status: DIMSEStatus, affectedSOPClassUID: String?,
        affectedSOPInstanceUID: String?, offendingElements: [UInt32]? = nil, errorComment: String? = nil
    ) {
        self.messageIDBeingRespondedTo = messageIDBeingRespondedTo
        self.status = status
        self.affectedSOPClassUID = affectedSOPClassUID
        self.affectedSOPInstanceUID = affectedSOPInstanceUID
        self.offendingElements = offendingElements
        self.errorComment = errorComment
    }

    /// The response to `request` with `status`.
    public init(respondingTo request: CStoreRQ, status: DIMSEStatus, errorComment: String? = nil) {
        self.init(
            messageIDBeingRespondedTo: request.messageID, status: status,
            affectedSOPClassUID: request.affectedSOPClassUID,
            affectedSOPInstanceUID: request.affectedSOPInstanceUID, errorComment: errorComment)
    }

    public var hasDataSet: Bool { false }

    public var commandSet: CommandSet {
        var set = CommandSet(field: Self.commandField, hasDataSet: false)
        set.setOptionalUID(affectedSOPClassUID, for: .affectedSOPClassUID)
        set.setUnsignedShort(messageIDBeingRespondedTo, for: .messageIDBeingRespondedTo)
        set.setUnsignedShort(status.rawValue, for: .status)
        set.setErrorDetails(offendingElements: offendingElements, errorComment: errorComment)
        set.setOptionalUID(affectedSOPInstanceUID, for: .affectedSOPInstanceUID)
        return set
    }

    public init(commandSet set: CommandSet) throws {
        try set.requireCommandField(Self.commandField)
        messageIDBeingRespondedTo = try set.requiredUnsignedShort(.messageIDBeingRespondedTo, in: Self.commandField)
        status = DIMSEStatus(try set.requiredUnsignedShort(.status, in: Self.commandField))
        affectedSOPClassUID = set.string(.affectedSOPClassUID)
        affectedSOPInstanceUID = set.string(.affectedSOPInstanceUID)
        offendingElements = try set.attributeTags(.offendingElement)
        errorComment = set.string(.errorComment)
    }
}
