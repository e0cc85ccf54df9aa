import CPosixShim
import Foundation
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A data set stored in a file region (e.g. a Part 10 file from the end of its meta information), read in
/// chunks so that memory stays flat whatever the file size. Each chunk is read straight into the
/// `ByteBuffer` that is sent (no intermediate `Data` copy): in the calling task when the page cache holds
/// it (`preadv2` with `RWF_NOWAIT`, which never waits for the disk), else with `pread(2)` on NIO's
/// blocking-I/O thread pool. The cached case, usual when the files were just written or read, costs no
/// change of thread (docs/design.md "The send path changes thread only for the disk").
///
/// The file is opened once, at the first read, and its descriptor kept for every chunk of the instance;
/// it is closed by `close()` (which `DICOMAssociation.send` calls when the message is sent, has failed or
/// was cancelled) and at the latest when the last copy of the source is gone. A read after `close()`
/// opens the file again.
public struct FileRegionDataSetSource: DataSetSource {
    public let path: String
    public let offset: Int
    public let length: Int
    private let threadPool: NIOThreadPool
    private let file: RegionFile

    /// - Parameters: path of the file; `offset`/`length` of the data set within it.
    public init(path: String, offset: Int, length: Int, threadPool: NIOThreadPool = .singleton) {
        self.path = path
        self.offset = offset
        self.length = length
        self.threadPool = threadPool
        self.file = RegionFile(path: path)
    }

    /// Reads `count` bytes at `relative` into a new buffer; fewer when the file ends early (the caller
    /// checks the length and reports the short read).
    public func read(offset relative: Int, length count: Int) async throws -> ByteBuffer {
        let start = self.offset + relative
        let file = self.file
        if let cached = try file.withDescriptor(
            offset: start, { Self.readFromPageCache(fd: $0, offset: start, count: count) })
        {
            return cached
        }
        return try await threadPool.runIfActive {
            try file.withDescriptor(offset: start) {
                try Self.read(fd: $0, path: file.path, offset: start, count: count)
            }
        }
    }

    /// Closes the file now (a later read opens it again).
    public func close() { file.close() }
}

extension FileRegionDataSetSource {
    /// The whole chunk when the page cache holds all of it, else nil (the caller reads on the thread pool,
    /// which also reports any error).
    static func readFromPageCache(fd: Int32, offset: Int, count: Int) -> ByteBuffer? {
        var buffer = ByteBufferAllocator().buffer(capacity: count)
        var filled = 0
        while filled < count {
            let n = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count - filled) { raw -> Int in
                max(0, dicomlua_pread_nowait(fd, raw.baseAddress!, count - filled, off_t(offset + filled)))
            }
            if n == 0 { return nil }
            filled += n
        }
        return buffer
    }

    /// `count` bytes at `offset` with `pread(2)`, which may wait for the disk; fewer at the end of the file.
    static func read(fd: Int32, path: String, offset: Int, count: Int) throws -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: count)
        var filled = 0
        while filled < count {
            var interrupted = false
            let n = try buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count - filled) { raw -> Int in
                let n = pread(fd, raw.baseAddress!, count - filled, off_t(offset + filled))
                if n < 0, errno == EINTR {
                    interrupted = true
                    return 0
                }
                guard n >= 0 else { throw FileRegionReadError(path: path, offset: offset + filled, errno: errno) }
                return n
            }
            if n == 0, !interrupted { break }
            filled += n
        }
        return buffer
    }
}

/// The descriptor of one source's file: opened at the first read, closed by `close()` or when the last
/// copy of the source is gone. Reads and `close()` take the lock, so a descriptor is never closed (and
/// its number reused by another file) while a read uses it.
final class RegionFile: @unchecked Sendable {
    let path: String
    private let lock = NSLock()
    private var descriptor: Int32 = -1

    init(path: String) { self.path = path }

    /// Runs `body` with the open descriptor (opening the file if needed; `offset` is for the error).
    func withDescriptor<Result>(offset: Int, _ body: (Int32) throws -> Result) throws -> Result {
        try lock.withLock {
            if descriptor < 0 {
                let opened = open(path, O_RDONLY | O_CLOEXEC)
                guard opened >= 0 else { throw FileRegionReadError(path: path, offset: offset, errno: errno) }
                descriptor = opened
            }
            return try body(descriptor)
        }
    }

    func close() {
        lock.withLock {
            if descriptor >= 0 { _ = closeDescriptor(descriptor) }
            descriptor = -1
        }
    }

    deinit { close() }
}

private func closeDescriptor(_ fd: Int32) -> Int32 {
    #if canImport(Glibc)
    return Glibc.close(fd)
    #else
    return Darwin.close(fd)
    #endif
}

/// A file region could not be opened or read.
public struct FileRegionReadError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var offset: Int
    public var errno: Int32
    public var description: String { "cannot read \(path) at byte \(offset): \(String(cString: strerror(errno)))" }
}
