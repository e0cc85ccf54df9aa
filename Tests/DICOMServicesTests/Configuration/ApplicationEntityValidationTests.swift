import XCTest

@testable import DICOMServices

/// `set_application_entity` checks every field and says what was wrong (IDL reference §1.5, PS3.5 §6.2).
final class ApplicationEntityValidationTests: ConfigurationTestCase {
    private func set(
        name: String = "pacs", aet: String = "PACS", host: String = "pacs.example.org", port: String = "104",
        list: String = "Query_SCP_Service_List", type: String = "Query_SCP"
    ) throws {
        let c = try userConfiguration()
        try c.setApplicationEntity(
            name: name, aeTitle: aet, hostname: host, port: port, serviceList: list, serviceType: type)
    }

    func testAValidEntityIsStoredWithEveryField() throws {
        let c = try userConfiguration()
        try c.setApplicationEntity(
            name: "pacs", aeTitle: "PACS", hostname: "pacs.example.org", port: "104",
            serviceList: "Query_SCP_Service_List", serviceType: "Query_SCP")
        let ae = try c.applicationEntity(named: "pacs")
        XCTAssertEqual(ae.name, "pacs")
        XCTAssertEqual(ae.aeTitle, "PACS")
        XCTAssertEqual(ae.hostname, "pacs.example.org")
        XCTAssertEqual(ae.port, 104)
        XCTAssertEqual(ae.serviceList, .querySCP)
        XCTAssertEqual(ae.serviceType, .querySCP)
    }

    func testNameLimits() throws {
        assertError("set_application_entity: AE name must not be empty or blank, got \"\"") { try set(name: "") }
        assertError("set_application_entity: AE name must not be empty or blank, got \"   \"") { try set(name: "   ") }
        let long = String(repeating: "n", count: 31)
        assertError("set_application_entity: AE name must be at most 30 characters, got 31 (\"\(long)\")") {
            try set(name: long)
        }
        assertError("set_application_entity: AE name must not contain control characters, got \"a\\x0Ab\"") {
            try set(name: "a\nb")
        }
        XCTAssertNoThrow(try set(name: String(repeating: "n", count: 30)))
    }

    func testAETitleRepertoireAndLength() throws {
        assertError("set_application_entity: AE title must be 1-16 characters, not empty or all spaces, got \"\"") {
            try set(aet: "")
        }
        assertError("set_application_entity: AE title must be 1-16 characters, not empty or all spaces, got \"    \"") {
            try set(aet: "    ")
        }
        assertError("set_application_entity: AE title must be 1-16 characters, got 17 (\"ABCDEFGHIJKLMNOPQ\")") {
            try set(aet: "ABCDEFGHIJKLMNOPQ")
        }
        assertError(
            "set_application_entity: AE title must use the DICOM default character repertoire without backslash "
                + "or control characters (PS3.5 §6.2), got a backslash in \"A\\B\""
        ) { try set(aet: "A\\B") }
        assertError(
            "set_application_entity: AE title must use the DICOM default character repertoire without backslash "
                + "or control characters (PS3.5 §6.2), got a control character in \"A\\x09B\""
        ) { try set(aet: "A\tB") }
        assertError(containing: ["non-ASCII character 'é'"]) { try set(aet: "CAFÉ".lowercased()) }
        XCTAssertNoThrow(try set(aet: "ABCDEFGHIJKLMNOP"))
    }

    func testAETitleSurroundingSpacesAreNotSignificant() throws {
        let c = try userConfiguration()
        try c.setApplicationEntity(
            name: "x", aeTitle: "  MY AE  ", hostname: "h", port: "1",
            serviceList: "Storage_SCP_Service_List", serviceType: "Storage_SCP")
        XCTAssertEqual(try c.applicationEntity(named: "x").aeTitle, "MY AE")
    }

    func testHostnameLimits() throws {
        assertError("set_application_entity: hostname must not be empty") { try set(host: "") }
        assertError("set_application_entity: hostname must not contain spaces or control characters, got \"a b\"") {
            try set(host: "a b")
        }
        assertError("set_application_entity: hostname must be at most 255 bytes, got 256") {
            try set(host: String(repeating: "h", count: 256))
        }
        XCTAssertNoThrow(try set(host: "127.0.0.1"))
    }

    func testPortAsNumberOrNumericString() throws {
        assertError("set_application_entity: port must be 1-65535, got 70000") { try set(port: "70000") }
        assertError("set_application_entity: port must be 1-65535, got 0") { try set(port: "0") }
        assertError("set_application_entity: port must be a number 1-65535, got \"-1\"") { try set(port: "-1") }
        assertError("set_application_entity: port must be a number 1-65535, got \"10a\"") { try set(port: "10a") }
        assertError("set_application_entity: port must be a number 1-65535, got \"\"") { try set(port: "") }
        let c = try userConfiguration()
        try c.setApplicationEntity(
            name: "p", aeTitle: "P", hostname: "h", port: " 2510 ",
            serviceList: "Storage_SCP_Service_List", serviceType: "Storage_SCP")
        XCTAssertEqual(try c.applicationEntity(named: "p").port, 2510)
        assertError("set_application_entity: port must be 1-65535, got 65536") {
            try c.setApplicationEntity(
                name: "p", aeTitle: "P", hostname: "h", port: 65536, serviceList: .storageSCP, serviceType: .storageSCP)
        }
        XCTAssertNoThrow(
            try c.setApplicationEntity(
                name: "p", aeTitle: "P", hostname: "h", port: 65535,
                serviceList: .storageSCP, serviceType: .storageSCP))
    }

    func testServiceListAndTypeMustBeKnownAndConsistent() throws {
        assertError(
            "set_application_entity: service list must be one of Echo_SCU_Service_List, Storage_SCP_Service_List, "
                + "Storage_SCU_Service_List, Query_SCU_Service_List, Query_SCP_Service_List, got \"Move_List\""
        ) {
            try set(list: "Move_List")
        }
        assertError(
            "set_application_entity: service type must be one of Query_SCU, Query_SCP, Storage_SCU, Storage_SCP, "
                + "Echo_SCU, got \"Query\""
        ) { try set(type: "Query") }
        assertError(
            "set_application_entity: service list Query_SCP_Service_List goes with service type Query_SCP, got Storage_SCP"
        ) {
            try set(list: "Query_SCP_Service_List", type: "Storage_SCP")
        }
        for type in ServiceType.allCases {
            XCTAssertEqual(type.serviceList.serviceType, type)
            XCTAssertNoThrow(try set(list: type.serviceList.rawValue.uppercased(), type: type.rawValue.lowercased()))
        }
    }

    func testServiceListsAndTypesInIDLOrder() {
        XCTAssertEqual(
            Configuration.serviceLists,
            [
                "Echo_SCU_Service_List", "Storage_SCP_Service_List", "Storage_SCU_Service_List",
                "Query_SCU_Service_List", "Query_SCP_Service_List",
            ])
        XCTAssertEqual(
            Configuration.serviceTypes, ["Query_SCU", "Query_SCP", "Storage_SCU", "Storage_SCP", "Echo_SCU"])
    }
}
