/// Value Representations of PS3.5 §6.2 (Table 6.2-1).
public enum VR: String, CaseIterable, Sendable {
    case AE, AS, AT, CS, DA, DS, DT, FL, FD, IS, LO, LT, OB, OD, OF, OL, OV, OW, PN, SH, SL, SQ, SS, ST, SV, TM
    case UC, UI, UL, UN, UR, US, UT, UV

    /// Decodes the two ASCII bytes of an explicit VR header; nil when they name no VR of PS3.5 §6.2.
    public init?(byte0: UInt8, byte1: UInt8) {
        guard let vr = VR.byCode[Int(byte0) << 8 | Int(byte1)] else { return nil }
        self = vr
    }

    private static let byCode: [Int: VR] = {
        var table: [Int: VR] = [:]
        for vr in VR.allCases {
            let u = Array(vr.rawValue.utf8)
            table[Int(u[0]) << 8 | Int(u[1])] = vr
        }
        return table
    }()

    /// The two ASCII bytes written in an explicit VR header.
    public var bytes: (UInt8, UInt8) {
        let u = rawValue.utf8  // a small literal: no allocation
        return (u[u.startIndex], u[u.index(after: u.startIndex)])
    }

    /// True when the explicit VR header is `tag | VR | 0000 | length(4)` (PS3.5 §7.1.2, Table 7.1-1);
    /// false for the 2-byte length form `tag | VR | length(2)`.
    public var hasLongExplicitLength: Bool {
        switch self {
        case .OB, .OD, .OF, .OL, .OV, .OW, .SQ, .SV, .UC, .UN, .UR, .UT, .UV: return true
        case .AE, .AS, .AT, .CS, .DA, .DS, .DT, .FL, .FD, .IS, .LO, .LT, .PN, .SH, .SL, .SS, .ST, .TM, .UI,
            .UL, .US:
            return false
        }
    }

    /// True for VRs whose value is text (PS3.5 §6.2); binary and SQ values are not.
    public var isString: Bool {
        switch self {
        case .AE, .AS, .CS, .DA, .DS, .DT, .IS, .LO, .LT, .PN, .SH, .ST, .TM, .UC, .UI, .UR, .UT: return true
        case .AT, .FL, .FD, .OB, .OD, .OF, .OL, .OV, .OW, .SL, .SQ, .SS, .SV, .UL, .UN, .US, .UV: return false
        }
    }

    /// True for the text VRs whose value is coded in the Specific Character Set (PS3.5 §6.1.2.3): the others
    /// use the default repertoire only.
    public var usesSpecificCharacterSet: Bool {
        switch self {
        case .LO, .LT, .PN, .SH, .ST, .UC, .UT: return true
        case .AE, .AS, .AT, .CS, .DA, .DS, .DT, .FL, .FD, .IS, .OB, .OD, .OF, .OL, .OV, .OW, .SL, .SQ, .SS, .SV,
            .TM, .UI, .UL, .UN, .UR, .US, .UV:
            return false
        }
    }

    /// True for text VRs that may hold several values separated by a backslash (PS3.5 §6.4); LT, ST, UT and
    /// UR never do, and their backslashes are text.
    public var allowsMultipleTextValues: Bool {
        switch self {
        case .LT, .ST, .UT, .UR: return false
        case .AE, .AS, .AT, .CS, .DA, .DS, .DT, .FL, .FD, .IS, .LO, .OB, .OD, .OF, .OL, .OV, .OW, .PN, .SH, .SL,
            .SQ, .SS, .SV, .TM, .UC, .UI, .UL, .UN, .US, .UV:
            return true
        }
    }

    /// The byte that pads an odd-length value to even length (PS3.5 §6.2): NUL for UI and binary VRs,
    /// a space for the other text VRs.
    public var paddingByte: UInt8 {
        isString && self != .UI ? 0x20 : 0x00
    }

    /// Size in bytes of one binary number of this VR, the unit byte swapping works on (PS3.5 §7.3);
    /// nil for text, OB, UN and SQ (byte streams with no byte order).
    public var binaryWordSize: Int? {
        switch self {
        case .US, .SS, .OW, .AT: return 2
        case .UL, .SL, .FL, .OF, .OL: return 4
        case .FD, .OD, .SV, .UV, .OV: return 8
        case .AE, .AS, .CS, .DA, .DS, .DT, .IS, .LO, .LT, .OB, .PN, .SH, .SQ, .ST, .TM, .UC, .UI, .UN, .UR,
            .UT:
            return nil
        }
    }
}
