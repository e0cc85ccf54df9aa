import Foundation
import NIOCore
import XCTest

@testable import DICOMNetwork

/// `FileRegionDataSetSource` reads a chunk in the calling task when the page cache holds it, and through
/// the thread pool otherwise, with the same bytes and the same errors (docs/design.md "The send path
/// changes thread only for the disk").
final class FileRegionDataSetSourceTests: XCTestCase {
    private func temporaryFile(_ bytes: [UInt8]) throws -> URL {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("region-\(UUID().uuidString)")
        try Data(bytes).write(to: file)
        addTeardownBlock { try? FileManager.default.removeItem(at: file) }
        return file
    }

    func testAFileJustWrittenIsReadFromThePageCacheWithTheSameBytes() throws {
        let bytes = (0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let file = try temporaryFile(bytes)
        let fd = open(file.path, O_RDONLY)
        defer { close(fd) }
        let chunk = try XCTUnwrap(
            FileRegionDataSetSource.readFromPageCache(fd: fd, offset: 1_000_001, count: 1 << 20),
            "a file just written is in the page cache")
        XCTAssertEqual(Array(chunk.readableBytesView), Array(bytes[1_000_001..<(1_000_001 + (1 << 20))]))
    }

    func testAShortFileOrAMissingOneFallsBackToThePoolWhichReportsIt() async throws {
        let file = try temporaryFile([1, 2, 3, 4, 5])
        let fd = open(file.path, O_RDONLY)
        defer { close(fd) }
        XCTAssertNil(FileRegionDataSetSource.readFromPageCache(fd: fd, offset: 2, count: 10))
        let short = try await FileRegionDataSetSource(path: file.path, offset: 2, length: 10).read(
            offset: 0, length: 10)
        XCTAssertEqual(Array(short.readableBytesView), [3, 4, 5], "the caller sees the short read and reports it")
        do {
            _ = try await FileRegionDataSetSource(path: file.path + ".gone", offset: 0, length: 1).read(
                offset: 0, length: 1)
            XCTFail("a missing file must throw")
        } catch let error as FileRegionReadError {
            XCTAssertTrue(error.description.contains("cannot read \(file.path).gone at byte 0"), error.description)
        }
    }

    /// The file is opened once per source: removed after the first chunk, it is still read to its end;
    /// after `close()` it is gone for this source too.
    func testTheFileIsOpenedOnceAndClosedByClose() async throws {
        let bytes = (0..<2_500_000).map { UInt8(truncatingIfNeeded: $0 &* 13) }
        let file = try temporaryFile(bytes)
        let source = FileRegionDataSetSource(path: file.path, offset: 0, length: bytes.count)
        let first = try await source.read(offset: 0, length: 1 << 20)
        try FileManager.default.removeItem(at: file)
        let second = try await source.read(offset: 1 << 20, length: bytes.count - (1 << 20))
        XCTAssertEqual(
            Array(first.readableBytesView) + Array(second.readableBytesView), bytes,
            "the descriptor opened for the first chunk reads the rest")
        source.close()
        do {
            _ = try await source.read(offset: 0, length: 1)
            XCTFail("closed, the source opens the (removed) file again and fails")
        } catch let error as FileRegionReadError {
            XCTAssertTrue(error.description.contains("cannot read \(file.path) at byte 0"), error.description)
        }
    }
}
