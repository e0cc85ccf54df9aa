import Foundation
import NIOCore
import XCTest

@testable import DICOMNetwork

final class CommandSetTests: XCTestCase {
    func testEncodesAscendingTagsWithCorrectGroupLengthFirst() throws {
        var set = CommandSet()
        set.setUnsignedShort(0x0101, for: .commandDataSetType)  // inserted out of order on purpose
        set.setUnsignedShort(0x0030, for: .commandField)
        set.setUID("1.2.840.10008.1.1", for: .affectedSOPClassUID)
        set.setUnsignedShort(9, for: .messageID)
        var bytes = set.encoded()
        var tags: [UInt16] = []
        var lengths: [UInt32] = []
        while bytes.readableBytes > 0 {
            XCTAssertEqual(bytes.readInteger(endianness: .little, as: UInt16.self), 0x0000)
            tags.append(bytes.readInteger(endianness: .little, as: UInt16.self)!)
            let length = bytes.readInteger(endianness: .little, as: UInt32.self)!
            lengths.append(length)
            if tags.count == 1 {
                XCTAssertEqual(length, 4)
                XCTAssertEqual(
                    bytes.getInteger(at: bytes.readerIndex, endianness: .little, as: UInt32.self),
                    UInt32(set.encoded().readableBytes - 12), "group length counts what follows it")
            }
            bytes.moveReaderIndex(forwardBy: Int(length))
        }
        XCTAssertEqual(tags, [0x0000, 0x0002, 0x0100, 0x0110, 0x0800])
        XCTAssertTrue(lengths.allSatisfy { $0 % 2 == 0 }, "every value is padded to even length: \(lengths)")
    }

    /// The order values are set in does not matter: equal sets compare equal, a value set twice is stored
    /// once, a removed one is gone.
    func testSettingOrderReplacingAndRemovingKeepOneElementPerTag() {
        var forward = CommandSet()
        forward.setUnsignedShort(0x0001, for: .commandField)
        forward.setUnsignedShort(7, for: .messageID)
        forward.setUnsignedShort(0x0101, for: .commandDataSetType)
        var backward = CommandSet()
        backward.setUnsignedShort(0x0101, for: .commandDataSetType)
        backward.setUnsignedShort(8, for: .messageID)
        backward.setUnsignedShort(0x0001, for: .commandField)
        backward.setUnsignedShort(7, for: .messageID)
        XCTAssertEqual(forward, backward)
        XCTAssertEqual(backward.tags, [.commandField, .messageID, .commandDataSetType])
        backward.removeValue(for: .messageID)
        XCTAssertFalse(backward.contains(.messageID))
        XCTAssertEqual(backward.tags, [.commandField, .commandDataSetType])
        XCTAssertNotEqual(forward, backward)
    }

    func testPaddingUsesNULForUIAndSpaceForAEAndLO() {
        var set = CommandSet()
        set.setUID("1.2.3", for: .affectedSOPClassUID)
        set.setAETitle("ABC", for: .moveDestination)
        set.setLongString("hey", for: .errorComment)
        set.setAETitle("EVEN", for: .moveOriginatorApplicationEntityTitle)
        XCTAssertEqual(set.rawValue(.affectedSOPClassUID), Array("1.2.3\u{0}".utf8))
        XCTAssertEqual(set.rawValue(.moveDestination), Array("ABC ".utf8))
        XCTAssertEqual(set.rawValue(.errorComment), Array("hey ".utf8))
        XCTAssertEqual(set.rawValue(.moveOriginatorApplicationEntityTitle), Array("EVEN".utf8))
    }

    func testDecodeTrimsPaddedAndUnpaddedAETitlesAndUIDs() throws {
        for raw in ["STORESCP", "STORESCP        ", " STORESCP ", "STORESCP\u{0}"] {
            var set = CommandSet()
            set.setRawValue(Array(raw.utf8), for: .moveDestination)
            let decoded = try CommandSet(decoding: set.encoded())
            XCTAssertEqual(decoded.string(.moveDestination), "STORESCP", "from \(raw.debugDescription)")
        }
        var set = CommandSet()
        set.setRawValue(Array("1.2.840.10008.1.1\u{0}".utf8), for: .affectedSOPClassUID)
        XCTAssertEqual(set.string(.affectedSOPClassUID), "1.2.840.10008.1.1")
        set.setRawValue(Array("1.2.840.10008.1.1 ".utf8), for: .affectedSOPClassUID)
        XCTAssertEqual(set.string(.affectedSOPClassUID), "1.2.840.10008.1.1")
    }

    func testTypedValuesRoundTrip() throws {
        var set = CommandSet()
        set.setUnsignedShort(0xA801, for: .status)
        set.setUnsignedLong(0xDEAD_BEEF, for: CommandTag(0x4000))
        set.setAttributeTags([0x0010_0010, 0x0008_0052], for: .offendingElement)
        let decoded = try CommandSet(decoding: set.encoded())
        XCTAssertEqual(decoded, set)
        XCTAssertEqual(try decoded.unsignedShort(.status), 0xA801)
        XCTAssertEqual(try decoded.unsignedLong(CommandTag(0x4000)), 0xDEAD_BEEF)
        XCTAssertEqual(try decoded.attributeTags(.offendingElement), [0x0010_0010, 0x0008_0052])
        // AT on the wire: group LE then element LE.
        XCTAssertEqual(decoded.rawValue(.offendingElement), [0x10, 0x00, 0x10, 0x00, 0x08, 0x00, 0x52, 0x00])
        XCTAssertNil(try decoded.unsignedShort(.messageID))
    }

    func testWrongValueLengthNamesTheTag() {
        var set = CommandSet()
        set.setRawValue([1, 2, 3], for: .messageID)
        XCTAssertThrowsError(try set.unsignedShort(.messageID)) { error in
            XCTAssertEqual(error as? CommandSetError, .invalidValueLength(.messageID, vr: "US", length: 3))
            XCTAssertTrue("\(error)".contains("(0000,0110) MessageID"), "\(error)")
        }
    }

    func testDecodeRejectsElementOutsideGroup0000WithOffset() {
        // (0000,0100) US 0x0030 then (0008,0052) — a data element in a command set.
        let bytes = dimseBytes(hex: "00000001020000003000" + "0800520002000000" + "4142")
        XCTAssertThrowsError(try CommandSet(decoding: bytes)) { error in
            XCTAssertEqual(error as? CommandSetError, .elementOutsideCommandGroup(group: 8, element: 0x52, offset: 10))
            XCTAssertTrue("\(error)".contains("(0008,0052) at offset 10"), "\(error)")
        }
    }

    func testDecodeRejectsLengthPastTheEnd() {
        // (0000,0002) claims 0x100 bytes, 4 present; and a huge length must not allocate.
        for length in ["00010000", "ffffffff"] {
            let bytes = dimseBytes(hex: "00000200" + length + "312e3200")
            XCTAssertThrowsError(try CommandSet(decoding: bytes)) { error in
                guard case let .valueLengthPastEnd(tag, offset, _, remaining)? = error as? CommandSetError else {
                    return XCTFail("unexpected \(error)")
                }
                XCTAssertEqual(tag, .affectedSOPClassUID)
                XCTAssertEqual(offset, 0)
                XCTAssertEqual(remaining, 4)
            }
        }
    }

    func testDecodeRejectsDuplicateTagsAndTruncatedHeaders() {
        let element = "0000100102000000" + "0100"
        XCTAssertThrowsError(try CommandSet(decoding: dimseBytes(hex: element + element))) { error in
            XCTAssertEqual(error as? CommandSetError, .duplicateTag(.messageID, offset: 10))
        }
        XCTAssertThrowsError(try CommandSet(decoding: dimseBytes(hex: element + "000010"))) { error in
            XCTAssertEqual(error as? CommandSetError, .truncatedElementHeader(offset: 10, remaining: 3))
        }
    }

    /// Elements out of ascending order are accepted and stored in order; a duplicate among them is still found
    /// at its offset; thousands of descending elements (a hostile command set) decode quickly.
    func testDecodeSortsOutOfOrderElementsAndFindsDuplicatesAmongThem() throws {
        let messageID = "0000100102000000" + "0700"
        let commandField = "0000000102000000" + "3000"
        let dataSetType = "0000000802000000" + "0101"
        let decoded = try CommandSet(decoding: dimseBytes(hex: dataSetType + messageID + commandField))
        XCTAssertEqual(decoded.tags, [.commandField, .messageID, .commandDataSetType])
        XCTAssertEqual(try decoded.unsignedShort(.messageID), 7)
        XCTAssertThrowsError(try CommandSet(decoding: dimseBytes(hex: dataSetType + messageID + dataSetType))) {
            XCTAssertEqual($0 as? CommandSetError, .duplicateTag(.commandDataSetType, offset: 20))
        }
        var hostile = ByteBuffer()
        for element in stride(from: UInt16(0xFFFE), to: 0x0010, by: -2) {
            hostile.writeInteger(UInt16(0), endianness: .little)
            hostile.writeInteger(element, endianness: .little)
            hostile.writeInteger(UInt32(0), endianness: .little)
        }
        let started = Date()
        let many = try CommandSet(decoding: hostile)
        XCTAssertEqual(many.tags.count, 32_759)
        XCTAssertEqual(many.tags.first, CommandTag(0x0012))
        XCTAssertLessThan(Date().timeIntervalSince(started), 2, "32 759 elements in descending order")
    }

    func testGroupLengthIsRecomputedNotStored() throws {
        var set = CommandSet()
        set.setUnsignedLong(12345, for: .commandGroupLength)
        XCTAssertFalse(set.contains(.commandGroupLength))
        // A received, wrong group length is tolerated (the PDVs delimit the command set).
        let decoded = try CommandSet(decoding: dimseBytes(hex: "0000000004000000ffff0000" + "00001001020000000100"))
        XCTAssertEqual(try decoded.unsignedShort(.messageID), 1)
        XCTAssertEqual(decoded.tags, [.messageID])
    }

    func testTagDescriptions() {
        XCTAssertEqual(CommandTag.commandField.description, "(0000,0100) CommandField")
        XCTAssertEqual(CommandTag(0x4ABC).description, "(0000,4ABC)")
    }
}
