import DICOMCore

/// An input file split for streaming (docs/deidentification.md): its top-level elements as DICOMCore's
/// `DataSetFileScanner` finds them, grouped into header segments (read, de-identified and re-encoded) and
/// bulk elements (large binary values, encapsulated Pixel Data) that are copied byte for byte.
struct StreamedInstance {
    /// A value at least this long (and not a sequence) is copied, not read.
    static let bulkThreshold = 64 * 1024

    struct Bulk {
        let tag: Tag
        /// The whole element, header included.
        let range: Range<Int>
    }

    let file: DataSetFileScanner
    /// Header segments (element-aligned, in file order).
    var segments: [Range<Int>] = []
    /// Bulk elements, in file order.
    var bulk: [Bulk] = []

    /// Opens `path` and splits its data set; `isBulkCandidate` says whether an element may be copied
    /// unread (its action keeps or removes it whole).
    /// - Throws: `NotDICOMError` for a file that is not DICOM (no meta group, and no data set of a
    ///   small even group at its start); `DICOMParseError` for a malformed one.
    init(path: String, isBulkCandidate: (Tag) -> Bool) throws {
        do {
            file = try DataSetFileScanner(path: path)
        } catch let error as DICOMParseError where error.kind == .invalidFile {
            throw NotDICOMError(path: path)
        }
        if file.layout == .dataSetOnly {
            // A bare data set: accept only one that starts with a small even group (0008 as a rule).
            let first = try file.bytes(at: 0, count: 2)
            let group = first.count == 2 ? UInt16(first[0]) | UInt16(first[1]) << 8 : 0xFFFF
            let swapped = group.byteSwapped
            let isSmallEven = { (g: UInt16) in g & 1 == 0 && g >= 0x0004 && g <= 0x0010 }
            let bigEndian = file.transferSyntax.byteOrder == .bigEndian
            guard isSmallEven(bigEndian ? swapped : group) else { throw NotDICOMError(path: path) }
        }
        if file.transferSyntax.isDeflated { return }  // the caller reads deflated files whole
        let start = file.header.dataSetOffset
        var segmentStart = start
        for element in try file.topLevelElements() {
            let isSequence =
                element.vr == .SQ || (element.vr == .UN && DataDictionary.vr(for: element.tag) == .SQ)
            let large =
                element.length == 0xFFFF_FFFF
                ? (element.tag == .pixelData && (element.vr == .OB || element.vr == .OW))
                : Int(element.length) >= Self.bulkThreshold
            if large && !isSequence && isBulkCandidate(element.tag) {
                if segmentStart < element.range.lowerBound {
                    segments.append(segmentStart..<element.range.lowerBound)
                }
                bulk.append(Bulk(tag: element.tag, range: element.range))
                segmentStart = element.range.upperBound
            }
        }
        if segmentStart < file.size { segments.append(segmentStart..<file.size) }
    }
}
