import XCTest

@testable import DICOMCore

final class DataSetValueTests: XCTestCase {
    private func t(_ k: String) -> Tag { Fixtures.tag(k) }

    func testElementsStayInTagOrderWithOnePerTag() throws {
        var ds = DataSet()
        try ds.set(t("PatientName"), string: "B")
        try ds.set(t("Modality"), string: "MR")
        try ds.set(t("PatientName"), string: "A")
        try ds.set(Tag(0x0008, 0x0005), string: "ISO_IR 100")
        XCTAssertEqual(ds.map(\.tag), [Tag(0x0008, 0x0005), t("Modality"), t("PatientName")])
        XCTAssertEqual(ds.string(t("PatientName")), "A")
        XCTAssertEqual(ds["PatientName"]?.tag, t("PatientName"))
        XCTAssertEqual(ds["0010,0010"]?.vr, .PN)
        ds["PatientName"] = nil
        XCTAssertNil(ds[t("PatientName")])
        XCTAssertEqual(ds.count, 2)
    }

    func testStringTrimmingFollowsTheVR() {
        var ds = DataSet()
        ds.set(t("PatientID"), bytes: Array("  ID7  ".utf8), vr: .LO)
        ds.set(t("SOPInstanceUID"), bytes: Array("1.2.3\0".utf8), vr: .UI)
        ds.set(t("StudyDescription"), bytes: Array("Head ".utf8), vr: .LO)
        ds.set(t("ImageComments"), bytes: Array("  indented text  ".utf8), vr: .LT)
        ds.set(t("ImageType"), bytes: Array("ORIGINAL\\PRIMARY \\".utf8), vr: .CS)
        XCTAssertEqual(ds.string(t("PatientID")), "ID7")
        XCTAssertEqual(ds.string(t("SOPInstanceUID")), "1.2.3")
        XCTAssertEqual(ds.string(t("StudyDescription")), "Head")
        XCTAssertEqual(ds.string(t("ImageComments")), "  indented text", "LT keeps leading spaces")
        XCTAssertEqual(ds.strings(t("ImageType")), ["ORIGINAL", "PRIMARY", ""])
    }

    func testNumbersFromBinaryAndTextVRs() throws {
        var ds = DataSet()
        try ds.set(t("Rows"), int: 512)
        try ds.set(t("SmallestImagePixelValue"), ints: [-5], vr: .SS)
        try ds.set(t("InstanceNumber"), int: -12)
        try ds.set(t("SliceThickness"), double: 0.625)
        try ds.set(t("ImagePositionPatient"), doubles: [-1.5, 2, 1e-7])
        try ds.set(t("FrameTime"), double: 33.3)
        ds.set(t("ReferencedFrameNumber"), bytes: Array(" 1\\+2 ".utf8), vr: .IS)
        XCTAssertEqual(ds.int(t("Rows")), 512)
        XCTAssertEqual(ds.bytes(t("Rows")), [0x00, 0x02])
        XCTAssertEqual(ds.int(t("SmallestImagePixelValue")), -5)
        XCTAssertEqual(ds.int(t("InstanceNumber")), -12)
        XCTAssertEqual(ds.double(t("SliceThickness")), 0.625)
        XCTAssertEqual(ds.doubles(t("ImagePositionPatient")), [-1.5, 2, 1e-7])
        XCTAssertEqual(ds.ints(t("ReferencedFrameNumber")), [1, 2])
        XCTAssertThrowsError(try ds.set(t("Rows"), int: 70000)) { XCTAssertTrue("\($0)".contains("70000")) }
        XCTAssertThrowsError(try ds.set(t("Rows"), int: -1))
        XCTAssertThrowsError(try ds.set(t("SliceThickness"), double: .nan))
        XCTAssertThrowsError(try ds.set(t("PixelData"), string: "x"))
    }

    func testDecimalStringsFitSixteenCharacters() throws {
        var ds = DataSet()
        try ds.set(t("SliceThickness"), double: 1.0 / 3.0)
        let text = try XCTUnwrap(ds.string(t("SliceThickness")))
        XCTAssertLessThanOrEqual(text.count, 16)
        XCTAssertEqual(try XCTUnwrap(ds.double(t("SliceThickness"))), 1.0 / 3.0, accuracy: 1e-12)
        try ds.set(t("SliceThickness"), double: -123456789.123456789)
        XCTAssertLessThanOrEqual(try XCTUnwrap(ds.string(t("SliceThickness"))).count, 16)
    }

    func testBigEndianBinaryValuesAreReadInTheDataSetByteOrder() {
        var ds = DataSet(byteOrder: .bigEndian)
        ds.set(t("Rows"), bytes: [0x02, 0x00], vr: .US)
        ds.set(t("FrameIncrementPointer"), bytes: [0x00, 0x18, 0x10, 0x63], vr: .AT)
        XCTAssertEqual(ds.int(t("Rows")), 512)
        XCTAssertEqual(ds.tags(t("FrameIncrementPointer")), [Tag(0x0018, 0x1063)])
    }

    func testLatin1AndUTF8CharacterSets() throws {
        var latin = DataSet()
        try latin.set(.specificCharacterSet, string: "ISO_IR 100")
        try latin.set(t("PatientName"), string: "Müller^Jürgen")
        XCTAssertEqual(
            latin.bytes(t("PatientName")),
            [0x4D, 0xFC, 0x6C, 0x6C, 0x65, 0x72, 0x5E, 0x4A, 0xFC, 0x72, 0x67, 0x65, 0x6E])
        XCTAssertEqual(latin.string(t("PatientName")), "Müller^Jürgen")

        var utf8 = DataSet()
        try utf8.set(.specificCharacterSet, string: "ISO_IR 192")
        try utf8.set(t("PatientName"), string: "山田^太郎")
        XCTAssertEqual(utf8.bytes(t("PatientName")), Array("山田^太郎".utf8))
        XCTAssertEqual(utf8.string(t("PatientName")), "山田^太郎")

        // Other single-byte sets decode with their own table (ISO 8859-5: B0H is CYRILLIC CAPITAL A) and keep
        // their bytes.
        var other = DataSet()
        try other.set(.specificCharacterSet, string: "ISO_IR 144")
        other.set(t("PatientName"), bytes: [0x41, 0xB0], vr: .PN)
        XCTAssertEqual(other.specificCharacterSet, SpecificCharacterSet(term: "ISO_IR 144"))
        XCTAssertEqual(other.string(t("PatientName")), "A\u{410}")
        XCTAssertEqual(other.bytes(t("PatientName")), [0x41, 0xB0])
    }

    func testItemsInheritTheCharacterSetWhenRead() throws {
        var inner = DataSet()
        inner.set(t("PatientName"), bytes: [0x4A, 0xFC], vr: .PN)  // "Jü" in Latin-1
        var outer = DataSet()
        try outer.set(.specificCharacterSet, string: "ISO_IR 100")
        outer.set(t("OtherPatientIDsSequence"), items: [inner])
        let bytes = try DataSetWriter.encode(outer, transferSyntax: .explicitVRLittleEndian)
        let read = try DataSetReader.read(bytes, transferSyntax: .explicitVRLittleEndian)
        XCTAssertEqual(read.items(t("OtherPatientIDsSequence"))?.first?.string(t("PatientName")), "Jü")
    }
}

final class UNRecoveryTests: XCTestCase {
    func testExplicitUNOfAKnownTagGetsTheDictionaryVR() throws {
        // (0028,0010) Rows sent as UN (a sender that did not know the tag): value in little endian.
        let rows: [UInt8] = [0x28, 0x00, 0x10, 0x00] + Array("UN".utf8) + [0, 0, 2, 0, 0, 0, 0x00, 0x02]
        // (0008,1115) ReferencedSeriesSequence as UN with defined length: implicit VR LE items inside.
        let inner: [UInt8] = [0x20, 0x00, 0x0E, 0x00, 4, 0, 0, 0] + Array("1.2\0".utf8)
        let item: [UInt8] = [0xFE, 0xFF, 0x00, 0xE0] + [UInt8(inner.count), 0, 0, 0] + inner
        let seq: [UInt8] = [0x08, 0x00, 0x15, 0x11] + Array("UN".utf8) + [0, 0, UInt8(item.count), 0, 0, 0] + item
        let ds = try DataSetReader.read(seq + rows, transferSyntax: .explicitVRLittleEndian)
        XCTAssertEqual(ds[Tag(0x0028, 0x0010)]?.vr, .US)
        XCTAssertEqual(ds.int(Tag(0x0028, 0x0010)), 512)
        XCTAssertEqual(ds.items(Tag(0x0008, 0x1115))?.first?.string(Tag(0x0020, 0x000E)), "1.2")
    }
}
