#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The head of a Part 10 file (PS3.10 §7.1): the 128-byte preamble, "DICM" and the File Meta Information
/// (group 0002, always Explicit VR Little Endian), read without touching the data set after it. The one
/// reader of that header: `DICOMFile` decodes its meta group with it, the storage SCU reads what it sends
/// with it, the Q/R SCP's index reads its files' headers with it.
public struct Part10Header: Sendable, Equatable {
    /// Length of the preamble before "DICM".
    public static let preambleLength = 128
    /// Offset of the first meta element: after the preamble and "DICM".
    public static let metaOffset = 132
    /// Largest meta group `read(path:)` reads (1 MiB): a file claiming more is refused.
    public static let maximumMetaLength = 1 << 20
    /// Bytes `read(path:)` reads first: enough for any ordinary meta group.
    public static let initialReadLength = 16 * 1024

    /// Group 0002 as read, (0002,0000) included when present.
    public var meta: DataSet
    /// Byte offset of the data set in the file: just after the meta group.
    public var dataSetOffset: Int

    public init(meta: DataSet, dataSetOffset: Int) {
        self.meta = meta
        self.dataSetOffset = dataSetOffset
    }

    /// (0002,0010) Transfer Syntax UID, nil when absent or empty.
    public var transferSyntaxUID: String? { nonEmpty(.transferSyntaxUID) }
    /// (0002,0002) Media Storage SOP Class UID, nil when absent or empty.
    public var mediaStorageSOPClassUID: String? { nonEmpty(.mediaStorageSOPClassUID) }
    /// (0002,0003) Media Storage SOP Instance UID, nil when absent or empty.
    public var mediaStorageSOPInstanceUID: String? { nonEmpty(.mediaStorageSOPInstanceUID) }

    private func nonEmpty(_ tag: Tag) -> String? {
        guard let value = meta.string(tag), !value.isEmpty else { return nil }
        return value
    }

    /// Whether `bytes` hold a preamble and "DICM" at byte 128.
    public static func hasPreamble(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count >= metaOffset && bytes[128] == 0x44 && bytes[129] == 0x49 && bytes[130] == 0x43
            && bytes[131] == 0x4D
    }

    /// Parses the preamble, "DICM" and the meta group from `bytes`, the first bytes of a file.
    /// `isWholeFile: false` says more of the file follows: running out of bytes inside the meta group then
    /// throws `.truncated` (read more and parse again) instead of ending the group there.
    /// - Throws: `DICOMParseError` (`.invalidFile` without "DICM" at byte 128; the element errors of the
    ///   meta group, with their byte offsets).
    public static func parse(_ bytes: UnsafeRawBufferPointer, isWholeFile: Bool) throws -> Part10Header {
        guard hasPreamble(bytes) else {
            throw DICOMParseError(
                .invalidFile, at: preambleLength,
                "not a DICOM Part 10 file: expected \"DICM\" after a 128-byte preamble, found \(found(bytes))")
        }
        let (meta, end) = try readMeta(bytes, from: metaOffset, isWholeFile: isWholeFile)
        return Part10Header(meta: meta, dataSetOffset: end)
    }

    /// `parse(_:isWholeFile:)` of bytes held in an array.
    public static func parse(_ bytes: [UInt8], isWholeFile: Bool) throws -> Part10Header {
        try bytes.withUnsafeBytes { try parse($0, isWholeFile: isWholeFile) }
    }

    /// Whether `bytes` start with a meta group, with or without the preamble: "DICM" at byte 128 or at byte 0,
    /// or a group 0002 element with an explicit VR at byte 0.
    public static func hasMetaGroup(_ bytes: UnsafeRawBufferPointer) -> Bool {
        metaStart(bytes) != nil
    }

    /// Where the meta group starts and how the file is laid out, nil for a bare data set.
    private static func metaStart(_ raw: UnsafeRawBufferPointer) -> (Int, DICOMFile.Layout)? {
        if hasPreamble(raw) { return (metaOffset, .part10) }
        if raw.count >= 4 && raw[0] == 0x44 && raw[1] == 0x49 && raw[2] == 0x43 && raw[3] == 0x4D {
            return (4, .metaWithoutPreamble)
        }
        if raw.count >= 6 && raw[0] == 0x02 && raw[1] == 0x00 && VR(byte0: raw[4], byte1: raw[5]) != nil {
            return (0, .metaWithoutPreamble)
        }
        return nil
    }

    /// The head of any file `DICOMFile` reads (see its layouts): the meta group after a preamble, after
    /// "DICM" alone or at byte 0, else none (a bare data set from byte 0); and the transfer syntax of the
    /// data set, from (0002,0010) or, without one, sniffed as DCMTK does. `isWholeFile` as in `parse`.
    public static func locate(
        _ raw: UnsafeRawBufferPointer, isWholeFile: Bool
    ) throws -> (header: Part10Header, layout: DICOMFile.Layout, transferSyntax: TransferSyntax) {
        var header = Part10Header(meta: DataSet(), dataSetOffset: 0)
        var layout = DICOMFile.Layout.dataSetOnly
        if let (start, found) = metaStart(raw) {
            let (meta, end) = try readMeta(raw, from: start, isWholeFile: isWholeFile)
            header = Part10Header(meta: meta, dataSetOffset: end)
            layout = found
        }
        let transferSyntax =
            header.transferSyntaxUID.map(TransferSyntax.from(uid:))
            ?? DICOMFile.sniffTransferSyntax(UnsafeRawBufferPointer(rebasing: raw[header.dataSetOffset...]))
        return (header, layout, transferSyntax)
    }

    /// What stands where "DICM" was expected, in words.
    private static func found(_ bytes: UnsafeRawBufferPointer) -> String {
        guard bytes.count >= metaOffset else { return "a file of \(bytes.count) bytes" }
        let marker = Array(bytes[128..<132])
        if marker.allSatisfy({ (0x20...0x7E).contains($0) }) {
            return "\"\(String(decoding: marker, as: UTF8.self))\""
        }
        let hex = "0123456789ABCDEF".map { $0 }
        return marker.map { "\(hex[Int($0 >> 4)])\(hex[Int($0 & 0xF)])H" }.joined(separator: " ")
    }

    /// The group 0002 elements from `start` (Explicit VR Little Endian) and the offset just after them.
    static func readMeta(
        _ bytes: UnsafeRawBufferPointer, from start: Int, isWholeFile: Bool
    ) throws -> (DataSet, Int) {
        var parser = ElementParser(bytes, transferSyntax: .explicitVRLittleEndian)
        parser.position = start
        let meta: DataSet
        do {
            meta = try parser.readGroup2(end: bytes.count)
        } catch let error as DICOMParseError where !isWholeFile && [.truncated, .lengthPastEnd].contains(error.kind) {
            throw moreBytesNeeded(bytes.count, at: error.offset)
        }
        // The next tag must be seen to know the group ended.
        if !isWholeFile && bytes.count - parser.position < 4 { throw moreBytesNeeded(bytes.count, at: parser.position) }
        return (meta, parser.position)
    }

    private static func moreBytesNeeded(_ count: Int, at offset: Int) -> DICOMParseError {
        DICOMParseError(
            .truncated, at: offset, "the File Meta Information (group 0002) runs past the first \(count) bytes read")
    }

    /// Reads the header of the file at `path` with bounded reads: the first `initialReadLength` bytes and,
    /// only when the meta group runs past them, up to `132 + maximumMetaLength` bytes; the data set is not
    /// read. Returns the header and the file's length.
    /// - Throws: `DICOMFileError` when the file cannot be opened or read; `DICOMParseError` as `parse`.
    public static func read(path: String) throws -> (header: Part10Header, fileLength: Int) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw DICOMFileError("open", path: path, errno: errno) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw DICOMFileError("stat", path: path, errno: errno) }
        let fileLength = Int(info.st_size)
        let limit = min(fileLength, metaOffset + maximumMetaLength)
        var prefix = try readPrefix(fd, count: min(limit, initialReadLength), path: path)
        if prefix.count < limit, (try? parse(prefix, isWholeFile: false)) == nil {
            prefix = try readPrefix(fd, count: limit, path: path)
        }
        return (try parse(prefix, isWholeFile: prefix.count >= fileLength), fileLength)
    }

    /// The first `count` bytes of `fd` (fewer at end of file).
    private static func readPrefix(_ fd: Int32, count: Int, path: String) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + filled, count - filled, off_t(filled)) }
            if n < 0, errno == EINTR { continue }
            guard n >= 0 else { throw DICOMFileError("read", path: path, errno: errno) }
            if n == 0 { break }
            filled += n
        }
        bytes.removeLast(count - filled)
        return bytes
    }
}
