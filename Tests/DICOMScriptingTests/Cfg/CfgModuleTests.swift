import LuaBridge
import TestSupport
import XCTest

/// `cfg` as IDL scripts use it: AEs and keys, pending until `commit`, both spellings, records read in any case.
final class CfgModuleTests: ScriptTestCase {
    func testCreateCommitAndReadBackFromANewObject() throws {
        try run(
            """
            local c = cfg.new()
            c:set_application_entity('remote_qr', 'PACS', 'pacs.example.org', 104, 'Query_SCP_Service_List', 'Query_SCP')
            assert(c:is_dirty())
            c:Commit()
            assert(not c:IsDirty())
            """)
        XCTAssertTrue(FileManager.default.fileExists(atPath: path("user.json")))
        let results = try run(
            """
            local ae = cfg.new():GetApplicationEntity('remote_qr')
            return ae.aet, ae.AET, ae.HostName, ae.port, math.type(ae.port), ae.ServiceListName, ae.servicetype, ae.applentityname
            """)
        XCTAssertEqual(
            results.map(\.description),
            ["PACS", "PACS", "pacs.example.org", "104", "integer", "Query_SCP_Service_List", "Query_SCP", "remote_qr"])
    }

    func testUncommittedChangesStayInTheObject() throws {
        let results = try run(
            """
            local c = cfg.new()
            c:SetApplicationEntity('my_scp', 'MYSCP', 'localhost', '11112', 'storage_scp_service_list', 'storage_scp')
            local fresh = cfg.new()
            return pcall(fresh.get_application_entity, fresh, 'my_scp'), c:get_application_entity('my_scp').port
            """)
        XCTAssertEqual(results[0].boolValue, false, "not committed: a new object does not see it")
        XCTAssertEqual(results[1].integerValue, 11112, "a port given as a string")
    }

    func testDefaultEntitiesListsAndTypes() throws {
        let results = try run(
            """
            local c = cfg.new()
            local all, count = c:get_application_entities()
            local scps, scpCount = c:GetApplicationEntities{SERVICE_TYPE = 'Storage_SCP'}
            local lists, listCount = c:get_service_lists()
            local types, typeCount = c:GetServiceTypes()
            return count, #all, scpCount, scps[1].port, listCount, lists[1], typeCount, table.concat(types, ',')
            """)
        XCTAssertEqual(results[0].integerValue, 4, "four default AEs")
        XCTAssertEqual(results[1].integerValue, 4)
        XCTAssertEqual(results[2].integerValue, 1)
        XCTAssertEqual(results[3].integerValue, 2510)
        XCTAssertEqual(results[4].integerValue, 5)
        XCTAssertEqual(results[5].stringValue, "Echo_SCU_Service_List")
        XCTAssertEqual(results[6].integerValue, 5)
        XCTAssertEqual(results[7].stringValue, "Query_SCU,Query_SCP,Storage_SCU,Storage_SCP,Echo_SCU")
    }

    func testValuesAcceptNumbersAndStringsAndKeysAnyCase() throws {
        let results = try run(
            """
            local c = cfg.new()
            c:set_value('MaxQueryResponses', 250)
            c:SetValue('storscpctrlport', '2600')
            c:set_value('AcceptAny', false)
            c:commit()
            local d = cfg.new()
            return d:get_value('maxqueryresponses'), d:GetValue('StorScpCtrlPort'), d:get_value('ACCEPTANY'),
                   d:get_value('configfile')
            """)
        XCTAssertEqual(results[0].stringValue, "250")
        XCTAssertEqual(results[1].stringValue, "2600")
        XCTAssertEqual(results[2].stringValue, "No")
        XCTAssertEqual(results[3].stringValue, path("user.json"))
    }

    func testRemoveIsPendingUntilCommit() throws {
        let results = try run(
            """
            local c = cfg.new()
            c:set_application_entity('gone', 'GONE', 'h', 1, 'Query_SCP_Service_List', 'Query_SCP')
            c:commit()
            c:remove_application_entity('gone')
            local before = pcall(cfg.new().get_application_entity, cfg.new(), 'gone')
            c:commit()
            local after = pcall(cfg.new().get_application_entity, cfg.new(), 'gone')
            return before, after
            """)
        XCTAssertEqual(results[0].boolValue, true)
        XCTAssertEqual(results[1].boolValue, false)
    }

    func testMisuseRaisesTheConfigurationMessage() throws {
        assertRaises(
            "cfg.new():set_application_entity('x', 'X', 'h', 70000, 'Query_SCP_Service_List', 'Query_SCP')",
            "set_application_entity: port must be 1-65535, got 70000")
        assertRaises(
            "cfg.new():get_application_entity('nobody')",
            "get_application_entity: no application entity named \"nobody\"")
        assertRaises("cfg.new():get_value('NoSuchKey')", "get_value: unknown key \"NoSuchKey\"")
        assertRaises(
            "cfg.new():set_application_entity('x', 'X', 'h', 104)",
            "bad argument #5 to 'set_application_entity' (string expected, got nil)")
        assertRaises(
            "cfg.new():set_application_entity('x', 'X', 'h', {}, 'a', 'b')",
            "bad argument #4 to 'set_application_entity' (number or string expected, got table)")
        assertRaises("cfg.new():set_value('MaxQueryResponses', {})", "bad argument #2 to 'set_value'")
        assertRaises(
            "cfg.new():get_application_entities{service_type = 'Nope'}",
            "get_application_entities: service_type must be one of")
        assertRaises(
            "cfg.new():storage_scp_service('restart')", "storage_scp_service: expected 'start', 'stop' or 'status'")
        assertRaises("cfg.new{sytem = true}", "new: unknown keyword 'sytem'")
        assertRaises("cfg.new():remove_application_entity('nobody')", "remove_application_entity:")
    }

    func testSystemScopeUsesTheSystemFile() throws {
        let results = try run(
            """
            local sc = cfg.new{system = true}
            sc:set_value('FileExtension', 'dicom')
            sc:commit()
            return sc:get_value('configfile'), cfg.new{SYSTEM = true}:get_value('FileExtension'), tostring(sc)
            """)
        XCTAssertEqual(results[0].stringValue, path("system.json"))
        XCTAssertEqual(results[1].stringValue, "dicom")
        XCTAssertEqual(results[2].stringValue?.hasPrefix("cfg object (system: "), true)
    }

    /// An echo to a port where nothing listens fails with IDL's 4 lines (returned, not raised).
    func testEchoAndServiceControlAnswerWithLinesAndStrings() throws {
        let port = freeTCPPort()
        let results = try run(
            """
            local c = cfg.new()
            c:set_application_entity('nobody_home', 'NOBODY', '127.0.0.1', \(port), 'Query_SCP_Service_List', 'Query_SCP')
            local lines, count = c:Echo('nobody_home')
            return type(lines), count, #lines, lines[1], lines[2], c:storage_scp_service('STATUS')
            """)
        XCTAssertEqual(results[0].stringValue, "table")
        XCTAssertEqual(results[1].integerValue, 4)
        XCTAssertEqual(results[2].integerValue, 4)
        XCTAssertEqual(results[3].stringValue, "Echo Failed:")
        XCTAssertEqual(results[4].stringValue, "AE Name: (nobody_home)")
        XCTAssertEqual(results[5].stringValue, "service not running")
    }
}
