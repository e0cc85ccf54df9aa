/// A-ASSOCIATE-RJ PDU (PS3.8 §9.3.4, Table 9-21). Raw bytes are kept so that unknown values survive;
/// `description` gives the standard's wording.
public struct AssociateRJ: Equatable, Sendable, CustomStringConvertible {
    /// 1 = rejected-permanent, 2 = rejected-transient.
    public var result: UInt8
    /// 1 = service-user, 2 = service-provider (ACSE), 3 = service-provider (presentation).
    public var source: UInt8
    /// Reason/diagnostic, meaning depends on `source`.
    public var reason: UInt8

    public init(result: UInt8, source: UInt8, reason: UInt8) {
        self.result = result
        self.source = source
        self.reason = reason
    }

    /// 1/1/1: rejected-permanent, service-user, no-reason-given.
    public static let noReasonGiven = AssociateRJ(result: 1, source: 1, reason: 1)
    /// 1/1/2: application-context-name-not-supported.
    public static let applicationContextNameNotSupported = AssociateRJ(result: 1, source: 1, reason: 2)
    /// 1/1/3: calling-AE-title-not-recognized.
    public static let callingAETitleNotRecognized = AssociateRJ(result: 1, source: 1, reason: 3)
    /// 1/1/7: called-AE-title-not-recognized.
    public static let calledAETitleNotRecognized = AssociateRJ(result: 1, source: 1, reason: 7)
    /// 1/2/2: protocol-version-not-supported.
    public static let protocolVersionNotSupported = AssociateRJ(result: 1, source: 2, reason: 2)
    /// 2/3/1: rejected-transient, temporary-congestion.
    public static let temporaryCongestion = AssociateRJ(result: 2, source: 3, reason: 1)
    /// 2/3/2: rejected-transient, local-limit-exceeded (too many associations).
    public static let localLimitExceeded = AssociateRJ(result: 2, source: 3, reason: 2)

    public var resultText: String {
        switch result {
        case 1: return "rejected-permanent"
        case 2: return "rejected-transient"
        default: return "result \(result)"
        }
    }

    public var sourceText: String {
        switch source {
        case 1: return "DICOM UL service-user"
        case 2: return "DICOM UL service-provider (ACSE related function)"
        case 3: return "DICOM UL service-provider (presentation related function)"
        default: return "source \(source)"
        }
    }

    public var reasonText: String {
        switch (source, reason) {
        case (1, 1): return "no-reason-given"
        case (1, 2): return "application-context-name-not-supported"
        case (1, 3): return "calling-AE-title-not-recognized"
        case (1, 7): return "called-AE-title-not-recognized"
        case (2, 1): return "no-reason-given"
        case (2, 2): return "protocol-version-not-supported"
        case (3, 1): return "temporary-congestion"
        case (3, 2): return "local-limit-exceeded"
        default: return "reason \(reason)"
        }
    }

    public var description: String {
        "\(resultText), \(sourceText), \(reasonText) (\(result)/\(source)/\(reason))"
    }
}

/// A-ABORT PDU (PS3.8 §9.3.8, Table 9-26).
public struct AbortPDU: Equatable, Sendable, CustomStringConvertible {
    /// 0 = service-user, 2 = service-provider.
    public var source: UInt8
    /// Reason/diagnostic; significant only when `source` is 2.
    public var reason: UInt8

    public init(source: UInt8, reason: UInt8) {
        self.source = source
        self.reason = reason
    }

    public init(source: AbortSource, reason: AbortReason) {
        self.source = source.rawValue
        self.reason = reason.rawValue
    }

    /// A-ABORT requested by the local service user (source 0, reason not significant → 0).
    public static let serviceUser = AbortPDU(source: 0, reason: 0)

    public var description: String {
        let sourceText = AbortSource(rawValue: source).map(\.description) ?? "source \(source)"
        let reasonText = AbortReason(rawValue: reason).map(\.description) ?? "reason \(reason)"
        return source == 2
            ? "\(sourceText): \(reasonText) (\(source)/\(reason))" : "\(sourceText) (\(source)/\(reason))"
    }
}

/// A-ABORT source (PS3.8 §9.3.8).
public enum AbortSource: UInt8, Sendable, CustomStringConvertible {
    case serviceUser = 0
    case reserved = 1
    case serviceProvider = 2
    public var description: String {
        switch self {
        case .serviceUser: return "DICOM UL service-user"
        case .reserved: return "reserved"
        case .serviceProvider: return "DICOM UL service-provider"
        }
    }
}

/// A-ABORT reason/diagnostic when the source is the service provider (PS3.8 §9.3.8).
public enum AbortReason: UInt8, Sendable, CustomStringConvertible {
    case notSpecified = 0
    case unrecognizedPDU = 1
    case unexpectedPDU = 2
    case reserved = 3
    case unrecognizedPDUParameter = 4
    case unexpectedPDUParameter = 5
    case invalidPDUParameterValue = 6
    public var description: String {
        switch self {
        case .notSpecified: return "reason-not-specified"
        case .unrecognizedPDU: return "unrecognized-PDU"
        case .unexpectedPDU: return "unexpected-PDU"
        case .reserved: return "reserved"
        case .unrecognizedPDUParameter: return "unrecognized-PDU-parameter"
        case .unexpectedPDUParameter: return "unexpected-PDU-parameter"
        case .invalidPDUParameterValue: return "invalid-PDU-parameter-value"
        }
    }
}
