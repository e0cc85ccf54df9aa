/// What C-MOVE-RSP (PS3.7 §9.3.4.2) and C-GET-RSP (PS3.7 §9.3.3.2) share: the status, the four
/// sub-operation counters, the error details, and an identifier (Failed SOP Instance UID List) that may
/// follow a final response. The two differ only in their command field.
public protocol SubOperationResponse: DIMSECommandMessage {
    var messageIDBeingRespondedTo: UInt16 { get }
    var affectedSOPClassUID: String? { get }
    var status: DIMSEStatus { get }
    var subOperations: SubOperationCounts { get }
    var hasIdentifier: Bool { get }
    var offendingElements: [UInt32]? { get }
    var errorComment: String? { get }

    init(
        messageIDBeingRespondedTo: UInt16, status: DIMSEStatus, affectedSOPClassUID: String?,
        subOperations: SubOperationCounts, hasIdentifier: Bool, offendingElements: [UInt32]?, errorComment: String?)
}

extension SubOperationResponse {
    public var hasDataSet: Bool { hasIdentifier }

    public var commandSet: CommandSet {
        var set = CommandSet(field: Self.commandField, hasDataSet: hasIdentifier)
        set.setOptionalUID(affectedSOPClassUID, for: .affectedSOPClassUID)
        set.setUnsignedShort(messageIDBeingRespondedTo, for: .messageIDBeingRespondedTo)
        set.setUnsignedShort(status.rawValue, for: .status)
        set.setErrorDetails(offendingElements: offendingElements, errorComment: errorComment)
        set.setSubOperationCounts(subOperations)
        return set
    }

    public init(commandSet set: CommandSet) throws {
        try set.requireCommandField(Self.commandField)
        self.init(
            messageIDBeingRespondedTo: try set.requiredUnsignedShort(.messageIDBeingRespondedTo, in: Self.commandField),
            status: DIMSEStatus(try set.requiredUnsignedShort(.status, in: Self.commandField)),
            affectedSOPClassUID: set.string(.affectedSOPClassUID),
            subOperations: try set.subOperationCounts(),
            hasIdentifier: set.hasDataSet,
            offendingElements: try set.attributeTags(.offendingElement),
            errorComment: set.string(.errorComment))
    }
}
