import NIOCore

/// The seven Upper Layer protocol data units (PS3.8 §9.3.1, Table 9-11), as pure values.
///
/// Wire layout, encoders and parsers live in `ByteBuffer+PDU.swift` and `PDUParser.swift`; the
/// frame decoder (`PDUFrameDecoder`) only cuts the byte stream into `PDUFrame`s.
public enum PDU: Equatable, Sendable {
    /// A-ASSOCIATE-RQ (PS3.8 §9.3.2).
    case associateRQ(AssociateRQ)
    /// A-ASSOCIATE-AC (PS3.8 §9.3.3).
    case associateAC(AssociateAC)
    /// A-ASSOCIATE-RJ (PS3.8 §9.3.4).
    case associateRJ(AssociateRJ)
    /// P-DATA-TF (PS3.8 §9.3.5): one or more presentation data values.
    case dataTF([PresentationDataValue])
    /// A-RELEASE-RQ (PS3.8 §9.3.6).
    case releaseRQ
    /// A-RELEASE-RP (PS3.8 §9.3.7).
    case releaseRP
    /// A-ABORT (PS3.8 §9.3.8).
    case abort(AbortPDU)

    /// The PDU-type byte of this PDU.
    public var type: PDUType {
        switch self {
        case .associateRQ: return .associateRQ
        case .associateAC: return .associateAC
        case .associateRJ: return .associateRJ
        case .dataTF: return .dataTF
        case .releaseRQ: return .releaseRQ
        case .releaseRP: return .releaseRP
        case .abort: return .abort
        }
    }
}

/// PDU-type codes (PS3.8 §9.3.1).
public enum PDUType: UInt8, CaseIterable, Sendable, CustomStringConvertible {
    case associateRQ = 0x01, associateAC = 0x02, associateRJ = 0x03, dataTF = 0x04
    case releaseRQ = 0x05, releaseRP = 0x06, abort = 0x07

    public var description: String {
        switch self {
        case .associateRQ: return "A-ASSOCIATE-RQ"
        case .associateAC: return "A-ASSOCIATE-AC"
        case .associateRJ: return "A-ASSOCIATE-RJ"
        case .dataTF: return "P-DATA-TF"
        case .releaseRQ: return "A-RELEASE-RQ"
        case .releaseRP: return "A-RELEASE-RP"
        case .abort: return "A-ABORT"
        }
    }
}

/// Well-known values of the Upper Layer protocol.
public enum UpperLayerConstants {
    /// DICOM Application Context Name (PS3.7 Annex A.2.1).
    public static let applicationContextName = "1.2.840.10008.3.1.1.1"
    /// Protocol version 1: bit 0 of the protocol-version field (PS3.8 §9.3.2).
    public static let protocolVersion: UInt16 = 0x0001
    /// Presentation context IDs are odd integers 1...255 (PS3.8 §9.3.2.2), so at most 128 contexts.
    public static let maximumPresentationContexts = 128
    /// Implementation Class UID of dicomlua (PS3.7 D.3.3.2; a `2.25.` UUID-derived UID, PS3.5 B.2).
    public static let implementationClassUID = "2.25.267651663169728077386618025833191658895"
    /// Implementation Version Name of dicomlua (PS3.7 D.3.3.2.2; 1–16 characters).
    public static let implementationVersionName = "DICOMLUA_0.1"
}
