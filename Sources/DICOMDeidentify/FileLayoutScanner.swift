import DICOMCore

/// Where the parts of a Part 10 file are (PS3.10 §7.1), found by walking element headers only: the meta
/// group, and the top-level elements of the data set split into header segments (read and parsed in memory)
/// and bulk elements (large binary values, encapsulated Pixel Data) that are copied byte for byte.
struct FileLayout {
    struct Bulk {
        let tag: Tag
        /// The whole element, header included.
        let range: Range<Int>
    }
    var meta: DataSet
    var transferSyntax: TransferSyntax
    var dataStart: Int
    /// Header segments (element-aligned) and bulk elements, in file order.
    var segments: [Range<Int>] = []
    var bulk: [Bulk] = []
}

/// The file is not a DICOM instance: no "DICM" and no recognisable data set at its start, or a DICOM file
/// that is not a stored instance (a DICOMDIR, no SOP Instance UID). Callers skip such files.
public struct NotDICOMError: Error, CustomStringConvertible, Sendable {
    public let path: String
    public var reason = "not a DICOM file: no \"DICM\" marker and no data set at its start"
    public var description: String { "\(path): \(reason)" }
}

enum FileLayoutScanner {
    /// A value at least this long (and not a sequence) is copied, not read.
    static let bulkThreshold = 64 * 1024

    static func scan(_ file: InputFile, isBulkCandidate: (Tag) -> Bool) throws -> FileLayout {
        let head = try file.bytes(at: 0, count: 132)
        let dicm: [UInt8] = Array("DICM".utf8)
        var metaStart: Int? = nil
        if head.count >= 132 && Array(head[128..<132]) == dicm {
            metaStart = 132
        } else if head.count >= 4 && Array(head[0..<4]) == dicm {
            metaStart = 4
        } else if head.count >= 6 && head[0] == 0x02 && head[1] == 0x00 && VR(byte0: head[4], byte1: head[5]) != nil {
            metaStart = 0
        }
        var meta = DataSet()
        var dataStart = 0
        if let start = metaStart {
            var p = start
            while p + 8 <= file.size {
                let h = try file.bytes(at: p, count: 12)
                guard h.count >= 8, h[0] == 0x02, h[1] == 0x00 else { break }
                guard let vr = VR(byte0: h[4], byte1: h[5]) else { break }
                let length: Int
                if vr.hasLongExplicitLength {
                    guard h.count == 12 else { break }
                    length = Int(UInt32(h[8]) | UInt32(h[9]) << 8 | UInt32(h[10]) << 16 | UInt32(h[11]) << 24)
                    p += 12 + length
                } else {
                    length = Int(UInt16(h[6]) | UInt16(h[7]) << 8)
                    p += 8 + length
                }
            }
            guard p <= file.size else {
                throw DeidentificationError("\(file.path): the file meta group is truncated")
            }
            meta = try DataSetReader.read(
                try file.bytes(at: start, count: p - start), transferSyntax: .explicitVRLittleEndian)
            dataStart = p
        }
        let ts: TransferSyntax
        if let uid = meta.string(.transferSyntaxUID), !uid.isEmpty {
            ts = TransferSyntax.from(uid: uid)
        } else {
            let first = try file.bytes(at: dataStart, count: 6)
            guard first.count >= 6 else { throw NotDICOMError(path: file.path) }
            if metaStart == nil {
                // A bare data set: accept only one that starts with a small even group (0008 as a rule).
                let group = UInt16(first[0]) | UInt16(first[1]) << 8
                guard group & 1 == 0, group >= 0x0004, group <= 0x0010 else { throw NotDICOMError(path: file.path) }
            }
            if VR(byte0: first[4], byte1: first[5]) == nil {
                ts = .implicitVRLittleEndian
            } else {
                let little = UInt16(first[0]) | UInt16(first[1]) << 8
                let big = UInt16(first[0]) << 8 | UInt16(first[1])
                ts = big < little ? .explicitVRBigEndian : .explicitVRLittleEndian
            }
        }
        var layout = FileLayout(meta: meta, transferSyntax: ts, dataStart: dataStart)
        if ts.isDeflated { return layout }  // the caller reads deflated files whole
        var walker = HeaderWalker(file: file, explicit: ts.isExplicitVR, big: ts.byteOrder == .bigEndian)
        var p = dataStart
        var segmentStart = dataStart
        while p < file.size {
            let header = try walker.header(at: p)
            let valueStart = p + header.headerLength
            let end: Int
            if header.length == 0xFFFF_FFFF {
                let nestedExplicit = walker.explicit && header.vr != .UN
                end = try walker.skipUndefined(
                    from: valueStart, explicit: nestedExplicit, big: nestedExplicit && walker.big, depth: 1)
            } else {
                end = valueStart + Int(header.length)
            }
            guard end <= file.size else {
                throw DeidentificationError(
                    "\(file.path): element \(header.tag) declares \(end - valueStart) bytes but the file ends at byte \(file.size)"
                )
            }
            let isSequence =
                header.vr == .SQ || (header.vr == .UN && DataDictionary.vr(for: header.tag) == .SQ)
            let large =
                header.length == 0xFFFF_FFFF
                ? (header.tag == .pixelData && (header.vr == .OB || header.vr == .OW))
                : Int(header.length) >= bulkThreshold
            if large && !isSequence && isBulkCandidate(header.tag) {
                if segmentStart < p { layout.segments.append(segmentStart..<p) }
                layout.bulk.append(.init(tag: header.tag, range: p..<end))
                segmentStart = end
            }
            p = end
        }
        if segmentStart < p { layout.segments.append(segmentStart..<p) }
        return layout
    }
}

/// Reads element and item headers (PS3.5 §7.1.2, §7.5) of one encoding.
struct HeaderWalker {
    let file: InputFile
    var explicit: Bool
    var big: Bool

    struct Header {
        let tag: Tag
        let vr: VR
        let length: UInt32
        let headerLength: Int
    }

    private func u16(_ b: [UInt8], _ i: Int, big: Bool) -> UInt16 {
        big ? UInt16(b[i]) << 8 | UInt16(b[i + 1]) : UInt16(b[i]) | UInt16(b[i + 1]) << 8
    }

    private func u32(_ b: [UInt8], _ i: Int, big: Bool) -> UInt32 {
        big
            ? UInt32(b[i]) << 24 | UInt32(b[i + 1]) << 16 | UInt32(b[i + 2]) << 8 | UInt32(b[i + 3])
            : UInt32(b[i]) | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 3]) << 24
    }

    func header(at p: Int, explicit: Bool? = nil, big: Bool? = nil) throws -> Header {
        let isExplicit = explicit ?? self.explicit
        let isBig = big ?? self.big
        let h = try file.bytes(at: p, count: 12)
        guard h.count >= 8 else { throw DeidentificationError("\(file.path): truncated element header at byte \(p)") }
        let tag = Tag(u16(h, 0, big: isBig), u16(h, 2, big: isBig))
        if tag.group == 0xFFFE {
            return Header(tag: tag, vr: .UN, length: u32(h, 4, big: isBig), headerLength: 8)
        }
        if isExplicit {
            guard let vr = VR(byte0: h[4], byte1: h[5]) else {
                throw DeidentificationError("\(file.path): unknown VR in element \(tag) at byte \(p)")
            }
            if vr.hasLongExplicitLength {
                guard h.count == 12 else { throw DeidentificationError("\(file.path): truncated header at \(p)") }
                return Header(tag: tag, vr: vr, length: u32(h, 8, big: isBig), headerLength: 12)
            }
            return Header(tag: tag, vr: vr, length: UInt32(u16(h, 6, big: isBig)), headerLength: 8)
        }
        return Header(tag: tag, vr: DataDictionary.vr(for: tag), length: u32(h, 4, big: isBig), headerLength: 8)
    }

    /// The end of an undefined-length value (items up to the Sequence Delimitation) starting at `p`.
    func skipUndefined(from start: Int, explicit: Bool, big: Bool, depth: Int) throws -> Int {
        guard depth <= DataSetReader.maximumSequenceDepth else {
            throw DeidentificationError("\(file.path): sequences nested more than 64 levels deep")
        }
        var p = start
        while true {
            let h = try header(at: p, explicit: explicit, big: big)
            p += 8
            if h.tag == .sequenceDelimitation { return p }
            guard h.tag == .item else {
                throw DeidentificationError("\(file.path): expected an item at byte \(p - 8), found \(h.tag)")
            }
            if h.length == 0xFFFF_FFFF {
                // Elements up to the Item Delimitation.
                while true {
                    let e = try header(at: p, explicit: explicit, big: big)
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
                    guard p <= file.size else { throw DeidentificationError("\(file.path): truncated item") }
                }
            } else {
                p += Int(h.length)
            }
            guard p <= file.size else { throw DeidentificationError("\(file.path): truncated sequence") }
        }
    }
}
