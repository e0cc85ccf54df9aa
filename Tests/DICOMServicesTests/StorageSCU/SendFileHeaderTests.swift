import TestSupport
import XCTest

@testable import DICOMServices

/// The storage SCU reads only the header of each file it sends: the UIDs and where the data set starts must
/// be right whether the meta group fits the first read or not.
final class SendFileHeaderTests: XCTestCase {
    private func element(_ element: UInt16, _ vr: String, _ value: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = [0x02, 0x00, UInt8(element & 0xFF), UInt8(element >> 8)] + Array(vr.utf8)
        if vr == "OB" {
            let n = UInt32(value.count)
            bytes += [0, 0, UInt8(n & 0xFF), UInt8((n >> 8) & 0xFF), UInt8((n >> 16) & 0xFF), UInt8(n >> 24)]
        } else {
            bytes += [UInt8(value.count & 0xFF), UInt8(value.count >> 8)]
        }
        return bytes + value
    }

    private func uid(_ text: String) -> [UInt8] { Array(text.utf8) + (text.utf8.count % 2 == 1 ? [0] : []) }

    /// A Part 10 file whose meta group holds `privateBytes` of (0002,0102), followed by `dataSetBytes`.
    private func writeFile(
        privateBytes: Int, dataSetBytes: Int, privateFirst: Bool = false
    ) throws -> (String, metaEnd: Int) {
        var meta = privateFirst ? element(0x0001, "OB", [UInt8](repeating: 0x41, count: privateBytes)) : []
        meta += element(0x0002, "UI", uid("1.2.840.10008.5.1.4.1.1.2"))
        meta += element(0x0003, "UI", uid("1.2.3.4.5"))
        meta += element(0x0010, "UI", uid("1.2.840.10008.1.2.1"))
        if privateBytes > 0, !privateFirst {
            meta += element(0x0102, "OB", [UInt8](repeating: 0x41, count: privateBytes))
        }
        let header = [UInt8](repeating: 0, count: 128) + Array("DICM".utf8) + meta
        let dataSet: [UInt8] =
            [0x08, 0x00, 0x18, 0x00] + Array("UI".utf8) + [10, 0] + Array("1.2.3.4.5\0".utf8)
            + [UInt8](repeating: 0, count: max(0, dataSetBytes - 18))
        let path = try makeTemporaryDirectory("sendheader").appendingPathComponent("f.dcm").path
        try Data(header + dataSet).write(to: URL(fileURLWithPath: path))
        return (path, header.count)
    }

    func testOrdinaryFileGivesItsUIDsAndDataSetRegion() throws {
        let (path, metaEnd) = try writeFile(privateBytes: 0, dataSetBytes: 512 * 1024)
        let header = try SendFileHeader.read(path: path)
        XCTAssertEqual(header.sopClassUID, "1.2.840.10008.5.1.4.1.1.2")
        XCTAssertEqual(header.sopInstanceUID, "1.2.3.4.5")
        XCTAssertEqual(header.transferSyntaxUID, "1.2.840.10008.1.2.1")
        XCTAssertEqual(header.dataSetOffset, metaEnd)
        XCTAssertEqual(header.dataSetLength, metaEnd + 512 * 1024 - metaEnd)
    }

    func testMetaGroupLongerThanTheFirstReadIsReadWhole() throws {
        let (path, metaEnd) = try writeFile(privateBytes: 40_000, dataSetBytes: 100_000)
        XCTAssertGreaterThan(metaEnd, SendFileHeader.initialReadLength)
        let header = try SendFileHeader.read(path: path)
        XCTAssertEqual(header.dataSetOffset, metaEnd)
        XCTAssertEqual(header.dataSetLength, 100_000)
        XCTAssertEqual(header.sopInstanceUID, "1.2.3.4.5")
    }

    func testMetaElementsStraddlingTheFirstReadAreFound() throws {
        // (0002,0001) ends 4 bytes before the first read does: the UIDs after it lie across and beyond it.
        let privateBytes = SendFileHeader.initialReadLength - 132 - 12 - 4
        let (path, metaEnd) = try writeFile(privateBytes: privateBytes, dataSetBytes: 64, privateFirst: true)
        let header = try SendFileHeader.read(path: path)
        XCTAssertEqual(header.dataSetOffset, metaEnd)
        XCTAssertEqual(header.transferSyntaxUID, "1.2.840.10008.1.2.1")
    }

    func testFileWithoutPreambleSaysWhatWasExpected() throws {
        let path = try makeTemporaryDirectory("sendheader").appendingPathComponent("x.dcm").path
        try Data("not dicom".utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try SendFileHeader.read(path: path)) { error in
            XCTAssertTrue("\(error)".contains("expected \"DICM\" after a 128-byte preamble"), "\(error)")
        }
    }
}
