/// Human-readable meanings of DIMSE status codes.
///
/// Sources: PS3.7 Annex C (general statuses), PS3.4 B.2.3 (C-STORE), PS3.4 C.4.1.1.4 (C-FIND),
/// C.4.2.1.5 (C-MOVE), C.4.3.1.4 (C-GET); texts follow pynetdicom `status.py`.
enum DIMSEStatusMeanings {
    static func meaning(of code: UInt16, service: DIMSEService?, category: DIMSEStatusCategory) -> String {
        if let service, let text = specific(service)[code] ?? specificRange(service, code) { return text }
        if let text = general[code] { return text }
        if service == nil, let text = anyService[code] ?? anyServiceRange(code) { return text }
        switch category {
        case .success: return "Success"
        case .pending: return "Pending"
        case .cancel: return "Cancel"
        case .warning: return "Warning (code not described by the standard)"
        case .failure: return "Failure (code not described by the standard)"
        }
    }

    /// PS3.7 Annex C.
    static let general: [UInt16: String] = [
        0x0000: "Success",
        0x0001: "Warning: requested optional attributes are not supported",
        0x0105: "Failure: no such attribute",
        0x0106: "Failure: invalid attribute value",
        0x0107: "Warning: attribute list error",
        0x0110: "Failure: processing failure",
        0x0111: "Failure: duplicate SOP instance",
        0x0112: "Failure: no such SOP instance",
        0x0113: "Failure: no such event type",
        0x0114: "Failure: no such argument",
        0x0115: "Failure: invalid argument value",
        0x0116: "Warning: attribute value out of range",
        0x0117: "Failure: invalid object instance",
        0x0118: "Failure: no such SOP class",
        0x0119: "Failure: class-instance conflict",
        0x0120: "Failure: missing attribute",
        0x0121: "Failure: missing attribute value",
        0x0122: "Refused: SOP class not supported",
        0x0123: "Failure: no such action",
        0x0124: "Refused: not authorized",
        0x0210: "Failure: duplicate invocation",
        0x0211: "Failure: unrecognized operation",
        0x0212: "Failure: mistyped argument",
        0x0213: "Failure: resource limitation",
        0xFE00: "Cancel",
    ]

    static func specific(_ service: DIMSEService) -> [UInt16: String] {
        switch service {
        case .echo: return [:]
        case .store: return store
        case .find: return find
        case .move: return move
        case .get: return get
        }
    }

    /// The "xx" families: A7xx, A9xx, Cxxx.
    static func specificRange(_ service: DIMSEService, _ code: UInt16) -> String? {
        switch service {
        case .echo:
            return nil
        case .store:
            if code & 0xFF00 == 0xA700 { return "Refused: out of resources" }
            if code & 0xFF00 == 0xA900 { return "Error: data set does not match SOP class" }
            if code & 0xF000 == 0xC000 { return "Error: cannot understand" }
            return nil
        case .find, .move, .get:
            if code & 0xF000 == 0xC000 { return "Failed: unable to process" }
            return nil
        }
    }

    /// PS3.4 B.2.3.
    static let store: [UInt16: String] = [
        0xB000: "Warning: coercion of data elements",
        0xB006: "Warning: elements discarded",
        0xB007: "Warning: data set does not match SOP class",
    ]

    /// PS3.4 C.4.1.1.4 (PS3.2 Table N.7-48).
    static let find: [UInt16: String] = [
        0xA700: "Refused: out of resources",
        0xA900: "Failed: identifier does not match SOP class",
        0xFE00: "Cancel: matching terminated due to Cancel request",
        0xFF00: "Pending: matches are continuing",
        0xFF01: "Pending: matches are continuing, one or more optional keys were not supported",
    ]

    /// PS3.4 C.4.2.1.5.
    static let move: [UInt16: String] = retrieve.merging([
        0xA801: "Refused: Move Destination unknown"
    ]) { first, _ in first }

    /// PS3.4 C.4.3.1.4 (C-MOVE without A801).
    static let get: [UInt16: String] = retrieve

    private static let retrieve: [UInt16: String] = [
        0xA701: "Refused: out of resources, unable to calculate number of matches",
        0xA702: "Refused: out of resources, unable to perform sub-operations",
        0xA900: "Failed: identifier does not match SOP class",
        0xAA00: "Failed: none of the frames requested were found in the SOP instance",
        0xAA01: "Failed: unable to create new object for this SOP class",
        0xAA02: "Failed: unable to extract frames",
        0xAA03: "Failed: time-based request received for a non-time-based original SOP instance",
        0xAA04: "Failed: invalid request",
        0xB000: "Warning: sub-operations complete, one or more failures or warnings",
        0xFE00: "Cancel: sub-operations terminated due to Cancel indication",
        0xFF00: "Pending: sub-operations are continuing",
    ]

    /// Readings used when the service is not known.
    static let anyService: [UInt16: String] = [
        0xA700: "Refused: out of resources",
        0xA701: "Refused: out of resources, unable to calculate number of matches",
        0xA702: "Refused: out of resources, unable to perform sub-operations",
        0xA801: "Refused: Move Destination unknown",
        0xA900: "Failed: identifier or data set does not match SOP class",
        0xB000: "Warning: coercion of data elements, or sub-operations complete with failures",
        0xB006: "Warning: elements discarded",
        0xB007: "Warning: data set does not match SOP class",
        0xFF00: "Pending",
        0xFF01: "Pending: one or more optional keys were not supported",
    ]

    static func anyServiceRange(_ code: UInt16) -> String? {
        if code & 0xFF00 == 0xA700 { return "Refused: out of resources" }
        if code & 0xFF00 == 0xA900 { return "Failed: data set or identifier does not match SOP class" }
        if code & 0xF000 == 0xC000 { return "Failed: unable to process (cannot understand)" }
        return nil
    }
}
