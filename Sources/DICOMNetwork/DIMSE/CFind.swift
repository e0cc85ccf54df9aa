/// C-FIND-RQ (PS3.7 §9.3.2.1): the identifier (query keys) always follows.
public typealias CFindRQ = IdentifierRQ<CFind>

/// C-FIND (PS3.7 §9.3.2): the matches come back in pending responses.
public enum CFind: IdentifierOperation {
    public static var requestField: CommandField { .cFindRQ }
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
        CommandSet(
            response: Self.commandField, hasDataSet: hasIdentifier, respondingTo: messageIDBeingRespondedTo,
            status: status, sopClassUID: affectedSOPClassUID, offendingElements: offendingElements,
            errorComment: errorComment)
    }

    public init(commandSet set: CommandSet) throws {
        let fields = try set.responseFields(Self.commandField)
        self.init(
            messageIDBeingRespondedTo: fields.messageIDBeingRespondedTo, status: fields.status,
            affectedSOPClassUID: fields.sopClassUID, hasIdentifier: set.hasDataSet,
            offendingElements: try set.attributeTags(.offendingElement), errorComment: set.string(.errorComment))
    }
}
