import DICOMCore
import Foundation

/// Reads what the index needs from a Part 10 file (PS3.10 §7.1) cheaply (the header through `Part10Header`): the first `prefixLength` bytes,
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
        let dataSetOffset: Int
        do {
            dataSetOffset = try Part10Header.parse(bytes, isWholeFile: bytes.count >= fileLength).dataSetOffset
        } catch let error as DICOMParseError {
            throw Part10HeaderError(path: path, error.description)
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
