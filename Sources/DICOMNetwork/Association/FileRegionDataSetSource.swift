import CPosixShim
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
public struct FileRegionDataSetSource: DataSetSource {
    public let path: String
    public let offset: Int
    public let length: Int
    private let threadPool: NIOThreadPool

    /// - Parameters: path of the file; `offset`/`length` of the data set within it.
    public init(path: String, offset: Int, length: Int, threadPool: NIOThreadPool = .singleton) {
        self.path = path
        self.offset = offset
        self.length = length
        self.threadPool = threadPool
    }

    /// Reads `count` bytes at `relative` into a new buffer; fewer when the file ends early (the caller
    /// checks the length and reports the short read).
    public func read(offset relative: Int, length count: Int) async throws -> ByteBuffer {
        let path = self.path
        let start = self.offset + relative
        if let cached = Self.readFromPageCache(path: path, offset: start, count: count) { return cached }
        return try await threadPool.runIfActive {
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw FileRegionReadError(path: path, offset: start, errno: errno) }
            defer { close(fd) }
            var buffer = ByteBufferAllocator().buffer(capacity: count)
            var filled = 0
            while filled < count {
                var interrupted = false
                let n = try buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count - filled) { raw -> Int in
                    let n = pread(fd, raw.baseAddress!, count - filled, off_t(start + filled))
                    if n < 0, errno == EINTR {
                        interrupted = true
                        return 0
                    }
                    guard n >= 0 else { throw FileRegionReadError(path: path, offset: start + filled, errno: errno) }
                    return n
                }
                if n == 0, !interrupted { break }
                filled += n
            }
            return buffer
        }
    }
}

extension FileRegionDataSetSource {
    /// The whole chunk when the page cache holds all of it, else nil (the caller reads on the thread pool,
    /// which also reports any error).
    static func readFromPageCache(path: String, offset: Int, count: Int) -> ByteBuffer? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
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
}

/// A file region could not be opened or read.
public struct FileRegionReadError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var offset: Int
    public var errno: Int32
    public var description: String { "cannot read \(path) at byte \(offset): \(String(cString: strerror(errno)))" }
}
