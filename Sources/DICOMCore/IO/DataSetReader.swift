/// Decodes data sets (PS3.5 §7) from bytes in a given transfer syntax.
///
/// Bounded: every length is checked against the bytes actually present before anything is allocated or
/// copied; sequences nest at most `maximumSequenceDepth` levels; an inflated (deflated transfer syntax)
/// data set is at most `maximumInflatedSize` bytes. Values are copied out of the input once, with one
/// `memcpy` per element.
public enum DataSetReader {
    /// Deepest sequence nesting accepted (sequence in an item in a sequence ... counts one per sequence).
    public static let maximumSequenceDepth = 64
    /// Largest inflated data set accepted for the Deflated Explicit VR Little Endian syntax (4 GiB).
    public static let maximumInflatedSize = 4 << 30

    /// Decodes a whole data set encoded in `transferSyntax` (inflating it first for a deflated syntax).
    public static func read(
        _ bytes: [UInt8], transferSyntax: TransferSyntax,
        characterSet: SpecificCharacterSet = .defaultRepertoire
    ) throws -> DataSet {
        if transferSyntax.isDeflated {
            let inflated = try Deflate.inflate(bytes[...], limit: maximumInflatedSize)
            return try read(inflated, transferSyntax: .explicitVRLittleEndian, characterSet: characterSet)
        }
        return try bytes.withUnsafeBytes { raw in
            var parser = ElementParser(raw, transferSyntax: transferSyntax)
            return try parser.readDataSet(end: raw.count, inUndefinedItem: false, depth: 0, inherited: characterSet)
        }
    }

    /// Decodes a data set from raw memory (e.g. a received PDV buffer), not deflated.
    public static func read(
        _ raw: UnsafeRawBufferPointer, transferSyntax: TransferSyntax,
        characterSet: SpecificCharacterSet = .defaultRepertoire
    ) throws -> DataSet {
        if transferSyntax.isDeflated {
            return try read(Array(raw), transferSyntax: transferSyntax, characterSet: characterSet)
        }
        var parser = ElementParser(raw, transferSyntax: transferSyntax)
        return try parser.readDataSet(end: raw.count, inUndefinedItem: false, depth: 0, inherited: characterSet)
    }
}

/// The cursor that frames elements, items and sequences out of a buffer. Not public: `DataSetReader` and
/// `DICOMFile` drive it.
struct ElementParser {
    let buffer: UnsafeRawBufferPointer
    /// Added to positions in error messages (where this buffer starts in the file).
    let baseOffset: Int
    var position: Int = 0
    var isExplicitVR: Bool
    var isBigEndian: Bool

    init(_ buffer: UnsafeRawBufferPointer, transferSyntax: TransferSyntax, baseOffset: Int = 0) {
        self.init(
            buffer, isExplicitVR: transferSyntax.isExplicitVR, isBigEndian: transferSyntax.byteOrder == .bigEndian,
            baseOffset: baseOffset)
    }

    init(_ buffer: UnsafeRawBufferPointer, isExplicitVR: Bool, isBigEndian: Bool, baseOffset: Int = 0) {
        self.buffer = buffer
        self.baseOffset = baseOffset
        self.isExplicitVR = isExplicitVR
        self.isBigEndian = isBigEndian
    }

    private var byteOrder: ByteOrder { isBigEndian ? .bigEndian : .littleEndian }

    // MARK: - Primitive reads (callers check bounds first)

    @inline(__always) private func u16(at i: Int) -> UInt16 {
        let v = buffer.loadUnaligned(fromByteOffset: i, as: UInt16.self)
        return isBigEndian ? UInt16(bigEndian: v) : UInt16(littleEndian: v)
    }

    @inline(__always) private func u32(at i: Int) -> UInt32 {
        let v = buffer.loadUnaligned(fromByteOffset: i, as: UInt32.self)
        return isBigEndian ? UInt32(bigEndian: v) : UInt32(littleEndian: v)
    }

    @inline(__always) private func tag(at i: Int) -> Tag { Tag(u16(at: i), u16(at: i + 2)) }

    private func error(_ kind: DICOMParseError.Kind, at offset: Int, _ message: String) -> DICOMParseError {
        DICOMParseError(kind, at: baseOffset + offset, message)
    }

    private func need(_ count: Int, before end: Int, at start: Int, _ what: @autoclosure () -> String) throws {
        if end - position < count {
            throw error(
                .truncated, at: start,
                "truncated \(what()): expected \(count) bytes, \(max(0, end - position)) remain")
        }
    }

    /// The tag at the cursor without consuming it, nil if fewer than 4 bytes remain before `end`.
    func peekTag(end: Int) -> Tag? { end - position >= 4 ? tag(at: position) : nil }

    // MARK: - Data sets

    /// Reads elements up to `end`, or up to an Item Delimitation when `inUndefinedItem`.
    mutating func readDataSet(
        end: Int, inUndefinedItem: Bool, depth: Int,
        inherited: SpecificCharacterSet
    ) throws -> DataSet {
        var dataSet = DataSet(byteOrder: byteOrder, inheritedCharacterSet: inherited)
        var characterSet = inherited  // replaced when this data set's own (0008,0005) is read
        while position < end {
            let start = position
            try need(4, before: end, at: start, "element header")
            let t = tag(at: position)
            if t.group == 0xFFFE {
                try need(8, before: end, at: start, "delimiter \(t)")
                position += 8  // a non-zero delimiter length is tolerated (seen in the wild)
                if t == .itemDelimitation && inUndefinedItem { return dataSet }
                let what =
                    t == .item
                    ? "Item"
                    : t == .itemDelimitation
                        ? "Item Delimitation" : t == .sequenceDelimitation ? "Sequence Delimitation" : "group FFFE"
                throw error(.unexpectedItem, at: start, "\(what) tag \(t) outside a sequence: expected a data element")
            }
            if let element = try readElement(tag: t, end: end, depth: depth, characterSet: characterSet) {
                if t == .specificCharacterSet, case .bytes(let b) = element.value {
                    characterSet = SpecificCharacterSet(termsValue: b)
                }
                dataSet.insert(element)
            }
        }
        if inUndefinedItem {
            throw error(
                .truncated, at: position, "item of undefined length ends without an Item Delimitation (FFFE,E00D)")
        }
        return dataSet
    }

    /// Reads the file meta group: the explicit VR little endian elements of group 0002 at the cursor.
    mutating func readGroup2(end: Int) throws -> DataSet {
        var dataSet = DataSet()
        while let t = peekTag(end: end), t.group == 0x0002 {
            if let element = try readElement(tag: t, end: end, depth: 0, characterSet: .defaultRepertoire) {
                dataSet.insert(element)
            }
        }
        return dataSet
    }

    // MARK: - Elements

    /// An element's header (PS3.5 §7.1.2; VR from the dictionary in an implicit syntax) or an item or
    /// delimiter header (PS3.5 §7.5: tag and length, 8 bytes, VR reported as UN).
    struct Header {
        let tag: Tag
        let vr: VR
        let length: UInt32
        let headerLength: Int
    }

    /// Reads the element, item or delimiter header at the cursor and moves past it. The one decoder of
    /// element headers: `readElement`, the streaming `DataSetFileScanner` and `DataSetPrefixScanner` use it.
    mutating func readHeader(end: Int) throws -> Header {
        let start = position
        try need(4, before: end, at: start, "element header")
        let t = tag(at: position)
        if t.group == 0xFFFE {
            try need(8, before: end, at: start, "item header \(t)")
            position += 8
            return Header(tag: t, vr: .UN, length: u32(at: start + 4), headerLength: 8)
        }
        return try readElementHeader(tag: t, end: end)
    }

    /// Reads the header of the element whose tag `t` is at the cursor and moves past it.
    private mutating func readElementHeader(tag t: Tag, end: Int) throws -> Header {
        let start = position
        try need(8, before: end, at: start, "element header of \(t)")
        if isExplicitVR {
            let b0 = buffer[position + 4], b1 = buffer[position + 5]
            guard let vr = VR(byte0: b0, byte1: b1) else {
                throw error(
                    .unknownVR, at: start + 4,
                    "unknown VR \(printable(b0, b1)) in element \(t): expected one of PS3.5 Table 6.2-1")
            }
            if vr.hasLongExplicitLength {
                try need(12, before: end, at: start, "element header of \(t)")
                position += 12
                return Header(tag: t, vr: vr, length: u32(at: start + 8), headerLength: 12)
            }
            position += 8
            return Header(tag: t, vr: vr, length: UInt32(u16(at: start + 6)), headerLength: 8)
        }
        position += 8
        return Header(tag: t, vr: DataDictionary.vr(for: t), length: u32(at: start + 4), headerLength: 8)
    }

    /// Reads one element whose tag `t` is at the cursor.
    private mutating func readElement(
        tag t: Tag, end: Int, depth: Int,
        characterSet: SpecificCharacterSet
    ) throws -> DataElement? {
        let start = position
        let header = try readElementHeader(tag: t, end: end)
        var vr = header.vr
        let length = header.length

        if length == 0xFFFF_FFFF {
            if vr == .SQ || vr == .UN {
                let items: [DataSet]
                if vr == .UN && isExplicitVR {
                    // PS3.5 §6.2.2: UN of undefined length holds a sequence encoded in Implicit VR Little Endian.
                    let saved = (isExplicitVR, isBigEndian)
                    isExplicitVR = false
                    isBigEndian = false
                    defer { (isExplicitVR, isBigEndian) = saved }
                    items = try readItems(
                        of: t, end: end, undefinedLength: true, depth: depth + 1, characterSet: characterSet)
                } else {
                    items = try readItems(
                        of: t, end: end, undefinedLength: true, depth: depth + 1, characterSet: characterSet)
                }
                return DataElement(tag: t, vr: .SQ, value: .sequence(items))
            }
            if t == .pixelData || vr == .OB || vr == .OW {
                let pixels = try readEncapsulated(of: t, end: end)
                return DataElement(tag: t, vr: vr == .OW ? .OW : .OB, value: .encapsulated(pixels))
            }
            throw error(
                .undefinedLength, at: start,
                "element \(t) with VR \(vr.rawValue) has undefined length (FFFFFFFFH): only SQ, UN, items and encapsulated Pixel Data may"
            )
        }

        let remaining = end - position
        guard Int(length) <= remaining else {
            throw error(
                .lengthPastEnd, at: start,
                "element \(t) (\(vr.rawValue)) declares length \(length) but only \(remaining) bytes remain")
        }
        let valueEnd = position + Int(length)
        if vr == .SQ {
            let items = try readItems(
                of: t, end: valueEnd, undefinedLength: false, depth: depth + 1, characterSet: characterSet)
            position = valueEnd
            return DataElement(tag: t, vr: .SQ, value: .sequence(items))
        }
        if vr == .UN && isExplicitVR, let known = DataDictionary.entry(for: t)?.vr, known != .UN {
            // PS3.5 §6.2.2: a UN value is encoded as Implicit VR Little Endian; recover the dictionary's VR
            // (a sequence is parsed, falling back to bytes if its content is not a valid sequence).
            if known == .SQ {
                let saved = (isExplicitVR, isBigEndian, position)
                isExplicitVR = false
                isBigEndian = false
                defer { (isExplicitVR, isBigEndian) = (saved.0, saved.1) }
                if let items = try? readItems(
                    of: t, end: valueEnd, undefinedLength: false, depth: depth + 1,
                    characterSet: characterSet)
                {
                    position = valueEnd
                    return DataElement(tag: t, vr: .SQ, value: .sequence(items))
                }
                position = saved.2
            } else if !isBigEndian || known.binaryWordSize == nil {
                vr = known
            }
        }
        let bytes = Array(UnsafeRawBufferPointer(rebasing: buffer[position..<valueEnd]))
        position = valueEnd
        return DataElement(tag: t, vr: vr, value: .bytes(bytes))
    }

    // MARK: - Sequences and items (PS3.5 §7.5)

    private mutating func readItems(
        of owner: Tag, end: Int, undefinedLength: Bool, depth: Int,
        characterSet: SpecificCharacterSet
    ) throws -> [DataSet] {
        guard depth <= DataSetReader.maximumSequenceDepth else {
            throw error(
                .nestingTooDeep, at: position,
                "sequence \(owner) nested \(depth) levels deep: at most \(DataSetReader.maximumSequenceDepth) are accepted"
            )
        }
        var items: [DataSet] = []
        while true {
            if position >= end {
                if undefinedLength {
                    throw error(
                        .truncated, at: position,
                        "sequence \(owner) of undefined length ends without a Sequence Delimitation (FFFE,E0DD)")
                }
                return items
            }
            let start = position
            try need(8, before: end, at: start, "item header in sequence \(owner)")
            let t = tag(at: position)
            let length = u32(at: position + 4)
            position += 8
            if t == .sequenceDelimitation && undefinedLength { return items }
            guard t == .item else {
                throw error(.unexpectedItem, at: start, "expected an Item (FFFE,E000) in sequence \(owner), found \(t)")
            }
            if length == 0xFFFF_FFFF {
                items.append(try readDataSet(end: end, inUndefinedItem: true, depth: depth, inherited: characterSet))
            } else {
                guard Int(length) <= end - position else {
                    throw error(
                        .lengthPastEnd, at: start,
                        "item in sequence \(owner) declares length \(length) but only \(end - position) bytes remain")
                }
                let itemEnd = position + Int(length)
                items.append(
                    try readDataSet(end: itemEnd, inUndefinedItem: false, depth: depth, inherited: characterSet))
                position = itemEnd
            }
        }
    }

    /// Encapsulated Pixel Data (PS3.5 §A.4): Basic Offset Table item, fragment items, Sequence Delimitation.
    private mutating func readEncapsulated(of owner: Tag, end: Int) throws -> EncapsulatedPixelData {
        var offsetTable: [UInt8]? = nil
        var fragments: [[UInt8]] = []
        while true {
            let start = position
            try need(8, before: end, at: start, "item header in encapsulated \(owner)")
            let t = tag(at: position)
            let length = u32(at: position + 4)
            position += 8
            if t == .sequenceDelimitation { break }
            guard t == .item else {
                throw error(
                    .unexpectedItem, at: start,
                    "expected a fragment Item (FFFE,E000) in encapsulated \(owner), found \(t)")
            }
            guard length != 0xFFFF_FFFF, Int(length) <= end - position else {
                throw error(
                    .lengthPastEnd, at: start,
                    "fragment in encapsulated \(owner) declares length \(length) but only \(end - position) bytes remain"
                )
            }
            let bytes = Array(UnsafeRawBufferPointer(rebasing: buffer[position..<position + Int(length)]))
            position += Int(length)
            if offsetTable == nil { offsetTable = bytes } else { fragments.append(bytes) }
        }
        return EncapsulatedPixelData(offsetTable: offsetTable ?? [], fragments: fragments)
    }
}

/// Two header bytes for an error message: ASCII when printable, else hex.
private func printable(_ a: UInt8, _ b: UInt8) -> String {
    let isPrintable = (0x20...0x7E).contains(a) && (0x20...0x7E).contains(b)
    if isPrintable { return "\"\(Character(Unicode.Scalar(a)))\(Character(Unicode.Scalar(b)))\"" }
    return "0x" + String(format2: a) + String(format2: b)
}

extension String {
    init(format2 byte: UInt8) {
        let digits = Array("0123456789ABCDEF")
        self = String([digits[Int(byte >> 4)], digits[Int(byte & 0xF)]])
    }
}
