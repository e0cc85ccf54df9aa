import DICOMCore
import Foundation

/// What the storage SCU needs from a Part 10 file before sending it (PS3.10 §7.1): SOP class and instance
/// from the File Meta Information, its transfer syntax, and where the data set starts, so that the data
/// set can be streamed from disk without decoding it.
public struct SendFileHeader: Sendable, Equatable {
    public var sopClassUID: String
    public var sopInstanceUID: String
    public var transferSyntaxUID: String
    /// Byte offset of the data set in the file, and its length.
    public var dataSetOffset: Int
    public var dataSetLength: Int

    /// Largest meta information group read (1 MiB): a file claiming more is not sent as-is.
    public static let maximumMetaLength = Part10Header.maximumMetaLength

    /// Bytes read first: enough for any ordinary meta group, so the data set itself is not read twice.
    static let initialReadLength = Part10Header.initialReadLength

    /// Reads the header of the file at `path` (`Part10Header.read(path:)`: the first `initialReadLength`
    /// bytes, and only when the meta group runs past them, up to `132 + maximumMetaLength` bytes).
    /// - Throws: `SendFileHeaderError` with the byte offset when the file is not a Part 10 file with
    ///   preamble, or its meta lacks (0002,0002), (0002,0003) or (0002,0010).
    public static func read(path: String) throws -> SendFileHeader {
        let header: Part10Header
        let fileLength: Int
        do {
            (header, fileLength) = try Part10Header.read(path: path)
        } catch let error as DICOMParseError {
            throw SendFileHeaderError(path: path, offset: error.offset, problem: error.message)
        } catch let error as DICOMFileError {
            let verb = error.operation == "open" ? "open" : "read"
            throw SendFileHeaderError(
                path: path, offset: nil, problem: "cannot \(verb) the file: \(cLibraryWords(error.errno))")
        }
        func required(_ value: String?, _ name: String, _ element: String) throws -> String {
            guard let value else {
                throw SendFileHeaderError(
                    path: path, offset: header.dataSetOffset,
                    problem: "the file meta information has no \(name) (0002,\(element))")
            }
            return value
        }
        return SendFileHeader(
            sopClassUID: try required(header.mediaStorageSOPClassUID, "Media Storage SOP Class UID", "0002"),
            sopInstanceUID: try required(header.mediaStorageSOPInstanceUID, "Media Storage SOP Instance UID", "0003"),
            transferSyntaxUID: try required(header.transferSyntaxUID, "Transfer Syntax UID", "0010"),
            dataSetOffset: header.dataSetOffset, dataSetLength: fileLength - header.dataSetOffset)
    }
}

/// Why a file's Part 10 header could not be read.
public struct SendFileHeaderError: Error, Sendable, CustomStringConvertible {
    public var path: String
    /// Where in the file the problem is; nil when the file could not be opened or read at all.
    public var offset: Int?
    public var problem: String
    public var description: String { "\(path): \(problem)" + (offset.map { " (at byte \($0))" } ?? "") }
}

/// The C library's words for `code` in lower case ("no such file or directory"), without its number.
func cLibraryWords(_ code: Int32) -> String {
    let text = String(cString: strerror(code))
    return text.prefix(1).lowercased() + text.dropFirst()
}
