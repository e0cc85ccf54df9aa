import NIOCore
import XCTest

@testable import DICOMNetwork

/// Inputs found by the `pdu` fuzz target (Fuzz/PDU, `scripts/fuzz pdu`) that once went wrong, kept as hex
/// fixtures so the behaviour cannot come back.
final class FuzzFindingsPDUTests: XCTestCase {
    /// The fuzzer's input (the PDU after the target's chunk-size byte): an A-ASSOCIATE-RQ whose calling AE
    /// title holds bytes 0xFF, 0xB0 and 0x04. It used to parse into "DICOMLU\u{FFFD}\u{FFFD}~h\"\u{FFFD}\u{4}P", which
    /// re-encodes to other bytes (the AE title the A-ASSOCIATE-AC echoes differs from the one received).
    let nonASCIIAETitleRQ: [UInt8] = hex(
        "0100000001e00001000053544f524553435020202020202020204449434f4d4c55ffff7e6822b0045020000000000000"
            + "000000000000000000000000000000000000000000000000000010000015312e322e3834302e31303030312000004501"
            + "00000030000011312e322e3834302e31303030382e312e3140000013312e322e3834302e31303030382ed12e322e3140"
            + "000011312e322e3834302e31303030382e312e322000004d0300000030000019312e322e3834302e31303030382e352e"
            + "312e342e312e312e3240000013312e322e3834302e31303030382e312e322e3140000011312e322e3834302e31303000"
            + "00000000000400004f050000003000001b312e322e3834302e31303030382e352e312e342e312e322e322e3140000013"
            + "312e322e3834302e31303030382e312e322e3140000011312e322e3834302e31303030382e312e325000009251000004"
            + "0000400052000017312e322e3832362e302e312e333638303034332e392e315500000c4449434f4d4c55415f302e3153"
            + "000004000400015400001d0019312e322e3834302e31303030382e352e312e342e312e312e56010131000020001b312e"
            + "322e3834302e3130303f03000000000400010107322e322e310100015800000e02010004757365720004706173730400"
            + "000000030000")

    func testAssociateRQWithNonASCIIBytesInTheCallingAETitleIsRejectedNamingFieldAndOffset() {
        XCTAssertThrowsError(try PDUParser.parse(bytes: nonASCIIAETitleRQ)) { error in
            guard let error = error as? PDUParseError else { return XCTFail("not a PDUParseError: \(error)") }
            XCTAssertEqual(error.field, "calling-AE-title")
            XCTAssertEqual(error.offset, 26)
            XCTAssertTrue(error.description.contains("byte 0xff at offset 33"), error.description)
        }
    }

    private func associateRQ(calling: [UInt8], abstractSyntax: [UInt8] = ascii("1.2.840.10008.1.1")) -> [UInt8] {
        pdu(
            0x01,
            be16(1) + [0, 0] + aeTitle("ANY-SCP") + calling + Array(repeating: 0, count: 32)
                + item(0x10, ascii("1.2.840.10008.3.1.1.1"))
                + item(0x20, [1, 0, 0, 0] + item(0x30, abstractSyntax) + item(0x40, ascii("1.2.840.10008.1.2")))
                + item(0x50, item(0x51, be32(16384))))
    }

    func testControlCharacterAndInteriorNULInAETitlesAreRejected() {
        let withTab = ascii("ECHO\tSCU") + Array(repeating: 0x20, count: 8)
        XCTAssertThrowsError(try PDUParser.parse(bytes: associateRQ(calling: withTab)))
        let withNUL = ascii("ECHO") + [0] + ascii("SCU") + Array(repeating: 0x20, count: 8)
        XCTAssertThrowsError(try PDUParser.parse(bytes: associateRQ(calling: withNUL))) { error in
            XCTAssertTrue("\(error)".contains("NUL"), "\(error)")
        }
    }

    func testNonASCIIByteInAUIDIsRejected() {
        let uid = ascii("1.2.840.10008.") + [0xD1] + ascii(".1")
        XCTAssertThrowsError(try PDUParser.parse(bytes: associateRQ(calling: aeTitle("ECHOSCU"), abstractSyntax: uid)))
        { error in
            XCTAssertEqual((error as? PDUParseError)?.field, "abstract-syntax-name")
        }
    }

    func testPaddingWithSpacesAndNULsIsStillAccepted() throws {
        let padded = [0x20, 0x20] + ascii("ECHOSCU") + [0, 0, 0, 0x20, 0x20, 0, 0x20]
        guard
            case .associateRQ(let rq) = try PDUParser.parse(
                bytes: associateRQ(
                    calling: padded, abstractSyntax: ascii("1.2.840.10008.1.1") + [0]))
        else { return XCTFail("not an RQ") }
        XCTAssertEqual(rq.callingAETitle, "ECHOSCU")
        XCTAssertEqual(rq.presentationContexts.first?.abstractSyntax, "1.2.840.10008.1.1")
    }
}
