#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A DICOM file read by offset, for streaming it: its head through `Part10Header.locate` (every layout
/// `DICOMFile` reads), then the top-level elements of its data set found by their headers alone
/// (`ElementParser.readHeader`, PS3.5 §7.1, §7.5), without reading the values they skip. Memory does not
/// grow with the file: reads go through a 64 KiB window, and `copy(_:to:)` moves a value to a
/// `Part10StreamWriter` in 1 MiB pieces. What `DICOMFile.read` is for a whole file in memory, this is for a
/// file of any size (the de-identification of large instances, docs/deidentification.md).
public final class DataSetFileScanner {
    /// One top-level element of the data set: where it is in the file, header included.
    public struct Element: Sendable, Equatable {
        public let tag: Tag
        /// The VR as encoded (from the dictionary in an implicit syntax).
        public let vr: VR
        /// The whole element, header included (for undefined length: up to and with its delimiter).
        public let range: Range<Int>
        /// The value field's length as encoded, 0xFFFFFFFF for undefined length.
        public let length: UInt32
    }

    public let path: String
    /// The file's size in bytes.
    public let size: Int
    /// Group 0002 and where the data set starts.
    public let header: Part10Header
    public let layout: DICOMFile.Layout
    /// The data set's transfer syntax: (0002,0010), or sniffed when the file has none.
    public let transferSyntax: TransferSyntax

    private let fd: Int32
    private var window: [UInt8] = []
    private var windowStart = 0
    static let windowSize = 64 * 1024

    /// Opens the file at `path` and reads its head (bounded as `Part10Header.read(path:)`).
    /// - Throws: `DICOMFileError` when it cannot be read; `DICOMParseError` when its meta group is malformed,
    ///   or (`.invalidFile`) when it is shorter than a data set element and has no meta group.
    public init(path: String) throws {
        self.path = path
        fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw DICOMFileError("open", path: path, errno: errno) }
        do {
            var info = stat()
            guard fstat(fd, &info) == 0 else { throw DICOMFileError("stat", path: path, errno: errno) }
            let fileSize = Int(info.st_size)
            let limit = min(fileSize, Part10Header.metaOffset + Part10Header.maximumMetaLength)
            var prefix = try Self.read(fd, at: 0, count: min(limit, Part10Header.initialReadLength), path: path)
            func locate() throws -> (header: Part10Header, layout: DICOMFile.Layout, transferSyntax: TransferSyntax) {
                try prefix.withUnsafeBytes { raw in
                    if raw.count < 8 && !Part10Header.hasMetaGroup(raw) {
                        throw DICOMParseError(
                            .invalidFile, at: 0, "not a DICOM file: \(raw.count) bytes, no meta group and no data set")
                    }
                    return try Part10Header.locate(raw, isWholeFile: raw.count >= fileSize)
                }
            }
            let located: (header: Part10Header, layout: DICOMFile.Layout, transferSyntax: TransferSyntax)
            do {
                located = try locate()
            } catch let error as DICOMParseError where error.kind == .truncated && prefix.count < limit {
                prefix = try Self.read(fd, at: 0, count: limit, path: path)
                located = try locate()
            }
            size = fileSize
            (header, layout, transferSyntax) = located
            window = prefix
        } catch {
            close(fd)
            throw error
        }
    }

    deinit { close(fd) }

    /// `count` bytes at `offset` (fewer at the end of the file).
    public func bytes(at offset: Int, count: Int) throws -> [UInt8] {
        let wanted = max(0, min(count, size - offset))
        if offset >= windowStart && offset + wanted <= windowStart + window.count {
            return Array(window[(offset - windowStart)..<(offset - windowStart + wanted)])
        }
        if wanted > Self.windowSize { return try Self.read(fd, at: offset, count: wanted, path: path) }
        window = try Self.read(fd, at: offset, count: min(Self.windowSize, size - offset), path: path)
        windowStart = offset
        return Array(window[0..<wanted])
    }

    private static func read(_ fd: Int32, at offset: Int, count: Int, path: String) throws -> [UInt8] {
        try [UInt8](unsafeUninitializedCapacity: count) { buffer, done in
            done = 0
            while done < count {
                let n = pread(fd, buffer.baseAddress! + done, count - done, off_t(offset + done))
                if n < 0 && errno == EINTR { continue }
                if n < 0 { throw DICOMFileError("read", path: path, errno: errno) }
                if n == 0 { break }
                done += n
            }
        }
    }

    /// Copies `range` of the file to `writer` in 1 MiB pieces.
    public func copy(_ range: Range<Int>, to writer: Part10StreamWriter) throws {
        var offset = range.lowerBound
        let chunk = min(1 << 20, max(range.count, 1))
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 16)
        defer { buffer.deallocate() }
        while offset < range.upperBound {
            let n = pread(fd, buffer.baseAddress!, min(chunk, range.upperBound - offset), off_t(offset))
            if n < 0 && errno == EINTR { continue }
            if n < 0 { throw DICOMFileError("read", path: path, errno: errno) }
            if n == 0 {
                throw DICOMParseError(
                    .truncated, at: offset,
                    "\(path) ended at byte \(offset) inside a value that should end at \(range.upperBound)")
            }
            try writer.append(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            offset += n
        }
    }

    // MARK: - Element headers

    /// The header at `offset`, decoded by `ElementParser.readHeader` in the given encoding.
    func elementHeader(at offset: Int, explicit: Bool, big: Bool) throws -> ElementParser.Header {
        let bytes = try self.bytes(at: offset, count: 12)
        return try bytes.withUnsafeBytes { raw in
            var parser = ElementParser(raw, isExplicitVR: explicit, isBigEndian: big, baseOffset: offset)
            return try parser.readHeader(end: raw.count)
        }
    }

    /// The top-level elements of the data set, in file order, walked by `ElementHeaderSource.walkTopLevel`.
    /// Deflated data sets have none to stream (read them with `DICOMFile.read`).
    /// - Throws: `DICOMParseError` with file offsets: an element that runs past the end of the file, an
    ///   undefined length that never ends, nesting deeper than `DataSetReader.maximumSequenceDepth`.
    public func topLevelElements() throws -> [Element] {
        guard !transferSyntax.isDeflated else { return [] }
        var out: [Element] = []
        try walkTopLevel(
            from: header.dataSetOffset, explicit: transferSyntax.isExplicitVR,
            big: transferSyntax.byteOrder == .bigEndian
        ) { h, range in
            out.append(Element(tag: h.tag, vr: h.vr, range: range, length: h.length))
            return true
        }
        return out
    }
}

extension DataSetFileScanner: ElementHeaderSource {
    var medium: String { "file" }
}
