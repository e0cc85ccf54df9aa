/// Encodes data sets (PS3.5 §7) in a transfer syntax.
///
/// Choices: sequences and items are written with undefined length (PS3.5 §7.5.2); group length elements
/// (gggg,0000) present in the data set are recomputed; odd values are padded (UI and binary with 00H, text
/// with a space, PS3.5 §6.2); a value too long for a 2-byte explicit length is written as UN (as DCMTK does);
/// binary values are byte-swapped when the data set's byte order differs from the transfer syntax's.
public enum DataSetWriter {
    /// The encoding of `dataSet` in `transferSyntax` (deflated for the deflated syntax).
    public static func encode(_ dataSet: DataSet, transferSyntax: TransferSyntax) throws -> [UInt8] {
        var encoder = ElementEncoder(transferSyntax: transferSyntax)
        try encoder.write(dataSet)
        if transferSyntax.isDeflated { return try Deflate.deflate(encoder.output) }
        return encoder.output
    }
}

/// Appends encoded elements to `output`.
struct ElementEncoder {
    var output: [UInt8] = []
    let transferSyntax: TransferSyntax
    private var isExplicitVR: Bool { transferSyntax.isExplicitVR }
    private var isBigEndian: Bool { transferSyntax.byteOrder == .bigEndian }

    init(transferSyntax: TransferSyntax) {
        self.transferSyntax = transferSyntax
    }

    @inline(__always) mutating func put16(_ v: UInt16) {
        let x = isBigEndian ? v.bigEndian : v.littleEndian
        withUnsafeBytes(of: x) { output.append(contentsOf: $0) }
    }

    @inline(__always) mutating func put32(_ v: UInt32) {
        let x = isBigEndian ? v.bigEndian : v.littleEndian
        withUnsafeBytes(of: x) { output.append(contentsOf: $0) }
    }

    @inline(__always) mutating func putTag(_ t: Tag) {
        put16(t.group)
        put16(t.element)
    }

    /// Writes the elements of `dataSet` in tag order, recomputing group lengths.
    mutating func write(_ dataSet: DataSet) throws {
        let elements = dataSet.elements
        var i = 0
        while i < elements.count {
            let element = elements[i]
            if element.tag.isGroupLength {
                var j = i + 1
                while j < elements.count && elements[j].tag.group == element.tag.group { j += 1 }
                var group = ElementEncoder(transferSyntax: transferSyntax)
                for k in (i + 1)..<j { try group.write(elements[k], byteOrder: dataSet.byteOrder) }
                writeHeader(tag: element.tag, vr: .UL, length: 4)
                put32(UInt32(truncatingIfNeeded: group.output.count))
                output.append(contentsOf: group.output)
                i = j
                continue
            }
            try write(element, byteOrder: dataSet.byteOrder)
            i += 1
        }
    }

    /// Element header: explicit `tag VR len16` / `tag VR 0000 len32`, or implicit `tag len32`.
    mutating func writeHeader(tag: Tag, vr: VR, length: UInt32) {
        putTag(tag)
        if isExplicitVR {
            let (a, b) = vr.bytes
            output.append(a)
            output.append(b)
            if vr.hasLongExplicitLength {
                put16(0)
                put32(length)
            } else {
                put16(UInt16(length))
            }
        } else {
            put32(length)
        }
    }

    mutating func write(_ element: DataElement, byteOrder: ByteOrder) throws {
        switch element.value {
        case .bytes(let bytes):
            if element.tag == .pixelData && transferSyntax.isEncapsulated {
                throw DICOMEncodeError(
                    "Pixel Data \(element.tag) is native (not encapsulated) but \(transferSyntax) needs encapsulated fragments: transcoding is not supported"
                )
            }
            var vr = element.vr
            let paddedLength = bytes.count + (bytes.count & 1)
            if isExplicitVR && !vr.hasLongExplicitLength && paddedLength > 0xFFFF { vr = .UN }
            guard paddedLength <= 0xFFFF_FFFE else {
                throw DICOMEncodeError(
                    "value of \(element.tag) is \(bytes.count) bytes: more than a 32-bit length can hold")
            }
            writeHeader(tag: element.tag, vr: vr, length: UInt32(paddedLength))
            let targetOrder: ByteOrder = isBigEndian ? .bigEndian : .littleEndian
            if targetOrder != byteOrder, let word = element.vr.binaryWordSize {
                appendSwapped(bytes, wordSize: word)
            } else {
                output.append(contentsOf: bytes)
            }
            if bytes.count & 1 == 1 { output.append(element.vr.paddingByte) }

        case .sequence(let items):
            writeHeader(tag: element.tag, vr: .SQ, length: 0xFFFF_FFFF)
            for item in items {
                putTag(.item)
                put32(0xFFFF_FFFF)
                try write(item)
                putTag(.itemDelimitation)
                put32(0)
            }
            putTag(.sequenceDelimitation)
            put32(0)

        case .encapsulated(let pixels):
            guard transferSyntax.isEncapsulated else {
                throw DICOMEncodeError(
                    "\(element.tag) holds encapsulated (compressed) pixel data but \(transferSyntax) is a native syntax: decompression is not supported"
                )
            }
            writeHeader(tag: element.tag, vr: element.vr == .OW ? .OW : .OB, length: 0xFFFF_FFFF)
            for fragment in [pixels.offsetTable] + pixels.fragments {
                putTag(.item)
                put32(UInt32(fragment.count + (fragment.count & 1)))
                output.append(contentsOf: fragment)
                if fragment.count & 1 == 1 { output.append(0) }
            }
            putTag(.sequenceDelimitation)
            put32(0)
        }
    }

    /// Appends `bytes` reversing each `wordSize`-byte word (a trailing partial word is copied as is).
    private mutating func appendSwapped(_ bytes: [UInt8], wordSize: Int) {
        let whole = bytes.count - bytes.count % wordSize
        output.reserveCapacity(output.count + bytes.count)
        var i = 0
        while i < whole {
            var k = wordSize - 1
            while k >= 0 {
                output.append(bytes[i + k])
                k -= 1
            }
            i += wordSize
        }
        if whole < bytes.count { output.append(contentsOf: bytes[whole...]) }
    }
}

/// Reverses each `wordSize`-byte word of `bytes` (a trailing partial word is kept).
func byteSwapped(_ bytes: [UInt8], wordSize: Int) -> [UInt8] {
    var out = bytes
    let whole = bytes.count - bytes.count % wordSize
    var i = 0
    while i < whole {
        for k in 0..<wordSize { out[i + k] = bytes[i + wordSize - 1 - k] }
        i += wordSize
    }
    return out
}
