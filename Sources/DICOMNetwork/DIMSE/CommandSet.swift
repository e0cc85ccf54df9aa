/// A DIMSE command set: the group 0000 elements of one message (PS3.7 §6.3, §9.3, §10.3).
///
/// Values are kept as raw bytes (Implicit VR Little Endian gives no VR on the wire); the typed accessors
/// interpret them as the VR of each command element (PS3.7 Table E.1-1). (0000,0000) CommandGroupLength is
/// never stored: the encoder computes it (`CommandSet+Encoding.swift`).
public struct CommandSet: Equatable, Sendable {
    /// One stored element: its tag and raw value bytes.
    struct Element: Equatable, Sendable {
        var tag: CommandTag
        var value: [UInt8]
    }

    /// The elements in ascending tag order (the wire order), without (0000,0000). A command set holds about ten,
    /// so a sorted array beats a hash table: no hashing or rehashing on the two or three command sets every
    /// instance of a transfer decodes and encodes. Lookups are binary searches, so a hostile command set of
    /// thousands of elements costs no more than it did in a hash table.
    private(set) var elements: [Element] = []

    public init() {}

    /// A command set of `elements`, which are in ascending tag order without duplicates (the decoder's).
    init(elementsInTagOrder elements: [Element]) {
        self.elements = elements
    }

    /// The tags present, in ascending order (the wire order, PS3.7 §6.3).
    public var tags: [CommandTag] { elements.map(\.tag) }

    public func contains(_ tag: CommandTag) -> Bool { self.search(tag).found }

    /// The value bytes of `tag` as stored (padding included).
    public func rawValue(_ tag: CommandTag) -> [UInt8]? {
        let (index, found) = self.search(tag)
        return found ? elements[index].value : nil
    }

    /// Stores raw value bytes; (0000,0000) is ignored because the encoder computes it.
    public mutating func setRawValue(_ bytes: [UInt8], for tag: CommandTag) {
        guard tag != .commandGroupLength else { return }
        let (index, found) = self.search(tag)
        if found {
            elements[index].value = bytes
        } else {
            if elements.isEmpty { elements.reserveCapacity(12) }
            elements.insert(Element(tag: tag, value: bytes), at: index)
        }
    }

    public mutating func removeValue(for tag: CommandTag) {
        let (index, found) = self.search(tag)
        if found { elements.remove(at: index) }
    }

    /// Where `tag` is, or where it would go to keep the order (binary search).
    private func search(_ tag: CommandTag) -> (index: Int, found: Bool) {
        var low = elements.startIndex
        var high = elements.endIndex
        while low < high {
            let middle = (low + high) / 2
            if elements[middle].tag < tag { low = middle + 1 } else { high = middle }
        }
        return (low, low < elements.endIndex && elements[low].tag == tag)
    }

    // MARK: US, UL

    /// A US value (2 bytes, little endian); nil when absent.
    public func unsignedShort(_ tag: CommandTag) throws -> UInt16? {
        guard let bytes = rawValue(tag) else { return nil }
        guard bytes.count == 2 else { throw CommandSetError.invalidValueLength(tag, vr: "US", length: bytes.count) }
        return UInt16(bytes[0]) | UInt16(bytes[1]) << 8
    }

    public mutating func setUnsignedShort(_ value: UInt16, for tag: CommandTag) {
        setRawValue([UInt8(value & 0xFF), UInt8(value >> 8)], for: tag)
    }

    /// A UL value (4 bytes, little endian); nil when absent.
    public func unsignedLong(_ tag: CommandTag) throws -> UInt32? {
        guard let bytes = rawValue(tag) else { return nil }
        guard bytes.count == 4 else { throw CommandSetError.invalidValueLength(tag, vr: "UL", length: bytes.count) }
        return bytes.reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
    }

    public mutating func setUnsignedLong(_ value: UInt32, for tag: CommandTag) {
        setRawValue((0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }, for: tag)
    }

    // MARK: UI, AE, LO

    /// A string value (UI, AE or LO) with NUL and space padding trimmed from both ends; nil when absent.
    /// Peers send AE titles padded or not (pynetdicom `USE_SHORT_DIMSE_AET`), so both are accepted.
    public func string(_ tag: CommandTag) -> String? {
        guard let bytes = rawValue(tag) else { return nil }
        let isPadding: (UInt8) -> Bool = { $0 == 0x00 || $0 == 0x20 }
        guard let first = bytes.firstIndex(where: { !isPadding($0) }),
            let last = bytes.lastIndex(where: { !isPadding($0) })
        else { return "" }
        return String(decoding: bytes[first...last], as: UTF8.self)
    }

    /// Stores a UI value, padded to even length with one NUL (PS3.5 §6.2, §9.1).
    public mutating func setUID(_ uid: String, for tag: CommandTag) {
        setRawValue(Self.padded(uid, with: 0x00), for: tag)
    }

    /// Stores an AE value, padded to even length with one space (PS3.5 §6.2).
    public mutating func setAETitle(_ title: String, for tag: CommandTag) {
        setRawValue(Self.padded(title, with: 0x20), for: tag)
    }

    /// Stores an LO value, padded to even length with one space (PS3.5 §6.2).
    public mutating func setLongString(_ text: String, for tag: CommandTag) {
        setRawValue(Self.padded(text, with: 0x20), for: tag)
    }

    // MARK: AT

    /// An AT value of multiplicity 1-n: each tag is (group, element) as two little-endian UInt16, returned as
    /// `group << 16 | element`; nil when absent.
    public func attributeTags(_ tag: CommandTag) throws -> [UInt32]? {
        guard let bytes = rawValue(tag) else { return nil }
        guard bytes.count % 4 == 0 else { throw CommandSetError.invalidValueLength(tag, vr: "AT", length: bytes.count) }
        return stride(from: 0, to: bytes.count, by: 4).map { i in
            let group = UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8
            let element = UInt32(bytes[i + 2]) | UInt32(bytes[i + 3]) << 8
            return group << 16 | element
        }
    }

    public mutating func setAttributeTags(_ tags: [UInt32], for tag: CommandTag) {
        let bytes = tags.flatMap { value -> [UInt8] in
            let group = UInt16(value >> 16), element = UInt16(value & 0xFFFF)
            return [UInt8(group & 0xFF), UInt8(group >> 8), UInt8(element & 0xFF), UInt8(element >> 8)]
        }
        setRawValue(bytes, for: tag)
    }

    private static func padded(_ text: String, with pad: UInt8) -> [UInt8] {
        var bytes = Array(text.utf8)
        if bytes.count % 2 == 1 { bytes.append(pad) }
        return bytes
    }
}
