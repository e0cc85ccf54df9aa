/// Reads a few top-level values from the first bytes of a data set (a bounded prefix of it, in memory)
/// without decoding it: the elements are found by their headers alone (`ElementParser.readHeader`, PS3.5
/// §7.1), sequences and items of undefined length are walked to their delimiters (PS3.5 §7.5), by the same
/// walk `DataSetFileScanner` uses on a file. The storage SCP reads Patient ID and the Study and Series
/// Instance UIDs of a received instance this way (docs/design.md "The storage SCP streams").
///
/// Never throws: the walk stops quietly at the end of the prefix or at anything malformed, and what it found
/// before is the answer. A deflated data set yields nothing. Bounded by the prefix length and a nesting depth
/// of `DataSetReader.maximumSequenceDepth`.
public enum DataSetPrefixScanner {
    /// The values of the top-level elements among `tags` in `bytes` (a data set's first bytes, in
    /// `transferSyntax`). The walk stops after the first element past the greatest of `tags` (elements are
    /// in ascending tag order, PS3.5 §7.1). A value that would run past the prefix is not there.
    public static func values(
        of tags: Set<Tag>, in bytes: [UInt8], transferSyntax: TransferSyntax
    ) -> [Tag: ArraySlice<UInt8>] {
        guard !transferSyntax.isDeflated, let last = tags.max() else { return [:] }
        var found: [Tag: ArraySlice<UInt8>] = [:]
        bytes.withUnsafeBytes { raw in
            let source = BufferHeaderSource(buffer: raw)
            try? source.walkTopLevel(
                from: 0, explicit: transferSyntax.isExplicitVR, big: transferSyntax.byteOrder == .bigEndian
            ) { h, range in
                if h.tag > last { return false }
                if tags.contains(h.tag) { found[h.tag] = bytes[(range.lowerBound + h.headerLength)..<range.upperBound] }
                return true
            }
        }
        return found
    }

    /// `values(of:in:transferSyntax:)` as text: each value without its padding (trailing space or NUL, PS3.5
    /// §6.2) and leading spaces or NULs, decoded as UTF-8 (the default repertoire of the UIDs and IDs it is
    /// meant for is ASCII).
    public static func strings(
        of tags: Set<Tag>, in bytes: [UInt8], transferSyntax: TransferSyntax
    ) -> [Tag: String] {
        values(of: tags, in: bytes, transferSyntax: transferSyntax).mapValues { value in
            var slice = value
            while let last = slice.last, last == 0x20 || last == 0 { slice.removeLast() }
            while let first = slice.first, first == 0x20 || first == 0 { slice.removeFirst() }
            return String(decoding: slice, as: UTF8.self)
        }
    }
}

/// Element headers of bytes in memory, for `ElementHeaderSource`'s walk.
private struct BufferHeaderSource: ElementHeaderSource {
    let buffer: UnsafeRawBufferPointer
    var size: Int { buffer.count }
    var medium: String { "prefix" }

    func elementHeader(at offset: Int, explicit: Bool, big: Bool) throws -> ElementParser.Header {
        var parser = ElementParser(buffer, isExplicitVR: explicit, isBigEndian: big)
        parser.position = offset
        return try parser.readHeader(end: buffer.count)
    }
}
