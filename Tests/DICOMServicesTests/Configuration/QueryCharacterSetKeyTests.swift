import TestSupport
import XCTest

@testable import DICOMServices

/// `QueryCharacterSet` (README "Character sets"): empty by default, defined terms only, misspellings corrected.
final class QueryCharacterSetKeyTests: XCTestCase {
    func testDefinedTermsAreStoredAndOthersRefused() throws {
        _ = try QRTestConfiguration.make(peer: nil) { c in
            XCTAssertEqual(try c.value(forKey: "QueryCharacterSet"), "")
            try c.setValue("iso-ir 126", forKey: "QueryCharacterSet")
            XCTAssertEqual(try c.value(forKey: "QueryCharacterSet"), "ISO_IR 126")
            try c.setValue("\\ISO 2022 IR 87", forKey: "querycharacterset")
            XCTAssertEqual(try c.value(forKey: "QueryCharacterSet"), "\\ISO 2022 IR 87")
            XCTAssertThrowsError(try c.setValue("KOI8-R", forKey: "QueryCharacterSet")) { error in
                XCTAssertTrue("\(error)".contains("must be empty or Specific Character Set defined terms"), "\(error)")
            }
            XCTAssertThrowsError(try c.setValue("ISO_IR 100\\ISO_IR 192", forKey: "QueryCharacterSet"))
            try c.setValue("", forKey: "QueryCharacterSet")
            XCTAssertEqual(try c.value(forKey: "QueryCharacterSet"), "")
        }
    }
}
