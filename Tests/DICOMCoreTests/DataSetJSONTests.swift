import DICOMCore
import Foundation
import XCTest

/// The DICOM JSON Model (PS3.18 F.2) of `DataSet.dicomJSONObject()`: what `dicomlua find --json` prints.
final class DataSetJSONTests: XCTestCase {
    func testValuesFollowF2() throws {
        var dataSet = DataSet()
        try dataSet.set(Tag(0x0010, 0x0010), string: "DOE^JOHN=D^J")
        try dataSet.set(Tag(0x0010, 0x0020), string: "")
        try dataSet.set(Tag(0x0020, 0x0013), string: "7")
        try dataSet.set(Tag(0x0018, 0x0050), string: "2.5")
        try dataSet.set(Tag(0x0008, 0x0061), strings: ["CT", "MR"])
        try dataSet.set(Tag(0x0028, 0x0010), int: 64)
        var item = DataSet()
        try item.set(Tag(0x0008, 0x1150), string: "1.2.3")
        dataSet.set(Tag(0x0008, 0x1140), items: [item])
        let object = dataSet.dicomJSONObject()

        let name = object["00100010"] as? [String: Any]
        XCTAssertEqual(name?["vr"] as? String, "PN")
        let person = (name?["Value"] as? [Any])?.first as? [String: Any]
        XCTAssertEqual(person?["Alphabetic"] as? String, "DOE^JOHN")
        XCTAssertEqual(person?["Ideographic"] as? String, "D^J")
        let empty = object["00100020"] as? [String: Any]
        XCTAssertEqual(empty?["vr"] as? String, "LO")
        XCTAssertNil(empty?["Value"], "an empty value has no Value (F.2.5)")
        XCTAssertEqual((object["00200013"] as? [String: Any])?["Value"] as? [Int], [7], "IS is a number (F.2.3)")
        XCTAssertEqual((object["00180050"] as? [String: Any])?["Value"] as? [Double], [2.5], "DS is a number")
        XCTAssertEqual((object["00080061"] as? [String: Any])?["Value"] as? [String], ["CT", "MR"])
        XCTAssertEqual((object["00280010"] as? [String: Any])?["Value"] as? [Int], [64])
        let sequence = (object["00081140"] as? [String: Any])?["Value"] as? [[String: Any]]
        XCTAssertEqual((sequence?.first?["00081150"] as? [String: Any])?["Value"] as? [String], ["1.2.3"])
        XCTAssertNoThrow(try JSONSerialization.data(withJSONObject: object), "serialisable as is")
    }
}
