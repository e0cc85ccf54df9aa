import DICOMCore
import Foundation

/// Reads what the index needs from a Part 10 file (PS3.10 §7.1) cheaply: the first `prefixLength` bytes,
/// cut before Pixel Data (7FE0,0010), are decoded; the whole file is read only when the prefix does not
/// reach Pixel Data (or the data set is deflated).
public enum Part10HeaderReader {
    /// Bytes read first (most headers end well before).
    public static let prefixLength = 64 * 1024

    /// The index record of the file at `path`; throws for files that are not Part 10 (no "DICM" at 128)
    /// or whose header does not decode.
    public static func record(path: String) throws -> InstanceRecord {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw Part10HeaderError(path: path, "cannot open the file")
        }
        defer { try? handle.close() }
        let fileLength = Int((try? handle.seekToEnd()) ?? 0)
        try handle.seek(toOffset: 0)
        var bytes = [UInt8](try handle.read(upToCount: prefixLength) ?? Data())
        guard bytes.count >= 132, Array(bytes[128..<132]) == Array("DICM".utf8) else {
            throw Part10HeaderError(
                path: path,
                "not a DICOM Part 10 file: expected \"DICM\" at offset 128, found \(bytes.count) bytes without it")
        }
        guard let dataSetOffset = metaEnd(bytes) else {
            throw Part10HeaderError(
                path: path, "the File Meta Information (group 0002) runs past the first \(bytes.count) bytes")
        }
        var cut = bytes.count
        if let pixel = pixelDataOffset(bytes, from: dataSetOffset) {
            cut = pixel
        } else if bytes.count < fileLength {
            bytes = [UInt8](try handle.readToEnd().map { bytes + $0 } ?? Data(bytes))
            cut = bytes.count
        }
        var file = try DICOMFile.decode(Array(bytes[0..<cut]))
        if file.transferSyntax.isDeflated && cut < fileLength {
            try handle.seek(toOffset: 0)
            file = try DICOMFile.decode([UInt8](try handle.readToEnd() ?? Data()))
        }
        var values = InstanceRecord.indexedValues(of: file.dataSet)
        if values[QueryKeys.sopInstanceUID.tag] == nil, let uid = file.meta.string(.mediaStorageSOPInstanceUID) {
            values[QueryKeys.sopInstanceUID.tag] = uid
        }
        if values[QueryKeys.sopClassUID.tag] == nil, let uid = file.meta.string(.mediaStorageSOPClassUID) {
            values[QueryKeys.sopClassUID.tag] = uid
        }
        guard let sop = values[QueryKeys.sopInstanceUID.tag], !sop.isEmpty else {
            throw Part10HeaderError(path: path, "no SOP Instance UID (0008,0018) in the data set or meta")
        }
        return InstanceRecord(
            path: path, dataSetOffset: dataSetOffset, dataSetLength: fileLength - dataSetOffset,
            transferSyntaxUID: file.transferSyntax.uid, values: values)
    }

    /// Offset just after the meta group (Explicit VR Little Endian from offset 132), nil if it is cut off.
    static func metaEnd(_ bytes: [UInt8]) -> Int? {
        var position = 132
        while position + 8 <= bytes.count {
            let group = UInt16(bytes[position]) | UInt16(bytes[position + 1]) << 8
            guard group == 0x0002 else { return position }
            let vr = String(decoding: bytes[(position + 4)..<(position + 6)], as: UTF8.self)
            let length: Int
            let header: Int
            if ["OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV"].contains(vr) {
                guard position + 12 <= bytes.count else { return nil }
                length = Int(
                    UInt32(bytes[position + 8]) | UInt32(bytes[position + 9]) << 8
                        | UInt32(bytes[position + 10]) << 16 | UInt32(bytes[position + 11]) << 24)
                header = 12
            } else {
                length = Int(UInt16(bytes[position + 6]) | UInt16(bytes[position + 7]) << 8)
                header = 8
            }
            guard length != 0xFFFF_FFFF, position + header + length <= bytes.count else { return nil }
            position += header + length
        }
        return position == bytes.count ? position : nil
    }

    /// Offset of the top-level Pixel Data tag (little endian), searched from `start`.
    static func pixelDataOffset(_ bytes: [UInt8], from start: Int) -> Int? {
        let pattern: [UInt8] = [0xE0, 0x7F, 0x10, 0x00]
        var i = start
        while i + 4 <= bytes.count {
            if bytes[i] == pattern[0] && bytes[i + 1] == pattern[1] && bytes[i + 2] == pattern[2]
                && bytes[i + 3] == pattern[3]
            {
                return i
            }
            i += 2
        }
        return nil
    }
}

/// A file the index could not read, with the reason.
public struct Part10HeaderError: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let problem: String
    init(path: String, _ problem: String) {
        self.path = path
        self.problem = problem
    }
    public var description: String { "\(path): \(problem)" }
}
