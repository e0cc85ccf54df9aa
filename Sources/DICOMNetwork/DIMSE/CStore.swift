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
        var set = CommandSet(
            request: Self.commandField, hasDataSet: true, messageID: messageID, sopClassUID: affectedSOPClassUID,
            priority: priority)
        set.setUID(affectedSOPInstanceUID, for: .affectedSOPInstanceUID)
        if let moveOriginatorAETitle {
            set.setAETitle(moveOriginatorAETitle, for: .moveOriginatorApplicationEntityTitle)
        }
        if let moveOriginatorMessageID { set.setUnsignedShort(moveOriginatorMessageID, for: .moveOriginatorMessageID) }
        return set
    }

    public init(commandSet set: CommandSet) throws {
        (messageID, affectedSOPClassUID, priority) = try set.requestFields(Self.commandField)
        affectedSOPInstanceUID = try set.requiredString(.affectedSOPInstanceUID, in: Self.commandField)
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
        var set = CommandSet(
            response: Self.commandField, hasDataSet: false, respondingTo: messageIDBeingRespondedTo, status: status,
            sopClassUID: affectedSOPClassUID, offendingElements: offendingElements, errorComment: errorComment)
        set.setOptionalUID(affectedSOPInstanceUID, for: .affectedSOPInstanceUID)
        return set
    }

    public init(commandSet set: CommandSet) throws {
        let fields = try set.responseFields(Self.commandField)
        self.init(
            messageIDBeingRespondedTo: fields.messageIDBeingRespondedTo, status: fields.status,
            affectedSOPClassUID: fields.sopClassUID, affectedSOPInstanceUID: set.string(.affectedSOPInstanceUID),
            offendingElements: try set.attributeTags(.offendingElement), errorComment: set.string(.errorComment))
    }
}
