import NIOCore
import XCTest

@testable import DICOMNetwork

/// Command sets as real peers encode them. The pynetdicom fixtures were produced at test-writing time with
/// pynetdicom's `dimse_messages.*.primitive_to_message` + `dsutils.encode(command_set, True, True)`; the DCMTK
/// fixture was captured from `/usr/bin/echoscu` (DCMTK 3.6.7) by a pynetdicom SCP's EVT_DATA_RECV handler.
final class DIMSEMessageFixtureTests: XCTestCase {
    /// Decodes the fixture, checks the typed message, and checks that re-encoding gives the same bytes.
    private func assertRoundTrip<M: DIMSECommandMessage>(
        _ hex: String, as type: M.Type, expected: M,
        file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let set = try CommandSet(decoding: dimseBytes(hex: hex))
        let decoded = try M(commandSet: set)
        XCTAssertEqual(decoded, expected, file: file, line: line)
        XCTAssertEqual(dimseHex(expected.commandSet.encoded()), hex, "re-encoding differs", file: file, line: line)
        let dispatched = try DIMSEMessage(commandSet: set)
        XCTAssertEqual(dispatched.commandField, M.commandField, file: file, line: line)
        XCTAssertEqual(dispatched.hasDataSet, expected.hasDataSet, file: file, line: line)
    }

    func testCEchoRQFromPynetdicom() throws {
        // pynetdicom C-ECHO-RQ, MessageID 7
        try assertRoundTrip(
            "0000000004000000380000000000020012000000312e322e3834302e31303030382e312e31000000000102"
                + "00000030000000100102000000070000000008020000000101", as: CEchoRQ.self,
            expected: CEchoRQ(messageID: 7))
    }

    func testCEchoRSP() throws {
        // pynetdicom C-ECHO-RSP to MessageID 7, Success
        try assertRoundTrip(
            "0000000004000000420000000000020012000000312e322e3834302e31303030382e312e31000000000102"
                + "0000003080000020010200000007000000000802000000010100000009020000000000",
            as: CEchoRSP.self, expected: CEchoRSP(messageIDBeingRespondedTo: 7, status: .success))
    }

    func testCStoreRQWithMoveOriginatorAndPaddedAETitle() throws {
        // pynetdicom C-STORE-RQ, CT Image Storage, MessageID 3, LOW priority, Move Originator "MOVESCU " / 9
        try assertRoundTrip(
            "000000000400000076000000000002001a000000312e322e3834302e31303030382e352e312e342e312e31"
                + "2e320000000001020000000100000010010200000003000000000702000000020000000008020000000100000000100a000000"
                + "312e322e332e342e350000003010080000004d4f56455343552000003110020000000900", as: CStoreRQ.self,
            expected: CStoreRQ(
                messageID: 3, affectedSOPClassUID: "1.2.840.10008.5.1.4.1.1.2",
                affectedSOPInstanceUID: "1.2.3.4.5", priority: .low,
                moveOriginatorAETitle: "MOVESCU", moveOriginatorMessageID: 9))
    }

    func testCStoreRSPWarning() throws {
        // pynetdicom C-STORE-RSP to MessageID 3, status 0xB000
        try assertRoundTrip(
            "00000000040000005c000000000002001a000000312e322e3834302e31303030382e352e312e342e312e31"
                + "2e3200000000010200000001800000200102000000030000000008020000000101000000090200000000b0000000100a000000"
                + "312e322e332e342e3500", as: CStoreRSP.self,
            expected: CStoreRSP(
                messageIDBeingRespondedTo: 3, status: DIMSEStatus(0xB000),
                affectedSOPClassUID: "1.2.840.10008.5.1.4.1.1.2", affectedSOPInstanceUID: "1.2.3.4.5"))
    }

    func testCFindRQ() throws {
        // pynetdicom C-FIND-RQ, Study Root FIND, MessageID 1, MEDIUM; identifier follows (0x0001)
        try assertRoundTrip(
            "00000000040000004c000000000002001c000000312e322e3834302e31303030382e352e312e342e312e32"
                + "2e322e310000000001020000002000000010010200000001000000000702000000000000000008020000000100",
            as: CFindRQ.self, expected: CFindRQ(messageID: 1, affectedSOPClassUID: "1.2.840.10008.5.1.4.1.2.2.1"))
    }

    func testCFindRSPPendingAndFinal() throws {
        // pynetdicom C-FIND-RSP pending (0xFF00, identifier follows) and final success (no identifier)
        try assertRoundTrip(
            "00000000040000004c000000000002001c000000312e322e3834302e31303030382e352e312e342e312e32"
                + "2e322e3100000000010200000020800000200102000000010000000008020000000100000000090200000000ff",
            as: CFindRSP.self,
            expected: CFindRSP(
                messageIDBeingRespondedTo: 1, status: .pending,
                affectedSOPClassUID: "1.2.840.10008.5.1.4.1.2.2.1"))
        try assertRoundTrip(
            "00000000040000004c000000000002001c000000312e322e3834302e31303030382e352e312e342e312e32"
                + "2e322e310000000001020000002080000020010200000001000000000802000000010100000009020000000000",
            as: CFindRSP.self,
            expected: CFindRSP(
                messageIDBeingRespondedTo: 1, status: .success,
                affectedSOPClassUID: "1.2.840.10008.5.1.4.1.2.2.1"))
    }

    func testCMoveRQ() throws {
        // pynetdicom C-MOVE-RQ, Study Root MOVE, MessageID 5, HIGH, Move Destination "STORESCP"
        try assertRoundTrip(
            "00000000040000005c000000000002001c000000312e322e3834302e31303030382e352e312e342e312e32"
                + "2e322e32000000000102000000210000001001020000000500000000060800000053544f52455343500000000702000000010000"
                + "000008020000000100", as: CMoveRQ.self,
            expected: CMoveRQ(
                messageID: 5, affectedSOPClassUID: "1.2.840.10008.5.1.4.1.2.2.2",
                moveDestination: "STORESCP", priority: .high))
    }

    func testCMoveRSPPendingWithCounters() throws {
        // pynetdicom C-MOVE-RSP pending: remaining 3, completed 1, failed 0, warning 0; no identifier
        try assertRoundTrip(
            "000000000400000074000000000002001c000000312e322e3834302e31303030382e352e312e342e312e32"
                + "2e322e3200000000010200000021800000200102000000050000000008020000000101000000090200000000ff00002010020000"
                + "000300000021100200000001000000221002000000000000002310020000000000", as: CMoveRSP.self,
            expected: CMoveRSP(
                messageIDBeingRespondedTo: 5, status: .pending,
                affectedSOPClassUID: "1.2.840.10008.5.1.4.1.2.2.2",
                subOperations: SubOperationCounts(remaining: 3, completed: 1, failed: 0, warning: 0)))
    }

    func testCGetRQAndRSP() throws {
        // pynetdicom C-GET-RQ, Study Root GET, MessageID 6
        try assertRoundTrip(
            "00000000040000004c000000000002001c000000312e322e3834302e31303030382e352e312e342e312e32"
                + "2e322e330000000001020000001000000010010200000006000000000702000000000000000008020000000100",
            as: CGetRQ.self, expected: CGetRQ(messageID: 6, affectedSOPClassUID: "1.2.840.10008.5.1.4.1.2.2.3"))
        // pynetdicom C-GET-RSP final warning 0xB000: completed 2, failed 1, warning 0 (no remaining)
        try assertRoundTrip(
            "00000000040000006a000000000002001c000000312e322e3834302e31303030382e352e312e342e312e32"
                + "2e322e3300000000010200000010800000200102000000060000000008020000000101000000090200000000b000002110020000"
                + "0002000000221002000000010000002310020000000000", as: CGetRSP.self,
            expected: CGetRSP(
                messageIDBeingRespondedTo: 6, status: DIMSEStatus(0xB000),
                affectedSOPClassUID: "1.2.840.10008.5.1.4.1.2.2.3",
                subOperations: SubOperationCounts(completed: 2, failed: 1, warning: 0)))
    }

    func testCCancelRQ() throws {
        // pynetdicom C-CANCEL-RQ for MessageID 5 (no Affected SOP Class UID)
        try assertRoundTrip(
            "00000000040000001e0000000000000102000000ff0f0000200102000000050000000008020000000101",
            as: CCancelRQ.self, expected: CCancelRQ(messageIDBeingRespondedTo: 5))
    }

    /// A whole P-DATA-TF PDU from DCMTK 3.6.7 echoscu: one command PDV (context 1, control header 0x03).
    func testDCMTKEchoPDUThroughAssembler() throws {
        let pdu =
            "04000000004a0000004601030000000004000000380000000000020012000000312e322e3834302e31303030382e"
            + "312e3100000000010200000030000000100102000000010000000008020000000101"
        var buffer = dimseBytes(hex: pdu)
        // Strip the PDU header and the PDV item header the Upper Layer would remove.
        buffer.moveReaderIndex(forwardBy: 6 + 4)
        let contextID = buffer.readInteger(as: UInt8.self)!
        let header = buffer.readInteger(as: UInt8.self)!
        let pdv = PresentationDataValue(
            contextID: contextID, isCommand: header & 1 == 1,
            isLastFragment: header & 2 == 2, data: buffer)
        var assembler = DIMSEMessageAssembler()
        let events = try assembler.receive(pdv)
        XCTAssertEqual(events.count, 2)
        guard case let .command(id, set) = events[0] else { return XCTFail("expected a command, got \(events)") }
        XCTAssertEqual(id, 1)
        XCTAssertEqual(events[1], .noDataSet)
        XCTAssertEqual(try DIMSEMessage(commandSet: set), .cEchoRQ(CEchoRQ(messageID: 1)))
        // Our writer produces the identical PDU for the same message.
        let ours = try DIMSEMessageFragmenter(peerMaxPDULength: 16384)
            .pdus(contextID: 1, command: CEchoRQ(messageID: 1).commandSet.encoded(), dataSet: nil)
        XCTAssertEqual(ours.map(dimseHex), [pdu])
    }

    /// DCMTK 3.6.7 `findscu -S -k QueryRetrieveLevel=STUDY -k PatientID=PAT1`: a command PDU then an identifier
    /// PDU (control header 0x02), as captured by a pynetdicom SCP; fed through the association's message assembler.
    func testDCMTKFindRequestWithIdentifier() throws {
        let pdus = [
            "04000000005e0000005a010300000000040000004c000000000002001c000000312e322e3834302e31303030382e352e312e34"
                + "2e312e322e322e310000000001020000002000000010010200000001000000000702000000000000000008020000000100",
            "0400000000200000001c01020800520006000000535455445920100020000400000050415431",
        ]
        var assembler = ReceivedMessages()
        var messages: [DIMSEReceivedMessage] = []
        for hex in pdus {
            var buffer = dimseBytes(hex: hex)
            buffer.moveReaderIndex(forwardBy: 6)
            while buffer.readableBytes > 0 {
                let length = Int(buffer.readInteger(endianness: .big, as: UInt32.self)!)
                let contextID = buffer.readInteger(as: UInt8.self)!
                let header = buffer.readInteger(as: UInt8.self)!
                let pdv = PresentationDataValue(
                    contextID: contextID, isCommand: header & 1 == 1,
                    isLastFragment: header & 2 == 2, data: buffer.readSlice(length: length - 2)!)
                if let message = try assembler.receive(pdv) { messages.append(message) }
            }
        }
        XCTAssertEqual(messages.count, 1)
        let request = try CFindRQ(commandSet: messages[0].commandSet)
        XCTAssertEqual(request, CFindRQ(messageID: 1, affectedSOPClassUID: "1.2.840.10008.5.1.4.1.2.2.1"))
        // Implicit VR LE identifier: (0008,0052) "STUDY " and (0010,0020) "PAT1".
        XCTAssertEqual(messages[0].dataSet.map(dimseHex), "0800520006000000535455445920100020000400000050415431")
        let response = CFindRSP(respondingTo: request, status: .pending)
        XCTAssertEqual(response.messageIDBeingRespondedTo, 1)
        XCTAssertTrue(response.hasIdentifier)
        XCTAssertFalse(CFindRSP(respondingTo: request, status: .success).hasIdentifier)
    }

    func testDispatchRejectsNServicesAndWrongField() throws {
        var set = CommandSet()
        set.setUnsignedShort(CommandField.nGetRQ.rawValue, for: .commandField)
        XCTAssertThrowsError(try DIMSEMessage(commandSet: set)) { error in
            XCTAssertEqual(error as? CommandSetError, .unsupportedCommandField(0x0110))
        }
        XCTAssertThrowsError(try CEchoRSP(commandSet: CEchoRQ(messageID: 1).commandSet)) { error in
            XCTAssertEqual(error as? CommandSetError, .unexpectedCommandField(expected: 0x8030, actual: 0x0030))
        }
        var noStatus = CEchoRSP(messageIDBeingRespondedTo: 1).commandSet
        noStatus.removeValue(for: .status)
        XCTAssertThrowsError(try CEchoRSP(commandSet: noStatus)) { error in
            XCTAssertEqual(error as? CommandSetError, .missingElement(.status, message: "C-ECHO-RSP"))
            XCTAssertTrue("\(error)".contains("(0000,0900) Status"), "\(error)")
        }
    }

    func testAllMessagesRoundTripThroughDispatch() throws {
        let messages: [DIMSEMessage] = [
            .cEchoRQ(CEchoRQ(messageID: 1)),
            .cEchoRSP(CEchoRSP(messageIDBeingRespondedTo: 1, status: .processingFailure, errorComment: "odd")),
            .cStoreRQ(CStoreRQ(messageID: 2, affectedSOPClassUID: "1.2.3", affectedSOPInstanceUID: "1.2.3.4")),
            .cStoreRSP(
                CStoreRSP(
                    messageIDBeingRespondedTo: 2, status: DIMSEStatus(0xA900), affectedSOPClassUID: nil,
                    affectedSOPInstanceUID: nil, offendingElements: [0x0010_0020, 0x7FE0_0010],
                    errorComment: "bad")),
            .cFindRQ(CFindRQ(messageID: 3, affectedSOPClassUID: "1.2.840.10008.5.1.4.1.2.1.1", priority: .high)),
            .cFindRSP(
                CFindRSP(
                    messageIDBeingRespondedTo: 3, status: .pendingWithUnsupportedOptionalKeys,
                    affectedSOPClassUID: nil)),
            .cMoveRQ(CMoveRQ(messageID: 4, affectedSOPClassUID: "1.2", moveDestination: "A")),
            .cMoveRSP(
                CMoveRSP(
                    messageIDBeingRespondedTo: 4, status: .cancel, affectedSOPClassUID: "1.2",
                    subOperations: SubOperationCounts(remaining: 5, completed: 1, failed: 0, warning: 0),
                    hasIdentifier: true)),
            .cGetRQ(CGetRQ(messageID: 5, affectedSOPClassUID: "1.2", priority: .low)),
            .cGetRSP(CGetRSP(messageIDBeingRespondedTo: 5, status: .success, affectedSOPClassUID: nil)),
            .cCancelRQ(CCancelRQ(messageIDBeingRespondedTo: 4)),
        ]
        for message in messages {
            let decoded = try DIMSEMessage(commandSet: CommandSet(decoding: message.commandSet.encoded()))
            XCTAssertEqual(decoded, message)
        }
    }

    func testDataSetTypeVariantsMeanPresent() throws {
        for value: UInt16 in [0x0000, 0x0001, 0x0102, 0xFFFF] {
            var set = CFindRSP(messageIDBeingRespondedTo: 1, status: .pending, affectedSOPClassUID: nil).commandSet
            set.setUnsignedShort(value, for: .commandDataSetType)
            XCTAssertTrue(try CFindRSP(commandSet: set).hasIdentifier, "0x\(String(value, radix: 16))")
            XCTAssertTrue(set.hasDataSet)
        }
        var set = CFindRSP(messageIDBeingRespondedTo: 1, status: .success, affectedSOPClassUID: nil).commandSet
        XCTAssertEqual(try set.unsignedShort(.commandDataSetType), 0x0101)
        XCTAssertFalse(try CFindRSP(commandSet: set).hasIdentifier)
        set.setUnsignedShort(0x0102, for: .commandDataSetType)
        XCTAssertTrue(try CFindRSP(commandSet: set).hasIdentifier)
        // We send 0x0001 for "present".
        XCTAssertEqual(
            try CStoreRQ(messageID: 1, affectedSOPClassUID: "1", affectedSOPInstanceUID: "2")
                .commandSet.unsignedShort(.commandDataSetType), 0x0001)
    }
}
