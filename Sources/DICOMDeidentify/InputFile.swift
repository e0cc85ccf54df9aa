import DICOMCore
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file read by offset through a 64 KiB window (`pread`): the header walk of `FileLayoutScanner` without
/// reading the values it skips.
final class InputFile {
    let path: String
    let size: Int
    private let fd: Int32
    private var window: [UInt8] = []
    private var windowStart = 0

    init(path: String) throws {
        self.path = path
        fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw DICOMFileError("open", path: path, errno: errno) }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            close(fd)
            throw DICOMFileError("stat", path: path, errno: errno)
        }
        size = Int(st.st_size)
    }

    deinit { close(fd) }

    /// `count` bytes at `offset` (fewer at the end of the file).
    func bytes(at offset: Int, count: Int) throws -> [UInt8] {
        let wanted = max(0, min(count, size - offset))
        if offset >= windowStart && offset + wanted <= windowStart + window.count {
            return Array(window[(offset - windowStart)..<(offset - windowStart + wanted)])
        }
        if wanted > 65536 { return try readDirect(at: offset, count: wanted) }
        window = try readDirect(at: offset, count: min(65536, size - offset))
        windowStart = offset
        return Array(window[0..<wanted])
    }

    private func readDirect(at offset: Int, count: Int) throws -> [UInt8] {
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

    /// Copies `range` of this file to `writer` in 1 MiB pieces.
    func copy(_ range: Range<Int>, to writer: Part10StreamWriter) throws {
        var offset = range.lowerBound
        let chunk = 1 << 20
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 16)
        defer { buffer.deallocate() }
        while offset < range.upperBound {
            let want = min(chunk, range.upperBound - offset)
            let n = pread(fd, buffer.baseAddress!, want, off_t(offset))
            if n < 0 && errno == EINTR { continue }
            if n < 0 { throw DICOMFileError("read", path: path, errno: errno) }
            if n == 0 {
                throw DeidentificationError(
                    "\(path) ended at byte \(offset) inside a value that should end at \(range.upperBound)")
            }
            try writer.append(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            offset += n
        }
    }
}
