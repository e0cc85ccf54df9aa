import NIOCore
import XCTest

@testable import DICOMNetwork

final class DIMSEMessageAssemblerTests: XCTestCase {
    private let store = CStoreRQ(
        messageID: 3, affectedSOPClassUID: "1.2.840.10008.5.1.4.1.1.7",
        affectedSOPInstanceUID: "1.2.3.4")

    private func pdv(_ context: UInt8, command: Bool, last: Bool, _ bytes: ByteBuffer) -> PresentationDataValue {
        PresentationDataValue(contextID: context, isCommand: command, isLastFragment: last, data: bytes)
    }

    private func splitCommand(_ set: CommandSet, context: UInt8, pieces: Int) -> [PresentationDataValue] {
        var bytes = set.encoded()
        let size = (bytes.readableBytes + pieces - 1) / pieces
        var result: [PresentationDataValue] = []
        while bytes.readableBytes > 0 {
            let slice = bytes.readSlice(length: min(size, bytes.readableBytes))!
            result.append(pdv(context, command: true, last: bytes.readableBytes == 0, slice))
        }
        return result
    }

    func testCommandSplitOverManyPDVsThenStreamedDataSet() throws {
        var assembler = DIMSEMessageAssembler()
        let commandPDVs = splitCommand(store.commandSet, context: 5, pieces: 7)
        for pdv in commandPDVs.dropLast() {
            XCTAssertEqual(try assembler.receive(pdv), [], "no event before the last command fragment")
        }
        let events = try assembler.receive(commandPDVs.last!)
        XCTAssertEqual(events, [.command(contextID: 5, commandSet: store.commandSet)])
        XCTAssertFalse(assembler.isIdle)

        var random = DIMSETestRandom(state: 1)
        let dataSet = random.bytes(10_001)
        var remaining = dataSet
        var received = ByteBuffer()
        var fragments = 0
        while remaining.readableBytes > 0 {
            let slice = remaining.readSlice(length: min(1 + random.next(upTo: 900), remaining.readableBytes))!
            let isLast = remaining.readableBytes == 0
            let events = try assembler.receive(pdv(5, command: false, last: isLast, slice))
            XCTAssertEqual(events, [.dataFragment(slice, isLast: isLast)], "each fragment is passed on as it arrives")
            var copy = slice
            received.writeBuffer(&copy)
            fragments += 1
        }
        XCTAssertGreaterThan(fragments, 10)
        XCTAssertEqual(received, dataSet)
        XCTAssertTrue(assembler.isIdle)

        // The next message may use another context.
        let echo = try assembler.receive(pdv(7, command: true, last: true, CEchoRQ(messageID: 4).commandSet.encoded()))
        XCTAssertEqual(echo, [.command(contextID: 7, commandSet: CEchoRQ(messageID: 4).commandSet), .noDataSet])
    }

    func testDataBeforeCommandIsRejected() {
        var assembler = DIMSEMessageAssembler()
        XCTAssertThrowsError(try assembler.receive(pdv(1, command: false, last: true, ByteBuffer(bytes: [0, 0])))) {
            XCTAssertEqual($0 as? DIMSEAssemblyError, .dataSetBeforeCommand(contextID: 1))
        }
        // Data in the middle of a command.
        var midCommand = DIMSEMessageAssembler()
        let parts = splitCommand(store.commandSet, context: 1, pieces: 2)
        XCTAssertNoThrow(try midCommand.receive(parts[0]))
        XCTAssertThrowsError(try midCommand.receive(pdv(1, command: false, last: true, ByteBuffer(bytes: [0, 0])))) {
            XCTAssertEqual($0 as? DIMSEAssemblyError, .dataSetBeforeCommand(contextID: 1))
        }
    }

    func testCommandWhileDataSetExpectedIsRejected() throws {
        var assembler = DIMSEMessageAssembler()
        _ = try assembler.receive(pdv(1, command: true, last: true, store.commandSet.encoded()))
        _ = try assembler.receive(pdv(1, command: false, last: false, ByteBuffer(bytes: [1, 2])))
        XCTAssertThrowsError(try assembler.receive(pdv(1, command: true, last: true, store.commandSet.encoded()))) {
            XCTAssertEqual($0 as? DIMSEAssemblyError, .commandWhileDataSetExpected(contextID: 1))
        }
    }

    func testContextChangeInTheMiddleOfAMessageIsRejected() throws {
        var duringCommand = DIMSEMessageAssembler()
        let parts = splitCommand(store.commandSet, context: 1, pieces: 2)
        _ = try duringCommand.receive(parts[0])
        XCTAssertThrowsError(try duringCommand.receive(pdv(3, command: true, last: true, parts[1].data))) {
            XCTAssertEqual($0 as? DIMSEAssemblyError, .contextChanged(expected: 1, actual: 3))
        }
        var duringData = DIMSEMessageAssembler()
        _ = try duringData.receive(pdv(1, command: true, last: true, store.commandSet.encoded()))
        XCTAssertThrowsError(try duringData.receive(pdv(3, command: false, last: true, ByteBuffer(bytes: [1, 2])))) {
            XCTAssertEqual($0 as? DIMSEAssemblyError, .contextChanged(expected: 1, actual: 3))
            XCTAssertTrue("\($0)".contains("context 1"), "\($0)")
        }
    }

    func testCommandSetLargerThanLimitIsRejected() throws {
        var assembler = DIMSEMessageAssembler(maxCommandSetLength: 100)
        let chunk = ByteBuffer(repeating: 0, count: 60)
        _ = try assembler.receive(pdv(1, command: true, last: false, chunk))
        XCTAssertThrowsError(try assembler.receive(pdv(1, command: true, last: false, chunk))) {
            XCTAssertEqual($0 as? DIMSEAssemblyError, .commandSetTooLarge(limit: 100, received: 120))
        }
        XCTAssertEqual(DIMSEMessageAssembler().maxCommandSetLength, 65_536)
    }

    func testDataSetAfterCommandThatDeclaredNoneIsRejected() throws {
        var assembler = DIMSEMessageAssembler()
        let echo = CEchoRQ(messageID: 1).commandSet.encoded()
        XCTAssertEqual(try assembler.receive(pdv(1, command: true, last: true, echo)).last, .noDataSet)
        XCTAssertThrowsError(try assembler.receive(pdv(1, command: false, last: true, ByteBuffer(bytes: [0, 0])))) {
            XCTAssertEqual(
                $0 as? DIMSEAssemblyError,
                .dataSetAfterCommandWithoutDataSet(contextID: 1, commandField: 0x0030))
        }
    }

    func testMalformedCommandSetIsReported() {
        var assembler = DIMSEMessageAssembler()
        let bad = dimseBytes(hex: "08005200020000004142")
        XCTAssertThrowsError(try assembler.receive(pdv(1, command: true, last: true, bad))) {
            XCTAssertEqual(
                $0 as? DIMSEAssemblyError,
                .invalidCommandSet(.elementOutsideCommandGroup(group: 8, element: 0x52, offset: 0)))
        }
    }

    func testAssemblerCollectsWholeMessagesWithinLimit() throws {
        var messages = ReceivedMessages(maxDataSetLength: 8)
        let find = CFindRQ(messageID: 2, affectedSOPClassUID: "1.2.840.10008.5.1.4.1.2.2.1")
        XCTAssertNil(try messages.receive(pdv(1, command: true, last: true, find.commandSet.encoded())))
        XCTAssertNil(try messages.receive(pdv(1, command: false, last: false, ByteBuffer(bytes: [1, 2, 3, 4]))))
        let message = try messages.receive(pdv(1, command: false, last: true, ByteBuffer(bytes: [5, 6])))
        XCTAssertEqual(
            message,
            DIMSEReceivedMessage(
                contextID: 1, commandSet: find.commandSet,
                dataSet: ByteBuffer(bytes: [1, 2, 3, 4, 5, 6])))
        let echo = try messages.receive(
            pdv(1, command: true, last: true, CEchoRQ(messageID: 3).commandSet.encoded()))
        XCTAssertEqual(echo?.dataSet, nil)
        XCTAssertEqual(echo.map { try? DIMSEMessage(commandSet: $0.commandSet) }, .cEchoRQ(CEchoRQ(messageID: 3)))

        _ = try messages.receive(pdv(1, command: true, last: true, find.commandSet.encoded()))
        _ = try messages.receive(pdv(1, command: false, last: false, ByteBuffer(bytes: [1, 2, 3, 4, 5, 6])))
        XCTAssertThrowsError(try messages.receive(pdv(1, command: false, last: true, ByteBuffer(bytes: [7, 8, 9])))) {
            XCTAssertEqual("\($0)", "data set larger than the in-memory limit of 8 bytes")
        }
    }
}
