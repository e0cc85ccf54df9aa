import XCTest

@testable import DICOMCore

/// Data sets built to exhaust the stack or the memory (RELIABILITY.md, "DICOMCore"): 10 000 nested
/// sequence items and element lengths of 0xFFFFFFFF end in a `DICOMParseError` naming the limit, with no
/// stack overflow and no allocation by the declared length.
final class HostileDataSetTests: XCTestCase {
    private func le16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8)] }
    private func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
    private func explicitSQ(_ length: UInt32) -> [UInt8] {
        le16(0x0008) + le16(0x1115) + Array("SQ".utf8) + [0, 0] + le32(length)
    }
    private func implicitSQ(_ length: UInt32) -> [UInt8] { le16(0x0008) + le16(0x1115) + le32(length) }
    private func item(_ length: UInt32) -> [UInt8] { le16(0xFFFE) + le16(0xE000) + le32(length) }

    private func assertDepthError(
        _ bytes: [UInt8], _ ts: TransferSyntax, file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertThrowsError(try DataSetReader.read(bytes, transferSyntax: ts), file: file, line: line) { error in
            guard let e = error as? DICOMParseError else { return XCTFail("\(error)", file: file, line: line) }
            XCTAssertEqual(e.kind, .nestingTooDeep, e.description, file: file, line: line)
            XCTAssertTrue(
                e.description.contains("at most \(DataSetReader.maximumSequenceDepth)"), e.description, file: file,
                line: line)
            XCTAssertTrue(e.description.contains("byte offset"), e.description, file: file, line: line)
        }
    }

    /// 10 000 nested undefined-length sequences (explicit and implicit VR): the depth limit error.
    func testTenThousandNestedUndefinedLengthItemsHitTheDepthLimit() {
        var explicit: [UInt8] = []
        var implicit: [UInt8] = []
        for _ in 0..<10_000 {
            explicit += explicitSQ(0xFFFF_FFFF) + item(0xFFFF_FFFF)
            implicit += implicitSQ(0xFFFF_FFFF) + item(0xFFFF_FFFF)
        }
        assertDepthError(explicit, .explicitVRLittleEndian)
        assertDepthError(implicit, .implicitVRLittleEndian)
    }

    /// 10 000 nested defined-length sequences whose lengths are all consistent: the depth limit error.
    func testTenThousandNestedDefinedLengthItemsHitTheDepthLimit() {
        let depth = 10_000
        var bytes: [UInt8] = []
        // Built inside out: each level is SQ(len) Item(len) <inner>.
        for _ in 0..<depth {
            let itemBytes = item(UInt32(bytes.count)) + bytes
            bytes = explicitSQ(UInt32(itemBytes.count)) + itemBytes
        }
        assertDepthError(bytes, .explicitVRLittleEndian)
    }

    /// The same nesting inside a Part 10 file: `DICOMFile.decode` reports it, nothing crashes.
    func testDeepNestingInsideAPart10File() throws {
        var body: [UInt8] = []
        for _ in 0..<10_000 { body += explicitSQ(0xFFFF_FFFF) + item(0xFFFF_FFFF) }
        let file = try DICOMFile(dataSet: DataSet(), transferSyntax: .explicitVRLittleEndian).encoded()
        XCTAssertThrowsError(try DICOMFile.decode(file + body)) { error in
            XCTAssertTrue("\(error)".contains("at most \(DataSetReader.maximumSequenceDepth)"), "\(error)")
        }
    }

    /// Element lengths of 0xFFFFFFFF where undefined length is not allowed, or runs past the end: an error
    /// naming the element, in explicit and implicit VR, at the top level and inside an item.
    func testElementLengthFFFFFFFFIsAnErrorNotAnAllocation() {
        let cases: [(String, [UInt8], TransferSyntax)] = [
            (
                "explicit OB",
                le16(0x0009) + le16(0x1001) + Array("OB".utf8) + [0, 0] + le32(0xFFFF_FFFF) + [1, 2, 3, 4],
                .explicitVRLittleEndian
            ),
            (
                "explicit UT",
                le16(0x0010) + le16(0x4000) + Array("UT".utf8) + [0, 0] + le32(0xFFFF_FFFF) + Array("abcd".utf8),
                .explicitVRLittleEndian
            ),
            (
                "explicit OW", le16(0x0028) + le16(0x1201) + Array("OW".utf8) + [0, 0] + le32(0xFFFF_FFFF) + [1, 2],
                .explicitVRLittleEndian
            ),
            (
                "implicit PN", le16(0x0010) + le16(0x0010) + le32(0xFFFF_FFFF) + Array("ab".utf8),
                .implicitVRLittleEndian
            ),
            (
                "implicit private", le16(0x0009) + le16(0x1001) + le32(0xFFFF_FFFF) + [1, 2, 3, 4],
                .implicitVRLittleEndian
            ),
            (
                "inside an item",
                explicitSQ(0xFFFF_FFFF) + item(0xFFFF_FFFF)
                    + le16(0x0010) + le16(0x4000) + Array("UT".utf8) + [0, 0] + le32(0xFFFF_FFFF) + [1, 2],
                .explicitVRLittleEndian
            ),
            (
                "item length", explicitSQ(0xFFFF_FFFF) + le16(0xFFFE) + le16(0xE000) + le32(0xFFFF_FFFE) + [1, 2],
                .explicitVRLittleEndian
            ),
            (
                "big endian", [0x00, 0x10, 0x40, 0x00] + Array("UT".utf8) + [0, 0, 0xFF, 0xFF, 0xFF, 0xFF] + [1, 2],
                .explicitVRBigEndian
            ),
        ]
        for (label, bytes, ts) in cases {
            XCTAssertThrowsError(try DataSetReader.read(bytes, transferSyntax: ts), label) { error in
                XCTAssertTrue(error is DICOMParseError, "\(label): \(error)")
                XCTAssertTrue("\(error)".contains("byte offset"), "\(label): \(error)")
            }
        }
    }
}
