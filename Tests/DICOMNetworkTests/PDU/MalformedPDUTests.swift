import NIOCore
import XCTest

@testable import DICOMNetwork

/// Malformed PDUs are errors naming field and offset, never crashes, and map to the A-ABORT reason to send.
final class MalformedPDUTests: XCTestCase {
    private func parseError(_ bytes: [UInt8], file: StaticString = #filePath, line: UInt = #line) -> PDUParseError? {
        do {
            _ = try PDUParser.parse(bytes: bytes)
            XCTFail("expected a parse error", file: file, line: line)
            return nil
        } catch let error as PDUParseError {
            return error
        } catch {
            XCTFail("unexpected error \(error)", file: file, line: line)
            return nil
        }
    }

    func testUnknownPDUTypeIsUnrecognizedPDU() {
        let error = parseError(hex("09 00 00000004 00000000"))
        XCTAssertEqual(error?.abortReason, .unrecognizedPDU)
        XCTAssertEqual(error?.offset, 0)
    }

    func testPDVItemLengthBelowTwoIsRejected() {
        // PDV item-length 1: no room for context ID + message control header.
        let error = parseError(hex("04 00 00000005 | 00000001 01"))
        XCTAssertEqual(error?.field, "PDV item-length")
        XCTAssertEqual(error?.offset, 6)
        XCTAssertTrue(error?.description.contains("at least 2") ?? false)
    }

    func testPDVItemLengthRunningPastThePDUIsRejected() {
        // PDV claims 0xFFFFFFF0 bytes inside a 10-byte PDU body: a lying length, no allocation.
        let error = parseError(hex("04 00 0000000A | FFFFFFF0 01 03 AABBCCDD"))
        XCTAssertEqual(error?.field, "PDV item-length")
        XCTAssertTrue(error?.description.contains("4294967280") ?? false)
    }

    func testEvenPresentationContextIDIsRejected() {
        let error = parseError(hex("04 00 00000008 | 00000004 02 03 AABB"))
        XCTAssertEqual(error?.field, "presentation-context-ID")
        XCTAssertEqual(error?.offset, 10)
    }

    func testEmptyPDataIsRejected() {
        XCTAssertNotNil(parseError(hex("04 00 00000000")))
    }

    func testFixedLengthPDUsWithWrongLengthAreRejected() {
        XCTAssertEqual(parseError(hex("05 00 00000002 0000"))?.field, "PDU-length")
        XCTAssertEqual(parseError(hex("07 00 00000005 0000020600"))?.field, "PDU-length")
        XCTAssertEqual(parseError(hex("03 00 00000003 000101"))?.field, "PDU-length")
    }

    func testItemRunningPastItsParentIsRejected() {
        // Presentation context item whose abstract syntax sub-item claims 0x0100 bytes.
        let bytes = pdu(
            0x01,
            be16(1) + [0, 0] + aeTitle("A") + aeTitle("B") + Array(repeating: 0, count: 32)
                + item(0x10, ascii("1.2.840.10008.3.1.1.1"))
                + item(0x20, [1, 0, 0, 0] + [0x30, 0, 0x01, 0x00] + ascii("1.2"))
                + item(0x50, []))
        let error = parseError(bytes)
        XCTAssertTrue(error?.field.contains("sub-item 0x30") ?? false, "\(String(describing: error))")
        XCTAssertEqual(error?.offset, 74 + 4 + 21 + 4 + 4 + 4)
    }

    func testTopLevelItemRunningPastThePDUIsRejected() {
        let bytes = pdu(
            0x01,
            be16(1) + [0, 0] + aeTitle("A") + aeTitle("B") + Array(repeating: 0, count: 32)
                + [0x10, 0, 0xFF, 0xFF] + ascii("1.2"))
        XCTAssertNotNil(parseError(bytes))
    }

    func testTruncatedFixedPartIsRejected() {
        XCTAssertNotNil(parseError(pdu(0x01, be16(1) + [0, 0] + aeTitle("A"))))
    }

    func testMoreThan128PresentationContextsAreRejected() {
        var body =
            be16(1) + [0, 0] + aeTitle("A") + aeTitle("B") + Array(repeating: 0, count: 32)
            + item(0x10, ascii("1.2.840.10008.3.1.1.1"))
        for i in 0..<129 {
            body += item(
                0x20,
                [UInt8(truncatingIfNeeded: 2 * i + 1), 0, 0, 0] + item(0x30, ascii("1.2"))
                    + item(0x40, ascii("1.2.840.10008.1.2")))
        }
        body += item(0x50, [])
        XCTAssertTrue(parseError(pdu(0x01, body))?.description.contains("128") ?? false)
    }

    func testOddContextIDInRequestRequired() {
        let bytes = pdu(
            0x01,
            be16(1) + [0, 0] + aeTitle("A") + aeTitle("B") + Array(repeating: 0, count: 32)
                + item(0x10, ascii("1.2.840.10008.3.1.1.1"))
                + item(0x20, [4, 0, 0, 0] + item(0x30, ascii("1.2")) + item(0x40, ascii("1.2.840.10008.1.2")))
                + item(0x50, []))
        XCTAssertEqual(parseError(bytes)?.field, "presentation-context-ID")
    }

    func testMissingUserInformationIsRejected() {
        let bytes = pdu(
            0x01,
            be16(1) + [0, 0] + aeTitle("A") + aeTitle("B") + Array(repeating: 0, count: 32)
                + item(0x10, ascii("1.2.840.10008.3.1.1.1"))
                + item(0x20, [1, 0, 0, 0] + item(0x30, ascii("1.2")) + item(0x40, ascii("1.2.840.10008.1.2"))))
        XCTAssertEqual(parseError(bytes)?.field, "user information item")
    }

    /// PS3.8 §9.3.3: an A-ASSOCIATE-AC carries exactly one application context and one user information item,
    /// as an RQ does; a second one is rejected instead of silently replacing the first.
    func testDuplicateItemsInAnAcceptAreRejectedAsInARequest() {
        let fixed = be16(1) + [0, 0] + aeTitle("A") + aeTitle("B") + Array(repeating: 0, count: 32)
        let context = item(0x21, [1, 0, 0, 0] + item(0x40, ascii("1.2.840.10008.1.2")))
        let application = item(0x10, ascii("1.2.840.10008.3.1.1.1"))
        for (pduType, body) in [
            (UInt8(0x02), fixed + application + application + context + item(0x50, [])),
            (UInt8(0x02), fixed + application + context + item(0x50, []) + item(0x50, [])),
            (
                UInt8(0x01),
                fixed + application + application
                    + item(0x20, [1, 0, 0, 0] + item(0x30, ascii("1.2")) + item(0x40, ascii("1.2.840.10008.1.2")))
                    + item(0x50, [])
            ),
        ] {
            let error = parseError(pdu(pduType, body))
            XCTAssertEqual(error?.found, "a second one", "PDU type \(pduType)")
        }
    }

    func testMaximumLengthSubItemWithWrongLengthIsRejected() {
        let bytes = pdu(
            0x01,
            be16(1) + [0, 0] + aeTitle("A") + aeTitle("B") + Array(repeating: 0, count: 32)
                + item(0x10, ascii("1.2.840.10008.3.1.1.1"))
                + item(0x20, [1, 0, 0, 0] + item(0x30, ascii("1.2")) + item(0x40, ascii("1.2.840.10008.1.2")))
                + item(0x50, item(0x51, [0, 0])))
        XCTAssertNotNil(parseError(bytes))
    }

    /// Every truncation of a valid RQ is an error, never a crash.
    func testEveryTruncationOfAValidRequestFailsCleanly() throws {
        let rq = try AssociationRequestor.makeRequest(
            callingAETitle: "A", calledAETitle: "B",
            contexts: [
                ProposedPresentationContext(
                    abstractSyntax: "1.2.840.10008.1.1", transferSyntaxes: ["1.2.840.10008.1.2"],
                    role: .scuAndSCP)
            ],
            maximumPDULength: 16384)
        let bytes = encode(.associateRQ(rq))
        for cut in 6..<bytes.count {
            var truncated = Array(bytes[..<cut])
            truncated.replaceSubrange(2..<6, with: be32(cut - 6))
            XCTAssertThrowsError(try PDUParser.parse(bytes: truncated), "cut at \(cut)")
        }
    }
}
