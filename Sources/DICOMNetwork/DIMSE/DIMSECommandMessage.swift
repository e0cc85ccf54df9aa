import NIOCore

/// A DIMSE-C message that converts to and from its command set (PS3.7 §9.3).
///
/// Decoding is tolerant where peers differ (optional elements, padded strings, any data-set-type value
/// other than 0x0101 meaning "present") and strict where the message would be meaningless (a missing
/// Message ID or Status, a wrong command field).
public protocol DIMSECommandMessage: Equatable, Sendable {
    /// The (0000,0100) value of this message type.
    static var commandField: CommandField { get }
    /// True when a data set (or identifier) follows the command set.
    var hasDataSet: Bool { get }
    /// The command set to send; (0000,0800) follows `hasDataSet`.
    var commandSet: CommandSet { get }
    /// Decodes the message from a received command set.
    init(commandSet: CommandSet) throws
}

extension DIMSECommandMessage {
    /// The encoded command set, ready for fragmentation.
    public func encodedCommandSet() -> NIOCore.ByteBuffer { commandSet.encoded() }
}

/// The Verification SOP Class UID, the Affected SOP Class of every C-ECHO (PS3.4 A.4).
public let verificationSOPClassUID = "1.2.840.10008.1.1"

/// The four sub-operation counters of a C-MOVE-RSP or C-GET-RSP (PS3.7 §9.3.4.2, §9.3.3.2), each optional:
/// pending responses carry all four, final responses carry completed/failed/warning (remaining only after
/// a cancel).
public struct SubOperationCounts: Equatable, Sendable {
    public var remaining: UInt16?
    public var completed: UInt16?
    public var failed: UInt16?
    public var warning: UInt16?

    public init(remaining: UInt16? = nil, completed: UInt16? = nil, failed: UInt16? = nil, warning: UInt16? = nil) {
        self.remaining = remaining
        self.completed = completed
        self.failed = failed
        self.warning = warning
    }
}

// MARK: Helpers shared by the message files

extension CommandSet {
    /// A command set with (0000,0100) and (0000,0800) set.
    init(field: CommandField, hasDataSet: Bool) {
        self.init()
        setUnsignedShort(field.rawValue, for: .commandField)
        setUnsignedShort(CommandDataSetType.value(hasDataSet: hasDataSet), for: .commandDataSetType)
    }

    /// A request's command set (PS3.7 §9.3, the "-RQ" tables): (0000,0100), (0000,0800), Affected SOP Class
    /// UID, Message ID and, when given, Priority.
    init(
        request field: CommandField, hasDataSet: Bool, messageID: UInt16, sopClassUID: String, priority: DIMSEPriority?
    ) {
        self.init(field: field, hasDataSet: hasDataSet)
        setUID(sopClassUID, for: .affectedSOPClassUID)
        setUnsignedShort(messageID, for: .messageID)
        if let priority { setUnsignedShort(priority.rawValue, for: .priority) }
    }

    /// What a request of type `field` always carries: its Message ID, Affected SOP Class UID and Priority
    /// (MEDIUM when absent), after checking (0000,0100).
    func requestFields(
        _ field: CommandField
    ) throws -> (messageID: UInt16, sopClassUID: String, priority: DIMSEPriority) {
        try requireCommandField(field)
        return (
            try requiredUnsignedShort(.messageID, in: field), try requiredString(.affectedSOPClassUID, in: field),
            try priority()
        )
    }

    /// A response's command set (PS3.7 §9.3, the "-RSP" tables): (0000,0100), (0000,0800), Affected SOP
    /// Class UID when known, Message ID Being Responded To, Status and the error details when present.
    init(
        response field: CommandField, hasDataSet: Bool, respondingTo messageID: UInt16, status: DIMSEStatus,
        sopClassUID: String?, offendingElements: [UInt32]?, errorComment: String?
    ) {
        self.init(field: field, hasDataSet: hasDataSet)
        setOptionalUID(sopClassUID, for: .affectedSOPClassUID)
        setUnsignedShort(messageID, for: .messageIDBeingRespondedTo)
        setUnsignedShort(status.rawValue, for: .status)
        setErrorDetails(offendingElements: offendingElements, errorComment: errorComment)
    }

    /// What a response of type `field` always carries: Message ID Being Responded To and Status (both
    /// required), and the Affected SOP Class UID when present, after checking (0000,0100).
    func responseFields(
        _ field: CommandField
    ) throws -> (
        messageIDBeingRespondedTo: UInt16, status: DIMSEStatus, sopClassUID: String?
    ) {
        try requireCommandField(field)
        return (
            try requiredUnsignedShort(.messageIDBeingRespondedTo, in: field),
            DIMSEStatus(try requiredUnsignedShort(.status, in: field)), string(.affectedSOPClassUID)
        )
    }

    /// Throws unless (0000,0100) is `expected`.
    func requireCommandField(_ expected: CommandField) throws {
        let actual = try requiredUnsignedShort(.commandField, in: expected)
        guard actual == expected.rawValue else {
            throw CommandSetError.unexpectedCommandField(expected: expected.rawValue, actual: actual)
        }
    }

    func requiredUnsignedShort(_ tag: CommandTag, in message: CommandField) throws -> UInt16 {
        guard let value = try unsignedShort(tag) else {
            throw CommandSetError.missingElement(tag, message: message.description)
        }
        return value
    }

    func requiredString(_ tag: CommandTag, in message: CommandField) throws -> String {
        guard let value = string(tag) else { throw CommandSetError.missingElement(tag, message: message.description) }
        return value
    }

    /// Priority, MEDIUM when absent or not one of the three defined values.
    func priority() throws -> DIMSEPriority {
        try unsignedShort(.priority).flatMap(DIMSEPriority.init(rawValue:)) ?? .medium
    }

    mutating func setOptionalUID(_ uid: String?, for tag: CommandTag) {
        if let uid { setUID(uid, for: tag) }
    }

    /// Writes (0000,0901) and (0000,0902) when present.
    mutating func setErrorDetails(offendingElements: [UInt32]?, errorComment: String?) {
        if let offendingElements { setAttributeTags(offendingElements, for: .offendingElement) }
        if let errorComment { setLongString(errorComment, for: .errorComment) }
    }

    func subOperationCounts() throws -> SubOperationCounts {
        SubOperationCounts(
            remaining: try unsignedShort(.numberOfRemainingSuboperations),
            completed: try unsignedShort(.numberOfCompletedSuboperations),
            failed: try unsignedShort(.numberOfFailedSuboperations),
            warning: try unsignedShort(.numberOfWarningSuboperations))
    }

    mutating func setSubOperationCounts(_ counts: SubOperationCounts) {
        if let value = counts.remaining { setUnsignedShort(value, for: .numberOfRemainingSuboperations) }
        if let value = counts.completed { setUnsignedShort(value, for: .numberOfCompletedSuboperations) }
        if let value = counts.failed { setUnsignedShort(value, for: .numberOfFailedSuboperations) }
        if let value = counts.warning { setUnsignedShort(value, for: .numberOfWarningSuboperations) }
    }
}
