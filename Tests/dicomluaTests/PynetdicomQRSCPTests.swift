import Foundation
import TestSupport
import XCTest

/// `query` against a second real Q/R SCP: pynetdicom's `qrscp` app (issue 5), loaded with sample data by
/// `/usr/bin/storescu`; a query, a C-MOVE into the script's own storage SCP and a C-GET into a folder.
final class PynetdicomQRSCPTests: XCTestCase {
    func testQueryRetrieveAndGetAgainstPynetdicomsQRSCP() throws {
        guard FileManager.default.isExecutableFile(atPath: dicomluaBinary) else {
            throw XCTSkip("dicomlua is not built (run `swift build` first): \(dicomluaBinary)")
        }
        let probe = try ChildProcess.run(
            "/usr/bin/env", ["python3", "-c", "import pynetdicom, sqlalchemy"], timeout: 30)
        try XCTSkipUnless(probe.status == 0, "pynetdicom's qrscp needs sqlalchemy (scripts/setup installs it)")
        let directory = try makeTemporaryDirectory("pynetdicom-qr")
        defer { try? FileManager.default.removeItem(at: directory) }
        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
        for folder in ["moved", "got"] {
            try FileManager.default.createDirectory(atPath: path(folder), withIntermediateDirectories: true)
        }
        let generated = try ChildProcess.run(
            dicomluaBinary, ["sample-data", path("pacs"), "--patients", "2", "--series", "1", "--instances", "3"])
        XCTAssertEqual(generated.status, 0, generated.stderr)

        let (qrPort, destPort) = (freeTCPPort(), freeTCPPort())
        let qrscp = try PynetdicomQRSCP.start(
            in: directory, port: qrPort, destinations: [("SCRIPT_SCP", destPort)], load: path("pacs"))
        defer { qrscp.stop() }

        let script = """
            local qr_port, dest_port, moved, got = tonumber(arg[1]), tonumber(arg[2]), arg[3], arg[4]
            local c = cfg.new()
            c:set_application_entity('pacs', 'PYQRSCP', '127.0.0.1', qr_port, 'Query_SCP_Service_List', 'Query_SCP')
            c:set_application_entity('me', 'SCRIPT_SCP', '127.0.0.1', dest_port, 'Storage_SCP_Service_List', 'Storage_SCP')
            c:commit()
            local q = query.new()
            q:set_property{query_scp = 'pacs', storage_scp = 'me'}
            local patients, n = q:query()
            assert(patients, n)
            local ids = {}
            local seen = {}  -- pynetdicom's qrscp answers a Patient level query once per instance
            for i = 1, n do local id = patients[i].patient_id; if not seen[id] then seen[id] = true; ids[#ids + 1] = id end end
            table.sort(ids)
            print('patients', table.concat(ids, ','))
            local scp = storage_scp.new{ae = 'me', dir = moved}
            scp:start()
            local ok, count, message = q:retrieve{patient_id = 'PAT0001'}
            scp:stop()
            print('move', ok, count, message)
            ok, count, message = q:get{patient_id = 'PAT0002', directory = got}
            print('get', ok, count, message)
            """
        try script.write(toFile: path("qr.lua"), atomically: true, encoding: .utf8)
        let environment = ["DICOMLUA_CONFIG": path("user.json"), "DICOMLUA_SYSTEM_CONFIG": path("system.json")]
        let run = try ChildProcess.run(
            dicomluaBinary, [path("qr.lua"), "\(qrPort)", "\(destPort)", path("moved"), path("got")],
            environment: environment, timeout: 180)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(
            run.stdout, "patients\tPAT0001,PAT0002\nmove\ttrue\t3\tnil\nget\ttrue\t3\tnil\n", run.stderr + qrscp.stderr)
        let count = { (folder: String) in
            (try? FileManager.default.contentsOfDirectory(atPath: path(folder)))?.filter { $0.hasSuffix(".dcm") }.count
                ?? 0
        }
        XCTAssertEqual(count("moved"), 3, "the C-MOVE's files arrived in the script's SCP")
        XCTAssertEqual(count("got"), 3, "the C-GET's files were written into the folder")
    }
}
