import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file system operation that failed, with errno's text.
public struct DICOMFileError: Error, Sendable, Equatable, CustomStringConvertible {
    public let path: String
    public let operation: String
    public let errno: Int32
    public init(_ operation: String, path: String, errno: Int32) {
        self.operation = operation
        self.path = path
        self.errno = errno
    }
    public var description: String {
        "\(operation) \(path) failed: \(String(cString: strerror(errno)))"
    }
}

enum FileIO {
    /// Reads a whole file with POSIX reads into one array (no intermediate copies).
    static func readAll(_ path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw DICOMFileError("open", path: path, errno: errno) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw DICOMFileError("stat", path: path, errno: errno) }
        let size = Int(st.st_size)
        var result = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            count = 0
            while count < size {
                let n = read(fd, buffer.baseAddress! + count, size - count)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                count += n
            }
        }
        // A file that grew while being read: read the rest in chunks.
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { throw DICOMFileError("read", path: path, errno: errno) }
            if n == 0 { break }
            result.append(contentsOf: chunk[0..<n])
        }
        return result
    }

    /// Writes all of `first` then all of `second` to `fd` with `writev(2)` (one system call in the usual
    /// case), retrying short writes and EINTR.
    static func writeAll(
        _ fd: Int32, _ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer, path: String
    ) throws {
        let total = first.count + second.count
        var done = 0
        while done < total {
            let n: Int
            if done < first.count {
                var vectors = (
                    iovec(
                        iov_base: UnsafeMutableRawPointer(mutating: first.baseAddress! + done),
                        iov_len: first.count - done),
                    iovec(iov_base: UnsafeMutableRawPointer(mutating: second.baseAddress), iov_len: second.count)
                )
                n = withUnsafeMutableBytes(of: &vectors) { raw in
                    writev(fd, raw.baseAddress!.assumingMemoryBound(to: iovec.self), second.count > 0 ? 2 : 1)
                }
            } else {
                let offset = done - first.count
                n = write(fd, second.baseAddress! + offset, second.count - offset)
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw DICOMFileError("write to", path: path, errno: errno)
            }
            done += n
        }
    }

    /// Writes all of `bytes` to `fd`, retrying short writes and EINTR.
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws {
        var offset = 0
        while offset < bytes.count {
            let n = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw DICOMFileError("write to", path: path, errno: errno)
            }
            offset += n
        }
    }

    /// A temporary path in the folder of `path` (same file system, so `rename` is atomic).
    static func temporaryPath(beside path: String) -> String {
        let url = URL(fileURLWithPath: path)
        return url.deletingLastPathComponent().appendingPathComponent(
            ".\(url.lastPathComponent).\(UUID().uuidString).tmp"
        ).path
    }

    /// Writes `parts` to a temporary file beside `path`, optionally fsyncs it, then renames it to `path`;
    /// the temporary file is removed on any failure.
    static func writeAtomically(_ parts: [[UInt8]], to path: String, fsync doSync: Bool = false) throws {
        let temp = temporaryPath(beside: path)
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw DICOMFileError("create", path: temp, errno: errno) }
        var isClosed = false
        do {
            for part in parts { try part.withUnsafeBytes { try writeAll(fd, $0, path: temp) } }
            if doSync && fsync(fd) != 0 { throw DICOMFileError("fsync", path: temp, errno: errno) }
            isClosed = true
            guard close(fd) == 0 else { throw DICOMFileError("close", path: temp, errno: errno) }
        } catch {
            if !isClosed { close(fd) }
            unlink(temp)
            throw error
        }
        guard rename(temp, path) == 0 else {
            let e = errno
            unlink(temp)
            throw DICOMFileError("rename to", path: path, errno: e)
        }
    }
}
