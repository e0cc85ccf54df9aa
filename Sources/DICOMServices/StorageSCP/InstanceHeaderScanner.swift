import DICOMCore
import Foundation

/// Reads a few top-level string attributes (Patient ID, Study and Series Instance UID) from the first bytes
/// of a data set without decoding it (PS3.5 §7.1 element framing): elements are skipped by their length,
/// sequences and items of undefined length are walked to their delimiters. Stops quietly at the end of the
/// prefix or at anything malformed; a deflated data set yields nothing. Bounded by the prefix length and a
/// nesting depth of 16.
enum InstanceHeaderScanner {
    struct Fields: Equatable {
        var patientID: String?
        var studyInstanceUID: String?
        var seriesInstanceUID: String?
    }

    static let patientID: UInt32 = 0x0010_0020
    static let studyInstanceUID: UInt32 = 0x0020_000D
    static let seriesInstanceUID: UInt32 = 0x0020_000E

    static func scan(_ bytes: [UInt8], transferSyntax: TransferSyntax) -> Fields {
        var fields = Fields()
        guard !transferSyntax.isDeflated else { return fields }
        var cursor = Cursor(
            bytes: bytes, explicit: transferSyntax.isExplicitVR,
            bigEndian: transferSyntax.byteOrder == .bigEndian)
        cursor.walk(depth: 0, until: nil) { tag, value in
            switch tag {
            case patientID: fields.patientID = text(value)
            case studyInstanceUID: fields.studyInstanceUID = text(value)
            case seriesInstanceUID: fields.seriesInstanceUID = text(value)
            default: break
            }
            return tag > seriesInstanceUID
        }
        return fields
    }

    /// A value without its trailing padding (space or NUL, PS3.5 §6.2) or leading spaces.
    private static func text(_ value: ArraySlice<UInt8>) -> String {
        var slice = value
        while let last = slice.last, last == 0x20 || last == 0 { slice.removeLast() }
        while let first = slice.first, first == 0x20 || first == 0 { slice.removeFirst() }
        return String(decoding: slice, as: UTF8.self)
    }

    private struct Cursor {
        let bytes: [UInt8]
        let explicit: Bool
        let bigEndian: Bool
        var offset = 0

        init(bytes: [UInt8], explicit: Bool, bigEndian: Bool) {
            self.bytes = bytes
            self.explicit = explicit
            self.bigEndian = bigEndian
        }

        func u16(_ at: Int) -> UInt16? {
            guard at + 2 <= bytes.count else { return nil }
            let a = UInt16(bytes[at]), b = UInt16(bytes[at + 1])
            return bigEndian ? a << 8 | b : b << 8 | a
        }

        func u32(_ at: Int) -> UInt32? {
            guard let lo = u16(at), let hi = u16(at + 2) else { return nil }
            return bigEndian ? UInt32(lo) << 16 | UInt32(hi) : UInt32(hi) << 16 | UInt32(lo)
        }

        /// Walks elements; `visit` gets top-level (depth 0) elements and returns true to stop.
        /// `until` is the delimiter tag ending an undefined-length item. Returns false when stopped or out of bytes.
        @discardableResult
        mutating func walk(depth: Int, until delimiter: UInt32?, visit: (UInt32, ArraySlice<UInt8>) -> Bool) -> Bool {
            guard depth < 16 else { return false }
            while offset + 8 <= bytes.count {
                guard let group = u16(offset), let element = u16(offset + 2) else { return false }
                let tag = UInt32(group) << 16 | UInt32(element)
                if group == 0xFFFE {  // item, item delimiter, sequence delimiter: always implicit 4-byte length
                    guard let length = u32(offset + 4) else { return false }
                    offset += 8
                    if tag == delimiter { return true }
                    if tag == 0xFFFE_E000 {
                        if length == 0xFFFF_FFFF {
                            guard walk(depth: depth + 1, until: 0xFFFE_E00D, visit: visit) else { return false }
                        } else {
                            offset += Int(length)
                        }
                        continue
                    }
                    continue
                }
                var length: UInt32
                if explicit {
                    let vr = String(decoding: bytes[(offset + 4)..<(offset + 6)], as: UTF8.self)
                    if ["OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV"].contains(vr) {
                        guard let l = u32(offset + 8) else { return false }
                        length = l
                        offset += 12
                    } else {
                        guard let l = u16(offset + 6) else { return false }
                        length = UInt32(l)
                        offset += 8
                    }
                } else {
                    guard let l = u32(offset + 4) else { return false }
                    length = l
                    offset += 8
                }
                if length == 0xFFFF_FFFF {
                    // Sequence (or encapsulated pixel data) of undefined length: items up to (FFFE,E0DD).
                    guard walk(depth: depth + 1, until: 0xFFFE_E0DD, visit: visit) else { return false }
                    continue
                }
                let end = offset + Int(length)
                guard end <= bytes.count else { return false }
                if depth == 0 && visit(tag, bytes[offset..<end]) { return false }
                offset = end
            }
            return false
        }
    }
}
