import DICOMCore
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
    public static let maximumMetaLength = 1 << 20

    /// Bytes read first: enough for any ordinary meta group, so the data set itself is not read twice.
    static let initialReadLength = 16 * 1024

    /// Reads the header of the file at `path`: the first `initialReadLength` bytes, and only when the meta
    /// group runs past them, up to `132 + maximumMetaLength` bytes.
    /// - Throws: `SendFileHeaderError` with the byte offset when the file is not a Part 10 file with
    ///   preamble, or its meta lacks (0002,0002), (0002,0003) or (0002,0010).
    public static func read(path: String) throws -> SendFileHeader {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw SendFileHeaderError(path: path, offset: nil, problem: "cannot open the file: \(cLibraryWords(errno))")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw SendFileHeaderError(path: path, offset: nil, problem: "cannot read the file: \(cLibraryWords(errno))")
        }
        let fileLength = Int(info.st_size)
        let limit = min(fileLength, 132 + maximumMetaLength)
        var prefix = try readPrefix(fd, count: min(limit, initialReadLength), path: path)
        if prefix.count < limit, (try? parse(prefix, fileLength: fileLength, path: path, complete: false)) == nil {
            prefix = try readPrefix(fd, count: limit, path: path)
        }
        return try parse(prefix, fileLength: fileLength, path: path)
    }

    /// The first `count` bytes of `fd` (fewer at end of file).
    private static func readPrefix(_ fd: Int32, count: Int, path: String) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + filled, count - filled, off_t(filled)) }
            if n < 0, errno == EINTR { continue }
            guard n >= 0 else {
                throw SendFileHeaderError(
                    path: path, offset: nil, problem: "cannot read the file: \(cLibraryWords(errno))")
            }
            if n == 0 { break }
            filled += n
        }
        bytes.removeLast(count - filled)
        return bytes
    }

    /// Parses the preamble, "DICM" and the group 0002 elements (always Explicit VR Little Endian).
    /// With `complete: false`, `bytes` may be a prefix of what was available: running out of bytes inside
    /// the meta group throws instead of ending the group there.
    static func parse(_ bytes: [UInt8], fileLength: Int, path: String, complete: Bool = true) throws -> SendFileHeader {
        guard bytes.count >= 132, Array(bytes[128..<132]) == Array("DICM".utf8) else {
            throw SendFileHeaderError(path: path, offset: 128, problem: "expected \"DICM\" after a 128-byte preamble")
        }
        var offset = 132
        var values: [UInt16: String] = [:]
        func u16(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 }
        func u32(_ at: Int) -> Int { u16(at) | u16(at + 2) << 16 }
        while true {
            guard offset + 8 <= bytes.count else {
                if complete { break }
                throw SendFileHeaderError(path: path, offset: offset, problem: "more bytes needed")
            }
            guard u16(offset) == 0x0002 else { break }
            let element = UInt16(u16(offset + 2))
            let vr = String(decoding: bytes[(offset + 4)..<(offset + 6)], as: UTF8.self)
            var length: Int
            var valueStart: Int
            if ["OB", "OW", "OF", "SQ", "UT", "UN", "OD", "OL", "OV", "UC", "UR", "SV", "UV"].contains(vr) {
                guard offset + 12 <= bytes.count else {
                    if complete { break }
                    throw SendFileHeaderError(path: path, offset: offset, problem: "more bytes needed")
                }
                length = u32(offset + 8)
                valueStart = offset + 12
            } else {
                length = u16(offset + 6)
                valueStart = offset + 8
            }
            guard length != 0xFFFF_FFFF, valueStart + length <= bytes.count else {
                throw SendFileHeaderError(
                    path: path, offset: offset,
                    problem:
                        "meta element (0002,\(String(format: "%04X", element))) of length \(length) runs past the bytes read"
                )
            }
            if vr == "UI" {
                let text = String(decoding: bytes[valueStart..<(valueStart + length)], as: UTF8.self)
                values[element] = text.trimmingCharacters(in: CharacterSet(charactersIn: "\0 "))
            }
            offset = valueStart + length
        }
        func required(_ element: UInt16, _ name: String) throws -> String {
            guard let value = values[element], !value.isEmpty else {
                throw SendFileHeaderError(
                    path: path, offset: offset,
                    problem: "the file meta information has no \(name) (0002,\(String(format: "%04X", element)))")
            }
            return value
        }
        return SendFileHeader(
            sopClassUID: try required(0x0002, "Media Storage SOP Class UID"),
            sopInstanceUID: try required(0x0003, "Media Storage SOP Instance UID"),
            transferSyntaxUID: try required(0x0010, "Transfer Syntax UID"),
            dataSetOffset: offset, dataSetLength: fileLength - offset)
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
