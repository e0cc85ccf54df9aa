import NIOCore
import XCTest

@testable import DICOMNetwork

final class DIMSEMessageFragmenterTests: XCTestCase {
    private let command = CStoreRQ(
        messageID: 1, affectedSOPClassUID: "1.2.840.10008.5.1.4.1.1.2",
        affectedSOPInstanceUID: "1.2.3"
    ).commandSet.encoded()

    /// Parses P-DATA-TF PDUs back into PDVs, checking each PDU's length field and the peer's limit.
    private func parsePDUs(
        _ pdus: [ByteBuffer], maxPDULength: Int,
        file: StaticString = #filePath, line: UInt = #line
    ) -> [PresentationDataValue] {
        var result: [PresentationDataValue] = []
        for var pdu in pdus {
            XCTAssertEqual(pdu.readInteger(as: UInt8.self), 0x04, file: file, line: line)
            XCTAssertEqual(pdu.readInteger(as: UInt8.self), 0x00, file: file, line: line)
            let length = Int(pdu.readInteger(endianness: .big, as: UInt32.self)!)
            XCTAssertEqual(length, pdu.readableBytes, "PDU length field", file: file, line: line)
            XCTAssertLessThanOrEqual(length, maxPDULength, "PDU exceeds the peer's maximum", file: file, line: line)
            while pdu.readableBytes > 0 {
                let itemLength = Int(pdu.readInteger(endianness: .big, as: UInt32.self)!)
                let context = pdu.readInteger(as: UInt8.self)!
                let header = pdu.readInteger(as: UInt8.self)!
                let data = pdu.readSlice(length: itemLength - 2)!
                result.append(
                    PresentationDataValue(
                        contextID: context, isCommand: header & 1 == 1,
                        isLastFragment: header & 2 == 2, data: data))
            }
        }
        return result
    }

    func testPDUsRespectMaxLengthAroundBoundaries() throws {
        for maxPDU: UInt32 in [4096, 16384, 131_072] {
            let fragmenter = try DIMSEMessageFragmenter(peerMaxPDULength: maxPDU)
            XCTAssertEqual(fragmenter.maxFragmentLength, Int(maxPDU) - 6)
            let full = fragmenter.maxFragmentLength
            for size in [
                0, 1, 2, full - 1, full, full + 1, full + 2, 2 * full - 1, 2 * full, 2 * full + 1, 3 * full + 7,
            ] {
                var random = DIMSETestRandom(state: UInt64(size))
                let dataSet = random.bytes(size)
                let pdus = fragmenter.pdus(contextID: 3, command: command, dataSet: dataSet)
                let pdvs = parsePDUs(pdus, maxPDULength: Int(maxPDU))
                let data = pdvs.filter { !$0.isCommand }
                XCTAssertEqual(data.count, max(1, (size + full - 1) / full), "max \(maxPDU) size \(size)")
                XCTAssertTrue(data.dropLast().allSatisfy { $0.data.readableBytes % 2 == 0 && !$0.isLastFragment })
                XCTAssertEqual(data.last?.isLastFragment, true)
                XCTAssertEqual(pdvs.first?.isCommand, true)
                XCTAssertTrue(pdvs.allSatisfy { $0.contextID == 3 })
                var joined = ByteBuffer()
                for pdv in data {
                    var bytes = pdv.data
                    joined.writeBuffer(&bytes)
                }
                XCTAssertEqual(joined, dataSet, "max \(maxPDU) size \(size)")
            }
        }
    }

    func testOddMaximumGivesEvenFragments() throws {
        let fragmenter = try DIMSEMessageFragmenter(peerMaxPDULength: 4097)
        XCTAssertEqual(fragmenter.maxFragmentLength, 4090)
        let pdvs = fragmenter.dataSetPDVs(contextID: 1, dataSet: ByteBuffer(repeating: 7, count: 9000))
        XCTAssertEqual(pdvs.map { $0.data.readableBytes }, [4090, 4090, 820])
        // A command larger than one PDU is fragmented too, with the command bit on every fragment.
        let tiny = try DIMSEMessageFragmenter(peerMaxPDULength: 16)
        let commandPDVs = tiny.commandPDVs(contextID: 1, command: command)
        XCTAssertTrue(commandPDVs.allSatisfy { $0.isCommand && $0.data.readableBytes <= 10 })
        XCTAssertEqual(commandPDVs.filter(\.isLastFragment).count, 1)
    }

    func testUnlimitedAndHugeMaximumAreCapped() throws {
        XCTAssertEqual(try DIMSEMessageFragmenter(peerMaxPDULength: 0).maxPDULength, 131_072)
        XCTAssertEqual(try DIMSEMessageFragmenter(peerMaxPDULength: UInt32.max).maxPDULength, 131_072)
        XCTAssertEqual(try DIMSEMessageFragmenter(peerMaxPDULength: 0, cap: 65_536).maxPDULength, 65_536)
        let pdus = try DIMSEMessageFragmenter(peerMaxPDULength: 0)
            .pdus(contextID: 1, command: command, dataSet: ByteBuffer(repeating: 1, count: 300_000))
        _ = parsePDUs(pdus, maxPDULength: 131_072)
        XCTAssertThrowsError(try DIMSEMessageFragmenter(peerMaxPDULength: 7)) {
            XCTAssertEqual($0 as? DIMSEFragmentationError, .maxPDULengthTooSmall(7, minimum: 8))
        }
        XCTAssertEqual(try DIMSEMessageFragmenter(peerMaxPDULength: 8).maxFragmentLength, 2)
    }

    func testPDataTFLayout() {
        let pdvs = [
            PresentationDataValue(
                contextID: 1, isCommand: true, isLastFragment: true, data: ByteBuffer(bytes: [0xAA, 0xBB])),
            PresentationDataValue(
                contextID: 1, isCommand: false, isLastFragment: false, data: ByteBuffer(bytes: [0xCC])),
        ]
        XCTAssertEqual(PDataTFWriter.pduLength(of: pdvs), 6 + 2 + 6 + 1)
        XCTAssertEqual(
            dimseHex(PDataTFWriter.encode(pdvs)),
            "04" + "00" + "0000000f" + "00000004" + "01" + "03" + "aabb" + "00000003" + "01" + "00" + "cc")
    }

    /// The header-and-fragment form written without a copy is byte for byte the one-buffer PDU, and its
    /// second buffer is the fragment's own storage.
    func testInPlacePDataTFIsTheSameBytesWithoutCopyingTheFragment() {
        var chunk = ByteBufferAllocator().buffer(capacity: 64)
        chunk.writeBytes((0..<40).map { UInt8($0) })
        for (isCommand, isLast) in [(true, true), (false, false), (false, true)] {
            let pdv = PresentationDataValue(
                contextID: 7, isCommand: isCommand, isLastFragment: isLast,
                data: chunk.getSlice(at: 3, length: 33)!)
            let parts = PDataTFWriter.encodeInPlace(pdv)
            XCTAssertEqual(parts.count, 2)
            var joined = parts[0]
            var fragment = parts[1]
            joined.writeBuffer(&fragment)
            XCTAssertEqual(dimseHex(joined), dimseHex(PDataTFWriter.encode([pdv])))
            XCTAssertEqual(parts[0].readableBytes, 12)
            parts[1].withUnsafeReadableBytes { fragmentBytes in
                chunk.withUnsafeReadableBytes { chunkBytes in
                    XCTAssertEqual(fragmentBytes.baseAddress, chunkBytes.baseAddress! + 3, "the fragment is not copied")
                }
            }
        }
    }

    func testStreamingFragmenterMatchesWholeBufferFragmentation() throws {
        let fragmenter = try DIMSEMessageFragmenter(peerMaxPDULength: 4096)
        var random = DIMSETestRandom(state: 42)
        for size in [0, 1, 4089, 4090, 4091, 8180, 20_001] {
            let dataSet = random.bytes(size)
            var stream = fragmenter.dataSetStream(contextID: 9)
            var chunks = dataSet
            var streamed: [PresentationDataValue] = []
            while chunks.readableBytes > 0 {
                let chunk = chunks.readSlice(length: min(1 + random.next(upTo: 5000), chunks.readableBytes))!
                streamed += stream.append(chunk)
            }
            streamed += stream.finish()
            XCTAssertEqual(streamed, fragmenter.dataSetPDVs(contextID: 9, dataSet: dataSet), "size \(size)")
        }
    }

    /// assembler(fragmenter(x)) == x for random commands and data sets.
    func testAssemblerReassemblesWhatFragmenterSplits() throws {
        var random = DIMSETestRandom(state: 2024)
        for round in 0..<40 {
            let maxPDU = UInt32([8, 64, 4096, 16384, 0][round % 5])
            let fragmenter = try DIMSEMessageFragmenter(peerMaxPDULength: maxPDU)
            let hasData = round % 3 != 0
            let message: DIMSEMessage =
                hasData
                ? .cStoreRQ(
                    CStoreRQ(
                        messageID: UInt16(round + 1), affectedSOPClassUID: "1.2.840.10008.5.1.4.1.1.4",
                        affectedSOPInstanceUID: "2.25.\(random.next())", priority: .high,
                        moveOriginatorAETitle: "ORIG\(round)", moveOriginatorMessageID: 77))
                : .cMoveRSP(
                    CMoveRSP(
                        messageIDBeingRespondedTo: UInt16(round), status: .pending,
                        affectedSOPClassUID: "1.2",
                        subOperations: SubOperationCounts(
                            remaining: UInt16(round), completed: 1, failed: 2, warning: 3)))
            let dataSet = hasData ? random.bytes(random.next(upTo: maxPDU == 8 ? 3_000 : 70_000)) : nil
            let pdus = fragmenter.pdus(contextID: 11, command: message.commandSet.encoded(), dataSet: dataSet)
            let pdvs = parsePDUs(pdus, maxPDULength: Int(fragmenter.maxPDULength))

            var messages = ReceivedMessages(maxDataSetLength: 100_000)
            var received: [DIMSEReceivedMessage] = []
            for pdv in pdvs { if let done = try messages.receive(pdv) { received.append(done) } }
            XCTAssertEqual(received.count, 1, "round \(round)")
            XCTAssertEqual(received.first?.contextID, 11)
            XCTAssertEqual(try received.first.map { try DIMSEMessage(commandSet: $0.commandSet) }, message)
            XCTAssertEqual(received.first?.dataSet, dataSet, "round \(round)")
        }
    }
}
