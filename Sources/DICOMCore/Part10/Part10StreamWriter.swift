import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a Part 10 file while its data set arrives in fragments (the storage SCP's C-STORE data PDVs):
/// preamble, "DICM" and the meta group built from the C-STORE fields are written at once, then each
/// fragment is appended as it arrives through a large buffer with POSIX `write` (large fragments directly,
/// after what is buffered, with `writev`); `finish(renamingTo:)`
/// moves the completed file into place with `rename` (atomic on the same file system), `discard()` removes
/// it. Memory stays at one buffer whatever the instance size.
///
/// One owner at a time: the writer may be handed from one thread to another (e.g. an event loop to a
/// file I/O thread pool), hence `@unchecked Sendable`, but must never be used from two threads at once.
/// If neither `finish` nor `discard` was called, `deinit` discards.
public final class Part10StreamWriter: @unchecked Sendable {
    /// Default write buffer size (1 MiB).
    public static let defaultBufferSize = 1 << 20

    /// Where the file is written until `finish` renames it.
    public let temporaryPath: String
    /// Bytes of data set appended so far (without the file header).
    public private(set) var dataSetLength = 0
    /// Bytes of the file before the data set: preamble, "DICM" and the meta group.
    public private(set) var headerLength = 0

    private var fd: Int32
    private let buffer: UnsafeMutableRawBufferPointer
    private var buffered = 0
    /// Bytes written to the file so far (the buffer's contents come after them).
    private var written = 0
    private var isClosed = false
    /// Finished (renamed) or discarded: nothing left to clean up.
    private var isDone = false
    private let syncOnFinish: Bool

    /// Creates `temporaryPath` (which must not exist) and writes the file header for `meta`.
    /// `fsync` makes `finish` flush the file to disk before renaming it.
    public init(
        temporaryPath: String, meta: FileMetaInformation, fsync: Bool = false,
        bufferSize: Int = Part10StreamWriter.defaultBufferSize
    ) throws {
        self.temporaryPath = temporaryPath
        self.syncOnFinish = fsync
        fd = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw DICOMFileError("create", path: temporaryPath, errno: errno) }
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bufferSize, 4096), alignment: 16)
        do {
            let header = meta.fileHeader()
            headerLength = header.count
            try header.withUnsafeBytes { try appendRaw($0) }
        } catch {
            discard()
            throw error
        }
    }

    /// Creates a hidden temporary file (`temporaryName()`) in `directory`, the folder the final file
    /// will be renamed into.
    public convenience init(
        inDirectory directory: String, meta: FileMetaInformation, fsync: Bool = false,
        bufferSize: Int = Part10StreamWriter.defaultBufferSize
    ) throws {
        let path =
            (directory.isEmpty ? "./" : directory.hasSuffix("/") ? directory : directory + "/")
            + Part10StreamWriter.temporaryName()
        try self.init(temporaryPath: path, meta: meta, fsync: fsync, bufferSize: bufferSize)
    }

    /// `.dicomlua-<32 random hex digits>.part`: as unique as a UUID, from the system's random source without
    /// Foundation's `UUID` (which opens /dev/urandom for every file, BENCHMARKS.md "Case 8").
    static func temporaryName() -> String {
        var generator = SystemRandomNumberGenerator()
        let digits = Array("0123456789abcdef".utf8)
        var name = Array(".dicomlua-".utf8)
        for _ in 0..<2 {
            var word = generator.next()
            for _ in 0..<16 {
                name.append(digits[Int(word & 0xF)])
                word >>= 4
            }
        }
        name += Array(".part".utf8)
        return String(decoding: name, as: UTF8.self)
    }

    deinit {
        discard()
        buffer.deallocate()
    }

    /// Appends a fragment of the data set (bytes exactly as received, in the meta's transfer syntax).
    public func append(_ bytes: UnsafeRawBufferPointer) throws {
        guard !isClosed else { throw DICOMFileError("append to closed", path: temporaryPath, errno: EBADF) }
        try appendRaw(bytes)
        dataSetLength += bytes.count
    }

    /// Appends a fragment held in an array.
    public func append(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try append($0) }
    }

    /// Fragments at least this long (16 KiB) go straight to the file after what is buffered, in one
    /// `writev`: copying them through the buffer first would add a memory copy and save no system call
    /// (a C-STORE data PDV is typically 16-128 KiB).
    public static let directWriteThreshold = 16 * 1024

    /// Direct writes end on a multiple of this many bytes of the file (a page, the block of ext4 and of most
    /// file systems); the rest of the fragment (less than a block) waits in the buffer. A write that ends
    /// inside a new block makes the kernel zero the rest of that block before the next write fills it again:
    /// 2 % of the CPU time of a C-GET of 512 KiB instances (BENCHMARKS.md "Where C-GET's CPU goes").
    public static let blockSize = 4096

    private func appendRaw(_ bytes: UnsafeRawBufferPointer) throws {
        if bytes.count >= Part10StreamWriter.directWriteThreshold {
            let tail = (written + buffered + bytes.count) % Part10StreamWriter.blockSize
            let direct = bytes.count - tail  // > 0: the threshold is larger than a block
            try FileIO.writeAll(
                fd, UnsafeRawBufferPointer(rebasing: buffer[0..<buffered]),
                UnsafeRawBufferPointer(rebasing: bytes[0..<direct]), path: temporaryPath)
            written += buffered + direct
            if tail > 0 { buffer.baseAddress!.copyMemory(from: bytes.baseAddress! + direct, byteCount: tail) }
            buffered = tail
            return
        }
        if buffered + bytes.count <= buffer.count {
            if bytes.count > 0 {
                (buffer.baseAddress! + buffered).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
                buffered += bytes.count
            }
            return
        }
        try flush()
        if bytes.count >= buffer.count {
            try FileIO.writeAll(fd, bytes, path: temporaryPath)
            written += bytes.count
        } else {
            (buffer.baseAddress!).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
            buffered = bytes.count
        }
    }

    private func flush() throws {
        guard buffered > 0 else { return }
        try FileIO.writeAll(fd, UnsafeRawBufferPointer(rebasing: buffer[0..<buffered]), path: temporaryPath)
        written += buffered
        buffered = 0
    }

    /// Writes what is buffered, optionally fsyncs, closes, and renames the file to `finalPath` (replacing
    /// any file there). On failure the temporary file is removed and the error thrown.
    public func finish(renamingTo finalPath: String) throws {
        guard !isClosed else { throw DICOMFileError("finish closed", path: temporaryPath, errno: EBADF) }
        do {
            try flush()
            if syncOnFinish && fsync(fd) != 0 { throw DICOMFileError("fsync", path: temporaryPath, errno: errno) }
            isClosed = true
            if close(fd) != 0 { throw DICOMFileError("close", path: temporaryPath, errno: errno) }
            if rename(temporaryPath, finalPath) != 0 {
                throw DICOMFileError("rename to", path: finalPath, errno: errno)
            }
            isDone = true
        } catch {
            discard()
            throw error
        }
    }

    /// Closes and removes the temporary file. Idempotent; also done by `deinit` when the file was neither
    /// finished nor discarded.
    public func discard() {
        guard !isDone else { return }
        isDone = true
        if !isClosed {
            isClosed = true
            close(fd)
        }
        buffered = 0
        unlink(temporaryPath)
    }
}
