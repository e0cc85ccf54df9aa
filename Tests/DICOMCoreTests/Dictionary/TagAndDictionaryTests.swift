import XCTest

@testable import DICOMCore

final class TagAndDictionaryTests: XCTestCase {
    func testTagParsingAcceptsTheUsualSpellings() {
        let want = Tag(0x0010, 0x0010)
        XCTAssertEqual(Tag(parsing: "0010,0010"), want)
        XCTAssertEqual(Tag(parsing: "(0010,0010)"), want)
        XCTAssertEqual(Tag(parsing: "00100010"), want)
        XCTAssertEqual(Tag(parsing: "(7fe0,0010)"), Tag.pixelData)
        XCTAssertNil(Tag(parsing: "0010,001"))
        XCTAssertNil(Tag(parsing: "PatientName"))
        XCTAssertNil(Tag(parsing: "00G0,0010"))
        XCTAssertEqual(want.description, "(0010,0010)")
        XCTAssertEqual(Tag.pixelData.description, "(7FE0,0010)")
    }

    func testTagsOrderByGroupThenElement() {
        XCTAssertLessThan(Tag(0x0008, 0xFFFF), Tag(0x0010, 0x0000))
        XCTAssertLessThan(Tag(0x7FE0, 0x0010), Tag(0xFFFE, 0xE000))
    }

    func testKeywordsMapToTagsAndBack() {
        XCTAssertEqual(DataDictionary.tag(forKeyword: "PatientName"), Tag(0x0010, 0x0010))
        XCTAssertEqual(DataDictionary.keyword(for: Tag(0x0020, 0x000D)), "StudyInstanceUID")
        XCTAssertEqual(DataDictionary.entry(for: Tag(0x0008, 0x0060))?.vr, .CS)
        XCTAssertEqual(DataDictionary.entry(for: Tag(0x0008, 0x1115))?.vr, .SQ)
        XCTAssertGreaterThan(DataDictionary.count, 5000)
        XCTAssertNil(DataDictionary.tag(forKeyword: "NoSuchKeyword"))
    }

    func testImplicitVRRulesForRepeatingPrivateAndGroupLengthTags() {
        XCTAssertEqual(DataDictionary.vr(for: Tag(0x6002, 0x3000)), .OW, "overlay data in repeating group 60xx")
        XCTAssertEqual(DataDictionary.vr(for: Tag(0x6000, 0x0010)), .US, "overlay rows")
        XCTAssertEqual(DataDictionary.keyword(for: Tag(0x6004, 0x0010)), "OverlayRows")
        XCTAssertEqual(DataDictionary.vr(for: Tag(0x5002, 0x0005)), .US, "curve group 50xx")
        XCTAssertEqual(DataDictionary.vr(for: Tag(0x0009, 0x1001)), .UN, "private data element")
        XCTAssertEqual(DataDictionary.vr(for: Tag(0x0009, 0x0010)), .LO, "private creator")
        XCTAssertEqual(DataDictionary.vr(for: Tag(0x0010, 0x0000)), .UL, "group length")
        XCTAssertEqual(DataDictionary.vr(for: Tag(0x7FE0, 0x0010)), .OW)
        XCTAssertNil(DataDictionary.entry(for: Tag(0x0009, 0x1001)))
    }

    func testVRHeaderForms() {
        XCTAssertEqual(VR.allCases.count, 34)
        for vr in [VR.OB, .OD, .OF, .OL, .OV, .OW, .SQ, .SV, .UC, .UN, .UR, .UT, .UV] {
            XCTAssertTrue(vr.hasLongExplicitLength, "\(vr)")
        }
        for vr in [
            VR.AE, .AS, .AT, .CS, .DA, .DS, .DT, .FL, .FD, .IS, .LO, .LT, .PN, .SH, .SL, .SS, .ST, .TM, .UI, .UL, .US,
        ] {
            XCTAssertFalse(vr.hasLongExplicitLength, "\(vr)")
        }
        XCTAssertEqual(VR.UI.paddingByte, 0)
        XCTAssertEqual(VR.OB.paddingByte, 0)
        XCTAssertEqual(VR.LO.paddingByte, 0x20)
        XCTAssertNil(VR(byte0: UInt8(ascii: "Z"), byte1: UInt8(ascii: "Z")))
        XCTAssertEqual(VR(byte0: UInt8(ascii: "U"), byte1: UInt8(ascii: "V")), .UV)
    }

    func testTransferSyntaxLookup() {
        XCTAssertEqual(TransferSyntax.from(uid: "1.2.840.10008.1.2\0"), .implicitVRLittleEndian)
        XCTAssertTrue(TransferSyntax.from(uid: "1.2.840.10008.1.2.1.99").isDeflated)
        XCTAssertEqual(TransferSyntax.from(uid: "1.2.840.10008.1.2.2").byteOrder, .bigEndian)
        XCTAssertTrue(TransferSyntax.from(uid: "1.2.840.10008.1.2.4.50").isEncapsulated)
        let unknown = TransferSyntax.from(uid: "1.2.840.10008.1.2.4.201")
        XCTAssertTrue(unknown.isEncapsulated && unknown.isExplicitVR && unknown.byteOrder == .littleEndian)
        XCTAssertFalse(TransferSyntax.isKnown(uid: "1.2.840.10008.1.2.4.201"))
    }
}
