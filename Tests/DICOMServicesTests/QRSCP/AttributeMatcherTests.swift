import DICOMCore
import XCTest

@testable import DICOMServices

/// PS3.4 C.2.2.2 matching as pure functions.
final class AttributeMatcherTests: XCTestCase {
    func match(_ key: String, _ value: String?, _ vr: VR) -> Bool {
        AttributeMatcher.matches(key: key, value: value, vr: vr)
    }

    func testUniversalMatchingMatchesEverythingEvenMissingValues() {
        XCTAssertTrue(match("", "PAT0001", .LO))
        XCTAssertTrue(match("*", nil, .PN))
        XCTAssertTrue(match("  ", nil, .DA))
    }

    func testSingleValueIsExactAndCaseSensitiveExceptPN() {
        XCTAssertTrue(match("PAT0001", "PAT0001 ", .LO))
        XCTAssertFalse(match("pat0001", "PAT0001", .LO))
        XCTAssertFalse(match("PAT000", "PAT0001", .LO))
        XCTAssertTrue(match("müller^jürgen", "Müller^Jürgen", .PN))
        XCTAssertFalse(match("PAT0001", nil, .LO), "a missing value only matches a universal key")
    }

    func testWildcards() {
        XCTAssertTrue(match("M*", "Müller^Jürgen", .PN))
        XCTAssertTrue(match("*jürgen", "Müller^Jürgen", .PN))
        XCTAssertTrue(match("PAT00?1", "PAT0001", .LO))
        XCTAssertFalse(match("PAT00?", "PAT0001", .LO))
        XCTAssertTrue(match("C*", "CT", .CS))
        XCTAssertFalse(match("c*", "CT", .CS), "wildcards on CS stay case-sensitive")
        XCTAssertTrue(match("*a*b*", "xxaYYbzz", .LO))
        XCTAssertFalse(match("*a*b", "xxaYYbzz", .LO))
    }

    func testUIDListMatchesAnyUID() {
        XCTAssertTrue(match("1.2.3\\1.2.4", "1.2.4", .UI))
        XCTAssertFalse(match("1.2.3\\1.2.4", "1.2.5", .UI))
        XCTAssertFalse(match("1.2.*", "1.2.3", .UI), "no wildcard matching on UI")
    }

    func testDateRanges() {
        XCTAssertTrue(match("20240101-20241231", "20240601", .DA))
        XCTAssertTrue(match("20240601-", "20240601", .DA), "bounds are included")
        XCTAssertFalse(match("20240602-", "20240601", .DA))
        XCTAssertTrue(match("-20240601", "20240601", .DA))
        XCTAssertFalse(match("-20240531", "20240601", .DA))
        XCTAssertTrue(match("2024.01.01-2024.12.31", "20240601", .DA), "old ACR-NEMA dates are accepted")
        XCTAssertTrue(match("20240601", "20240601", .DA))
    }

    func testTimeRangesCoverTheWholeLastUnit() {
        XCTAssertTrue(match("0800-1200", "120059", .TM))
        XCTAssertFalse(match("0800-1200", "120100", .TM))
        XCTAssertTrue(match("08-", "080000.5", .TM))
        XCTAssertTrue(match("1007", "100713", .TM), "a single time of lower precision is its whole minute")
        XCTAssertTrue(match("10:07:13", "100713", .TM))
    }

    func testMultiValuedStoredValuesMatchAnyValue() {
        XCTAssertTrue(match("MR", "CT\\MR", .CS))
        XCTAssertTrue(match("PT\\MR", "CT\\MR", .CS))
        XCTAssertFalse(match("PT", "CT\\MR", .CS))
    }

    func testPersonNameKeysMatchAnyComponentGroupOfTheDecodedName() {
        let name = "Yamada^Tarou=山田^太郎=やまだ^たろう"
        XCTAssertTrue(AttributeMatcher.matches(key: "山田*", value: name, vr: .PN))
        XCTAssertTrue(AttributeMatcher.matches(key: "やまだ^たろう", value: name, vr: .PN))
        XCTAssertTrue(AttributeMatcher.matches(key: "YAMADA*", value: name, vr: .PN))
        XCTAssertTrue(AttributeMatcher.matches(key: "διονυσιος", value: "Διονυσιος", vr: .PN), "case-insensitive")
        XCTAssertFalse(AttributeMatcher.matches(key: "山田^太郎=X", value: name, vr: .PN), "a key with '=' is whole")
        XCTAssertFalse(AttributeMatcher.matches(key: "田中*", value: name, vr: .PN))
        XCTAssertFalse(AttributeMatcher.matches(key: "山田*", value: name, vr: .LO), "only PN has groups")
    }
}
