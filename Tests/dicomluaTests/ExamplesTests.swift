import Foundation
import TestSupport
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// Every file in `Examples/` runs here through the built `dicomlua`, against real peers started by the test
/// (`dicomlua qrscp` over `dicomlua sample-data`, `/usr/bin/dcmqrscp`, `/usr/bin/storescp`, `/usr/bin/storescu`),
/// checking what a user sees: output lines, files arriving, exit status. Configuration files, HOME, XDG folders
/// and TMPDIR point into a temporary folder; the storage SCP service is stopped in tearDown.
final class ExamplesTests: XCTestCase {
    private var directory: URL!
    private var environment: [String: String] = [:]

    override func setUpWithError() throws {
        guard FileManager.default.isExecutableFile(atPath: dicomluaBinary) else {
            throw XCTSkip("dicomlua is not built (run `swift build` first): \(dicomluaBinary)")
        }
        guard dcmtkAvailable else { throw XCTSkip("DCMTK is not installed (scripts/setup installs it)") }
        directory = try makeTemporaryDirectory("examples")
        for folder in ["config", "home", "xdg-config", "xdg-data", "tmp"] {
            try FileManager.default.createDirectory(atPath: path(folder), withIntermediateDirectories: true)
        }
        environment = [
            "DICOMLUA_CONFIG": path("config/user.json"), "DICOMLUA_SYSTEM_CONFIG": path("config/system.json"),
            "HOME": path("home"), "XDG_CONFIG_HOME": path("xdg-config"), "XDG_DATA_HOME": path("xdg-data"),
            "TMPDIR": path("tmp"),
        ]
    }

    override func tearDownWithError() throws {
        guard let directory else { return }
        if FileManager.default.fileExists(atPath: path("config/system.json")) {
            _ = try? ChildProcess.run(
                dicomluaBinary, ["-e", "storage_scp.stop()"], environment: environment, timeout: 60)
        }
        try? FileManager.default.removeItem(at: directory)
    }

    // MARK: - verified_retrieve.lua

    func testVerifiedRetrieveRecoversWhatALossyArchiveDropped() throws {
        let pacs = try makeSampleData()
        let destPort = freeTCPPort()
        let (qrscp, qrPort) = try startQRSCP(
            pacs, destinations: ["DICOMLUA_DEMO=127.0.0.1:\(destPort)"], faults: ["drop-every=3"])
        defer { qrscp.stop() }
        let received = try folder("verified")
        let run = try runExample(
            "verified_retrieve.lua", ["QRSCP", "127.0.0.1", "\(qrPort)", "", received, "DICOMLUA_DEMO", "\(destPort)"])
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr + qrscp.stderr)
        XCTAssertTrue(run.stdout.contains(": complete\n"), run.stdout)
        XCTAssertTrue(run.stdout.contains("retry round 1"), "the dropped instances were asked for again: \(run.stdout)")
        XCTAssertTrue(run.stdout.contains("expected 6, arrived 6"), run.stdout)
        XCTAssertTrue(run.stdout.contains("attempts 2"), run.stdout)
        XCTAssertEqual(regularFiles(in: received).filter { $0.hasSuffix(".dcm") }.count, 6)
        XCTAssertTrue(qrscp.stderr.contains("fault drop-every"), qrscp.stderr)
    }

    // MARK: - retrieve_patient.lua

    func testRetrievePatientIntoTheScriptSCPFromDicomluaQRSCP() throws {
        let pacs = try makeSampleData()
        let destPort = freeTCPPort()
        let (qrscp, qrPort) = try startQRSCP(pacs, destinations: ["DICOMLUA_DEMO=127.0.0.1:\(destPort)"])
        defer { qrscp.stop() }
        let received = try folder("received")

        let run = try runExample(
            "retrieve_patient.lua",
            [
                "QRSCP", "127.0.0.1", "\(qrPort)", "PAT0002", received,
                "DICOMLUA_DEMO", "\(destPort)",
            ])
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
        XCTAssertTrue(run.stdout.hasPrefix("Echo Succeeded: AE Title: (QRSCP)"), run.stdout)
        XCTAssertTrue(run.stdout.contains("found 2 patient(s)"), run.stdout)
        XCTAssertTrue(run.stdout.contains("0xFF00 Pending"), "the callback printed pending responses: \(run.stdout)")
        XCTAssertTrue(
            run.stdout.contains(
                "retrieve of patient PAT0002: succeeded, 6 instance(s) reported by the PACS, 6 file(s) arrived in \(received)"
            ),
            run.stdout)
        XCTAssertEqual(dicomFiles(in: received).count, 6)
    }

    func testRetrievePatientIntoTheStorageSCPServiceWithDestService() throws {
        let pacs = try makeSampleData()
        let destPort = freeTCPPort()
        let (qrscp, qrPort) = try startQRSCP(pacs, destinations: ["SERVICE_DEST=127.0.0.1:\(destPort)"])
        defer { qrscp.stop() }
        let received = try folder("service-received")

        var env = environment
        env["DEST"] = "service"
        let run = try runExample(
            "retrieve_patient.lua",
            [
                "QRSCP", "127.0.0.1", "\(qrPort)", "PAT0001", received,
                "SERVICE_DEST", "\(destPort)",
            ], environment: env)
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
        XCTAssertTrue(run.stdout.contains("storage SCP service: start request issued"), run.stdout)
        XCTAssertTrue(run.stdout.contains("files_now=0"), "no in-process SCP, so no info.files: \(run.stdout)")
        XCTAssertTrue(
            run.stdout.contains(
                "retrieve of patient PAT0001: succeeded, 6 instance(s) reported by the PACS, 6 file(s) arrived in \(received)"
            ),
            run.stdout)
        XCTAssertTrue(run.stdout.contains("storage SCP service: stop request issued"), run.stdout)
        XCTAssertEqual(dicomFiles(in: received).count, 6)

        let after = try lua(
            "local s = cfg.new{system = true}; print(s:get_value('StorScpServiceAE'), storage_scp.status())")
        XCTAssertEqual(
            after.stdout, "IDL_AE_STOR_SCP\tservice not running\n",
            "the service is stopped and the system configuration's storage SCP AE restored: \(after.stderr)")
    }

    func testRetrievePatientFromRealDcmqrscp() throws {
        let pacs = try makeSampleData()
        let destPort = freeTCPPort()
        let qrPort = freeTCPPort()
        let database = try folder("dcmqrscp-db")
        let config = """
            NetworkTCPPort  = \(qrPort)
            MaxPDUSize      = 131072
            MaxAssociations = 8
            HostTable BEGIN
            demo = (DICOMLUA_DEMO, 127.0.0.1, \(destPort))
            HostTable END
            VendorTable BEGIN
            VendorTable END
            AETable BEGIN
            QRSCP   \(database)   RW   (100, 1024mb)   ANY
            AETable END
            """
        try config.write(toFile: path("dcmqrscp.cfg"), atomically: true, encoding: .utf8)
        let dcmqrscp = try ChildProcess(dcmtk("dcmqrscp"), ["-c", path("dcmqrscp.cfg"), "\(qrPort)"])
        defer { dcmqrscp.stop(grace: 1) }
        XCTAssertTrue(waitForPort(qrPort), dcmqrscp.stderr)
        let load = try ChildProcess.run(
            dcmtk("storescu"), ["-aec", "QRSCP", "+sd", "+r", "127.0.0.1", "\(qrPort)", pacs], timeout: 120)
        XCTAssertEqual(load.status, 0, load.stderr)
        let received = try folder("received")

        let run = try runExample(
            "retrieve_patient.lua",
            [
                "QRSCP", "127.0.0.1", "\(qrPort)", "PAT0001", received,
                "DICOMLUA_DEMO", "\(destPort)",
            ])
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
        XCTAssertTrue(run.stdout.contains("found 2 patient(s)"), run.stdout)
        XCTAssertTrue(
            run.stdout.contains(
                "retrieve of patient PAT0001: succeeded, 6 instance(s) reported by the PACS, 6 file(s) arrived in \(received)"
            ),
            run.stdout)
        XCTAssertEqual(dicomFiles(in: received).count, 6)
    }

    func testRetrievePatientExitsOneWhenThePACSIsNotThere() throws {
        let run = try runExample(
            "retrieve_patient.lua",
            [
                "QRSCP", "127.0.0.1", "\(freeTCPPort())", "", try folder("received"),
                "DICOMLUA_DEMO", "\(freeTCPPort())",
            ])
        XCTAssertEqual(run.status, 1, run.stdout + run.stderr)
        XCTAssertTrue(run.stderr.contains("Echo Failed:"), "the echo's failure lines are shown: \(run.stderr)")
    }

    // MARK: - idl/

    func testIDLQueryPatientRootPatientLevelListsEveryPatient() throws {
        let pacs = try makeSampleData()
        let (qrscp, qrPort) = try startQRSCP(pacs, destinations: [])
        defer { qrscp.stop() }

        let run = try runExample("idl/query_patient_root_patient_level.lua", ["QRSCP", "127.0.0.1", "\(qrPort)"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let rows = run.stdout.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false) }
        XCTAssertEqual(rows.map { String($0[0]) }.sorted(), ["PAT0001", "PAT0002"], run.stdout)
        XCTAssertTrue(
            rows.allSatisfy { $0.count == 2 && $0[1].contains("^") }, "patient id, tab, patient name: \(run.stdout)")
    }

    func testIDLQueryReportsAnUnreachableRemote() throws {
        let run = try runExample(
            "idl/query_patient_root_patient_level.lua", ["QRSCP", "127.0.0.1", "\(freeTCPPort())"])
        XCTAssertEqual(run.status, 1, run.stdout)
        XCTAssertTrue(run.stderr.contains("Query failed: "), run.stderr)
    }

    func testIDLRetrieveDicomPatientFilesThroughTheServiceAndRestores() throws {
        let pacs = try makeSampleData()
        // The "original" storage SCP service settings the example remembers and restores.
        let originalPort = freeTCPPort()
        let originalDir = try folder("original-stor-scp-dir")
        let setup = try lua(
            """
            local s = cfg.new{system = true}
            s:set_application_entity('IDL_AE_STOR_SCP', 'DICOMLUA_STORE', 'localhost', \(originalPort), 'Storage_SCP_Service_List', 'Storage_SCP')
            s:set_value('StorScpDir', '\(originalDir)')
            s:commit()
            """)
        XCTAssertEqual(setup.status, 0, setup.stderr)
        let storPort = freeTCPPort()
        let (qrscp, qrPort) = try startQRSCP(pacs, destinations: ["my_stor_scp=127.0.0.1:\(storPort)"])
        defer { qrscp.stop() }

        let run = try runExample(
            "idl/retrieve_dicom_patient_files.lua", ["QRSCP", "127.0.0.1", "\(qrPort)", "PAT0002", "\(storPort)", "0"])
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
        let tmp = path("tmp")
        XCTAssertEqual(
            run.stdout,
            """
            Stopping Storage SCP. Status: \tservice not running
            Setting Storage SCP Directory to: \t\(tmp)
            Starting Storage SCP. Status: \tstart request issued
            Storage SCP Status: \tservice running
            Retrieve Status: \t6\t files retrieved into \t\(tmp)

            Restoring original Storage SCP configuration.
            Stopping Storage SCP. Status: \tstop request issued
            Storage SCP Directory is now \t\(originalDir)
            Starting Storage SCP. Status: \tstart request issued
            Storage SCP Status: \tservice running

            """, run.stderr)
        XCTAssertEqual(dicomFiles(in: tmp).count, 6, "the patient's instances arrived in the temporary folder")

        let after = try lua(
            """
            local s, u = cfg.new{system = true}, cfg.new()
            print(s:get_value('StorScpServiceAE'), s:get_value('StorScpDir'), u:get_value('StorScpServiceAE'))
            """)
        XCTAssertEqual(after.stdout, "IDL_AE_STOR_SCP\t\(originalDir)\tIDL_AE_STOR_SCP\n", after.stderr)
    }

    func testIDLStorScuSendFilesLoopsBackToTheService() throws {
        let pacs = try makeSampleData(patients: 1, series: 1, instances: 3)
        let files = dicomFiles(inTree: pacs)
        XCTAssertEqual(files.count, 3)
        let port = freeTCPPort()

        let run = try runExample("idl/stor_scu_send_files.lua", ["--port", "\(port)", "--wait", "0"] + files)
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
        XCTAssertEqual(
            run.stdout,
            """
            Stopping Storage SCP. Status: \tservice not running
            Starting Storage SCP. Status: \tstart request issued
            Send: 0x0000 Success
            Send: 0x0000 Success
            Send: 0x0000 Success
            Files sent: \t3

            """, run.stderr)
        XCTAssertEqual(dicomFiles(in: path("tmp")).count, 3, "the service stored the three files in TMPDIR")
        let status = try lua("print(storage_scp.status())")
        XCTAssertEqual(status.stdout, "service running\n", "like IDL's example, the service stays running")
    }

    func testIDLStorScuSendFilesWithoutFilesPrintsUsage() throws {
        let run = try runExample("idl/stor_scu_send_files.lua", [])
        XCTAssertEqual(run.status, 1)
        XCTAssertTrue(run.stderr.contains("usage: dicomlua stor_scu_send_files.lua"), run.stderr)
    }

    // MARK: - forward.lua

    func testForwardSendsEveryReceivedInstanceOnAndStopsOnCtrlC() throws {
        let pacs = try makeSampleData(patients: 1, series: 1, instances: 2)
        let files = dicomFiles(inTree: pacs)
        let destination = try folder("forward-destination")
        let destPort = freeTCPPort()
        let storescp = try ChildProcess(dcmtk("storescp"), ["-aet", "FWD_DEST", "-od", destination, "\(destPort)"])
        defer { storescp.stop(grace: 0.5) }
        XCTAssertTrue(waitForPort(destPort), storescp.stderr)
        let setup = try lua(
            """
            local c = cfg.new()
            c:set_application_entity('PACS', 'FWD_DEST', '127.0.0.1', \(destPort), 'Storage_SCP_Service_List', 'Storage_SCP')
            c:set_value('StorScpDir', '\(try folder("forward-in"))')
            c:commit()
            """)
        XCTAssertEqual(setup.status, 0, setup.stderr)

        let port = freeTCPPort()
        let forward = try ChildProcess(
            dicomluaBinary, [example("forward.lua"), "PACS", "\(port)"], environment: environment)
        defer { forward.stop() }
        XCTAssertTrue(waitForPort(port), forward.stderr)
        let sent = try ChildProcess.run(
            dcmtk("storescu"), ["-aet", "SENDER", "-aec", "DICOMLUA_STORE", "127.0.0.1", "\(port)"] + files)
        XCTAssertEqual(sent.status, 0, sent.stderr)
        XCTAssertTrue(Self.until { forward.stdout.contains("SENDER sent 2 file(s)") }, forward.stdout + forward.stderr)
        XCTAssertEqual(regularFiles(in: destination).count, 2, "both instances were forwarded to FWD_DEST")

        kill(forward.process.processIdentifier, SIGINT)
        XCTAssertEqual(forward.wait(timeout: 30), 0, "Ctrl-C ends the forwarder cleanly: \(forward.stderr)")
        XCTAssertEqual(
            forward.stdout,
            """
            storage SCP DICOMLUA_STORE on port \(port) forwarding to PACS
            SENDER sent 2 file(s); forwarded 2 to PACS
            stopped: forwarded 2 file(s), 0 failed

            """)
    }

    func testForwardReportsFilesItCouldNotForward() throws {
        let pacs = try makeSampleData(patients: 1, series: 1, instances: 2)
        let files = dicomFiles(inTree: pacs)
        let setup = try lua(
            """
            local c = cfg.new()
            c:set_application_entity('PACS', 'NOBODY', '127.0.0.1', \(freeTCPPort()), 'Storage_SCP_Service_List', 'Storage_SCP')
            c:set_value('StorScpDir', '\(try folder("forward-in"))')
            c:commit()
            """)
        XCTAssertEqual(setup.status, 0, setup.stderr)
        let port = freeTCPPort()
        let forward = try ChildProcess(
            dicomluaBinary, [example("forward.lua"), "PACS", "\(port)"], environment: environment)
        defer { forward.stop() }
        XCTAssertTrue(waitForPort(port), forward.stderr)
        let sent = try ChildProcess.run(
            dcmtk("storescu"), ["-aet", "SENDER", "-aec", "DICOMLUA_STORE", "127.0.0.1", "\(port)"] + files)
        XCTAssertEqual(sent.status, 0, "the SCP side stores even when forwarding fails: \(sent.stderr)")
        XCTAssertTrue(
            Self.until { forward.stdout.contains("SENDER sent 2 file(s); forwarded 0 to PACS") },
            forward.stdout + forward.stderr)
        XCTAssertTrue(
            Self.until { forward.stderr.contains("could not forward 2 file(s) from SENDER: ") }, forward.stderr)
        kill(forward.process.processIdentifier, SIGINT)
        XCTAssertEqual(forward.wait(timeout: 30), 0, forward.stderr)
        XCTAssertTrue(forward.stdout.hasSuffix("stopped: forwarded 0 file(s), 2 failed\n"), forward.stdout)
    }

    // MARK: - hooks files

    func testStorescpHooksSortsFilesAndWritesTheCSV() throws {
        let pacs = try makeSampleData(patients: 1, series: 2, instances: 2)
        let files = dicomFiles(inTree: pacs)
        XCTAssertEqual(files.count, 4)
        let received = try folder("hooks-in")
        let port = freeTCPPort()
        let scp = try ChildProcess(
            dicomluaBinary,
            [
                "storescp", "--aet", "HOOKS_SCP", "--port", "\(port)", "--dir", received,
                "--hooks", example("storescp_hooks.lua"), "--log-dir", try folder("log"),
            ],
            environment: environment)
        defer { scp.stop() }
        XCTAssertTrue(waitForPort(port), scp.stdout + scp.stderr)
        let sent = try ChildProcess.run(
            dcmtk("storescu"), ["-aet", "SENDER", "-aec", "HOOKS_SCP", "127.0.0.1", "\(port)"] + files)
        XCTAssertEqual(sent.status, 0, sent.stderr)
        XCTAssertTrue(
            Self.until { scp.stderr.contains("SENDER (") && scp.stderr.contains(") sent 4 file(s)") }, scp.stderr)

        let csv = (try? String(contentsOfFile: received + "/sorted/received.csv", encoding: .utf8)) ?? ""
        let rows = csv.split(separator: "\n").map { $0.split(separator: ",").map(String.init) }
        XCTAssertEqual(rows.count, 4, csv)
        for row in rows where row.count == 8 {
            let (patient, study, series, sop, target) = (row[2], row[3], row[4], row[5], row[7])
            XCTAssertEqual(row[1], "SENDER")
            XCTAssertEqual(patient, "PAT0001")
            XCTAssertEqual(target, "\(received)/sorted/\(patient)/\(study)/\(series)/\(sop).dcm")
            XCTAssertTrue(FileManager.default.fileExists(atPath: target), target)
        }
        XCTAssertEqual(Set(rows.map { $0.count > 4 ? $0[4] : "" }).count, 2, "two series folders: \(csv)")
        XCTAssertEqual(dicomFiles(in: received).count, 0, "every file was moved into sorted/")
        scp.stop()
        XCTAssertEqual(scp.process.terminationStatus, 0, scp.stderr)
    }

    func testSiteHooksReportStoredFilesAndRefuseBlockedAE() throws {
        let pacs = try makeSampleData(patients: 1, series: 1, instances: 2)
        let files = dicomFiles(inTree: pacs)
        let received = try folder("site-in")
        let log = try folder("site-log")
        let port = freeTCPPort()
        let scp = try ChildProcess(
            dicomluaBinary,
            [
                "storescp", "--aet", "SITE_SCP", "--port", "\(port)", "--dir", received,
                "--hooks", example("hooks/site_hooks.lua"), "--log-dir", log,
            ],
            environment: environment)
        defer { scp.stop() }
        XCTAssertTrue(waitForPort(port), scp.stdout + scp.stderr)
        let sent = try ChildProcess.run(
            dcmtk("storescu"), ["-aet", "SENDER", "-aec", "SITE_SCP", "127.0.0.1", "\(port)"] + files)
        XCTAssertEqual(sent.status, 0, sent.stderr)
        XCTAssertTrue(Self.until { scp.stderr.contains("SENDER sent 2 file(s)") }, scp.stderr)
        let storedLines = scp.stderr.split(separator: "\n").filter { $0.hasPrefix("stored \(received)/") }
        XCTAssertEqual(storedLines.count, 2, scp.stderr)
        XCTAssertTrue(
            storedLines.allSatisfy { $0.contains("patient PAT0001,") && $0.hasSuffix("bytes from SENDER)") }, scp.stderr
        )

        _ = try ChildProcess.run(
            dcmtk("storescu"), ["-aet", "BLOCKED_AE", "-aec", "SITE_SCP", "127.0.0.1", "\(port)", files[0]])
        let logFile = log + "/storscp1.log"
        XCTAssertTrue(
            Self.until {
                ((try? String(contentsOfFile: logFile, encoding: .utf8)) ?? "").contains(
                    "refused by the on_association hook: calling BLOCKED_AE")
            },
            "on_association returned false for BLOCKED_AE: \((try? String(contentsOfFile: logFile, encoding: .utf8)) ?? "no log")"
        )
        scp.stop()
        XCTAssertEqual(scp.process.terminationStatus, 0, scp.stderr)
    }

    // MARK: - helpers

    private func path(_ relative: String) -> String { directory.appendingPathComponent(relative).path }

    private func folder(_ name: String) throws -> String {
        try FileManager.default.createDirectory(atPath: path(name), withIntermediateDirectories: true)
        return path(name)
    }

    private func example(_ name: String) -> String { packageRoot.appendingPathComponent("Examples/\(name)").path }

    private func runExample(
        _ name: String, _ arguments: [String], environment: [String: String]? = nil,
        timeout: TimeInterval = 120
    ) throws -> (status: Int32?, stdout: String, stderr: String) {
        try ChildProcess.run(
            dicomluaBinary, [example(name)] + arguments, environment: environment ?? self.environment, timeout: timeout)
    }

    private func lua(_ code: String) throws -> (status: Int32?, stdout: String, stderr: String) {
        try ChildProcess.run(dicomluaBinary, ["-e", code], environment: environment, timeout: 60)
    }

    /// `dicomlua sample-data`: by default 2 patients (PAT0001, PAT0002), each 1 study of 2 series of 3 instances.
    private func makeSampleData(patients: Int = 2, series: Int = 2, instances: Int = 3) throws -> String {
        let pacs = path("pacs")
        let generated = try ChildProcess.run(
            dicomluaBinary,
            [
                "sample-data", pacs, "--patients", "\(patients)", "--studies", "1",
                "--series", "\(series)", "--instances", "\(instances)",
            ],
            environment: environment)
        XCTAssertEqual(generated.status, 0, generated.stderr)
        return pacs
    }

    private func startQRSCP(
        _ pacs: String, destinations: [String], faults: [String] = []
    ) throws -> (ChildProcess, Int) {
        let port = freeTCPPort()
        let qrscp = try ChildProcess(
            dicomluaBinary,
            ["qrscp", "--dir", pacs, "--aet", "QRSCP", "--port", "\(port)"]
                + destinations.flatMap { ["--dest", $0] } + faults.flatMap { ["--fault", $0] },
            environment: environment)
        XCTAssertTrue(waitForPort(port), qrscp.stderr)
        return (qrscp, port)
    }

    private func regularFiles(in folder: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { name in
            var isDirectory: ObjCBool = false
            return !name.hasPrefix(".")
                && FileManager.default.fileExists(atPath: folder + "/" + name, isDirectory: &isDirectory)
                && !isDirectory.boolValue
        }
    }

    /// `*.dcm` files directly in `folder` (where the storage SCP puts what it received).
    private func dicomFiles(in folder: String) -> [String] { regularFiles(in: folder).filter { $0.hasSuffix(".dcm") } }

    /// Every `*.dcm` file below `folder`, sorted.
    private func dicomFiles(inTree folder: String) -> [String] {
        let enumerator = FileManager.default.enumerator(atPath: folder)
        var found: [String] = []
        while let relative = enumerator?.nextObject() as? String {
            if relative.hasSuffix(".dcm") { found.append(folder + "/" + relative) }
        }
        return found.sorted()
    }

    /// Polls `condition` every 50 ms for at most `timeout` seconds.
    static func until(timeout: TimeInterval = 30, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return true }
            usleep(50_000)
        }
        return condition()
    }
}
