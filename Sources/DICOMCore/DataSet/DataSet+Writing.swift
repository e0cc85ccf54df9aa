import Foundation

/// Typed setting of values. The VR is the one given, else the existing element's, else the dictionary's
/// (UN for unknown tags). Numbers are range-checked against the VR; text is encoded in the data set's
/// Specific Character Set for SH/LO/ST/LT/PN/UC/UT. Values are stored unpadded (the writer pads).
extension DataSet {
    private func resolvedVR(_ tag: Tag, _ vr: VR?) -> VR {
        vr ?? self[tag]?.vr ?? DataDictionary.vr(for: tag)
    }

    /// Sets a text value (several values joined with backslashes).
    public mutating func set(_ tag: Tag, strings values: [String], vr: VR? = nil) throws {
        let v = resolvedVR(tag, vr)
        let text = values.joined(separator: "\\")
        switch v {
        case .AE, .AS, .CS, .DA, .DS, .DT, .IS, .LO, .LT, .PN, .SH, .ST, .TM, .UC, .UI, .UR, .UT, .UN:
            let bytes = v.usesSpecificCharacterSet ? try encodeText(text, tag: tag, vr: v) : Array(text.utf8)
            insert(DataElement(tag: tag, vr: v, bytes: bytes))
        case .US, .SS, .UL, .SL, .SV, .UV:
            let ints = try values.map { s -> Int in
                guard let i = Int(s.trimmingCharacters(in: .whitespaces)) else {
                    throw DICOMEncodeError("\(tag) (\(v.rawValue)) expects integers, got \"\(s)\"")
                }
                return i
            }
            try set(tag, ints: ints, vr: v)
        case .FL, .FD, .OF, .OD:
            let ds = try values.map { s -> Double in
                guard let d = Double(s.trimmingCharacters(in: .whitespaces)) else {
                    throw DICOMEncodeError("\(tag) (\(v.rawValue)) expects numbers, got \"\(s)\"")
                }
                return d
            }
            try set(tag, doubles: ds, vr: v)
        case .AT:
            let tags = try values.map { s -> Tag in
                guard let t = DataSet.tag(named: s) else {
                    throw DICOMEncodeError("\(tag) (AT) expects tags, got \"\(s)\"")
                }
                return t
            }
            set(tag, tags: tags)
        case .OB, .OL, .OV, .OW, .SQ:
            throw DICOMEncodeError("\(tag) has VR \(v.rawValue): a text value cannot be set")
        }
    }

    /// `text` in this data set's character set (docs/lua-api.md "Character sets"). A data set without
    /// (0008,0005) that gets non-ASCII text becomes ISO_IR 192, unless it already holds non-ASCII text in an
    /// undeclared character set.
    /// - Throws: `TextEncodingError` for a character the set cannot represent.
    private mutating func encodeText(_ text: String, tag: Tag, vr: VR) throws -> [UInt8] {
        let characterSet = specificCharacterSet
        let isASCII = text.utf8.allSatisfy { $0 < 0x80 }
        if !isASCII && characterSet.isDefaultRepertoire && !declaresCharacterSet {
            if let undeclared = firstUndeclaredNonASCIIText() {
                throw TextEncodingError(
                    character: text.unicodeScalars.first { !$0.isASCII } ?? "\u{FFFD}",
                    characterSet: characterSet.displayName, tag: tag,
                    reason:
                        "the data set has no Specific Character Set (0008,0005) and \(undeclared) already holds non-ASCII text in an unknown one: set (0008,0005) first"
                )
            }
            try set(Tag.specificCharacterSet, string: "ISO_IR 192", vr: .CS)
            return Array(text.utf8)
        }
        do {
            return try characterSet.encode(text, vr: vr)
        } catch let error as TextEncodingError {
            throw TextEncodingError(character: error.character, characterSet: error.characterSet, tag: tag)
        }
    }

    /// True when (0008,0005) is present with a value (even "ISO_IR 6").
    private var declaresCharacterSet: Bool {
        guard let bytes = self[Tag.specificCharacterSet]?.bytes else { return false }
        return bytes.contains { $0 != 0x20 && $0 != 0 && $0 != 0x5C }
    }

    /// The tag of the first text value (this data set or its items without their own (0008,0005)) with
    /// bytes above 7FH.
    private func firstUndeclaredNonASCIIText() -> Tag? {
        for element in elements {
            switch element.value {
            case .bytes(let bytes):
                if element.vr.usesSpecificCharacterSet && bytes.contains(where: { $0 >= 0x80 }) { return element.tag }
            case .sequence(let items):
                for item in items where !item.declaresCharacterSet {
                    if let tag = item.firstUndeclaredNonASCIIText() { return tag }
                }
            case .encapsulated:
                continue
            }
        }
        return nil
    }

    /// Sets a single text value.
    public mutating func set(_ tag: Tag, string value: String, vr: VR? = nil) throws {
        try set(tag, strings: [value], vr: vr)
    }

    /// Sets integers: binary for US/SS/UL/SL/SV/UV (range-checked), text for IS/DS, floats for FL/FD.
    public mutating func set(_ tag: Tag, ints values: [Int], vr: VR? = nil) throws {
        let v = resolvedVR(tag, vr)
        func check(_ range: ClosedRange<Int>) throws {
            for x in values where !range.contains(x) {
                throw DICOMEncodeError(
                    "\(tag) (\(v.rawValue)) accepts \(range.lowerBound)...\(range.upperBound), got \(x)")
            }
        }
        switch v {
        case .US:
            try check(0...65535)
            store(tag, v, values.map { UInt16($0) })
        case .SS:
            try check(-32768...32767)
            store(tag, v, values.map { Int16($0) })
        case .UL:
            try check(0...Int(UInt32.max))
            store(tag, v, values.map { UInt32($0) })
        case .SL:
            try check(Int(Int32.min)...Int(Int32.max))
            store(tag, v, values.map { Int32($0) })
        case .SV: store(tag, v, values.map { Int64($0) })
        case .UV:
            try check(0...Int.max)
            store(tag, v, values.map { UInt64($0) })
        case .IS:
            try check(-2_147_483_648...2_147_483_647)  // PS3.5 Table 6.2-1: IS is a 32-bit signed range
            insert(DataElement(tag: tag, vr: v, bytes: Array(values.map(String.init).joined(separator: "\\").utf8)))
        case .DS, .FL, .FD, .OF, .OD:
            try set(tag, doubles: values.map(Double.init), vr: v)
        case .AE, .AS, .AT, .CS, .DA, .DT, .LO, .LT, .PN, .SH, .ST, .TM, .UC, .UI, .UR, .UT, .UN:
            try set(tag, strings: values.map(String.init), vr: v)
        case .OB, .OL, .OV, .OW, .SQ:
            throw DICOMEncodeError("\(tag) has VR \(v.rawValue): integers cannot be set (use bytes)")
        }
    }

    public mutating func set(_ tag: Tag, int value: Int, vr: VR? = nil) throws { try set(tag, ints: [value], vr: vr) }

    /// Sets numbers: binary for FL/FD/OF/OD, text for DS (at most 16 characters, PS3.5 Table 6.2-1) and IS
    /// (integral values only), binary integers for the integer VRs (integral values only).
    public mutating func set(_ tag: Tag, doubles values: [Double], vr: VR? = nil) throws {
        let v = resolvedVR(tag, vr)
        switch v {
        case .FL, .OF: store(tag, v, values.map { Float($0).bitPattern })
        case .FD, .OD: store(tag, v, values.map { $0.bitPattern })
        case .DS:
            let texts = try values.map { try decimalString($0, tag: tag) }
            insert(DataElement(tag: tag, vr: v, bytes: Array(texts.joined(separator: "\\").utf8)))
        case .IS, .US, .SS, .UL, .SL, .SV, .UV:
            let ints = try values.map { d -> Int in
                guard d.isFinite, d.rounded() == d, abs(d) < 9.2e18 else {
                    throw DICOMEncodeError("\(tag) (\(v.rawValue)) expects integers, got \(d)")
                }
                return Int(d)
            }
            try set(tag, ints: ints, vr: v)
        case .AE, .AS, .AT, .CS, .DA, .DT, .LO, .LT, .PN, .SH, .ST, .TM, .UC, .UI, .UR, .UT, .UN:
            try set(tag, strings: values.map { String($0) }, vr: v)
        case .OB, .OL, .OV, .OW, .SQ:
            throw DICOMEncodeError("\(tag) has VR \(v.rawValue): numbers cannot be set (use bytes)")
        }
    }

    public mutating func set(_ tag: Tag, double value: Double, vr: VR? = nil) throws {
        try set(tag, doubles: [value], vr: vr)
    }

    /// Sets an AT value.
    public mutating func set(_ tag: Tag, tags values: [Tag]) {
        store(tag, .AT, values.flatMap { [$0.group, $0.element] })
    }

    /// Sets a sequence.
    public mutating func set(_ tag: Tag, items: [DataSet]) {
        insert(DataElement(tag: tag, vr: .SQ, value: .sequence(items)))
    }

    /// Sets raw bytes (in this data set's byte order for binary VRs).
    public mutating func set(_ tag: Tag, bytes: [UInt8], vr: VR? = nil) {
        insert(DataElement(tag: tag, vr: resolvedVR(tag, vr), bytes: bytes))
    }

    private mutating func store<T: FixedWidthInteger>(_ tag: Tag, _ vr: VR, _ values: [T]) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(values.count * MemoryLayout<T>.size)
        for value in values {
            let v = byteOrder == .bigEndian ? value.bigEndian : value.littleEndian
            withUnsafeBytes(of: v) { bytes.append(contentsOf: $0) }
        }
        insert(DataElement(tag: tag, vr: vr, bytes: bytes))
    }
}

/// A DS string of at most 16 characters (PS3.5 Table 6.2-1) for `value`.
func decimalString(_ value: Double, tag: Tag) throws -> String {
    guard value.isFinite else { throw DICOMEncodeError("\(tag) (DS) cannot hold \(value)") }
    if value.rounded() == value && abs(value) < 1e15 { return String(Int64(value)) }
    var text = "\(value)"
    var precision = 15
    while text.utf8.count > 16 && precision > 0 {
        text = String(format: "%.\(precision)G", value)
        precision -= 1
    }
    guard text.utf8.count <= 16 else { throw DICOMEncodeError("\(tag) (DS) cannot hold \(value) in 16 characters") }
    return text
}
