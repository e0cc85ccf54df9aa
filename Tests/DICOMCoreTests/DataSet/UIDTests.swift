import XCTest

@testable import DICOMCore

final class UIDTests: XCTestCase {
    func testGeneratedUIDsAreValidUniqueAndUnder2_25() {
        var seen = Set<String>()
        for _ in 0..<200 {
            let uid = UIDGenerator.make()
            XCTAssertTrue(uid.hasPrefix("2.25."))
            XCTAssertLessThanOrEqual(uid.count, 64)
            XCTAssertTrue(isValidUID(uid), uid)
            seen.insert(uid)
        }
        XCTAssertEqual(seen.count, 200)
    }

    func testUUIDDecimalConversion() {
        let uuid = UUID(uuidString: "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF")!
        XCTAssertEqual(UIDGenerator.decimalString(of: uuid), "340282366920938463463374607431768211455")
        XCTAssertEqual(UIDGenerator.decimalString(of: UUID(uuidString: "00000000-0000-0000-0000-00000000000A")!), "10")
    }

    func testUIDValidation() {
        XCTAssertTrue(isValidUID("1.2.840.10008.1.2"))
        XCTAssertTrue(isValidUID("1.0.3"))
        XCTAssertTrue(isValidUID(DICOMLuaImplementation.classUID))
        XCTAssertFalse(isValidUID(""))
        XCTAssertFalse(isValidUID("1..2"))
        XCTAssertFalse(isValidUID(".1.2"))
        XCTAssertFalse(isValidUID("1.2."))
        XCTAssertFalse(isValidUID("1.02"))
        XCTAssertFalse(isValidUID("1.2.3a"))
        XCTAssertFalse(isValidUID("../../etc/passwd"))
        XCTAssertFalse(isValidUID("1.2.840\0"))
        XCTAssertFalse(isValidUID(String(repeating: "1.", count: 32) + "1"))  // 65 chars
        XCTAssertTrue(isValidUID(String(repeating: "1.", count: 31) + "12"))  // 64 chars
    }
}
