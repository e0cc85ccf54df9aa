/// (0000,0100) Command Field values (PS3.7 §9.3 and §10.3; pynetdicom `dimse_messages._MESSAGE_TYPES`).
public enum CommandField: UInt16, Sendable, CaseIterable, CustomStringConvertible {
    case cStoreRQ = 0x0001
    case cStoreRSP = 0x8001
    case cGetRQ = 0x0010
    case cGetRSP = 0x8010
    case cFindRQ = 0x0020
    case cFindRSP = 0x8020
    case cMoveRQ = 0x0021
    case cMoveRSP = 0x8021
    case cEchoRQ = 0x0030
    case cEchoRSP = 0x8030
    case cCancelRQ = 0x0FFF
    case nEventReportRQ = 0x0100
    case nEventReportRSP = 0x8100
    case nGetRQ = 0x0110
    case nGetRSP = 0x8110
    case nSetRQ = 0x0120
    case nSetRSP = 0x8120
    case nActionRQ = 0x0130
    case nActionRSP = 0x8130
    case nCreateRQ = 0x0140
    case nCreateRSP = 0x8140
    case nDeleteRQ = 0x0150
    case nDeleteRSP = 0x8150

    /// True for responses (bit 15 set, PS3.7 §9.3).
    public var isResponse: Bool { rawValue & 0x8000 != 0 }

    /// The standard's name, e.g. "C-STORE-RQ".
    public var description: String {
        switch self {
        case .cStoreRQ: return "C-STORE-RQ"
        case .cStoreRSP: return "C-STORE-RSP"
        case .cGetRQ: return "C-GET-RQ"
        case .cGetRSP: return "C-GET-RSP"
        case .cFindRQ: return "C-FIND-RQ"
        case .cFindRSP: return "C-FIND-RSP"
        case .cMoveRQ: return "C-MOVE-RQ"
        case .cMoveRSP: return "C-MOVE-RSP"
        case .cEchoRQ: return "C-ECHO-RQ"
        case .cEchoRSP: return "C-ECHO-RSP"
        case .cCancelRQ: return "C-CANCEL-RQ"
        case .nEventReportRQ: return "N-EVENT-REPORT-RQ"
        case .nEventReportRSP: return "N-EVENT-REPORT-RSP"
        case .nGetRQ: return "N-GET-RQ"
        case .nGetRSP: return "N-GET-RSP"
        case .nSetRQ: return "N-SET-RQ"
        case .nSetRSP: return "N-SET-RSP"
        case .nActionRQ: return "N-ACTION-RQ"
        case .nActionRSP: return "N-ACTION-RSP"
        case .nCreateRQ: return "N-CREATE-RQ"
        case .nCreateRSP: return "N-CREATE-RSP"
        case .nDeleteRQ: return "N-DELETE-RQ"
        case .nDeleteRSP: return "N-DELETE-RSP"
        }
    }
}
