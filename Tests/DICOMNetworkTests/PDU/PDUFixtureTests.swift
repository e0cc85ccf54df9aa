import NIOCore
import XCTest

@testable import DICOMNetwork

/// Hex fixtures: exact wire bytes of each PDU type (PS3.8 §9.3), parsed and re-encoded.
final class PDUFixtureTests: XCTestCase {
    /// An A-ASSOCIATE-RQ like echoscu's: ECHOSCU → ANY-SCP, one Verification context with Implicit VR LE,
    /// max length 16384, implementation class UID and version name.
    let associateRQ: [UInt8] = pdu(
        0x01,
        be16(1) + [0, 0]  // protocol version 1, reserved
            + aeTitle("ANY-SCP") + aeTitle("ECHOSCU")  // called, calling
            + Array(repeating: 0, count: 32)  // reserved
            + item(0x10, ascii("1.2.840.10008.3.1.1.1"))  // application context
            + item(
                0x20,
                [1, 0, 0, 0]  // presentation context 1
                    + item(0x30, ascii("1.2.840.10008.1.1"))  //   abstract syntax: Verification
                    + item(0x40, ascii("1.2.840.10008.1.2")))  //   transfer syntax: Implicit VR LE
            + item(
                0x50,  // user information
                item(0x51, be32(16384))  //   max length
                    + item(0x52, ascii("1.2.276.0.7230010.3.0.3.6.7"))  // impl class UID (DCMTK's)
                    + item(0x55, ascii("OFFIS_DCMTK_367"))))  //   impl version name

    func testAssociateRQFixtureParses() throws {
        guard case .associateRQ(let rq) = try PDUParser.parse(bytes: associateRQ) else { return XCTFail("not an RQ") }
        XCTAssertEqual(rq.calledAETitle, "ANY-SCP")
        XCTAssertEqual(rq.callingAETitle, "ECHOSCU")
        XCTAssertEqual(rq.applicationContextName, "1.2.840.10008.3.1.1.1")
        XCTAssertEqual(
            rq.presentationContexts,
            [
                PresentationContextProposal(
                    id: 1, abstractSyntax: "1.2.840.10008.1.1", transferSyntaxes: ["1.2.840.10008.1.2"])
            ])
        XCTAssertEqual(rq.userInformation.maximumLength, 16384)
        XCTAssertEqual(rq.userInformation.implementationClassUID, "1.2.276.0.7230010.3.0.3.6.7")
        XCTAssertEqual(rq.userInformation.implementationVersionName, "OFFIS_DCMTK_367")
    }

    func testAssociateRQFixtureReencodesToTheSameBytes() throws {
        XCTAssertEqual(encode(try PDUParser.parse(bytes: associateRQ)), associateRQ)
    }

    /// A-ASSOCIATE-AC with one accepted and one rejected context (the rejected one without a TS sub-item,
    /// as some peers send it — pynetdicom #361), plus a role selection answer.
    func testAssociateACFixtureWithRejectedContextWithoutTransferSyntax() throws {
        let bytes = pdu(
            0x02,
            be16(1) + [0, 0] + aeTitle("ANY-SCP") + aeTitle("ECHOSCU") + Array(repeating: 0, count: 32)
                + item(0x10, ascii("1.2.840.10008.3.1.1.1"))
                + item(0x21, [1, 0, 0, 0] + item(0x40, ascii("1.2.840.10008.1.2")))  // ctx 1 accepted
                + item(0x21, [3, 0, 3, 0])  // ctx 3 abstract syntax not supported
                + item(
                    0x50,
                    item(0x51, be32(0))  // unlimited
                        + item(0x54, be16(17) + ascii("1.2.840.10008.1.1") + [1, 0])))  // role: SCU yes, SCP no
        guard case .associateAC(let ac) = try PDUParser.parse(bytes: bytes) else { return XCTFail("not an AC") }
        XCTAssertEqual(
            ac.presentationContexts,
            [
                PresentationContextResult(id: 1, result: .acceptance, transferSyntax: "1.2.840.10008.1.2"),
                PresentationContextResult(id: 3, result: .abstractSyntaxNotSupported, transferSyntax: nil),
            ])
        XCTAssertEqual(ac.userInformation.maximumLength, 0)
        XCTAssertEqual(
            ac.userInformation.roleSelections,
            [RoleSelection(sopClassUID: "1.2.840.10008.1.1", scuRole: true, scpRole: false)])
    }

    /// A-ASSOCIATE-RJ 1/1/7: rejected-permanent, service-user, called AE title not recognised.
    func testAssociateRJFixture() throws {
        let bytes = hex("03 00 00000004 | 00 01 01 07")
        XCTAssertEqual(try PDUParser.parse(bytes: bytes), .associateRJ(.calledAETitleNotRecognized))
        XCTAssertEqual(encode(.associateRJ(.calledAETitleNotRecognized)), bytes)
    }

    /// P-DATA-TF with two PDVs: a last command fragment (MCH 03) and a not-last data fragment (MCH 00).
    func testPDataFixtureWithTwoPDVs() throws {
        let bytes = hex("04 00 00000012 | 00000006 01 03 AABBCCDD | 00000004 01 00 EEFF")
        let expected = PDU.dataTF([
            PresentationDataValue(
                contextID: 1, isCommand: true, isLastFragment: true, data: ByteBuffer(bytes: hex("AABBCCDD"))),
            PresentationDataValue(
                contextID: 1, isCommand: false, isLastFragment: false, data: ByteBuffer(bytes: hex("EEFF"))),
        ])
        XCTAssertEqual(try PDUParser.parse(bytes: bytes), expected)
        XCTAssertEqual(encode(expected), bytes)
    }

    /// A-RELEASE-RQ and -RP: 4 reserved bytes.
    func testReleaseFixtures() throws {
        XCTAssertEqual(try PDUParser.parse(bytes: hex("05 00 00000004 00000000")), .releaseRQ)
        XCTAssertEqual(try PDUParser.parse(bytes: hex("06 00 00000004 00000000")), .releaseRP)
        XCTAssertEqual(encode(.releaseRQ), hex("05 00 00000004 00000000"))
        XCTAssertEqual(encode(.releaseRP), hex("06 00 00000004 00000000"))
    }

    /// A-ABORT source 2 (service provider) reason 6 (invalid PDU parameter value): source is byte 8,
    /// reason byte 9 (dicom-rs once swapped these, PR #257).
    func testAbortFixtureByteLayout() throws {
        let bytes = hex("07 00 00000004 | 00 00 02 06")
        XCTAssertEqual(
            try PDUParser.parse(bytes: bytes),
            .abort(AbortPDU(source: .serviceProvider, reason: .invalidPDUParameterValue)))
        XCTAssertEqual(encode(.abort(AbortPDU(source: 2, reason: 6))), bytes)
    }

    /// AE titles and UIDs padded with NULs or spaces (pynetdicom #240) are trimmed.
    func testPaddedUIDsAndAETitlesAreTrimmed() throws {
        let bytes = pdu(
            0x01,
            be16(1) + [0, 0] + aeTitle("  SCP") + ascii("SCU") + Array(repeating: 0, count: 13)
                + Array(repeating: 0, count: 32)
                + item(0x10, ascii("1.2.840.10008.3.1.1.1") + [0])
                + item(
                    0x20,
                    [1, 0, 0, 0] + item(0x30, ascii("1.2.840.10008.1.1") + [0])
                        + item(0x40, ascii("1.2.840.10008.1.2") + [0x20]))
                + item(0x50, item(0x52, ascii("1.2.3") + [0])))
        guard case .associateRQ(let rq) = try PDUParser.parse(bytes: bytes) else { return XCTFail("not an RQ") }
        XCTAssertEqual(rq.calledAETitle, "SCP")
        XCTAssertEqual(rq.callingAETitle, "SCU")
        XCTAssertEqual(rq.applicationContextName, "1.2.840.10008.3.1.1.1")
        XCTAssertEqual(rq.presentationContexts.first?.abstractSyntax, "1.2.840.10008.1.1")
        XCTAssertEqual(rq.presentationContexts.first?.transferSyntaxes, ["1.2.840.10008.1.2"])
        XCTAssertEqual(rq.userInformation.implementationClassUID, "1.2.3")
    }
}
