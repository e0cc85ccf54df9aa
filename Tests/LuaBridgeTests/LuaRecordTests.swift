import LuaBridge
import XCTest

final class LuaRecordTests: XCTestCase {
    func testRecordReadsCaseInsensitivelyAndPairsSeesLowercaseKeys() throws {
        let state = LuaState()
        try state.setGlobal("ae", try state.makeRecord(["AET": "STORESCP", "port": 104]))
        let results = try state.run(
            """
            local keys = {}
            for k in pairs(ae) do keys[#keys + 1] = k end
            table.sort(keys)
            return ae.aet, ae.AET, ae.Aet, ae.PORT, table.concat(keys, ','), ae.missing
            """)
        XCTAssertEqual(results[0].stringValue, "STORESCP")
        XCTAssertEqual(results[1].stringValue, "STORESCP")
        XCTAssertEqual(results[2].stringValue, "STORESCP")
        XCTAssertEqual(results[3].integerValue, 104)
        XCTAssertEqual(results[4].stringValue, "aet,port")
        XCTAssertTrue(results[5].isNil)
    }

    func testRecordWritesStoreLowercaseKeys() throws {
        let state = LuaState()
        try state.setGlobal("r", try state.makeRecord([:]))
        let results = try state.run("r.HostName = 'h'; return rawget(r, 'hostname'), rawget(r, 'HostName'), r.HOSTNAME")
        XCTAssertEqual(results[0].stringValue, "h")
        XCTAssertTrue(results[1].isNil)
        XCTAssertEqual(results[2].stringValue, "h")
    }

    func testKeywordTablesNormaliseToLowercase() throws {
        let state = LuaState()
        var received: [String: LuaValue] = [:]
        state.register(global: "retrieve") { args in
            received = try LuaNames.keywords(
                args[0].tableValue ?? LuaTable(), method: "retrieve",
                allowed: ["patient_id", "study_instance_uid"])
            return []
        }
        try state.run("retrieve{PATIENT_ID = '000001', Study_Instance_UID = '1.2'}")
        XCTAssertEqual(received["patient_id"]?.stringValue, "000001")
        XCTAssertEqual(received["study_instance_uid"]?.stringValue, "1.2")
        XCTAssertThrowsError(try state.run("retrieve{PATIENTID = 1}", name: "=s")) { error in
            XCTAssertEqual((error as? LuaError)?.message, "s:1: retrieve: unknown keyword 'PATIENTID'")
        }
        XCTAssertThrowsError(try state.run("retrieve{patient_id = 1, PATIENT_ID = 2}")) { error in
            XCTAssertTrue("\(error)".contains("given more than once"), "\(error)")
        }
    }

    func testIDLNames() {
        XCTAssertEqual(LuaNames.idlName("set_application_entity"), "SetApplicationEntity")
        XCTAssertEqual(LuaNames.idlName("query_models_supported"), "QueryModelsSupported")
        XCTAssertEqual(LuaNames.idlName("echo"), "Echo")
    }

    func testToStringShowsTheIdentifyingFieldsFirst() throws {
        let state = LuaState()
        try state.setGlobal(
            "r",
            try state.makeRecord([
                "study_description": "HEAD", "PATIENT_ID": "P1", "patient_name": "DOE^JOHN", "series_number": "",
                "query_level": 1,
            ]))
        XCTAssertEqual(
            try state.run("return tostring(r)").first?.stringValue,
            "record{patient_id=P1, patient_name=DOE^JOHN, query_level=1, study_description=HEAD}")
    }
}
