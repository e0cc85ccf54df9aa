/// Why a command set could not be decoded, or why one of its values is not what the message needs
/// (PS3.7 §6.3: group 0000 only, each tag once, Implicit VR Little Endian).
public enum CommandSetError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Fewer than the 8 bytes of an element header (tag + 4-byte length) remain at `offset`.
    case truncatedElementHeader(offset: Int, remaining: Int)
    /// The element's length runs past the end of the command set.
    case valueLengthPastEnd(tag: CommandTag, offset: Int, length: UInt32, remaining: Int)
    /// An element of another group than 0000 (data elements are not allowed in a command set).
    case elementOutsideCommandGroup(group: UInt16, element: UInt16, offset: Int)
    /// A tag occurring a second time.
    case duplicateTag(CommandTag, offset: Int)
    /// A value whose length does not fit its VR (e.g. a US value that is not 2 bytes).
    case invalidValueLength(CommandTag, vr: String, length: Int)
    /// A required element is absent for the message being decoded.
    case missingElement(CommandTag, message: String)
    /// The command field is not one of the messages this module decodes (e.g. the N-services).
    case unsupportedCommandField(UInt16)
    /// The command field names a different message than the type asked to decode it.
    case unexpectedCommandField(expected: UInt16, actual: UInt16)

    public var description: String {
        switch self {
        case let .truncatedElementHeader(offset, remaining):
            return
                "command set: expected an 8-byte element header at offset \(offset), only \(remaining) byte(s) remain"
        case let .valueLengthPastEnd(tag, offset, length, remaining):
            return
                "command set: element \(tag) at offset \(offset) declares \(length) value byte(s), only \(remaining) remain"
        case let .elementOutsideCommandGroup(group, element, offset):
            return
                "command set: expected group 0000 elements only, found (\(hex4(group)),\(hex4(element))) at offset \(offset)"
        case let .duplicateTag(tag, offset):
            return "command set: element \(tag) occurs again at offset \(offset) (each tag at most once, PS3.7 §6.3)"
        case let .invalidValueLength(tag, vr, length):
            return "command set: element \(tag) (\(vr)) has an invalid value length \(length)"
        case let .missingElement(tag, message):
            return "command set: \(message) requires element \(tag), which is absent"
        case let .unsupportedCommandField(field):
            return "command set: unsupported command field 0x\(hex4(field))"
        case let .unexpectedCommandField(expected, actual):
            return "command set: expected command field 0x\(hex4(expected)), found 0x\(hex4(actual))"
        }
    }
}

/// Four upper-case hex digits, e.g. "0A01".
func hex4(_ value: UInt16) -> String {
    let hex = String(value, radix: 16, uppercase: true)
    return String(repeating: "0", count: 4 - hex.count) + hex
}
