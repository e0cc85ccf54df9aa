import DICOMScripting
import DICOMServices
import Foundation
import LuaBridge
import TestSupport
import XCTest

/// `query` and `storage_scu` from Lua against `/usr/bin/dcmqrscp` and `/usr/bin/storescp`. The user and
/// system configuration files are temporary (DICOMLUA_CONFIG / DICOMLUA_SYSTEM_CONFIG).
final class QueryBindingTests: XCTestCase {
    var peer: QRTestPeer!

    override func setUpWithError() throws {
        try XCTSkipUnless(dcmtkAvailable, "DCMTK is not installed")
        // Cancel tests need a destination slow enough that the cancel lands while sub-operations remain.
        peer = try QRTestPeer(destinationSleepSeconds: name.contains("testCancel") ? 1 : 0)
        let folder = try makeTemporaryDirectory("lua-qr-cfg")
        let user = folder.appendingPathComponent("user.json"), system = folder.appendingPathComponent("system.json")
        setenv("DICOMLUA_CONFIG", user.path, 1)
        setenv("DICOMLUA_SYSTEM_CONFIG", system.path, 1)
        let configuration = try Configuration(scope: .user)
        try configuration.setApplicationEntity(
            name: "remote_qr", aeTitle: "QRSCP", hostname: "127.0.0.1", port: peer.qrPort,
            serviceList: .querySCP, serviceType: .querySCP)
        try configuration.setApplicationEntity(
            name: "dest", aeTitle: "DESTAE", hostname: "127.0.0.1", port: peer.destinationPort,
            serviceList: .storageSCP, serviceType: .storageSCP)
        try configuration.setApplicationEntity(
            name: "unknown_dest", aeTitle: "NOWHERE", hostname: "127.0.0.1", port: 104,
            serviceList: .storageSCP, serviceType: .storageSCP)
        try configuration.setApplicationEntity(
            name: "dead", aeTitle: "DEAD", hostname: "127.0.0.1", port: freeTCPPort(),
            serviceList: .querySCP, serviceType: .querySCP)
        try configuration.commit()
    }

    override func tearDown() {
        peer?.stop()
    }

    func run(_ code: String) throws -> [LuaValue] {
        let state = LuaState()
        try ScriptEnvironment.install(in: state, runLoop: ScriptRunLoop())
        return try state.run(code)
    }

    func assertRaises(_ code: String, _ expected: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try run(code), file: file, line: line) { error in
            XCTAssertTrue("\(error)".contains(expected), "\(error)", file: file, line: line)
        }
    }

    func testQueryReturnsRecordsReadableInAnyCase() throws {
        let results = try run(
            """
            local q = query.new()
            q.Query_Scp = 'remote_qr'
            q:SetProperty{query_level = 1, PATIENT_ID = 'P*'}
            local r, n = q:query()
            table.sort(r, function(a, b) return a.patient_id < b.patient_id end)
            return n, r[1].PATIENT_ID, r[1].study_description, r[2].Study_Description, q:get_property('query_level'), r[1].query_level
            """)
        XCTAssertEqual(results.map(\.description), ["2", "P1", "HEAD", "KNEE", "1", "1"])
    }

    func testQueryCallbackGetsStatusLinesDataAndInfo() throws {
        let results = try run(
            """
            local q = query.new()
            local seen = {}
            function on_match(status, data, info)
              seen[#seen + 1] = status[1] .. '|' .. data .. '|' .. info.operation .. '|' .. info.category .. '|' .. info.match.patient_id
              return 1
            end
            q:set_property{query_scp = 'remote_qr', callback_function = 'on_match', callback_data = 'D'}
            local r, n = q:query()
            table.sort(seen)
            return n, seen[1]
            """)
        XCTAssertEqual(results.first?.integerValue, 2)
        XCTAssertEqual(results.last?.stringValue, "Query: 0xFF00 Pending: matches are continuing|D|query|pending|P1")
    }

    func testRetrieveCountsFilesAndCallbackSeesCounters() throws {
        let results = try run(
            """
            local q = query.new()
            local calls, last = 0, nil
            q.query_scp = 'remote_qr'; q.storage_scp = 'dest'
            q.callback_function = function(status, data, info) calls = calls + 1; last = info; return true end
            local ok, count = q:Retrieve{patient_id = 'P2'}
            return ok, count, calls, last.completed, last.remaining
            """)
        XCTAssertEqual(results.map(\.description), ["true", "2", "2", "2", "0"])
        XCTAssertEqual(peer.destinationFiles.count, 2)
    }

    func testCancelFromCallbackReturnsTrueWithFewerFiles() throws {
        let results = try run(
            """
            local q = query.new()
            q:set_property{query_scp = 'remote_qr', storage_scp = 'dest', callback_function = function() return 0 end}
            return q:retrieve{}
            """)
        XCTAssertEqual(results.first?.boolValue, true)
        XCTAssertLessThan(results[1].integerValue ?? 99, 5)
    }

    func testUnknownDestinationReturnsFalseAndMessage() throws {
        let results = try run(
            """
            local q = query.new()
            q:set_property{query_scp = 'remote_qr', storage_scp = 'unknown_dest'}
            return q:retrieve{patient_id = 'P1'}
            """)
        XCTAssertEqual(results.first?.boolValue, false)
        XCTAssertEqual(results[1].integerValue, 0)
        XCTAssertTrue(results[2].stringValue?.contains("0xA801") ?? false, "\(results)")
        // The message names the archive (title, host, port) and the destination as the archive must know it.
        XCTAssertTrue(
            results[2].stringValue?.contains("remote_qr (QRSCP at 127.0.0.1:\(peer.qrPort)) answered 0xA801") ?? false,
            "\(results)")
        XCTAssertTrue(
            results[2].stringValue?.contains("the destination was AE title 'NOWHERE', expected at 127.0.0.1:104")
                ?? false, "\(results)")
    }

    /// IDL's keyword abbreviations (unique prefixes among IDL's own keywords only), a number where text is
    /// needed, numeric strings for integer properties, and IDL's output-keyword form of GetProperty.
    func testIDLKeywordAbbreviationsAndValueConversions() throws {
        let results = try run(
            """
            local q = query.new()
            q:set_property{query_s = 'remote_qr', stor = 'dest', query_level = '1', query_m = '1'}
            local p = q:get_property{query_scp = true, QUERY_LEVEL = true, query_mod = true}
            local ok, count = q:retrieve{pat = 'P2', study = '1.2.826.0.1.3680043.2.1143.77.2'}
            return p.query_scp, p.Query_Level, p.query_model, q:get_property('storage'), ok, count
            """)
        XCTAssertEqual(results.map(\.description), ["remote_qr", "1", "1", "dest", "true", "2"])
        XCTAssertEqual(peer.destinationFiles.count, 2)
        assertRaises(
            "local q = query.new(); q:retrieve{s = '1'}",
            "retrieve: keyword 's' is ambiguous: it abbreviates SERIES_INSTANCE_UID, SOP_INSTANCE_UID, STUDY_INSTANCE_UID"
        )
        assertRaises(
            "local q = query.new(); q:set_property{pat = 'x'}",
            "set_property: keyword 'pat' is ambiguous: it abbreviates PATIENT_ID, PATIENT_NAME")
        assertRaises("local q = query.new(); q:retrieve{ver = true}", "retrieve: unknown keyword 'ver'")
        assertRaises("local q = query.new(); q:set_property{callback_fin = true}", "no property 'callback_fin'")
        assertRaises(
            "local q = query.new(); q.patient_id = 000001",
            "PATIENT_ID must be text: write it in quotes ('000001', not 000001: a number loses its leading zeros), got the number 1"
        )
        assertRaises(
            "local q = query.new(); q:set_property{query_scp = 'remote_qr', storage_scp = 'dest'}; q:retrieve{patient_id = 000001}",
            "retrieve: PATIENT_ID must be text")
        assertRaises("local q = query.new(); q.query_level = 'two'", "QUERY_LEVEL must be an integer from 0 to 3")
        assertRaises("local q = query.new(); q:get_property{query_scp = 1}", "get_property: write QUERY_SCP = true")
    }

    func testCallbackErrorCancelsAndIsRaisedAgainWithTraceback() {
        assertRaises(
            """
            local q = query.new()
            q:set_property{query_scp = 'remote_qr', storage_scp = 'dest'}
            q.callback_function = function() error('boom in callback') end
            q:retrieve{}
            """, "boom in callback")
        assertRaises(
            """
            local q = query.new()
            q:set_property{query_scp = 'remote_qr', storage_scp = 'dest'}
            q.callback_function = function() error('boom again') end
            q:retrieve{}
            """, "stack traceback")
    }

    func testMisuseRaisesNamingTheMethod() {
        assertRaises(
            "local q = query.new(); q:set_property{query_scp = 'remote_qr', storage_scp = 'dest', query_model = 1, query_level = 2}; q:retrieve{}",
            "retrieve: STUDY_INSTANCE_UID is required for Study Root / Series level")
        assertRaises("local q = query.new(); q.nonsense = 1", "query object has no property 'nonsense'")
        assertRaises(
            "local q = query.new(); q:set_property{query_model = 5}",
            "set_property: QUERY_MODEL must be an integer from 0 to 2")
        assertRaises("local q = query.new(); q.patient_id = {}", "PATIENT_ID must be a string, got table")
        assertRaises("local q = query.new(); q:query()", "query: QUERY_SCP is not set")
        assertRaises(
            "local q = query.new(); q.query_scp = 'nobody'; q:query()",
            "query: QUERY_SCP 'nobody' is not an application entity")
        assertRaises("local q = query.new(); q:retrieve{patientid = '1'}", "retrieve: unknown keyword 'patientid'")
        assertRaises(
            "local q = query.new(); q.callback_function = 'missing'; q.query_scp = 'remote_qr'; q:query()",
            "query: CALLBACK_FUNCTION 'missing' is not a global function")
        XCTAssertEqual(peer.destinationFiles.count, 0, "misuse sends nothing")
    }

    func testStudyRootPatientLevelBecomesStudyLevelAndClearResets() throws {
        let results = try run(
            """
            local q = query.new()
            q.query_model = 1
            local level = q.query_level
            q:clear_properties()
            return level, q.query_model, q.query_level, q.callback_data, q.query_scp
            """)
        XCTAssertEqual(results.map(\.description), ["1", "0", "0", "0", ""])
    }

    func testGetWritesIntoTheDirectory() throws {
        let directory = try makeTemporaryDirectory("lua-get")
        let results = try run(
            """
            local q = query.new()
            q:set_property{query_scp = 'remote_qr', query_level = 1}
            local ok, n, message, report = q:get{patient_id = 'P2', study_instance_uid = '\(peer.instances[3].studyUID)', directory = '\(directory.path)'}
            return ok, n, message, report.verdict, #report.arrived
            """)
        XCTAssertEqual(
            results.map(\.description), ["true", "2", "nil", "unverified", "2"],
            "ok, count, no message, and the report: without verify never 'complete'")
        XCTAssertTrue(
            FileManager.default.fileExists(
                atPath: directory.appendingPathComponent(peer.instances[3].sopInstanceUID + ".dcm").path))
    }

    func testQueryModelsSupported() throws {
        let results = try run(
            "local q = query.new(); q.query_scp = 'remote_qr'; local m, n = q:QueryModelsSupported(); return n, m[1]")
        XCTAssertGreaterThanOrEqual(results.first?.integerValue ?? 0, 6)
        XCTAssertEqual(results.last?.integerValue, 0)
    }

    func testStorageSCUSendsWithPerFileCallbackAndCancel() throws {
        let files = peer.sourceFiles.map { "'\($0)'" }.joined(separator: ", ")
        let results = try run(
            """
            local s = storage_scu.new()
            s.storage_scp = 'dest'
            local lines = {}
            s.callback_function = function(status, data, info) lines[#lines + 1] = status[1]; return #lines < 2 and 1 or 0 end
            local sent = s:send{\(files)}
            local all = storage_scu.new()
            all:set_property{storage_scp = 'dest'}
            return sent, #lines, lines[1], all:Send('\(peer.sourceFiles[0])')
            """)
        XCTAssertEqual(results.map(\.description), ["2", "2", "Send: 0x0000 Success", "1"])
        // An empty list (a filter that found nothing) sends nothing and returns 0.
        let before = peer.destinationFiles.count
        let empty = try run("local s = storage_scu.new(); s.storage_scp = 'dest'; return s:send{}")
        XCTAssertEqual(empty.map(\.description), ["0"])
        XCTAssertEqual(peer.destinationFiles.count, before)
        // A file that does not exist: the C library's words, no errno number, no byte offset.
        let missing = try run(
            """
            local s = storage_scu.new(); s.storage_scp = 'dest'
            local line
            s.callback_function = function(status) line = status[1]; return 1 end
            local sent = s:send{'/nonexistent-dicomlua.dcm'}
            return sent, line, select(2, pcall(dicom.read, '/nonexistent-dicomlua.dcm'))
            """)
        XCTAssertEqual(missing[0].integerValue, 0)
        XCTAssertEqual(
            missing[1].stringValue,
            "Send: failed, /nonexistent-dicomlua.dcm: cannot open the file: no such file or directory")
        XCTAssertFalse(missing[2].description.contains("errno"), missing[2].description)
        XCTAssertTrue(missing[2].description.contains("No such file or directory"), missing[2].description)
    }

    func testDeadRemoteFailuresAreReturnedNotRaised() throws {
        let results = try run(
            """
            local q = query.new()
            q:set_property{query_scp = 'dead', storage_scp = 'dest'}
            local r, qmsg = q:query()
            local ok, count, rmsg = q:retrieve{patient_id = 'P1'}
            local m, mmsg = q:query_models_supported()
            return r, qmsg, ok, count, rmsg, m, mmsg
            """)
        XCTAssertTrue(results[0].isNil)
        XCTAssertTrue(results[1].stringValue?.hasPrefix("query: dead (DEAD at 127.0.0.1:") ?? false, "\(results[1])")
        XCTAssertTrue(results[1].stringValue?.contains("refused") ?? false, "\(results[1])")
        XCTAssertEqual(results[2].boolValue, false)
        XCTAssertEqual(results[3].integerValue, 0)
        XCTAssertTrue(results[4].stringValue?.hasPrefix("retrieve: dead") ?? false, "\(results[4])")
        XCTAssertTrue(results[5].isNil)
        XCTAssertTrue(results[6].stringValue?.hasPrefix("query_models_supported: dead") ?? false, "\(results[6])")
    }
}
