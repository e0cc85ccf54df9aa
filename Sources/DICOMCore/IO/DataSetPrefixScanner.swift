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
    /// What a walk over a prefix found.
    public struct Found {
        /// The values of the wanted elements the prefix holds, each as `strings` describes.
        public var strings: [Tag: String]
        /// True when the walk reached an element past the greatest wanted tag: no later byte of the data
        /// set can add to `strings`, so a caller holding only the first bytes already has the answer.
        public var isComplete: Bool
    }

    /// The values of the top-level elements among `tags` in `bytes` (a data set's first bytes, in
    /// `transferSyntax`). The walk stops after the first element past the greatest of `tags` (elements are
    /// in ascending tag order, PS3.5 §7.1). A value that would run past the prefix is not there.
    public static func values(
        of tags: Set<Tag>, in bytes: [UInt8], transferSyntax: TransferSyntax
    ) -> [Tag: ArraySlice<UInt8>] {
        bytes.withUnsafeBytes { raw in
            walk(for: tags, in: raw, transferSyntax: transferSyntax).ranges.mapValues { bytes[$0] }
        }
    }

    /// `values(of:in:transferSyntax:)` as text: each value without its padding (trailing space or NUL, PS3.5
    /// §6.2) and leading spaces or NULs, decoded as UTF-8 (the default repertoire of the UIDs and IDs it is
    /// meant for is ASCII).
    public static func strings(
        of tags: Set<Tag>, in bytes: [UInt8], transferSyntax: TransferSyntax
    ) -> [Tag: String] {
        bytes.withUnsafeBytes { scan(for: tags, in: $0, transferSyntax: transferSyntax).strings }
    }

    /// `strings(of:in:transferSyntax:)` of bytes in place (a received fragment, not copied), and whether
    /// they were enough.
    public static func scan(
        for tags: Set<Tag>, in bytes: UnsafeRawBufferPointer, transferSyntax: TransferSyntax
    ) -> Found {
        let (ranges, isComplete) = walk(for: tags, in: bytes, transferSyntax: transferSyntax)
        return Found(
            strings: ranges.mapValues { text(UnsafeRawBufferPointer(rebasing: bytes[$0])) }, isComplete: isComplete)
    }

    /// The value ranges of the wanted elements, and whether the walk passed the greatest of them.
    private static func walk(
        for tags: Set<Tag>, in raw: UnsafeRawBufferPointer, transferSyntax: TransferSyntax
    ) -> (ranges: [Tag: Range<Int>], isComplete: Bool) {
        guard !transferSyntax.isDeflated, let last = tags.max() else { return ([:], true) }
        var ranges: [Tag: Range<Int>] = [:]
        var isComplete = false
        try? BufferHeaderSource(buffer: raw).walkTopLevel(
            from: 0, explicit: transferSyntax.isExplicitVR, big: transferSyntax.byteOrder == .bigEndian
        ) { h, range in
            if h.tag > last {
                isComplete = true
                return false
            }
            if tags.contains(h.tag) { ranges[h.tag] = (range.lowerBound + h.headerLength)..<range.upperBound }
            return true
        }
        return (ranges, isComplete)
    }

    /// A value without its padding and leading spaces or NULs, as UTF-8.
    private static func text(_ value: UnsafeRawBufferPointer) -> String {
        var slice = value[...]
        while let last = slice.last, last == 0x20 || last == 0 { slice.removeLast() }
        while let first = slice.first, first == 0x20 || first == 0 { slice.removeFirst() }
        return String(decoding: slice, as: UTF8.self)
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
