import TestSupport
import XCTest

@testable import DICOMServices

/// A configuration file damaged on disk (RELIABILITY.md, "Configuration"): loading and committing fail
/// with an error naming the file, and the file stays byte-identical. A syntax error with line and column:
/// `ConfigurationFileTests.testSyntaxErrorNamesFileAndLineAndLeavesTheFileAlone`; two processes committing
/// at once: `ConfigurationConcurrencyTests.testSeveralProcessesCommittingAtOnceLoseNothing`.
final class CorruptedConfigurationTests: ConfigurationTestCase {
    private func corruptions(of good: Data) -> [(String, Data)] {
        [
            ("truncated half-way", good.prefix(good.count / 2)),
            ("empty", Data()),
            ("NUL bytes", Data(repeating: 0, count: 512)),
            ("random binary", Data((0..<2048).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) })),
            (
                "invalid UTF-8",
                Data("{\"format\": \"dicomlua-config/1\", \"values\": {\"LogDir\": \"".utf8) + Data([0xC3, 0x28, 0xFF])
                    + Data("\"}}".utf8)
            ),
            (
                "one byte flipped to a quote",
                {
                    // A letter a third of the way in (never a byte that already is a quote: that is no
                    // corruption at all, as it happened when new keys moved the file's layout).
                    var d = good
                    let index = d.indices.first {
                        $0 >= d.count / 3 && (d[$0] | 0x20) >= 0x61 && (d[$0] | 0x20) <= 0x7A
                    }
                    d[index ?? d.count / 3] = UInt8(ascii: "\"")
                    return d
                }()
            ),
        ]
    }

    func testCorruptedUserFileIsAClearErrorAndStaysByteIdentical() throws {
        _ = try userConfiguration()
        let good = try Data(contentsOf: locations.userFile)
        for (label, bytes) in corruptions(of: good) {
            try bytes.write(to: locations.userFile)
            do {
                _ = try userConfiguration()
                XCTFail("\(label): a corrupted file must not load")
            } catch let error as ConfigurationError {
                XCTAssertTrue(error.description.hasPrefix("new: "), "\(label): \(error)")
                XCTAssertTrue(
                    error.description.contains(locations.userFile.path),
                    "\(label): the message names the file: \(error)")
            }
            XCTAssertEqual(try Data(contentsOf: locations.userFile), bytes, "\(label): the file is untouched")
        }
    }

    func testCommitOverACorruptedFileFailsAndLeavesItByteIdentical() throws {
        _ = try userConfiguration()
        let good = try Data(contentsOf: locations.userFile)
        for (label, bytes) in corruptions(of: good) {
            try good.write(to: locations.userFile)
            let c = try userConfiguration()
            try c.setValue("7", forKey: "MaxQueryResponses")
            try bytes.write(to: locations.userFile)
            do {
                try c.commit()
                XCTFail("\(label): commit over a corrupted file must fail")
            } catch let error as ConfigurationError {
                XCTAssertTrue(error.description.contains(locations.userFile.path), "\(label): \(error)")
            }
            XCTAssertEqual(try Data(contentsOf: locations.userFile), bytes, "\(label): the file is untouched")
            XCTAssertTrue(c.isDirty, "\(label): the edit is still pending")
        }
    }

    func testCorruptedSystemFileIsAClearErrorAndStaysByteIdentical() throws {
        _ = try systemConfiguration()
        let good = try Data(contentsOf: locations.systemFile)
        let bytes = good.prefix(good.count / 2)
        try bytes.write(to: locations.systemFile)
        assertError(containing: [locations.systemFile.path]) { _ = try systemConfiguration() }
        XCTAssertEqual(try Data(contentsOf: locations.systemFile), bytes)
    }
}
