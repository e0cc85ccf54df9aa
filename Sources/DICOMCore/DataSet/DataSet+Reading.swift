import Foundation

/// Typed reading of values (PS3.5 §6.2): text with the VR's insignificant padding removed, numbers from
/// binary VRs in the data set's byte order and from IS/DS text, tags from AT.
extension DataSet {
    /// The whole text value of `tag` (all values, backslashes included), decoded with the Specific Character
    /// Set for SH/LO/ST/LT/PN/UC/UT, trailing spaces and NULs removed, and leading spaces removed except for
    /// LT/ST/UT/UC where they are significant (PS3.5 Table 6.2-1). A PN value loses its trailing empty
    /// component groups and their `=`, as pydicom and DCMTK show it. Nil when absent or not text.
    public func string(_ tag: Tag) -> String? {
        guard let element = self[tag], case .bytes(let bytes) = element.value,
            element.vr.isString || element.vr == .UN
        else { return nil }
        let text = trimmed(decodeText(bytes, vr: element.vr), vr: element.vr)
        guard element.vr == .PN else { return text }
        return text.split(separator: "\\", omittingEmptySubsequences: false)
            .map { personNameWithoutEmptyTrailingGroups(String($0)) }.joined(separator: "\\")
    }

    /// The values of a text element split at backslashes (PS3.5 §6.4), each trimmed as in `string(_:)`;
    /// an empty value gives `[]`. LT, ST, UT and UR are single-valued: their backslashes are text.
    public func strings(_ tag: Tag) -> [String]? {
        guard let element = self[tag], case .bytes(let bytes) = element.value,
            element.vr.isString || element.vr == .UN
        else { return nil }
        let text = decodeText(bytes, vr: element.vr)
        if !element.vr.allowsMultipleTextValues { return [trimmed(text, vr: element.vr)].filter { !$0.isEmpty } }
        if trimmed(text, vr: element.vr).isEmpty { return [] }
        return text.split(separator: "\\", omittingEmptySubsequences: false).map {
            let value = trimmed(String($0), vr: element.vr)
            return element.vr == .PN ? personNameWithoutEmptyTrailingGroups(value) : value
        }
    }

    /// The integers of US, SS, UL, SL, SV, UV (binary, in this data set's byte order) or IS (text).
    /// Nil when absent, of another VR, or (IS) not a number. UV values above Int.max are nil.
    public func ints(_ tag: Tag) -> [Int]? {
        guard let element = self[tag], case .bytes(let bytes) = element.value else { return nil }
        switch element.vr {
        case .US: return decodeBinary(bytes, as: UInt16.self).map { Int($0) }
        case .SS: return decodeBinary(bytes, as: Int16.self).map { Int($0) }
        case .UL: return decodeBinary(bytes, as: UInt32.self).map { Int($0) }
        case .SL: return decodeBinary(bytes, as: Int32.self).map { Int($0) }
        case .SV: return decodeBinary(bytes, as: Int64.self).map { Int($0) }
        case .UV:
            let values = decodeBinary(bytes, as: UInt64.self)
            guard values.allSatisfy({ $0 <= UInt64(Int.max) }) else { return nil }
            return values.map { Int($0) }
        case .IS:
            guard let parts = strings(tag) else { return nil }
            var out: [Int] = []
            for p in parts {
                guard let v = Int(p.hasPrefix("+") ? String(p.dropFirst()) : p) else { return nil }
                out.append(v)
            }
            return out
        default:
            return nil
        }
    }

    /// The first of `ints(_:)`.
    public func int(_ tag: Tag) -> Int? { ints(tag)?.first }

    /// The numbers of FL, FD, OF, OD (binary), DS (text) or any VR `ints(_:)` reads.
    public func doubles(_ tag: Tag) -> [Double]? {
        guard let element = self[tag], case .bytes(let bytes) = element.value else { return nil }
        switch element.vr {
        case .FL, .OF: return decodeBinary(bytes, as: UInt32.self).map { Double(Float(bitPattern: $0)) }
        case .FD, .OD: return decodeBinary(bytes, as: UInt64.self).map { Double(bitPattern: $0) }
        case .DS:
            guard let parts = strings(tag) else { return nil }
            var out: [Double] = []
            for p in parts {
                guard let v = Double(p) else { return nil }
                out.append(v)
            }
            return out
        default:
            return ints(tag)?.map { Double($0) }
        }
    }

    /// The first of `doubles(_:)`.
    public func double(_ tag: Tag) -> Double? { doubles(tag)?.first }

    /// The tags of an AT element (pairs of 16-bit group, element numbers, PS3.5 §6.2).
    public func tags(_ tag: Tag) -> [Tag]? {
        guard let element = self[tag], element.vr == .AT, case .bytes(let bytes) = element.value else { return nil }
        let words = decodeBinary(bytes, as: UInt16.self)
        return stride(from: 0, to: words.count - 1, by: 2).map { Tag(words[$0], words[$0 + 1]) }
    }

    /// The items of a sequence.
    public func items(_ tag: Tag) -> [DataSet]? { self[tag]?.items }

    /// The raw bytes of a value (in this data set's byte order).
    public func bytes(_ tag: Tag) -> [UInt8]? { self[tag]?.bytes }

    // MARK: - Helpers

    func decodeText(_ bytes: [UInt8], vr: VR) -> String {
        vr.usesSpecificCharacterSet ? specificCharacterSet.decode(bytes, vr: vr) : latin1String(bytes)
    }

    /// A PN value without trailing component groups that hold nothing but `^` (PS3.5 §6.2.1.1: "Wang^XiaoDong=王^小東="
    /// reads "Wang^XiaoDong=王^小東"); the first (alphabetic) group always stays.
    func personNameWithoutEmptyTrailingGroups(_ value: String) -> String {
        var groups = value.split(separator: "=", omittingEmptySubsequences: false)
        while groups.count > 1, let last = groups.last, last.allSatisfy({ $0 == "^" || $0 == " " }) {
            groups.removeLast()
        }
        return groups.joined(separator: "=")
    }

    func trimmed(_ text: String, vr: VR) -> String {
        var s = Substring(text)
        while let last = s.last, last == " " || last == "\0" { s = s.dropLast() }
        switch vr {
        case .LT, .ST, .UT, .UC: break
        default: while s.first == " " { s = s.dropFirst() }
        }
        return String(s)
    }

    /// Reads consecutive fixed-size integers in this data set's byte order; a trailing partial value is ignored.
    func decodeBinary<T: FixedWidthInteger>(_ bytes: [UInt8], as: T.Type) -> [T] {
        let size = MemoryLayout<T>.size
        let count = bytes.count / size
        return bytes.withUnsafeBytes { raw in
            (0..<count).map { i in
                let v = raw.loadUnaligned(fromByteOffset: i * size, as: T.self)
                return byteOrder == .bigEndian ? T(bigEndian: v) : T(littleEndian: v)
            }
        }
    }
}
