import Foundation
import TestSupport
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// Retrieves whose destination is this host's storage SCP service (`storage_scp.start()`), seen through
/// its `StorScpDir` (docs/retrieval-model.md, `RetrieveDestination.directory`), and a C-CANCEL that a
/// third-party archive logs as a cancel (docs/lua-api.md "Retrieve reports, verification and retry").
/// Peers: `/usr/bin/dcmqrscp` with `/usr/bin/storescp`, dicomlua's own service process.
final class RetrieveIntoServiceTests: XCTestCase {
    private var directory: URL!
    private var environment: [String: String] = [:]

    override func setUpWithError() throws {
        guard FileManager.default.isExecutableFile(atPath: dicomluaBinary) else {
            throw XCTSkip("dicomlua is not built (run `swift build` first): \(dicomluaBinary)")
        }
        try XCTSkipUnless(dcmtkAvailable, "DCMTK is not installed")
        directory = try makeTemporaryDirectory("retrieve-into-service")
        environment = ["DICOMLUA_CONFIG": path("user.json"), "DICOMLUA_SYSTEM_CONFIG": path("system.json")]
    }

    override func tearDownWithError() throws {
        if let directory {
            _ = try? ChildProcess.run(
                dicomluaBinary, ["-e", "storage_scp.stop()"], environment: environment, timeout: 60)
            try? FileManager.default.removeItem(at: directory)
        }
    }

    private func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// The service `DICOMLUA_STORE` on `port`, storing into `in/`.
    private func startService(port: Int) throws {
        let json = """
            {"format": "dicomlua-config/1",
             "values": {"StorScpDir": "\(path("in"))", "LogDir": "\(path("log"))"},
             "applicationEntities": [{"applentityname": "IDL_AE_STOR_SCP", "aet": "DICOMLUA_STORE", "hostname": "localhost",
                                      "port": \(port), "servicelistname": "Storage_SCP_Service_List", "servicetype": "Storage_SCP"}]}
            """
        for folder in ["log", "in"] {
            try FileManager.default.createDirectory(atPath: path(folder), withIntermediateDirectories: true)
        }
        try json.write(toFile: path("system.json"), atomically: true, encoding: .utf8)
        let start = try ChildProcess.run(
            dicomluaBinary, ["-e", "print(storage_scp.start())"], environment: environment, timeout: 60)
        XCTAssertEqual(start.stdout, "start request issued\n", start.stderr)
        XCTAssertTrue(waitForPort(port), "the storage service did not listen on \(port)")
    }

    /// A script that retrieves `study` from `pacs` into the service with `verify` and prints the report.
    private func retrieveScript(study: String, qrPort: Int) -> String {
        """
        local c = cfg.new()
        c:set_application_entity('pacs', 'QRSCP', '127.0.0.1', \(qrPort), 'Query_SCP_Service_List', 'Query_SCP')
        c:commit()
        local q = query.new()
        q:set_property{query_scp = 'pacs', storage_scp = 'IDL_AE_STOR_SCP', query_model = 1, query_level = 1}
        local ok, count, message, r = q:retrieve{study_instance_uid = '\(study)', verify = true}
        print(string.format('ok=%s count=%d verdict=%s expected=%s arrived=%d missing=%d',
          tostring(ok), count, r.verdict, tostring(r.expected_count), #r.arrived, #r.missing))
        """
    }

    private func instances(study: Int, count: Int) -> [TestInstance] {
        let root = "1.2.826.0.1.3680043.2.1143.79"
        return (1...count).map { i in
            TestInstance(
                patientID: "SVC\(study)", patientName: "SERVICE^\(study)", studyUID: "\(root).\(study)",
                studyDescription: "S\(study)", seriesUID: "\(root).\(study).1", seriesDescription: "SE",
                seriesNumber: 1, modality: "CT", sopInstanceUID: "\(root).\(study).1.\(i)", instanceNumber: i)
        }
    }

    /// Two scripts move two studies at once into one service process: each report is `complete` and
    /// counts only its own study's instances, though both land in the same folder.
    func testTwoScriptsMoveIntoTheServiceAtOnceAndEachReportCountsItsOwnStudy() throws {
        let servicePort = freeTCPPort()
        let (first, second) = (instances(study: 1, count: 12), instances(study: 2, count: 7))
        let peer = try QRTestPeer(instances: first + second, moveDestinations: ["DICOMLUA_STORE": servicePort])
        defer { peer.stop() }
        try startService(port: servicePort)
        var scripts: [ChildProcess] = []
        for (index, study) in [first[0].studyUID, second[0].studyUID].enumerated() {
            let file = path("move\(index).lua")
            try retrieveScript(study: study, qrPort: peer.qrPort).write(
                toFile: file, atomically: true, encoding: .utf8)
            scripts.append(try ChildProcess(dicomluaBinary, [file], environment: environment))
        }
        for script in scripts { XCTAssertEqual(script.wait(timeout: 120), 0, script.stderr) }
        XCTAssertEqual(
            scripts[0].stdout, "ok=true count=12 verdict=complete expected=12 arrived=12 missing=0\n",
            scripts[0].stderr)
        XCTAssertEqual(
            scripts[1].stdout, "ok=true count=7 verdict=complete expected=7 arrived=7 missing=0\n",
            scripts[1].stderr)
        let stored = try FileManager.default.contentsOfDirectory(atPath: path("in")).filter { $0.hasSuffix(".dcm") }
        XCTAssertEqual(Set(stored), Set((first + second).map { "\($0.sopInstanceUID).dcm" }))
    }

    /// Ctrl-C during a move from dcmqrscp: the archive receives a C-CANCEL (its log says so) and ends the
    /// move as cancelled and the association is released, not aborted; the script ends with `interrupted!`.
    func testInterruptCancelsAMoveFromDcmqrscp() throws {
        let peer = try QRTestPeer(instances: instances(study: 4, count: 8), destinationSleepSeconds: 1, verbose: true)
        defer { peer.stop() }
        let file = path("interrupt.lua")
        try """
        local c = cfg.new()
        c:set_application_entity('pacs', 'QRSCP', '127.0.0.1', \(peer.qrPort), 'Query_SCP_Service_List', 'Query_SCP')
        c:set_application_entity('dest', 'DESTAE', '127.0.0.1', \(peer.destinationPort), 'Storage_SCP_Service_List', 'Storage_SCP')
        c:commit()
        local q = query.new()
        q:set_property{query_scp = 'pacs', storage_scp = 'dest', query_model = 1, query_level = 1}
        q.callback_function = function() print('pending') io.stdout:flush() return 1 end
        q:retrieve{study_instance_uid = '1.2.826.0.1.3680043.2.1143.79.4'}
        """.write(toFile: file, atomically: true, encoding: .utf8)
        let process = try ChildProcess(dicomluaBinary, [file], environment: environment)
        let deadline = Date().addingTimeInterval(60)
        while !process.stdout.contains("pending") && process.isRunning && Date() < deadline { usleep(20_000) }
        kill(process.process.processIdentifier, SIGINT)
        XCTAssertEqual(process.wait(timeout: 30), 1, process.stderr)
        XCTAssertTrue(process.stderr.contains("interrupted!"), process.stderr)
        let logDeadline = Date().addingTimeInterval(15)
        while !peer.qrscp.stderr.contains("Association Release") && Date() < logDeadline { usleep(50_000) }
        let log = peer.qrscp.stderr
        XCTAssertTrue(log.contains("[status: Cancel: SubOperationsTerminatedDueToCancelIndication]"), log)
        XCTAssertTrue(log.contains("Association Release"), log)
        XCTAssertFalse(log.contains("Abort"), log)
        XCTAssertLessThan(peer.destinationFiles.count, 8, "the move stopped before its end")
    }
}
