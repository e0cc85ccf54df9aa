import TestSupport
import XCTest

@testable import DICOMServices

/// AE titles with a backslash (the DICOM value separator) or control characters are refused when they
/// enter the configuration, whichever way they come (RELIABILITY.md, "Security"). `set_application_entity`
/// through the API: `ApplicationEntityValidationTests.testAETitleRepertoireAndLength`; here, a hand-edited
/// file and every method that takes an AE title.
final class AETitleInjectionTests: ConfigurationTestCase {
    private let hostile = ["A\\B", "A\u{0}B", "A\nB", "A\rB", "A\u{1B}[2JB", "A\u{7F}B", "PACS\\..\\X"]

    private func entity(aet: String) -> String {
        let escaped = aet.unicodeScalars.map {
            $0.value < 0x20 || $0 == "\\" || $0 == "\"" || $0.value == 0x7F
                ? String(format: "\\u%04x", $0.value) : String($0)
        }.joined()
        return
            #"{"format": "dicomlua-config/1", "applicationEntities": [{"applentityname": "evil", "aet": "\#(escaped)", "hostname": "h", "port": 104, "servicelistname": "Query_SCP_Service_List", "servicetype": "Query_SCP"}]}"#
    }

    /// A configuration file carrying such an AE title does not load: an error naming the file and the
    /// entity, and the file is left as it was.
    func testHostileAETitleInAFileIsRefusedAtLoad() throws {
        _ = try userConfiguration()
        for aet in hostile {
            try entity(aet: aet).write(to: locations.userFile, atomically: true, encoding: .utf8)
            let bytes = try Data(contentsOf: locations.userFile)
            assertError(containing: [
                "new: invalid configuration \(locations.userFile.path) at $.applicationEntities[0]", "AE title",
            ]) {
                _ = try userConfiguration()
            }
            XCTAssertEqual(try Data(contentsOf: locations.userFile), bytes)
        }
    }

    /// `set_application_entity` refuses them all, and nothing is stored.
    func testHostileAETitleIsRefusedBySetApplicationEntity() throws {
        let c = try userConfiguration()
        for aet in hostile {
            assertError(containing: ["set_application_entity: AE title"]) {
                try c.setApplicationEntity(
                    name: "evil", aeTitle: aet, hostname: "h", port: "104",
                    serviceList: "Query_SCP_Service_List", serviceType: "Query_SCP")
            }
        }
        XCTAssertThrowsError(try c.applicationEntity(named: "evil"), "nothing was stored")
        XCTAssertFalse(c.isDirty)
    }
}
