import DICOMCore
import Foundation
import XCTest

/// `Part10Header`, the one reader of a Part 10 file's preamble, "DICM" and meta group (PS3.10 §7.1): where
/// the data set starts, the meta values, and errors that say what was expected and what was found.
final class Part10HeaderTests: XCTestCase {
    private let meta = FileMetaInformation(
        mediaStorageSOPClassUID: "1.2.840.10008.5.1.4.1.1.7", mediaStorageSOPInstanceUID: "1.2.3.4",
        transferSyntaxUID: "1.2.840.10008.1.2.1", sourceApplicationEntityTitle: "SENDER")

    func testHeaderGivesTheMetaValuesAndWhereTheDataSetStarts() throws {
        let header = meta.fileHeader()
        let dataSet: [UInt8] = [0x08, 0x00, 0x18, 0x00, 0x55, 0x49, 0x02, 0x00, 0x39, 0x00]
        let parsed = try Part10Header.parse(header + dataSet, isWholeFile: true)
        XCTAssertEqual(parsed.dataSetOffset, header.count)
        XCTAssertEqual(parsed.mediaStorageSOPClassUID, "1.2.840.10008.5.1.4.1.1.7")
        XCTAssertEqual(parsed.mediaStorageSOPInstanceUID, "1.2.3.4")
        XCTAssertEqual(parsed.transferSyntaxUID, "1.2.840.10008.1.2.1")
    }

    func testMissingDICMSaysWhatWasFoundAtByte128() throws {
        var bytes = meta.fileHeader()
        bytes.replaceSubrange(128..<132, with: Array("DICN".utf8))
        XCTAssertThrowsError(try Part10Header.parse(bytes, isWholeFile: true)) { error in
            XCTAssertEqual(
                "\(error)",
                "not a DICOM Part 10 file: expected \"DICM\" after a 128-byte preamble, found \"DICN\" (at byte offset 128)"
            )
        }
        XCTAssertThrowsError(try Part10Header.parse(Array("not dicom".utf8), isWholeFile: true)) { error in
            XCTAssertTrue("\(error)".contains("found a file of 9 bytes"), "\(error)")
        }
    }

    func testAPrefixThatEndsInsideTheMetaGroupAsksForMoreBytes() throws {
        let header = meta.fileHeader()
        for cut in [134, 150, header.count - 3, header.count] {
            XCTAssertThrowsError(try Part10Header.parse(Array(header[0..<cut]), isWholeFile: false), "cut \(cut)") {
                error in
                XCTAssertEqual((error as? DICOMParseError)?.kind, .truncated, "cut \(cut): \(error)")
                XCTAssertTrue("\(error)".contains("runs past the first \(cut) bytes read"), "\(error)")
            }
        }
        XCTAssertEqual(try Part10Header.parse(header, isWholeFile: true).dataSetOffset, header.count)
    }

    func testReadFromDiskReadsOnlyTheHeaderAndGivesTheFileLength() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("part10header-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("x.dcm").path
        let header = meta.fileHeader()
        let body = [UInt8](repeating: 0x20, count: 100_000)
        try Data(header + [0x08, 0x00, 0x10, 0x00, 0x4F, 0x42, 0, 0] + [0xA0, 0x86, 0x01, 0x00] + body).write(
            to: URL(fileURLWithPath: path))
        let (parsed, length) = try Part10Header.read(path: path)
        XCTAssertEqual(parsed.dataSetOffset, header.count)
        XCTAssertEqual(length, header.count + 12 + body.count)
        XCTAssertThrowsError(try Part10Header.read(path: folder.appendingPathComponent("missing").path)) { error in
            XCTAssertTrue(error is DICOMFileError, "\(error)")
        }
    }
}
