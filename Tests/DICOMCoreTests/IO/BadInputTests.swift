import XCTest

@testable import DICOMCore

/// Malformed input fails with a `DICOMParseError` naming the problem and the byte offset; nothing crashes
/// and nothing is allocated by an untrusted length.
final class BadInputTests: XCTestCase {
    /// Explicit VR LE element header with a 2-byte length.
    private func short(_ g: UInt16, _ e: UInt16, _ vr: String, _ length: UInt16) -> [UInt8] {
        le16(g) + le16(e) + Array(vr.utf8) + le16(length)
    }
    /// Explicit VR LE element header with a 4-byte length.
    private func long(_ g: UInt16, _ e: UInt16, _ vr: String, _ length: UInt32) -> [UInt8] {
        le16(g) + le16(e) + Array(vr.utf8) + [0, 0] + le32(length)
    }
    private func item(_ e: UInt16, _ length: UInt32) -> [UInt8] { le16(0xFFFE) + le16(e) + le32(length) }
    private func le16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8)] }
    private func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }

    private func assertParseError(
        _ bytes: [UInt8], _ ts: TransferSyntax = .explicitVRLittleEndian,
        kind: DICOMParseError.Kind, offset: Int, mentions: String,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertThrowsError(try DataSetReader.read(bytes, transferSyntax: ts), file: file, line: line) { error in
            guard let e = error as? DICOMParseError else {
                return XCTFail("not a DICOMParseError: \(error)", file: file, line: line)
            }
            XCTAssertEqual(e.kind, kind, e.description, file: file, line: line)
            XCTAssertEqual(e.offset, offset, e.description, file: file, line: line)
            XCTAssertTrue(e.description.contains(mentions), e.description, file: file, line: line)
            XCTAssertTrue(e.description.contains("byte offset \(offset)"), e.description, file: file, line: line)
        }
    }

    func testTruncatedHeader() {
        let good = short(0x0010, 0x0020, "LO", 2) + Array("ID".utf8)
        assertParseError(good + [0x10, 0x00, 0x30], kind: .truncated, offset: 10, mentions: "expected 4 bytes")
        assertParseError(good + [0x10, 0x00, 0x30, 0x00, 0x44], kind: .truncated, offset: 10, mentions: "(0010,0030)")
    }

    func testLengthPastTheEnd() {
        assertParseError(
            short(0x0010, 0x0020, "LO", 10) + Array("ID".utf8), kind: .lengthPastEnd, offset: 0,
            mentions: "declares length 10 but only 2 bytes remain")
    }

    func testLyingLengthFFFFFFFEAllocatesNothing() {
        let bytes =
            short(0x0008, 0x0060, "CS", 2) + Array("CT".utf8) + long(0x7FE0, 0x0010, "OB", 0xFFFF_FFFE) + [1, 2, 3, 4]
        assertParseError(bytes, kind: .lengthPastEnd, offset: 10, mentions: "4294967294")
        let implicit = le16(0x7FE0) + le16(0x0010) + le32(0xFFFF_FFFE) + [0, 0]
        assertParseError(implicit, .implicitVRLittleEndian, kind: .lengthPastEnd, offset: 0, mentions: "4294967294")
    }

    func testUnknownVR() {
        let bytes =
            short(0x0008, 0x0060, "CS", 2) + Array("CT".utf8) + short(0x0010, 0x0010, "ZZ", 2) + Array("AB".utf8)
        assertParseError(bytes, kind: .unknownVR, offset: 14, mentions: "unknown VR \"ZZ\" in element (0010,0010)")
    }

    func testItemTagOutsideASequence() {
        let bytes = short(0x0008, 0x0060, "CS", 2) + Array("CT".utf8) + item(0xE000, 0)
        assertParseError(bytes, kind: .unexpectedItem, offset: 10, mentions: "Item tag (FFFE,E000) outside a sequence")
    }

    func testNonItemInsideASequence() {
        let bytes = long(0x0008, 0x1115, "SQ", 0xFFFF_FFFF) + short(0x0008, 0x0060, "CS", 2) + Array("CT".utf8)
        assertParseError(
            bytes, kind: .unexpectedItem, offset: 12,
            mentions: "expected an Item (FFFE,E000) in sequence (0008,1115), found (0008,0060)")
    }

    func testSequenceWithoutDelimiterAtTheEnd() {
        let bytes =
            long(0x0008, 0x1115, "SQ", 0xFFFF_FFFF) + item(0xE000, 0xFFFF_FFFF) + short(0x0008, 0x0060, "CS", 2)
            + Array("CT".utf8)
        assertParseError(bytes, kind: .truncated, offset: 30, mentions: "without an Item Delimitation")
    }

    func testItemLongerThanItsSequence() {
        let bytes = long(0x0008, 0x1115, "SQ", 8) + item(0xE000, 100)
        assertParseError(
            bytes, kind: .lengthPastEnd, offset: 12, mentions: "item in sequence (0008,1115) declares length 100")
    }

    func testUndefinedLengthOnATextElement() {
        let bytes = le16(0x0010) + le16(0x0010) + le32(0xFFFF_FFFF)
        assertParseError(
            bytes, .implicitVRLittleEndian, kind: .undefinedLength, offset: 0, mentions: "(0010,0010) with VR PN")
    }

    func testAbsurdNesting() {
        // 70 nested undefined-length sequences: rejected at level 65 without recursing further.
        var bytes: [UInt8] = []
        for _ in 0..<70 { bytes += long(0x0008, 0x1115, "SQ", 0xFFFF_FFFF) + item(0xE000, 0xFFFF_FFFF) }
        let depthOffset = 64 * 20 + 12
        assertParseError(bytes, kind: .nestingTooDeep, offset: depthOffset, mentions: "at most 64")
        // 64 levels are fine.
        var ok: [UInt8] = []
        for _ in 0..<64 { ok += long(0x0008, 0x1115, "SQ", 0xFFFF_FFFF) + item(0xE000, 0xFFFF_FFFF) }
        for _ in 0..<64 { ok += item(0xE00D, 0) + item(0xE0DD, 0) }
        XCTAssertNoThrow(try DataSetReader.read(ok, transferSyntax: .explicitVRLittleEndian))
    }

    func testEncapsulatedFragmentPastTheEnd() {
        let bytes = long(0x7FE0, 0x0010, "OB", 0xFFFF_FFFF) + item(0xE000, 0) + item(0xE000, 0xFFFF_FFF0) + [1, 2]
        assertParseError(bytes, kind: .lengthPastEnd, offset: 20, mentions: "fragment in encapsulated (7FE0,0010)")
    }

    func testOddLengthsAndNonZeroDelimiterLengthsAreTolerated() throws {
        let bytes =
            short(0x0010, 0x0020, "LO", 3) + Array("ABC".utf8)
            + long(0x0040, 0x0275, "SQ", 0xFFFF_FFFF) + item(0xE000, 0xFFFF_FFFF) + item(0xE00D, 0) + item(0xE0DD, 4)
        let ds = try DataSetReader.read(bytes, transferSyntax: .explicitVRLittleEndian)
        XCTAssertEqual(ds.string(Tag(0x0010, 0x0020)), "ABC")
        XCTAssertEqual(ds.items(Tag(0x0040, 0x0275))?.count, 1)
    }

    func testNotAFileAndTruncatedFiles() throws {
        XCTAssertThrowsError(try DICOMFile.decode([1, 2, 3])) { error in
            XCTAssertEqual((error as? DICOMParseError)?.kind, .invalidFile)
        }
        let full = try DICOMFile(dataSet: Fixtures.sampleDataSet(), transferSyntax: .explicitVRLittleEndian).encoded()
        // Every truncation point either parses a shorter data set or fails cleanly with an offset inside the file.
        for cut in stride(from: 8, to: full.count, by: 7) {
            do {
                _ = try DICOMFile.decode(Array(full[0..<cut]))
            } catch let e as DICOMParseError {
                XCTAssertLessThanOrEqual(e.offset, cut, e.description)
            }
        }
        XCTAssertThrowsError(try DICOMFile.decode(Array(full[0..<(full.count - 5)]))) { error in
            XCTAssertTrue("\(error)".contains("Pixel Data") || "\(error)".contains("(7FE0,0010)"), "\(error)")
        }
    }

    func testCorruptDeflatedData() throws {
        var bytes = try DICOMFile(dataSet: Fixtures.sampleDataSet(), transferSyntax: .deflatedExplicitVRLittleEndian)
            .encoded()
        let metaEnd =
            bytes.count
            - (try DataSetWriter.encode(Fixtures.sampleDataSet(), transferSyntax: .deflatedExplicitVRLittleEndian))
            .count
        for i in metaEnd..<min(bytes.count, metaEnd + 16) { bytes[i] = 0xFF }
        XCTAssertThrowsError(try DICOMFile.decode(bytes)) { error in
            XCTAssertTrue(error is DICOMParseError, "\(error)")
        }
    }

    func testRandomGarbageNeverCrashes() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            let n = Int.random(in: 0..<400, using: &generator)
            let bytes = (0..<n).map { _ in UInt8.random(in: 0...255, using: &generator) }
            for ts in [TransferSyntax.implicitVRLittleEndian, .explicitVRLittleEndian, .explicitVRBigEndian] {
                _ = try? DataSetReader.read(bytes, transferSyntax: ts)
            }
            _ = try? DICOMFile.decode(bytes)
        }
    }

    func testMutatedFilesNeverCrash() throws {
        var generator = SystemRandomNumberGenerator()
        for ts in [TransferSyntax.implicitVRLittleEndian, .explicitVRLittleEndian, .explicitVRBigEndian] {
            let valid = try DICOMFile(dataSet: Fixtures.sampleDataSet(), transferSyntax: ts).encoded()
            for _ in 0..<300 {
                var bytes = valid
                for _ in 0..<Int.random(in: 1...6, using: &generator) {
                    bytes[Int.random(in: 132..<bytes.count, using: &generator)] = UInt8.random(
                        in: 0...255, using: &generator)
                }
                do { _ = try DICOMFile.decode(bytes) } catch let e as DICOMParseError {
                    XCTAssertLessThanOrEqual(e.offset, bytes.count, e.description)
                }
            }
        }
    }
}
