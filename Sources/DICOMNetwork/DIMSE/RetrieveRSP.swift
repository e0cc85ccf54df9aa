/// The two retrieve operations, C-GET (PS3.7 §9.3.3, PS3.4 C.4.3) and C-MOVE (PS3.7 §9.3.4, PS3.4 C.4.2):
/// their responses carry the same fields and differ only in their command field, so both are one type,
/// `RetrieveRSP`, told apart by this marker.
public protocol RetrieveOperation: Sendable {
    /// C-GET-RQ or C-MOVE-RQ.
    associatedtype Request: RetrieveRequest
    /// The (0000,0100) value of the response.
    static var responseField: CommandField { get }
    /// The response inside `message`, if it is one of this operation's.
    static func extract(_ message: DIMSEMessage) -> RetrieveRSP<Self>?
}

/// What a response takes from a C-GET-RQ or C-MOVE-RQ.
public protocol RetrieveRequest: DIMSECommandMessage {
    var messageID: UInt16 { get }
    var affectedSOPClassUID: String { get }
}

/// C-GET (PS3.7 §9.3.3): the matches come back as C-STORE sub-operations on the same association.
public enum CGet: RetrieveOperation, IdentifierOperation {
    public typealias Request = CGetRQ
    public static var requestField: CommandField { .cGetRQ }
    public static var responseField: CommandField { .cGetRSP }
    public static func extract(_ message: DIMSEMessage) -> CGetRSP? {
        if case .cGetRSP(let response) = message { return response }
        return nil
    }
}

/// C-MOVE (PS3.7 §9.3.4): the matches go to the Move Destination over another association.
public enum CMove: RetrieveOperation {
    public typealias Request = CMoveRQ
    public static var responseField: CommandField { .cMoveRSP }
    public static func extract(_ message: DIMSEMessage) -> CMoveRSP? {
        if case .cMoveRSP(let response) = message { return response }
        return nil
    }
}

extension IdentifierRQ: RetrieveRequest {}
extension CMoveRQ: RetrieveRequest {}

/// C-GET-RSP (PS3.7 §9.3.3.2).
public typealias CGetRSP = RetrieveRSP<CGet>
/// C-MOVE-RSP (PS3.7 §9.3.4.2).
public typealias CMoveRSP = RetrieveRSP<CMove>

/// A C-GET-RSP or C-MOVE-RSP (PS3.7 §9.3.3.2, §9.3.4.2): the status, the four sub-operation counters, the
/// error details, and an identifier (Failed SOP Instance UID List) that may follow a final response.
public struct RetrieveRSP<Operation: RetrieveOperation>: DIMSECommandMessage {
    public static var commandField: CommandField { Operation.responseField }
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
        respondingTo request: Operation.Request, status: DIMSEStatus, subOperations: SubOperationCounts,
        hasIdentifier: Bool = false, errorComment: String? = nil
    ) {
        self.init(
            messageIDBeingRespondedTo: request.messageID, status: status,
            affectedSOPClassUID: request.affectedSOPClassUID, subOperations: subOperations,
            hasIdentifier: hasIdentifier, errorComment: errorComment)
    }

    public var hasDataSet: Bool { hasIdentifier }

    public var commandSet: CommandSet {
        var set = CommandSet(
            response: Self.commandField, hasDataSet: hasIdentifier, respondingTo: messageIDBeingRespondedTo,
            status: status, sopClassUID: affectedSOPClassUID, offendingElements: offendingElements,
            errorComment: errorComment)
        set.setSubOperationCounts(subOperations)
        return set
    }

    public init(commandSet set: CommandSet) throws {
        let fields = try set.responseFields(Self.commandField)
        self.init(
            messageIDBeingRespondedTo: fields.messageIDBeingRespondedTo, status: fields.status,
            affectedSOPClassUID: fields.sopClassUID, subOperations: try set.subOperationCounts(),
            hasIdentifier: set.hasDataSet, offendingElements: try set.attributeTags(.offendingElement),
            errorComment: set.string(.errorComment))
    }
}

extension RetrieveRSP: DIMSEOperationResponse {
    public static func extract(_ message: DIMSEMessage) -> RetrieveRSP? { Operation.extract(message) }
}
