import DICOMCore
import XCTest

/// Hex text (spaces ignored) to bytes.
private func hex(_ text: String) -> [UInt8] {
    let digits = text.filter { !$0.isWhitespace }
    var bytes: [UInt8] = []
    var index = digits.startIndex
    while index < digits.endIndex {
        let next = digits.index(index, offsetBy: 2)
        bytes.append(UInt8(digits[index..<next], radix: 16)!)
        index = next
    }
    return bytes
}

/// ASCII text to bytes, with `ESC` standing for 1BH.
private func ascii(_ text: String) -> [UInt8] { Array(text.utf8) }
private let esc: [UInt8] = [0x1B]

/// The worked examples of PS3.5 Annexes H (Japanese), I (Korean), J (UTF-8 Chinese) and K (Chinese:
/// ISO 2022 IR 58, GB18030), decoded and re-encoded byte for byte.
final class CharacterSetAnnexExampleTests: XCTestCase {
    private func assertRoundTrip(
        _ charset: String, _ vr: VR, bytes: [UInt8], text: String,
        file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let set = SpecificCharacterSet(termsValue: Array(charset.utf8))
        XCTAssertEqual(set.decode(bytes, vr: vr), text, "decoded", file: file, line: line)
        XCTAssertEqual(try set.encode(text, vr: vr), bytes, "re-encoded byte for byte", file: file, line: line)
    }

    func testExampleH31JapaneseWithISO2022IR87() throws {
        let bytes =
            ascii("Yamada^Tarou=") + esc + ascii("$B;3ED") + esc + ascii("(B^") + esc + ascii("$BB@O:") + esc
            + ascii("(B=") + esc + ascii("$B$d$^$@") + esc + ascii("(B^") + esc + ascii("$B$?$m$&") + esc + ascii("(B")
        try assertRoundTrip("\\ISO 2022 IR 87", .PN, bytes: bytes, text: "Yamada^Tarou=山田^太郎=やまだ^たろう")
    }

    func testExampleH32JapaneseWithKatakanaAndKanji() throws {
        let bytes =
            hex("D4 CF C0 DE 5E C0 DB B3 3D") + esc + ascii("$B;3ED") + esc + ascii("(J^") + esc + ascii("$BB@O:")
            + esc + ascii("(J=") + esc + ascii("$B$d$^$@") + esc + ascii("(J^") + esc + ascii("$B$?$m$&") + esc
            + ascii("(J")
        try assertRoundTrip(
            "ISO 2022 IR 13\\ISO 2022 IR 87", .PN, bytes: bytes, text: "ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう")
    }

    func testExampleI2KoreanPersonName() throws {
        let bytes =
            ascii("Hong^Gildong=") + esc + hex("24 29 43 FB F3 5E 1B 24 29 43 D1 CE D4 D7 3D 1B 24 29 43 C8 AB 5E")
            + esc + hex("24 29 43 B1 E6 B5 BF")
        try assertRoundTrip("\\ISO 2022 IR 149", .PN, bytes: bytes, text: "Hong^Gildong=洪^吉洞=홍^길동")
    }

    func testExampleI2KoreanLongTextDesignatesKSX1001OnEachLine() throws {
        let gildong = hex("1B 24 29 43 B1 E6 B5 BF")
        let bytes =
            ascii("The 1st line includes ") + gildong + ascii(".\r\nThe 2nd line includes ") + gildong
            + ascii(", too.\r\nThe 3rd line.")
        try assertRoundTrip(
            "\\ISO 2022 IR 149", .LT, bytes: bytes,
            text: "The 1st line includes 길동.\r\nThe 2nd line includes 길동, too.\r\nThe 3rd line.")
    }

    func testExampleK2ChineseWithISO2022IR58() throws {
        let bytes = ascii("Zhang^XiaoDong=") + hex("1B 24 29 41 D5 C5 5E 1B 24 29 41 D0 A1 B6 AB") + ascii("=")
        try assertRoundTrip("\\ISO 2022 IR 58", .PN, bytes: bytes, text: "Zhang^XiaoDong=张^小东=")
    }

    func testExampleK3ChineseLongTextWithISO2022IR58() throws {
        let line = hex("1B 24 29 41 B5 DA D2 BB D0 D0 CE C4 D7 D6 A1 A3 0D 0A")
        let bytes = ascii("1.") + line + ascii("2.") + line + ascii("3.") + line
        try assertRoundTrip(
            "\\ISO 2022 IR 58", .LT, bytes: bytes, text: "1.第一行文字。\r\n2.第一行文字。\r\n3.第一行文字。\r\n")
    }

    func testExampleJChineseInUTF8() throws {
        try assertRoundTrip(
            "ISO_IR 192", .PN, bytes: Array("Wang^XiaoDong=王^小東=".utf8), text: "Wang^XiaoDong=王^小東=")
    }

    func testExampleKChineseInGB18030AndGBK() throws {
        let bytes = ascii("Wang^XiaoDong=") + hex("CD F5 5E D0 A1 B6 AB") + ascii("=")
        try assertRoundTrip("GB18030", .PN, bytes: bytes, text: "Wang^XiaoDong=王^小东=")
        try assertRoundTrip("GBK", .PN, bytes: bytes, text: "Wang^XiaoDong=王^小东=")
    }

    func testPersonNamesReadWithoutTrailingEmptyComponentGroups() throws {
        var ds = DataSet()
        try ds.set(.specificCharacterSet, string: "ISO_IR 192")
        ds.set(Tag(0x0010, 0x0010), bytes: Array("Wang^XiaoDong=王^小東=".utf8), vr: .PN)
        ds.set(Tag(0x0008, 0x0090), bytes: Array("^^^^".utf8), vr: .PN)
        ds.set(Tag(0x0010, 0x1001), bytes: Array("A^B=\\C^D==".utf8), vr: .PN)
        XCTAssertEqual(ds.string(Tag(0x0010, 0x0010)), "Wang^XiaoDong=王^小東", "no spurious '='")
        XCTAssertEqual(ds.string(Tag(0x0008, 0x0090)), "^^^^", "the alphabetic group stays")
        XCTAssertEqual(ds.strings(Tag(0x0010, 0x1001)), ["A^B", "C^D"])
    }
}

/// One name per single-byte set (PS3.3 Table C.12-2), bytes from Python's codecs (an independent table).
final class SingleByteCharacterSetTests: XCTestCase {
    private let cases: [(term: String, text: String, bytes: String)] = [
        ("ISO_IR 100", "Buc^Jérôme", "42 75 63 5E 4A E9 72 F4 6D 65"),
        ("ISO_IR 101", "Dvořák^Antonín", "44 76 6F F8 E1 6B 5E 41 6E 74 6F 6E ED 6E"),
        ("ISO_IR 109", "Ħal^Għargħur", "A1 61 6C 5E 47 B1 61 72 67 B1 75 72"),
        ("ISO_IR 110", "Ķēniņš^Jānis", "D3 BA 6E 69 F1 B9 5E 4A E0 6E 69 73"),
        ("ISO_IR 144", "Люксембург", "BB EE DA E1 D5 DC D1 E3 E0 D3"),
        ("ISO_IR 127", "قباني^لنزار", "E2 C8 C7 E6 EA 5E E4 E6 D2 C7 D1"),
        ("ISO_IR 126", "Διονυσιος", "C4 E9 EF ED F5 F3 E9 EF F2"),
        ("ISO_IR 138", "שרון^דבורה", "F9 F8 E5 EF 5E E3 E1 E5 F8 E4"),
        ("ISO_IR 148", "Işık^Gülşen", "49 FE FD 6B 5E 47 FC 6C FE 65 6E"),
        ("ISO_IR 203", "Œuvre^Zoë€", "BC 75 76 72 65 5E 5A 6F EB A4"),
        ("ISO_IR 13", "ﾔﾏﾀﾞ^ﾀﾛｳ", "D4 CF C0 DE 5E C0 DB B3"),
        ("ISO_IR 166", "สมชาย", "CA C1 AA D2 C2"),
    ]

    func testEachSetReadsAndWritesANameInItsScript() throws {
        for (term, text, bytes) in cases {
            var ds = DataSet()
            try ds.set(.specificCharacterSet, string: term)
            try ds.set(Tag(0x0010, 0x0010), string: text)
            XCTAssertEqual(ds.bytes(Tag(0x0010, 0x0010)), hex(bytes), term)
            let read = try DataSetReader.read(
                try DataSetWriter.encode(ds, transferSyntax: .explicitVRLittleEndian),
                transferSyntax: .explicitVRLittleEndian)
            XCTAssertEqual(read.string(Tag(0x0010, 0x0010)), text, term)
        }
    }

    func testTheISO2022FormsSwitchG1WithinAValue() throws {
        let set = SpecificCharacterSet(values: ["ISO 2022 IR 100", "ISO 2022 IR 126"])
        let bytes = try set.encode("Jérôme Διονυσιος")
        XCTAssertEqual(
            bytes, ascii("J") + [0xE9, 0x72, 0xF4] + ascii("me ") + hex("1B 2D 46 C4 E9 EF ED F5 F3 E9 EF F2 1B 2D 41"))
        XCTAssertEqual(set.decode(bytes), "Jérôme Διονυσιος")
    }

    func testACharacterTheSetLacksRaisesWithTheContractMessage() throws {
        var ds = DataSet()
        try ds.set(.specificCharacterSet, string: "ISO_IR 100")
        XCTAssertThrowsError(try ds.set(Tag(0x0010, 0x0010), string: "Ω")) { error in
            XCTAssertEqual("\(error)", "'Ω' cannot be encoded in ISO_IR 100 (0010,0010)")
        }
        XCTAssertNil(ds[Tag(0x0010, 0x0010)], "nothing was written")
    }
}

final class CharacterSetRulesTests: XCTestCase {
    func testNonASCIITextInADataSetWithoutCharacterSetMakesItUTF8() throws {
        var ds = DataSet()
        try ds.set(Tag(0x0010, 0x0020), string: "ID1")
        XCTAssertNil(ds[.specificCharacterSet], "ASCII needs no character set")
        try ds.set(Tag(0x0010, 0x0010), string: "Διονυσιος")
        XCTAssertEqual(ds.string(.specificCharacterSet), "ISO_IR 192")
        XCTAssertEqual(ds.bytes(Tag(0x0010, 0x0010)), Array("Διονυσιος".utf8))
    }

    func testUndeclaredNonASCIIBytesMakeANonASCIIWriteRaise() throws {
        var ds = DataSet()
        ds.set(Tag(0x0008, 0x1030), bytes: [0x53, 0xE4], vr: .LO)  // undeclared, probably Latin-1
        XCTAssertThrowsError(try ds.set(Tag(0x0010, 0x0010), string: "Müller")) { error in
            XCTAssertTrue("\(error)".contains("(0008,1030) already holds non-ASCII text"), "\(error)")
        }
        XCTAssertNil(ds[.specificCharacterSet], "we do not guess")
        try ds.set(Tag(0x0010, 0x0010), string: "Muller")  // ASCII is fine
    }

    func testBytesThatDoNotDecodeAreReplaced() {
        XCTAssertEqual(SpecificCharacterSet.utf8.decode([0x41, 0xFF, 0x42]), "A\u{FFFD}B")
        XCTAssertEqual(SpecificCharacterSet(term: "GB18030").decode([0x41, 0xFF]), "A\u{FFFD}")
        // A KS X 1001 byte pair without its escape sequence: G1 holds no set.
        XCTAssertEqual(SpecificCharacterSet(values: ["", "ISO 2022 IR 149"]).decode([0xC8, 0xAB]), "\u{FFFD}\u{FFFD}")
        // An escape sequence the standard does not define (JIS X 0213).
        XCTAssertEqual(
            SpecificCharacterSet(values: ["", "ISO 2022 IR 87"]).decode(hex("1B 24 28 51 41")), "\u{FFFD}A")
    }

    func testNonStandardSpellingsAreAccepted() {
        XCTAssertEqual(SpecificCharacterSet(term: "ISO_IR 149").terms.map(\.definedTerm), ["ISO 2022 IR 149"])
        XCTAssertEqual(SpecificCharacterSet(term: "ISO-IR 100").terms, SpecificCharacterSet.latin1.terms)
        XCTAssertEqual(SpecificCharacterSet(term: "iso_ir 126").decode([0xC4]), "Δ")
        XCTAssertEqual(SpecificCharacterSet(term: "ISO IR 144").decode([0xBB]), "Л")
        let korean = SpecificCharacterSet(values: ["", "ISO_IR 149"])
        XCTAssertEqual(korean.decode(hex("1B 24 29 43 C8 AB"), vr: .PN), "홍")
    }

    func testDelimitersResetTheDesignationsAndAreNotPartOfACharacter() {
        let japanese = SpecificCharacterSet(values: ["", "ISO 2022 IR 87"])
        // 24 5E is a hiragana whose second byte is '^': not a component delimiter.
        XCTAssertEqual(japanese.decode(hex("1B 24 42 24 5E 1B 28 42"), vr: .PN), "ま")
        // In LO, '\' between values resets; the encoder designates ASCII before it.
        let encoded = try? japanese.encode("山田\\やまだ", vr: .LO)
        XCTAssertEqual(encoded, hex("1B 24 42 3B 33 45 44 1B 28 42 5C 1B 24 42 24 64 24 5E 24 40 1B 28 42"))
        var ds = DataSet()
        ds.set(.specificCharacterSet, bytes: Array("\\ISO 2022 IR 87 ".utf8), vr: .CS)
        ds.set(Tag(0x0010, 0x1000), bytes: encoded ?? [], vr: .LO)
        XCTAssertEqual(ds.strings(Tag(0x0010, 0x1000)), ["山田", "やまだ"])
    }

    func testJISX0212IsDesignatedIntoG0() throws {
        let set = SpecificCharacterSet(values: ["", "ISO 2022 IR 87", "ISO 2022 IR 159"])
        let bytes = try set.encode("丂", vr: .LO)  // EUC-JP 8F B0 A1: only in JIS X 0212
        XCTAssertEqual(bytes, hex("1B 24 28 44 30 21 1B 28 42"))
        XCTAssertEqual(set.decode(bytes), "丂")
    }

    func testItemsInheritCodeExtensions() throws {
        var item = DataSet()
        item.set(Tag(0x0010, 0x0010), bytes: ascii("Hong^Gildong=") + hex("1B 24 29 43 FB F3"), vr: .PN)
        var ds = DataSet()
        ds.set(.specificCharacterSet, bytes: Array("\\ISO 2022 IR 149 ".utf8), vr: .CS)
        ds.set(Tag(0x0008, 0x1115), items: [item])
        let read = try DataSetReader.read(
            try DataSetWriter.encode(ds, transferSyntax: .implicitVRLittleEndian),
            transferSyntax: .implicitVRLittleEndian)
        XCTAssertEqual(read.items(Tag(0x0008, 0x1115))?.first?.string(Tag(0x0010, 0x0010)), "Hong^Gildong=洪")
    }
}
