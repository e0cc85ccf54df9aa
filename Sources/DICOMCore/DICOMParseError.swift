/// A data set or file that cannot be decoded. The message says what was expected and what arrived; `offset`
/// is the byte offset in the input where the problem was found (for a deflated data set: in the inflated
/// stream, which starts after the file meta information).
public struct DICOMParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The input ends inside an element header or value.
        case truncated
        /// A declared length runs past the end of the input or of the enclosing item/sequence.
        case lengthPastEnd
        /// The two VR bytes of an explicit VR header name no VR.
        case unknownVR
        /// An Item or delimitation tag where none may be, or something else where an Item must be.
        case unexpectedItem
        /// Sequences nested deeper than `DataSetReader.maximumSequenceDepth`.
        case nestingTooDeep
        /// Undefined length (FFFFFFFFH) on an element that cannot have it.
        case undefinedLength
        /// Not a Part 10 file, or its file meta information is unusable.
        case invalidFile
        /// The deflated data set could not be inflated, or inflates beyond the limit.
        case inflate
    }

    public let kind: Kind
    public let offset: Int
    public let message: String

    public init(_ kind: Kind, at offset: Int, _ message: String) {
        self.kind = kind
        self.offset = offset
        self.message = message
    }

    public var description: String { "\(message) (at byte offset \(offset))" }
}

/// A value or data set that cannot be encoded as asked (a number out of the VR's range, encapsulated pixel
/// data in a native transfer syntax, ...).
public struct DICOMEncodeError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
