/// Something that decodes element headers by offset (with `ElementParser.readHeader`): a file read through a
/// window (`DataSetFileScanner`) or bytes in memory (`DataSetPrefixScanner`). The walk of top-level elements
/// and the skipping of undefined lengths below are the one implementation of both (PS3.5 §7.1, §7.5).
protocol ElementHeaderSource {
    /// How many bytes there are: the walk ends at this offset.
    var size: Int { get }
    /// What the bytes are, for error messages: "file", "prefix".
    var medium: String { get }
    /// The element, item or delimiter header at `offset`, decoded by `ElementParser.readHeader`.
    func elementHeader(at offset: Int, explicit: Bool, big: Bool) throws -> ElementParser.Header
}

extension ElementHeaderSource {
    /// Walks the top-level elements from `start` to `size` by their headers alone: a defined length is
    /// skipped, an undefined length walked to its delimiter (`skipUndefined`). `visit` gets each element's
    /// header and range (header included; for undefined length up to and with its delimiter) and returns
    /// false to stop the walk.
    /// - Throws: `DICOMParseError`: an element that runs past `size`, an undefined length that never ends,
    ///   nesting deeper than `DataSetReader.maximumSequenceDepth`, a malformed header.
    func walkTopLevel(
        from start: Int, explicit: Bool, big: Bool,
        _ visit: (_ header: ElementParser.Header, _ range: Range<Int>) throws -> Bool
    ) throws {
        var p = start
        while p < size {
            let h = try elementHeader(at: p, explicit: explicit, big: big)
            let valueStart = p + h.headerLength
            let end: Int
            if h.length == 0xFFFF_FFFF {
                // PS3.5 §6.2.2: a UN of undefined length holds Implicit VR Little Endian.
                let nestedExplicit = explicit && h.vr != .UN
                end = try skipUndefined(
                    from: valueStart, explicit: nestedExplicit, big: nestedExplicit && big, depth: 1)
            } else {
                end = valueStart + Int(h.length)
            }
            guard end <= size else {
                throw DICOMParseError(
                    .lengthPastEnd, at: p,
                    "element \(h.tag) (\(h.vr.rawValue)) declares \(end - valueStart) bytes but the \(medium) ends at byte \(size)"
                )
            }
            guard try visit(h, p..<end) else { return }
            p = end
        }
    }

    /// The end of an undefined-length value (items up to the Sequence Delimitation, PS3.5 §7.5.2; the
    /// fragments of encapsulated Pixel Data, PS3.5 §A.4) starting at `start`.
    func skipUndefined(from start: Int, explicit: Bool, big: Bool, depth: Int) throws -> Int {
        guard depth <= DataSetReader.maximumSequenceDepth else {
            throw DICOMParseError(
                .nestingTooDeep, at: start,
                "sequences nested more than \(DataSetReader.maximumSequenceDepth) levels deep")
        }
        var p = start
        while true {
            let h = try elementHeader(at: p, explicit: explicit, big: big)
            p += 8
            if h.tag == .sequenceDelimitation { return p }
            guard h.tag == .item else {
                throw DICOMParseError(.unexpectedItem, at: p - 8, "expected an Item (FFFE,E000), found \(h.tag)")
            }
            if h.length == 0xFFFF_FFFF {
                // Elements up to the Item Delimitation.
                while true {
                    let e = try elementHeader(at: p, explicit: explicit, big: big)
                    if e.tag == .itemDelimitation {
                        p += 8
                        break
                    }
                    p += e.headerLength
                    if e.length == 0xFFFF_FFFF {
                        let nestedExplicit = explicit && e.vr != .UN
                        p = try skipUndefined(
                            from: p, explicit: nestedExplicit, big: nestedExplicit && big, depth: depth + 1)
                    } else {
                        p += Int(e.length)
                    }
                    guard p <= size else {
                        throw DICOMParseError(
                            .truncated, at: size, "an item of undefined length runs past the end of the \(medium)")
                    }
                }
            } else {
                p += Int(h.length)
            }
            guard p <= size else {
                throw DICOMParseError(
                    .truncated, at: size, "a value of undefined length runs past the end of the \(medium)")
            }
        }
    }
}
