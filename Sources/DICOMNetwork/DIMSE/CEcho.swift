/// C-ECHO-RQ (PS3.7 §9.3.5.1): verification request; never carries a data set.
public struct CEchoRQ: DIMSECommandMessage {
    public static let commandField = CommandField.cEchoRQ
    public var messageID: UInt16
    public var affectedSOPClassUID: String

    public init(messageID: UInt16, affectedSOPClassUID: String = verificationSOPClassUID) {
        self.messageID = messageID
        self.affectedSOPClassUID = affectedSOPClassUID
    }

    public var hasDataSet: Bool { false }

    public var commandSet: CommandSet {
        CommandSet(
            request: Self.commandField, hasDataSet: false, messageID: messageID, sopClassUID: affectedSOPClassUID,
            priority: nil)
    }

    public init(commandSet set: CommandSet) throws {
        try set.requireCommandField(Self.commandField)
        messageID = try set.requiredUnsignedShort(.messageID, in: Self.commandField)
        affectedSOPClassUID = set.string(.affectedSOPClassUID) ?? verificationSOPClassUID
    }
}

/// C-ECHO-RSP (PS3.7 §9.3.5.2).
public struct CEchoRSP: DIMSECommandMessage {
    public static let commandField = CommandField.cEchoRSP
    public var messageIDBeingRespondedTo: UInt16
    public var affectedSOPClassUID: String?
    public var status: DIMSEStatus
    public var errorComment: String?

    public init(
        messageIDBeingRespondedTo: UInt16, status: DIMSEStatus = .success,
        affectedSOPClassUID: String? = verificationSOPClassUID, errorComment: String? = nil
    ) {
        self.messageIDBeingRespondedTo = messageIDBeingRespondedTo
        self.status = status
        self.affectedSOPClassUID = affectedSOPClassUID
        self.errorComment = errorComment
    }

    /// The response to `request`.
    public init(respondingTo request: CEchoRQ, status: DIMSEStatus = .success, errorComment: String? = nil) {
        self.init(
            messageIDBeingRespondedTo: request.messageID, status: status,
            affectedSOPClassUID: request.affectedSOPClassUID, errorComment: errorComment)
    }

    public var hasDataSet: Bool { false }

    public var commandSet: CommandSet {
        CommandSet(
            response: Self.commandField, hasDataSet: false, respondingTo: messageIDBeingRespondedTo, status: status,
            sopClassUID: affectedSOPClassUID, offendingElements: nil, errorComment: errorComment)
    }

    public init(commandSet set: CommandSet) throws {
        let fields = try set.responseFields(Self.commandField)
        self.init(
            messageIDBeingRespondedTo: fields.messageIDBeingRespondedTo, status: fields.status,
            affectedSOPClassUID: fields.sopClassUID, errorComment: set.string(.errorComment))
    }
}
