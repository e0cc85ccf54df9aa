/// (0000,0900) Status of a DIMSE response (PS3.7 §9.1.1.1.9, Annex C; service-specific codes in PS3.4
/// B.2.3 for C-STORE and C.4.1.1.4 / C.4.2.1.5 / C.4.3.1.4 for C-FIND / C-MOVE / C-GET).
///
/// A status is a service outcome, not a protocol error: a failure status ends one operation, never the
/// association.
public struct DIMSEStatus: RawRepresentable, Hashable, Sendable, CustomStringConvertible, ExpressibleByIntegerLiteral {
    public var rawValue: UInt16
    public init(integerLiteral code: UInt16) { self.rawValue = code }
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public init(_ code: UInt16) { self.rawValue = code }

    /// The status code.
    public var code: UInt16 { rawValue }

    public static let success = DIMSEStatus(0x0000)
    /// Cancel: the operation ended because of a C-CANCEL-RQ.
    public static let cancel = DIMSEStatus(0xFE00)
    /// Pending: matches or sub-operations are continuing.
    public static let pending = DIMSEStatus(0xFF00)
    /// Pending (C-FIND): one or more optional keys were not supported for this match.
    public static let pendingWithUnsupportedOptionalKeys = DIMSEStatus(0xFF01)
    /// 0x0110 Failure: processing failure.
    public static let processingFailure = DIMSEStatus(0x0110)
    /// 0x0122 Refused: SOP class not supported.
    public static let sopClassNotSupported = DIMSEStatus(0x0122)
    /// 0xA700 Refused: out of resources (C-FIND, C-STORE A7xx).
    public static let outOfResources = DIMSEStatus(0xA700)
    /// 0xA701 Refused: out of resources, unable to calculate number of matches (C-MOVE/C-GET).
    public static let outOfResourcesNumberOfMatches = DIMSEStatus(0xA701)
    /// 0xA702 Refused: out of resources, unable to perform sub-operations (C-MOVE/C-GET).
    public static let outOfResourcesSubOperations = DIMSEStatus(0xA702)
    /// 0xA801 Refused: Move Destination unknown (C-MOVE).
    public static let moveDestinationUnknown = DIMSEStatus(0xA801)
    /// 0xA900 Identifier (or data set) does not match SOP class.
    public static let identifierDoesNotMatchSOPClass = DIMSEStatus(0xA900)
    /// 0xB000 Warning: C-STORE coercion of data elements; C-MOVE/C-GET sub-operations complete with failures.
    public static let warningB000 = DIMSEStatus(0xB000)
    /// 0xC000 Failure: cannot understand / unable to process (any Cxxx).
    public static let unableToProcess = DIMSEStatus(0xC000)

    /// The category by the classification of pynetdicom `status.code_to_category` (PS3.7 Annex C):
    /// 0x0000 success; 0xFF00, 0xFF01 pending; 0xFE00 cancel; 0xB000–0xBFFF, 0x0107, 0x0116, 0x0001
    /// warning; everything else failure (0xA000–0xAFFF, 0xC000–0xCFFF, the general 01xx/02xx failures, and
    /// codes no standard names, which a careful SCU must not take for success).
    public var category: DIMSEStatusCategory {
        let code = rawValue
        if code == 0x0000 { return .success }
        if code == 0xFF00 || code == 0xFF01 { return .pending }
        if code == 0xFE00 { return .cancel }
        if (0xB000...0xBFFF).contains(code) || code == 0x0107 || code == 0x0116 || code == 0x0001 { return .warning }
        return .failure
    }

    public var isSuccess: Bool { category == .success }
    public var isPending: Bool { category == .pending }

    /// "0xA801 Refused: Move Destination unknown", the meaning read for `service` when one is given.
    public func description(for service: DIMSEService?) -> String {
        "0x" + hex4(rawValue) + " " + DIMSEStatusMeanings.meaning(of: rawValue, service: service, category: category)
    }

    /// The code and its meaning without a service context, e.g. "0xFE00 Cancel".
    public var description: String { description(for: nil) }
}

/// What a status means to the caller (PS3.7 §C.1–C.5).
public enum DIMSEStatusCategory: String, Sendable, CaseIterable {
    case success, pending, cancel, warning, failure
}

/// The DIMSE-C service a status belongs to: several codes mean different things per service (PS3.4).
public enum DIMSEService: String, Sendable, CaseIterable {
    case echo, store, find, move, get
}
