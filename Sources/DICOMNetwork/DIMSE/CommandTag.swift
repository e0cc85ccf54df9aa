/// The tag of a command element: group 0000, element `element` (PS3.7 §6.3, §E.1 Table E.1-1).
///
/// A command set contains group 0000 elements only, so a `CommandTag` stores just the element number.
public struct CommandTag: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The element number of the tag (the group is always 0000).
    public var element: UInt16

    public init(_ element: UInt16) { self.element = element }

    public static func < (lhs: CommandTag, rhs: CommandTag) -> Bool { lhs.element < rhs.element }

    /// "(0000,0100) CommandField", or just "(0000,xxxx)" for an element this module does not name.
    public var description: String {
        let tag = "(0000," + hex4(element) + ")"
        return CommandTag.keywords[element].map { tag + " " + $0 } ?? tag
    }

    // PS3.7 Table E.1-1 (values also in DCMTK dcmdata/data/dicom.dic).
    /// (0000,0000) UL: byte count of the rest of the command set (PS3.7 §E.1).
    public static let commandGroupLength = CommandTag(0x0000)
    /// (0000,0002) UI
    public static let affectedSOPClassUID = CommandTag(0x0002)
    /// (0000,0003) UI
    public static let requestedSOPClassUID = CommandTag(0x0003)
    /// (0000,0100) US: which DIMSE message this is (PS3.7 §9.3, §10.3).
    public static let commandField = CommandTag(0x0100)
    /// (0000,0110) US
    public static let messageID = CommandTag(0x0110)
    /// (0000,0120) US
    public static let messageIDBeingRespondedTo = CommandTag(0x0120)
    /// (0000,0600) AE
    public static let moveDestination = CommandTag(0x0600)
    /// (0000,0700) US: LOW 0x0002, MEDIUM 0x0000, HIGH 0x0001.
    public static let priority = CommandTag(0x0700)
    /// (0000,0800) US: 0x0101 when no data set follows, anything else when one does.
    public static let commandDataSetType = CommandTag(0x0800)
    /// (0000,0900) US
    public static let status = CommandTag(0x0900)
    /// (0000,0901) AT, 1-n
    public static let offendingElement = CommandTag(0x0901)
    /// (0000,0902) LO
    public static let errorComment = CommandTag(0x0902)
    /// (0000,0903) US
    public static let errorID = CommandTag(0x0903)
    /// (0000,1000) UI
    public static let affectedSOPInstanceUID = CommandTag(0x1000)
    /// (0000,1001) UI
    public static let requestedSOPInstanceUID = CommandTag(0x1001)
    /// (0000,1002) US
    public static let eventTypeID = CommandTag(0x1002)
    /// (0000,1005) AT, 1-n
    public static let attributeIdentifierList = CommandTag(0x1005)
    /// (0000,1008) US
    public static let actionTypeID = CommandTag(0x1008)
    /// (0000,1020) US
    public static let numberOfRemainingSuboperations = CommandTag(0x1020)
    /// (0000,1021) US
    public static let numberOfCompletedSuboperations = CommandTag(0x1021)
    /// (0000,1022) US
    public static let numberOfFailedSuboperations = CommandTag(0x1022)
    /// (0000,1023) US
    public static let numberOfWarningSuboperations = CommandTag(0x1023)
    /// (0000,1030) AE
    public static let moveOriginatorApplicationEntityTitle = CommandTag(0x1030)
    /// (0000,1031) US
    public static let moveOriginatorMessageID = CommandTag(0x1031)

    private static let keywords: [UInt16: String] = [
        0x0000: "CommandGroupLength", 0x0002: "AffectedSOPClassUID", 0x0003: "RequestedSOPClassUID",
        0x0100: "CommandField", 0x0110: "MessageID", 0x0120: "MessageIDBeingRespondedTo",
        0x0600: "MoveDestination", 0x0700: "Priority", 0x0800: "CommandDataSetType", 0x0900: "Status",
        0x0901: "OffendingElement", 0x0902: "ErrorComment", 0x0903: "ErrorID",
        0x1000: "AffectedSOPInstanceUID", 0x1001: "RequestedSOPInstanceUID", 0x1002: "EventTypeID",
        0x1005: "AttributeIdentifierList", 0x1008: "ActionTypeID",
        0x1020: "NumberOfRemainingSuboperations", 0x1021: "NumberOfCompletedSuboperations",
        0x1022: "NumberOfFailedSuboperations", 0x1023: "NumberOfWarningSuboperations",
        0x1030: "MoveOriginatorApplicationEntityTitle", 0x1031: "MoveOriginatorMessageID",
    ]
}
