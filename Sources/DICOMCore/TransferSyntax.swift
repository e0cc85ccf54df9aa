/// Byte order of binary values in a data set (PS3.5 §7.3).
public enum ByteOrder: Sendable, Equatable {
    case littleEndian
    case bigEndian
}

/// A transfer syntax (PS3.5 §10, UIDs from PS3.6 Annex A): how a data set is encoded.
public struct TransferSyntax: Hashable, Sendable, CustomStringConvertible {
    public let uid: String
    public let name: String
    /// Explicit VR (PS3.5 §7.1.2) or implicit VR (PS3.5 §7.1.3).
    public let isExplicitVR: Bool
    public let byteOrder: ByteOrder
    /// The data set after the file meta / in the PDVs is raw-deflated (RFC 1951, PS3.5 §A.5).
    public let isDeflated: Bool
    /// Pixel Data is encapsulated in fragments (PS3.5 §A.4).
    public let isEncapsulated: Bool

    public init(
        uid: String, name: String, isExplicitVR: Bool, byteOrder: ByteOrder, isDeflated: Bool,
        isEncapsulated: Bool
    ) {
        self.uid = uid
        self.name = name
        self.isExplicitVR = isExplicitVR
        self.byteOrder = byteOrder
        self.isDeflated = isDeflated
        self.isEncapsulated = isEncapsulated
    }

    public var description: String { "\(name) (\(uid))" }

    public static func == (lhs: TransferSyntax, rhs: TransferSyntax) -> Bool { lhs.uid == rhs.uid }
    public func hash(into hasher: inout Hasher) { hasher.combine(uid) }

    private static func encapsulated(_ uid: String, _ name: String) -> TransferSyntax {
        TransferSyntax(
            uid: uid, name: name, isExplicitVR: true, byteOrder: .littleEndian, isDeflated: false,
            isEncapsulated: true)
    }

    /// PS3.5 §A.1, the default transfer syntax every AE supports.
    public static let implicitVRLittleEndian = TransferSyntax(
        uid: "1.2.840.10008.1.2", name: "Implicit VR Little Endian", isExplicitVR: false,
        byteOrder: .littleEndian, isDeflated: false, isEncapsulated: false)
    /// PS3.5 §A.2.
    public static let explicitVRLittleEndian = TransferSyntax(
        uid: "1.2.840.10008.1.2.1", name: "Explicit VR Little Endian", isExplicitVR: true,
        byteOrder: .littleEndian, isDeflated: false, isEncapsulated: false)
    /// PS3.5 §A.5.
    public static let deflatedExplicitVRLittleEndian = TransferSyntax(
        uid: "1.2.840.10008.1.2.1.99", name: "Deflated Explicit VR Little Endian", isExplicitVR: true,
        byteOrder: .littleEndian, isDeflated: true, isEncapsulated: false)
    /// PS3.5 §A.3 (retired).
    public static let explicitVRBigEndian = TransferSyntax(
        uid: "1.2.840.10008.1.2.2", name: "Explicit VR Big Endian", isExplicitVR: true,
        byteOrder: .bigEndian, isDeflated: false, isEncapsulated: false)

    public static let jpegBaseline = encapsulated("1.2.840.10008.1.2.4.50", "JPEG Baseline (Process 1)")
    public static let jpegExtended = encapsulated("1.2.840.10008.1.2.4.51", "JPEG Extended (Process 2 & 4)")
    public static let jpegLossless = encapsulated(
        "1.2.840.10008.1.2.4.57", "JPEG Lossless, Non-Hierarchical (Process 14)")
    public static let jpegLosslessSV1 = encapsulated(
        "1.2.840.10008.1.2.4.70",
        "JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14 [Selection Value 1])")
    public static let jpegLSLossless = encapsulated("1.2.840.10008.1.2.4.80", "JPEG-LS Lossless Image Compression")
    public static let jpegLSNearLossless = encapsulated(
        "1.2.840.10008.1.2.4.81", "JPEG-LS Lossy (Near-Lossless) Image Compression")
    public static let jpeg2000Lossless = encapsulated(
        "1.2.840.10008.1.2.4.90", "JPEG 2000 Image Compression (Lossless Only)")
    public static let jpeg2000 = encapsulated("1.2.840.10008.1.2.4.91", "JPEG 2000 Image Compression")
    public static let rleLossless = encapsulated("1.2.840.10008.1.2.5", "RLE Lossless")

    /// Every transfer syntax this module knows by name.
    public static let known: [TransferSyntax] = [
        implicitVRLittleEndian, explicitVRLittleEndian, deflatedExplicitVRLittleEndian, explicitVRBigEndian,
        jpegBaseline, jpegExtended, jpegLossless, jpegLosslessSV1, jpegLSLossless, jpegLSNearLossless,
        jpeg2000Lossless, jpeg2000, rleLossless,
    ]

    /// The transfer syntax of `uid` (trailing NUL and spaces ignored). An unknown UID is treated as an
    /// encapsulated Explicit VR Little Endian syntax (every later-defined compressed syntax is one).
    public static func from(uid rawUID: String) -> TransferSyntax {
        let uid = trimUIDPadding(rawUID)
        if let ts = known.first(where: { $0.uid == uid }) { return ts }
        return encapsulated(uid, "Unknown transfer syntax")
    }

    /// True when `uid` names one of `known`.
    public static func isKnown(uid: String) -> Bool { known.contains { $0.uid == trimUIDPadding(uid) } }
}

/// Strips the trailing NUL and space padding of a UID value (PS3.5 §9.1).
@inline(__always)
func trimUIDPadding(_ s: String) -> String {
    let utf8 = s.utf8
    // Byte by byte (a UID is ASCII, PS3.5 §9.1): the string itself when it has no padding, as nearly every
    // UID has; trimming by `Character` cost a grapheme walk per call, three per received instance.
    guard let end = utf8.lastIndex(where: { $0 != 0 && $0 != 0x20 }) else { return "" }
    let start = utf8.firstIndex(where: { $0 != 0x20 })!
    if start == utf8.startIndex && end == utf8.index(before: utf8.endIndex) { return s }
    return String(decoding: utf8[start...end], as: UTF8.self)
}
