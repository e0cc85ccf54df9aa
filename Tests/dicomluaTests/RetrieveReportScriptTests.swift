import Foundation
import TestSupport
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// The `report` of `q:retrieve`/`q:get`, `verify`, `CALLBACK_FINAL`, Ctrl-C and the query additions
/// (docs/lua-api.md "Retrieve reports, verification and retry", "Queries that say what they left out"), from
/// scripts, against `/usr/bin/dcmqrscp`, pynetdicom's qrscp and `dicomlua qrscp`.
final class RetrieveReportScriptTests: XCTestCase {
    private var directory: URL!
    private var environment: [String: String] = [:]

    override func setUpWithError() throws {
        guard FileManager.default.isExecutableFile(atPath: dicomluaBinary) else {
            throw XCTSkip("dicomlua is not built (run `swift build` first): \(dicomluaBinary)")
        }
        directory = try makeTemporaryDirectory("retrieve-report-script")
        environment = ["DICOMLUA_CONFIG": path("user.json"), "DICOMLUA_SYSTEM_CONFIG": path("system.json")]
    }

    override func tearDownWithError() throws {
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }

    private func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    private func folder(_ name: String) throws -> String {
        try FileManager.default.createDirectory(atPath: path(name), withIntermediateDirectories: true)
        return path(name)
    }

    private func dcmFiles(_ folder: String) -> Int {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".dcm") }.count
    }

    /// Configures `pacs` (QR_AET at QR_PORT) and `me` (SCRIPT_SCP at DEST_PORT), then runs `body`.
    private func script(_ body: String) -> String {
        """
        local qr_aet, qr_port, dest_port, dir = arg[1], tonumber(arg[2]), tonumber(arg[3]), arg[4]
        local c = cfg.new()
        c:set_application_entity('pacs', qr_aet, '127.0.0.1', qr_port, 'Query_SCP_Service_List', 'Query_SCP')
        c:set_application_entity('me', 'SCRIPT_SCP', '127.0.0.1', dest_port, 'Storage_SCP_Service_List', 'Storage_SCP')
        c:commit()
        local function show(label, ok, count, message, r)
          print(string.format('%s ok=%s count=%d verdict=%s expected=%s arrived=%s missing=%d failed_uids=%d attempts=%d',
            label, tostring(ok), count, r.verdict, tostring(r.expected_count), tostring(r.arrived and #r.arrived),
            #r.missing, #r.failed_uids, r.attempts))
          if r.message then print(label .. ' message ' .. r.message) end
        end
        \(body)
        """
    }

    private func run(
        _ body: String, qrAET: String, qrPort: Int, destPort: Int, dir: String, timeout: TimeInterval = 120
    ) throws -> (status: Int32?, stdout: String, stderr: String) {
        let file = path("script-\(UUID().uuidString).lua")
        try script(body).write(toFile: file, atomically: true, encoding: .utf8)
        return try ChildProcess.run(
            dicomluaBinary, [file, qrAET, "\(qrPort)", "\(destPort)", dir], environment: environment,
            timeout: timeout)
    }

    /// Move into the script's SCP and get into a folder, both verified, of a 250-instance study (more than
    /// MaxQueryResponses) from dcmqrscp: 'complete' with expected_count = the files on disk.
    func testVerifiedMoveAndGetOfA250InstanceStudyFromDcmqrscp() throws {
        try XCTSkipUnless(dcmtkAvailable, "DCMTK is not installed")
        let root = "1.2.826.0.1.3680043.2.1143.78"
        let instances = (1...250).map { i in
            TestInstance(
                patientID: "BIG", patientName: "BIG^STUDY", studyUID: "\(root).1", studyDescription: "BIG",
                seriesUID: "\(root).1.\(i % 2 + 1)", seriesDescription: "S", seriesNumber: i % 2 + 1, modality: "CT",
                sopInstanceUID: "\(root).1.\(i % 2 + 1).\(i)", instanceNumber: i)
        }
        let destPort = freeTCPPort()
        let peer = try QRTestPeer(instances: instances, moveDestinations: ["SCRIPT_SCP": destPort])
        defer { peer.stop() }
        let moved = try folder("moved")
        let got = try folder("got")
        let run = try run(
            """
            local q = query.new()
            q:set_property{query_scp = 'pacs', storage_scp = 'me', query_model = 1, query_level = 1}
            local scp = storage_scp.new{ae = 'me', dir = dir}
            scp:start()
            show('move', q:retrieve{study_instance_uid = '\(root).1', verify = true})
            scp:stop()
            show('get', q:get{study_instance_uid = '\(root).1', verify = true, directory = arg[5]})
            """.replacingOccurrences(of: "arg[5]", with: "'\(got)'"),
            qrAET: "QRSCP", qrPort: peer.qrPort, destPort: destPort, dir: moved, timeout: 170)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(
            run.stdout.contains(
                "move ok=true count=250 verdict=complete expected=250 arrived=250 missing=0 failed_uids=0 attempts=1"),
            run.stdout + run.stderr)
        XCTAssertTrue(
            run.stdout.contains(
                "get ok=true count=250 verdict=complete expected=250 arrived=250 missing=0 failed_uids=0 attempts=1"),
            run.stdout + run.stderr)
        XCTAssertEqual(dcmFiles(moved), 250)
        XCTAssertEqual(dcmFiles(got), 250)
    }

    /// pynetdicom's Move SCP puts its own AE title in Move Originator AE Title: still attributed.
    func testVerifiedMoveFromPynetdicomQRSCPIsComplete() throws {
        try XCTSkipUnless(dcmtkAvailable, "DCMTK is not installed")
        let probe = try ChildProcess.run(
            "/usr/bin/env", ["python3", "-c", "import pynetdicom, sqlalchemy"], timeout: 30)
        try XCTSkipUnless(probe.status == 0, "pynetdicom's qrscp needs sqlalchemy (scripts/setup installs it)")
        let generated = try ChildProcess.run(
            dicomluaBinary, ["sample-data", path("pacs"), "--patients", "1", "--series", "2", "--instances", "3"])
        XCTAssertEqual(generated.status, 0, generated.stderr)
        let (qrPort, destPort) = (freeTCPPort(), freeTCPPort())
        let qrscp = try PynetdicomQRSCP.start(
            in: directory, port: qrPort, destinations: [("SCRIPT_SCP", destPort)], load: path("pacs"))
        defer { qrscp.stop() }
        let moved = try folder("moved")
        let got = try folder("got")
        let run = try run(
            """
            local q = query.new()
            q:set_property{query_scp = 'pacs', storage_scp = 'me', query_model = 1, query_level = 1}
            local studies = assert(q:query())
            local scp = storage_scp.new{ae = 'me', dir = dir}
            scp:start()
            show('move', q:retrieve{study_instance_uid = studies[1].study_instance_uid, verify = true})
            scp:stop()
            show('get', q:get{study_instance_uid = studies[1].study_instance_uid, verify = true, directory = '\(got)'})
            """, qrAET: "PYQRSCP", qrPort: qrPort, destPort: destPort, dir: moved)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(
            run.stdout.contains("move ok=true count=6 verdict=complete expected=6 arrived=6 missing=0"),
            run.stdout + run.stderr)
        XCTAssertTrue(
            run.stdout.contains("get ok=true count=6 verdict=complete expected=6 arrived=6 missing=0"),
            run.stdout + run.stderr)
        XCTAssertEqual(dcmFiles(moved), 6)
        XCTAssertEqual(dcmFiles(got), 6)
    }

    /// Faults of `dicomlua qrscp` seen from a script: a lossy archive without verify is 'unverified', with
    /// verify 'partial' naming what is missing, with retry 'complete'; CALLBACK_FINAL reports the last file of
    /// an archive that sends N−1 pending responses; a cancelled retrieve is 'cancelled'.
    func testFaultsFromAScript() throws {
        let pacs = path("pacs")
        let generated = try ChildProcess.run(
            dicomluaBinary, ["sample-data", pacs, "--patients", "1", "--series", "2", "--instances", "3"])
        XCTAssertEqual(generated.status, 0, generated.stderr)
        let (qrPort, destPort) = (freeTCPPort(), freeTCPPort())
        let qrscp = try ChildProcess(
            dicomluaBinary,
            [
                "qrscp", "--dir", pacs, "--port", "\(qrPort)", "--dest", "SCRIPT_SCP=127.0.0.1:\(destPort)",
                "--fault", "fail-every=3", "--fault", "missing-last-pending",
            ])
        defer { qrscp.stop() }
        XCTAssertTrue(waitForPort(qrPort), qrscp.stderr)
        let received = try folder("received")
        let run = try run(
            """
            local q = query.new()
            q:set_property{query_scp = 'pacs', storage_scp = 'me', query_model = 1, query_level = 1}
            local study = assert(q:query())[1].study_instance_uid
            local scp = storage_scp.new{ae = 'me', dir = dir}
            scp:start()
            local files, finals, failed = 0, 0, -1
            q.callback_final = true
            q.callback_function = function(status, data, info)
              files = files + #info.files
              if info.final then finals = finals + 1; failed = #info.failed_uids end
              return 1
            end
            show('first', q:retrieve{study_instance_uid = study, verify = true})
            print('callback files', files, 'finals', finals, 'final failed_uids', failed)
            show('again', q:retrieve{study_instance_uid = study, verify = true, retry = 1})
            q.callback_function = function() return 0 end
            q.callback_final = false
            show('cancelled', q:retrieve{study_instance_uid = study})
            scp:stop()
            local n = 0
            for name in io.popen('ls ' .. dir):lines() do if name:match('%.dcm$') then n = n + 1 end end
            print('on disk', n)
            """, qrAET: "QRSCP", qrPort: qrPort, destPort: destPort, dir: received)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(
            run.stdout.contains(
                "first ok=true count=4 verdict=partial expected=6 arrived=4 missing=2 failed_uids=2 attempts=1"),
            run.stdout + run.stderr)
        XCTAssertTrue(run.stdout.contains("callback files\t4\tfinals\t1\tfinal failed_uids\t2"), run.stdout)
        XCTAssertTrue(
            run.stdout.contains("again ok=true count=6 verdict=complete expected=6 arrived=6 missing=0 failed_uids=0"),
            run.stdout + run.stderr)
        XCTAssertTrue(run.stdout.contains("cancelled ok=true"), run.stdout)
        XCTAssertTrue(run.stdout.contains("verdict=cancelled"), run.stdout)
        XCTAssertTrue(run.stdout.contains("on disk\t6"), run.stdout)
    }

    /// `truncated`, `extra` and the warning for a property the level does not send, against `dicomlua qrscp`.
    func testQueriesSayWhatTheyLeftOut() throws {
        let pacs = path("pacs")
        let generated = try ChildProcess.run(
            dicomluaBinary, ["sample-data", pacs, "--patients", "3", "--series", "1", "--instances", "1"])
        XCTAssertEqual(generated.status, 0, generated.stderr)
        let qrPort = freeTCPPort()
        let qrscp = try ChildProcess(dicomluaBinary, ["qrscp", "--dir", pacs, "--port", "\(qrPort)"])
        defer { qrscp.stop() }
        XCTAssertTrue(waitForPort(qrPort), qrscp.stderr)
        let run = try run(
            """
            c:set_value('MaxQueryResponses', '2')
            c:commit()
            local q = query.new()
            q:set_property{query_scp = 'pacs', query_model = 1, query_level = 1}
            local r, n, truncated = q:query()
            print('limited', n, truncated)
            c:set_value('MaxQueryResponses', '100')
            c:commit()
            r, n, truncated = q:query{extra = {ModalitiesInStudy = '', NumberOfStudyRelatedInstances = ''}}
            print('all', n, truncated, r[1].ModalitiesInStudy, r[1].numberofstudyrelatedinstances)
            r, n = q:query{extra = {ModalitiesInStudy = 'XX'}}
            print('none', n)
            q.modality = 'CT'
            r, n = q:query()
            print('modality ignored at study level', n)
            """, qrAET: "QRSCP", qrPort: qrPort, destPort: 1, dir: path("unused"))
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains("limited\t2\ttrue\n"), run.stdout)
        XCTAssertTrue(run.stderr.contains("MaxQueryResponses (2) cut the query short"), run.stderr)
        XCTAssertTrue(run.stdout.contains("all\t3\tfalse\t"), run.stdout)
        XCTAssertTrue(run.stdout.contains("none\t0\n"), run.stdout)
        XCTAssertTrue(run.stdout.contains("modality ignored at study level\t3"), run.stdout)
        XCTAssertTrue(
            run.stderr.contains("MODALITY is not sent at Study Root / Study level"), run.stderr)
    }

    /// Ctrl-C during a retrieve: C-CANCEL first (the archive logs a cancelled move, not an abort), then the
    /// script ends with `interrupted!`.
    func testInterruptSendsCCancelBeforeAborting() throws {
        try XCTSkipUnless(dcmtkAvailable, "DCMTK is not installed")
        let pacs = path("pacs")
        let generated = try ChildProcess.run(
            dicomluaBinary, ["sample-data", pacs, "--patients", "1", "--series", "1", "--instances", "8"])
        XCTAssertEqual(generated.status, 0, generated.stderr)
        let slow = try folder("slow")
        let (qrPort, destPort) = (freeTCPPort(), freeTCPPort())
        let storescp = try ChildProcess(
            dcmtk("storescp"), ["-aet", "SLOW", "--sleep-after", "1", "-od", slow, "\(destPort)"])
        defer { storescp.stop() }
        let qrscp = try ChildProcess(
            dicomluaBinary, ["qrscp", "--dir", pacs, "--port", "\(qrPort)", "--dest", "SLOW=127.0.0.1:\(destPort)"])
        defer { qrscp.stop() }
        XCTAssertTrue(waitForPort(qrPort) && waitForPort(destPort), qrscp.stderr)
        let file = path("interrupt.lua")
        try script(
            """
            c:set_application_entity('slow', 'SLOW', '127.0.0.1', dest_port, 'Storage_SCP_Service_List', 'Storage_SCP')
            c:commit()
            local q = query.new()
            q:set_property{query_scp = 'pacs', storage_scp = 'slow'}
            q.callback_function = function() print('pending') io.stdout:flush() return 1 end
            q:retrieve{patient_id = 'PAT0001'}
            """
        ).write(toFile: file, atomically: true, encoding: .utf8)
        let process = try ChildProcess(
            dicomluaBinary, [file, "QRSCP", "\(qrPort)", "\(destPort)", slow], environment: environment)
        let deadline = Date().addingTimeInterval(60)
        while !process.stdout.contains("pending") && process.isRunning && Date() < deadline { usleep(20_000) }
        kill(process.process.processIdentifier, SIGINT)
        XCTAssertEqual(process.wait(timeout: 30), 1, process.stderr)
        XCTAssertTrue(process.stderr.contains("interrupted!"), process.stderr)
        let logDeadline = Date().addingTimeInterval(10)
        while !qrscp.stderr.contains("→ ") && Date() < logDeadline { usleep(50_000) }
        XCTAssertTrue(qrscp.stderr.contains("C-MOVE Patient Root PATIENT to SLOW"), qrscp.stderr)
        XCTAssertTrue(qrscp.stderr.contains("FE00"), "the archive ended the move as cancelled: \(qrscp.stderr)")
    }
}
