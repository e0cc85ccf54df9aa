import XCTest

@testable import DICOMNetwork

final class DIMSEStatusTests: XCTestCase {
    func testCategories() {
        let expected: [(UInt16, DIMSEStatusCategory)] = [
            (0x0000, .success), (0xFF00, .pending), (0xFF01, .pending), (0xFE00, .cancel),
            (0xB000, .warning), (0xB007, .warning), (0xBFFF, .warning), (0x0107, .warning), (0x0116, .warning),
            (0x0001, .warning), (0xA700, .failure), (0xA701, .failure), (0xA702, .failure), (0xA801, .failure),
            (0xA900, .failure), (0xC000, .failure), (0xCFFF, .failure), (0x0110, .failure), (0x0122, .failure),
            (0x0124, .failure), (0x0213, .failure), (0xD000, .failure), (0xFE01, .failure), (0xFFFF, .failure),
        ]
        for (code, category) in expected {
            XCTAssertEqual(DIMSEStatus(code).category, category, "0x\(String(code, radix: 16))")
        }
    }

    func testNamedStatusesAndLiterals() {
        XCTAssertEqual(DIMSEStatus.moveDestinationUnknown, 0xA801)
        XCTAssertEqual(DIMSEStatus.cancel.category, .cancel)
        XCTAssertTrue(DIMSEStatus.pendingWithUnsupportedOptionalKeys.isPending)
        XCTAssertTrue(DIMSEStatus.success.isSuccess)
        XCTAssertEqual(DIMSEStatus(rawValue: 0xB000), .warningB000)
    }

    func testDescriptionsPerService() {
        XCTAssertEqual(DIMSEStatus(0xA801).description(for: .move), "0xA801 Refused: Move Destination unknown")
        XCTAssertEqual(DIMSEStatus(0xA801).description, "0xA801 Refused: Move Destination unknown")
        XCTAssertEqual(
            DIMSEStatus(0xA701).description(for: .get),
            "0xA701 Refused: out of resources, unable to calculate number of matches")
        XCTAssertEqual(
            DIMSEStatus(0xA702).description(for: .move),
            "0xA702 Refused: out of resources, unable to perform sub-operations")
        XCTAssertEqual(
            DIMSEStatus(0xA900).description(for: .find), "0xA900 Failed: identifier does not match SOP class")
        XCTAssertEqual(DIMSEStatus(0xA9FF).description(for: .store), "0xA9FF Error: data set does not match SOP class")
        XCTAssertEqual(DIMSEStatus(0xA7AB).description(for: .store), "0xA7AB Refused: out of resources")
        XCTAssertEqual(DIMSEStatus(0xC123).description(for: .store), "0xC123 Error: cannot understand")
        XCTAssertEqual(DIMSEStatus(0xC001).description(for: .find), "0xC001 Failed: unable to process")
        XCTAssertEqual(DIMSEStatus(0xB000).description(for: .store), "0xB000 Warning: coercion of data elements")
        XCTAssertEqual(
            DIMSEStatus(0xB000).description(for: .move),
            "0xB000 Warning: sub-operations complete, one or more failures or warnings")
        XCTAssertEqual(
            DIMSEStatus(0xFE00).description(for: .move),
            "0xFE00 Cancel: sub-operations terminated due to Cancel indication")
        XCTAssertEqual(DIMSEStatus(0xFE00).description, "0xFE00 Cancel")
        XCTAssertEqual(DIMSEStatus(0xFF00).description(for: .move), "0xFF00 Pending: sub-operations are continuing")
        XCTAssertEqual(
            DIMSEStatus(0xFF01).description(for: .find),
            "0xFF01 Pending: matches are continuing, one or more optional keys were not supported")
        XCTAssertEqual(DIMSEStatus(0x0000).description(for: .echo), "0x0000 Success")
        XCTAssertEqual(DIMSEStatus(0x0122).description(for: .store), "0x0122 Refused: SOP class not supported")
        XCTAssertEqual(DIMSEStatus(0x0211).description, "0x0211 Failure: unrecognized operation")
        // GET has no A801; an unknown code still says what category it is in.
        XCTAssertEqual(
            DIMSEStatus(0xA801).description(for: .get),
            "0xA801 Failure (code not described by the standard)")
        XCTAssertEqual(DIMSEStatus(0xD123).description, "0xD123 Failure (code not described by the standard)")
        XCTAssertEqual(
            DIMSEStatus(0xBEEF).description(for: .echo), "0xBEEF Warning (code not described by the standard)")
    }
}

final class MessageIDAllocatorTests: XCTestCase {
    func testCountsUpAndWrapsSkippingZero() {
        var ids = MessageIDAllocator()
        XCTAssertEqual(ids.allocate(), 1)
        XCTAssertEqual(ids.allocate(), 2)
        var nearEnd = MessageIDAllocator(first: 65534)
        XCTAssertEqual((0..<4).map { _ in nearEnd.allocate() }, [65534, 65535, 1, 2])
        var fromZero = MessageIDAllocator(first: 0)
        XCTAssertEqual(fromZero.allocate(), 1)
    }
}
