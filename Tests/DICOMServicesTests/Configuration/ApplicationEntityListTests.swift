import XCTest

@testable import DICOMServices

/// The default AEs, listing, filtering and removal (IDL reference §1.3, §1.7).
final class ApplicationEntityListTests: ConfigurationTestCase {
    func testFourDefaultEntitiesWithIDLNames() throws {
        let c = try userConfiguration()
        let all = try c.applicationEntities()
        XCTAssertEqual(all.map(\.name), ["IDL_AE_QUERY_SCU", "IDL_AE_STOR_SCP", "IDL_AE_STOR_SCU", "IDL_AE_ECHO_SCU"])
        let scp = try c.applicationEntity(named: "IDL_AE_STOR_SCP")
        XCTAssertEqual(scp.port, 2510)
        XCTAssertEqual(scp.hostname, "localhost")
        XCTAssertEqual(scp.serviceType, .storageSCP)
        XCTAssertEqual(try c.applicationEntity(named: "IDL_AE_QUERY_SCU").port, 9999)
        for ae in all { XCTAssertLessThanOrEqual(ae.aeTitle.count, 16) }
    }

    func testUnknownEntityRaises() throws {
        let c = try userConfiguration()
        assertError("get_application_entity: no application entity named \"nope\"") {
            _ = try c.applicationEntity(named: "nope")
        }
        assertError("remove_application_entity: no application entity named \"nope\"") {
            try c.removeApplicationEntity(named: "nope")
        }
    }

    func testFilterByServiceTypeIgnoringCase() throws {
        let c = try userConfiguration()
        try c.setApplicationEntity(
            name: "pacs", aeTitle: "PACS", hostname: "h", port: 104, serviceList: .querySCP, serviceType: .querySCP)
        try c.setApplicationEntity(
            name: "pacs2", aeTitle: "PACS2", hostname: "h", port: 105, serviceList: .querySCP, serviceType: .querySCP)
        XCTAssertEqual(try c.applicationEntities(serviceType: "Query_SCP").map(\.name), ["pacs", "pacs2"])
        XCTAssertEqual(try c.applicationEntities(serviceType: "query_scp").map(\.name), ["pacs", "pacs2"])
        XCTAssertEqual(try c.applicationEntities(serviceType: "Storage_SCP").map(\.name), ["IDL_AE_STOR_SCP"])
        assertError(containing: ["get_application_entities: service_type must be one of", "got \"PACS\""]) {
            _ = try c.applicationEntities(serviceType: "PACS")
        }
    }

    func testDefaultEntitiesCannotBeRemovedButCanBeChanged() throws {
        let c = try userConfiguration()
        for name in ["IDL_AE_QUERY_SCU", "IDL_AE_STOR_SCP", "IDL_AE_STOR_SCU", "IDL_AE_ECHO_SCU"] {
            assertError("remove_application_entity: \(name) is a default AE and cannot be removed") {
                try c.removeApplicationEntity(named: name)
            }
        }
        try c.setApplicationEntity(
            name: "IDL_AE_STOR_SCP", aeTitle: "MY_SCP", hostname: "localhost", port: 11112,
            serviceList: .storageSCP, serviceType: .storageSCP)
        XCTAssertEqual(try c.applicationEntity(named: "IDL_AE_STOR_SCP").port, 11112)
        assertError(
            "set_application_entity: IDL_AE_STOR_SCP is a default AE; its service type must stay Storage_SCP, got Query_SCP"
        ) {
            try c.setApplicationEntity(
                name: "IDL_AE_STOR_SCP", aeTitle: "X", hostname: "h", port: 1, serviceList: .querySCP,
                serviceType: .querySCP)
        }
    }

    func testRemoveIsPendingUntilCommit() throws {
        let c = try userConfiguration()
        try c.setApplicationEntity(
            name: "pacs", aeTitle: "PACS", hostname: "h", port: 104, serviceList: .querySCP, serviceType: .querySCP)
        try c.commit()
        try c.removeApplicationEntity(named: "pacs")
        XCTAssertTrue(c.isDirty)
        XCTAssertNotNil(
            try userConfiguration().current.applicationEntity(named: "pacs"), "still in the file before commit")
        try c.commit()
        assertError("get_application_entity: no application entity named \"pacs\"") {
            _ = try userConfiguration().applicationEntity(named: "pacs")
        }
    }

    func testAnEntityNamedByAServiceKeyIsProtected() throws {
        let c = try userConfiguration()
        try c.setApplicationEntity(
            name: "scp", aeTitle: "SCP", hostname: "h", port: 104, serviceList: .storageSCP, serviceType: .storageSCP)
        try c.setValue("scp", forKey: "StorScpServiceAE")
        assertError(
            "remove_application_entity: scp is the StorScpServiceAE; set StorScpServiceAE to another AE before removing it"
        ) {
            try c.removeApplicationEntity(named: "scp")
        }
        assertError(containing: [
            "set_application_entity: scp is the StorScpServiceAE; its service type must stay Storage_SCP"
        ]) {
            try c.setApplicationEntity(
                name: "scp", aeTitle: "SCP", hostname: "h", port: 104, serviceList: .querySCP, serviceType: .querySCP)
        }
        try c.setValue("IDL_AE_STOR_SCP", forKey: "StorScpServiceAE")
        XCTAssertNoThrow(try c.removeApplicationEntity(named: "scp"))
    }
}
