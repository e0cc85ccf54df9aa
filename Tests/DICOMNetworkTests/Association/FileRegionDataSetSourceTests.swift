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
        let chunk = try XCTUnwrap(
            FileRegionDataSetSource.readFromPageCache(path: file.path, offset: 1_000_001, count: 1 << 20),
            "a file just written is in the page cache")
        XCTAssertEqual(Array(chunk.readableBytesView), Array(bytes[1_000_001..<(1_000_001 + (1 << 20))]))
    }

    func testAShortFileOrAMissingOneFallsBackToThePoolWhichReportsIt() async throws {
        let file = try temporaryFile([1, 2, 3, 4, 5])
        XCTAssertNil(FileRegionDataSetSource.readFromPageCache(path: file.path, offset: 2, count: 10))
        XCTAssertNil(FileRegionDataSetSource.readFromPageCache(path: file.path + ".gone", offset: 0, count: 1))
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
}
