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

    func testRecordListWrittenInPlaceReadsLikeRecords() throws {
        let state = LuaState()
        let uids = ["1.2.3", "1.2.4", ""]
        var list: LuaValue = .nil
        state.register(global: "arrived") { args in
            list = try args.makeRecordList(uids.enumerated()) { item, record in
                record.set("sop_instance_uid", item.element)
                record.set("bytes", item.offset * 100)
                record.set("patient_id", item.offset == 1 ? "P\u{e9}" : nil)  // a non-ASCII value, and none
                record.set("quarantined", item.offset == 2)
            }
            return [list]
        }
        let results = try state.run(
            """
            local a = arrived()
            local keys = {}
            for k in pairs(a[2]) do keys[#keys + 1] = k end
            table.sort(keys)
            return #a, a[1].SOP_INSTANCE_UID, a[2].bytes, a[2].Patient_ID, a[1].patient_id, a[3].sop_instance_uid,
              a[3].quarantined, table.concat(keys, ','), tostring(a[1])
            """)
        XCTAssertEqual(results[0].integerValue, 3)
        XCTAssertEqual(results[1].stringValue, "1.2.3")
        XCTAssertEqual(results[2].integerValue, 100)
        XCTAssertEqual(results[3].stringValue, "P\u{e9}")
        XCTAssertTrue(results[4].isNil)
        XCTAssertEqual(results[5].stringValue, "")
        XCTAssertEqual(results[6].boolValue, true)
        XCTAssertEqual(results[7].stringValue, "bytes,patient_id,quarantined,sop_instance_uid")
        XCTAssertEqual(results[8].stringValue, "record{sop_instance_uid=1.2.3, bytes=0, quarantined=false}")
    }

    func testRecordListWhoseWriterThrowsLeavesTheStateUsable() throws {
        let state = LuaState()
        struct Refused: Error {}
        state.register(global: "make") { args in
            XCTAssertThrowsError(
                try args.makeRecordList([1, 2]) { item, record in
                    record.set("n", item)
                    if item == 2 { throw Refused() }
                })
            return [try args.makeRecord { $0.set("ok", true) }]
        }
        let results = try state.run("local r = make(); return select('#', make()), r.OK")
        XCTAssertEqual(results[0].integerValue, 1)
        XCTAssertEqual(results[1].boolValue, true)
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
