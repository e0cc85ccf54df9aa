/// A data element tag: (group, element) (PS3.5 §7.1). Ordered as the standard orders elements in a data set:
/// by group, then element, as unsigned numbers (PS3.5 §7.1).
public struct Tag: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var group: UInt16
    public var element: UInt16

    public init(_ group: UInt16, _ element: UInt16) {
        self.group = group
        self.element = element
    }

    /// From the 32-bit form `0xggggeeee`.
    public init(_ value: UInt32) {
        self.group = UInt16(truncatingIfNeeded: value >> 16)
        self.element = UInt16(truncatingIfNeeded: value)
    }

    /// The 32-bit form `0xggggeeee`.
    public var value: UInt32 { UInt32(group) << 16 | UInt32(element) }

    /// Parses "0010,0010", "(0010,0010)", "00100010" (hex digits, either case, surrounding spaces ignored).
    public init?(parsing text: String) {
        var s = Substring(text).drop { $0 == " " }
        while s.last == " " { s = s.dropLast() }
        if s.first == "(" && s.last == ")" { s = s.dropFirst().dropLast() }
        let parts = s.split(separator: ",", omittingEmptySubsequences: false)
        switch parts.count {
        case 1:
            guard s.count == 8, let v = UInt32(s, radix: 16) else { return nil }
            self.init(v)
        case 2:
            let g = parts[0].trimmingSpaces, e = parts[1].trimmingSpaces
            guard g.count == 4, e.count == 4, let gv = UInt16(g, radix: 16), let ev = UInt16(e, radix: 16),
                g.allSatisfy(\.isHexDigit), e.allSatisfy(\.isHexDigit)
            else { return nil }
            self.init(gv, ev)
        default:
            return nil
        }
    }

    /// "(0010,0010)", upper-case hex, the form DCMTK and the standard print.
    public var description: String { "(\(hex4(group)),\(hex4(element)))" }

    public static func < (lhs: Tag, rhs: Tag) -> Bool { lhs.value < rhs.value }

    /// Odd groups are private (PS3.5 §7.8); groups 0001, 0003, 0005, 0007 and FFFF are not allowed and
    /// are treated as private too.
    public var isPrivate: Bool { group & 1 == 1 }
    /// (gggg,0000): a group length element (PS3.5 §7.2), VR UL.
    public var isGroupLength: Bool { element == 0 }
    /// (gggg,0010)–(gggg,00FF) in a private group: a private creator element (PS3.5 §7.8.1), VR LO.
    public var isPrivateCreator: Bool { isPrivate && element >= 0x0010 && element <= 0x00FF }
    /// Item, Item Delimitation or Sequence Delimitation (group FFFE, PS3.5 §7.5).
    public var isDelimiterOrItem: Bool { group == 0xFFFE }

    // PS3.5 §7.5: item and delimitation tags; they have no VR, even in explicit VR syntaxes.
    public static let item = Tag(0xFFFE, 0xE000)
    public static let itemDelimitation = Tag(0xFFFE, 0xE00D)
    public static let sequenceDelimitation = Tag(0xFFFE, 0xE0DD)

    public static let fileMetaInformationGroupLength = Tag(0x0002, 0x0000)
    public static let fileMetaInformationVersion = Tag(0x0002, 0x0001)
    public static let mediaStorageSOPClassUID = Tag(0x0002, 0x0002)
    public static let mediaStorageSOPInstanceUID = Tag(0x0002, 0x0003)
    public static let transferSyntaxUID = Tag(0x0002, 0x0010)
    public static let implementationClassUID = Tag(0x0002, 0x0012)
    public static let implementationVersionName = Tag(0x0002, 0x0013)
    public static let sourceApplicationEntityTitle = Tag(0x0002, 0x0016)
    public static let specificCharacterSet = Tag(0x0008, 0x0005)
    public static let sopClassUID = Tag(0x0008, 0x0016)
    public static let sopInstanceUID = Tag(0x0008, 0x0018)
    public static let pixelData = Tag(0x7FE0, 0x0010)
}

@inline(__always)
func hex4(_ v: UInt16) -> String {
    let digits: [Character] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "A", "B", "C", "D", "E", "F"]
    return String([digits[Int(v >> 12)], digits[Int(v >> 8 & 0xF)], digits[Int(v >> 4 & 0xF)], digits[Int(v & 0xF)]])
}

extension Substring {
    var trimmingSpaces: Substring {
        var s = self.drop { $0 == " " }
        while s.last == " " { s = s.dropLast() }
        return s
    }
}
