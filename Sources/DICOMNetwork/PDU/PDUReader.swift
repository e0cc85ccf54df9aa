import NIOCore

/// A bounds-checked reader over a PDU body that knows its absolute offset in the PDU (header included),
/// so every error names the field and the offset. Never allocates more than the bytes present.
struct PDUReader {
    let pduType: UInt8
    private(set) var buffer: ByteBuffer
    /// Offset in the PDU of `buffer.readerIndex`.
    private(set) var offset: Int

    init(pduType: UInt8, buffer: ByteBuffer, offset: Int) {
        self.pduType = pduType
        self.buffer = buffer
        self.offset = offset
    }

    var remaining: Int { buffer.readableBytes }
    var isAtEnd: Bool { buffer.readableBytes == 0 }

    func error(
        _ field: String, expected: String, found: String,
        reason: AbortReason = .invalidPDUParameterValue, at offset: Int? = nil
    ) -> PDUParseError {
        PDUParseError(
            pduType: pduType, field: field, offset: offset ?? self.offset, expected: expected,
            found: found, abortReason: reason)
    }

    private mutating func need(_ count: Int, _ field: String) throws {
        guard buffer.readableBytes >= count else {
            throw error(field, expected: "\(count) bytes", found: "\(buffer.readableBytes) bytes left")
        }
    }

    mutating func readUInt8(_ field: String) throws -> UInt8 {
        try need(1, field)
        offset += 1
        return buffer.readInteger(as: UInt8.self)!
    }

    mutating func readUInt16(_ field: String) throws -> UInt16 {
        try need(2, field)
        offset += 2
        return buffer.readInteger(endianness: .big, as: UInt16.self)!
    }

    mutating func readUInt32(_ field: String) throws -> UInt32 {
        try need(4, field)
        offset += 4
        return buffer.readInteger(endianness: .big, as: UInt32.self)!
    }

    mutating func skip(_ count: Int, _ field: String) throws {
        try need(count, field)
        offset += count
        buffer.moveReaderIndex(forwardBy: count)
    }

    mutating func readBytes(_ count: Int, _ field: String) throws -> [UInt8] {
        try need(count, field)
        offset += count
        return buffer.readBytes(length: count)!
    }

    /// Reads `count` bytes as ASCII text with trailing (and leading) spaces and NULs removed: UIDs and AE
    /// titles arrive padded from some devices (pynetdicom #240).
    ///
    /// The text must be printable ASCII (0x20...0x7E): AE titles are of the default repertoire without control
    /// characters (PS3.5 §6.2 AE), UIDs digits and periods (PS3.5 §9.1), the implementation version name SH.
    /// Other bytes are rejected rather than decoded lossily, so what was received is what gets logged, echoed
    /// in the A-ASSOCIATE-AC and used in paths (found by fuzzing: a 0xFF in an AE title became U+FFFD).
    mutating func readTrimmedString(_ count: Int, _ field: String) throws -> String {
        let start = offset
        let bytes = try readBytes(count, field)
        if let bad = bytes.firstIndex(where: { !(0x20...0x7E).contains($0) && $0 != 0x00 }) {
            throw error(
                field, expected: "printable ASCII text (0x20...0x7E)",
                found: "byte 0x\(String(bytes[bad], radix: 16)) at offset \(start + bad)", at: start)
        }
        let text = trimmedText(bytes)
        if let nul = text.utf8.firstIndex(of: 0x00) {
            let position = text.utf8.distance(from: text.utf8.startIndex, to: nul)
            throw error(
                field, expected: "printable ASCII text (0x20...0x7E), NUL only as padding",
                found: "a NUL inside the text (byte \(position) of the trimmed value)", at: start)
        }
        return text
    }

    /// Splits off a child reader for an item body of `length` bytes; fails if it runs past the parent.
    mutating func readChild(_ length: Int, _ field: String) throws -> PDUReader {
        guard buffer.readableBytes >= length else {
            throw error(
                field, expected: "an item length of at most \(buffer.readableBytes) (the bytes left in its parent)",
                found: "\(length)")
        }
        let child = PDUReader(pduType: pduType, buffer: buffer.readSlice(length: length)!, offset: offset)
        offset += length
        return child
    }
}

/// ASCII text with leading/trailing spaces and NULs removed (PS3.8 Annex F; AE titles PS3.8 §9.3.2).
func trimmedText(_ bytes: [UInt8]) -> String {
    var slice = bytes[...]
    while let last = slice.last, last == 0x20 || last == 0x00 { slice.removeLast() }
    while let first = slice.first, first == 0x20 || first == 0x00 { slice.removeFirst() }
    return String(decoding: slice, as: UTF8.self)
}
