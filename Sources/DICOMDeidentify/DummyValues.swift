import DICOMCore

/// Dummy values valid for their VR (PS3.5 Table 6.2-1) for action D of PS3.15 Table E.1-1: a date stays a
/// date, a number a number. UIDs are not dummied here: the engine maps them.
enum DummyValue {
    static func bytes(for vr: VR) -> [UInt8] {
        switch vr {
        case .AE: return Array("ANONYMIZED".utf8)
        case .AS: return Array("000D".utf8)
        case .CS: return Array("ANONYMIZED".utf8)
        case .DA: return Array("19000101".utf8)
        case .DT: return Array("19000101000000".utf8)
        case .TM: return Array("000000".utf8)
        case .DS, .IS: return Array("0".utf8)
        case .LO, .LT, .PN, .SH, .ST, .UC, .UT: return Array("ANONYMIZED".utf8)
        case .UR: return Array("urn:anonymized".utf8)
        case .UI: return Array("2.25.0".utf8)
        case .US, .SS, .OW, .OB, .UN: return [0, 0]
        case .AT: return [0, 0, 0, 0]
        case .UL, .SL, .FL, .OF, .OL: return [0, 0, 0, 0]
        case .FD, .OD, .SV, .UV, .OV: return [0, 0, 0, 0, 0, 0, 0, 0]
        case .SQ: return []
        }
    }
}
