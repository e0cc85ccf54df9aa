import Foundation
import NIOCore
import NIOPosix

/// A data set stored in a file region (e.g. a Part 10 file from the end of its meta information), read in
/// chunks on NIO's blocking-I/O thread pool so that memory stays flat whatever the file size.
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

    public func read(offset relative: Int, length count: Int) async throws -> ByteBuffer {
        let path = self.path
        let start = UInt64(self.offset + relative)
        return try await threadPool.runIfActive {
            let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
            defer { try? handle.close() }
            try handle.seek(toOffset: start)
            let data = try handle.read(upToCount: count) ?? Data()
            return ByteBuffer(bytes: data)
        }
    }
}
