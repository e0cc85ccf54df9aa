import Foundation
import TestSupport
import XCTest

/// `dicomlua storescp`, the storage SCP service (`storage_scp.start/stop/status`) and in-process SCPs with
/// hooks, as a user runs them. Peers: DCMTK's storescu; test files are written with pydicom.
final class StorageSCPCommandTests: XCTestCase {
    var directory: URL!
    var environment: [String: String] = [:]

    override func setUpWithError() throws {
        guard FileManager.default.isExecutableFile(atPath: dicomluaBinary) else {
            throw XCTSkip("dicomlua is not built (run `swift build` first): \(dicomluaBinary)")
        }
        try XCTSkipUnless(dcmtkAvailable, "DCMTK not installed")
        directory = try makeTemporaryDirectory("storescp")
        environment = ["DICOMLUA_CONFIG": path("user.json"), "DICOMLUA_SYSTEM_CONFIG": path("system.json")]
    }

    override func tearDownWithError() throws {
        // Never leave a service behind.
        if let directory {
            _ = try? ChildProcess.run(
                dicomluaBinary, ["-e", "storage_scp.stop()"], environment: environment, timeout: 60)
            try? FileManager.default.removeItem(at: directory)
        }
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// A system configuration whose storage SCP listens on `port`, stores into `in/`, logs into `log/`.
    func writeSystemConfiguration(port: Int, storageDirectory: String? = nil, extra: String = "") throws {
        let json = """
            {"format": "dicomlua-config/1",
             "values": {"StorScpDir": "\(storageDirectory ?? path("in"))", "LogDir": "\(path("log"))"\(extra)},
             "applicationEntities": [{"applentityname": "IDL_AE_STOR_SCP", "aet": "DICOMLUA_STORE", "hostname": "localhost",
                                      "port": \(port), "servicelistname": "Storage_SCP_Service_List", "servicetype": "Storage_SCP"}]}
            """
        try FileManager.default.createDirectory(atPath: path("log"), withIntermediateDirectories: true)
        try json.write(toFile: path("system.json"), atomically: true, encoding: .utf8)
    }

    /// `count` Secondary Capture files `src/f<i>.dcm` with Patient ID `PAT<i>`; returns their paths.
    func makeInstances(_ count: Int, folder: String = "src") throws -> [String] {
        let code = """
            import sys
            from pydicom.dataset import Dataset, FileMetaDataset
            from pydicom.uid import ExplicitVRLittleEndian, generate_uid
            for i in range(int(sys.argv[2])):
                ds = Dataset(); ds.SOPClassUID = '1.2.840.10008.5.1.4.1.1.7'; ds.SOPInstanceUID = generate_uid()
                ds.PatientID = 'PAT%d' % i
                ds.file_meta = FileMetaDataset(); ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
                ds.file_meta.MediaStorageSOPClassUID = ds.SOPClassUID; ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
                ds.save_as('%s/f%d.dcm' % (sys.argv[1], i), enforce_file_format=True)
            """
        try FileManager.default.createDirectory(atPath: path(folder), withIntermediateDirectories: true)
        let result = try ChildProcess.run("/usr/bin/env", ["python3", "-c", code, path(folder), "\(count)"])
        XCTAssertEqual(result.status, 0, result.stderr)
        return (0..<count).map { path("\(folder)/f\($0).dcm") }
    }

    func storescu(
        port: Int, files: [String], calling: String = "SENDER", called: String = "DICOMLUA_STORE"
    )
        throws -> (status: Int32?, stdout: String, stderr: String)
    {
        try ChildProcess.run(
            dcmtk("storescu"), ["-aet", calling, "-aec", called, "127.0.0.1", "\(port)"] + files, timeout: 60)
    }

    func lua(_ code: String) throws -> (status: Int32?, stdout: String, stderr: String) {
        try ChildProcess.run(dicomluaBinary, ["-e", code], environment: environment, timeout: 60)
    }

    /// `dicomlua storescp` with standard output a pipe the test does not read (until it chooses to), listening
    /// on `port` (waited for).
    func startStorescpWithUnreadOutput(
        port: Int, aet: String, dir: String, extra: [String] = []
    ) throws -> (
        Process, Pipe
    ) {
        let unread = Pipe()
        let scp = Process()
        scp.executableURL = URL(fileURLWithPath: dicomluaBinary)
        scp.arguments = ["storescp", "--port", "\(port)", "--dir", dir, "--aet", aet, "--accept-any"] + extra
        scp.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        scp.standardOutput = unread
        scp.standardError = FileHandle.nullDevice
        try scp.run()
        XCTAssertTrue(waitForPort(port, timeout: 20))
        return (scp, unread)
    }

    func waitForLine(_ process: ChildProcess, containing text: String) -> Bool {
        let deadline = Date().addingTimeInterval(20)
        while !process.stdout.contains(text) {
            if Date() > deadline || !process.isRunning { return false }
            usleep(20_000)
        }
        return true
    }

    func files(in folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".dcm") }.sorted()
    }

    // MARK: - dicomlua storescp

    func testStorescpStoresHooksRunInOrderAndSIGTERMExitsZero() throws {
        try writeSystemConfiguration(port: freeTCPPort())
        let hooks = path("hooks.lua")
        try """
        function on_association(a) print('hook association ' .. a.calling_aet .. ' ' .. a.CALLED_AET) return a.calling_aet ~= 'UNWANTED' end
        function on_stored(f)
          print('hook stored ' .. f.patient_id .. ' ' .. f.sop_class_uid)
          if f.patient_id == 'PAT1' then error('hook failure on purpose') end
        end
        function on_association_end(a) print('hook end ' .. #a.files) end
        """.write(toFile: hooks, atomically: true, encoding: .utf8)
        let port = freeTCPPort()
        let scp = try ChildProcess(
            dicomluaBinary,
            [
                "storescp", "--port", "\(port)", "--dir", path("flags-in"), "--aet", "FLAGS_SCP",
                "--hooks", hooks, "--log-dir", path("log"),
            ], environment: environment)
        XCTAssertTrue(waitForLine(scp, containing: "listening"), scp.stderr)
        XCTAssertTrue(scp.stdout.contains("FLAGS_SCP listening on 0.0.0.0 port \(port)"), scp.stdout)
        let sources = try makeInstances(3)
        XCTAssertEqual(try storescu(port: port, files: sources, called: "FLAGS_SCP").status, 0)
        let refused = try storescu(port: port, files: [sources[0]], calling: "UNWANTED", called: "FLAGS_SCP")
        XCTAssertNotEqual(refused.status, 0, "on_association returning false refuses")
        XCTAssertTrue(waitForLine(scp, containing: "hook end 3"), scp.stdout)
        kill(scp.process.processIdentifier, SIGTERM)
        XCTAssertEqual(scp.wait(timeout: 40), 0, scp.stderr)

        XCTAssertEqual(files(in: path("flags-in")).count, 3, "a raising hook does not lose the file")
        let hookLines = scp.stdout.split(separator: "\n").filter { $0.hasPrefix("hook") }.map(String.init)
        XCTAssertEqual(
            hookLines,
            [
                "hook association SENDER FLAGS_SCP", "hook stored PAT0 1.2.840.10008.5.1.4.1.1.7",
                "hook stored PAT1 1.2.840.10008.5.1.4.1.1.7", "hook stored PAT2 1.2.840.10008.5.1.4.1.1.7",
                "hook end 3", "hook association UNWANTED FLAGS_SCP", "hook end 0",  // a refusal reaches it too
            ])
        XCTAssertTrue(scp.stderr.contains("on_stored raised"), scp.stderr)
        let log = try String(contentsOfFile: path("log/storscp1.log"), encoding: .utf8)
        for type in [" start ", " association ", " write ", " error "] {
            XCTAssertTrue(log.contains(type), "no\(type)line in \(log)")
        }
    }

    /// The storage SCP reports each instance on the event loop that received it; `dicomlua storescp` writes the
    /// `stored <path>` lines and its log lines from a thread of its own, so a standard output nobody reads holds
    /// no transfer. (Before, once the pipe was full the line's `write` held the event loop and the sender waited
    /// for its C-STORE-RSP forever.) Once read, every line is there, in order, and the stop is clean.
    func testAStandardOutputNobodyReadsHoldsNoTransfer() throws {
        try writeSystemConfiguration(port: freeTCPPort())
        let sources = try makeInstances(1200)  // about 150 KB of `stored` lines: more than a pipe holds
        let port = freeTCPPort()
        let (scp, unread) = try startStorescpWithUnreadOutput(
            port: port, aet: "UNREAD_SCP", dir: path("unread-in"), extra: ["--log-dir", path("log")])
        defer { if scp.isRunning { kill(scp.processIdentifier, SIGKILL) } }

        let sent = try storescu(port: port, files: sources, called: "UNREAD_SCP")
        XCTAssertEqual(sent.status, 0, "the sender did not finish while standard output was not read: \(sent.stderr)")
        XCTAssertEqual(files(in: path("unread-in")).count, 1200)

        let output = ReadToEnd(unread.fileHandleForReading)
        kill(scp.processIdentifier, SIGTERM)
        XCTAssertTrue(StorageWait.until(timeout: 40) { !scp.isRunning }, "storescp did not stop")
        let lines = output.wait(timeout: 20).split(separator: "\n").map(String.init)
        let stored = lines.filter { $0.hasPrefix("stored ") }
        XCTAssertEqual(stored.count, 1200, "every file's line is written once read")
        XCTAssertEqual(Set(stored).count, 1200)
        XCTAssertEqual(lines.last, "dicomlua storescp: stopped")
        let stopping = try XCTUnwrap(
            lines.firstIndex(of: "dicomlua storescp: stopping (transfers in flight finish first)"))
        XCTAssertGreaterThan(stopping, try XCTUnwrap(lines.lastIndex { $0.hasPrefix("stored ") }), "lines in order")
        // About 300 KB of log lines: the first file fills (250 KB) and the second takes the rest.
        let log = ["log/storscp1.log", "log/storscp2.log"].compactMap {
            try? String(contentsOfFile: path($0), encoding: .utf8)
        }
        XCTAssertEqual(log.joined().split(separator: "\n").filter { $0.contains(" write #") }.count, 1200)
    }

    /// With standard output full and never read, SIGTERM still stops `dicomlua storescp`: its own `stopping` and
    /// `stopped` lines wait in the same queue as the `stored` lines, and the process ends without them after 5 s.
    /// (Before, the `stopping` line's `write` held the main thread forever.)
    func testAStandardOutputNobodyReadsDoesNotHoldTheStop() throws {
        try writeSystemConfiguration(port: freeTCPPort())
        let sources = try makeInstances(700)  // about 90 KB of `stored` lines: more than a pipe holds
        let port = freeTCPPort()
        // The process holds the pipe (its standardOutput), so the read end stays open and unread.
        let (scp, _) = try startStorescpWithUnreadOutput(port: port, aet: "HELD_SCP", dir: path("held-in"))
        defer { if scp.isRunning { kill(scp.processIdentifier, SIGKILL) } }
        let sent = try storescu(port: port, files: sources, called: "HELD_SCP")
        XCTAssertEqual(sent.status, 0, sent.stderr)
        XCTAssertEqual(files(in: path("held-in")).count, 700)

        kill(scp.processIdentifier, SIGTERM)
        XCTAssertTrue(StorageWait.until(timeout: 20) { !scp.isRunning }, "storescp did not stop with its output held")
        if !scp.isRunning { XCTAssertEqual(scp.terminationStatus, 0) }
    }

    // MARK: - the service

    func testServiceStartStatusStopAnswerIDLStrings() throws {
        let port = freeTCPPort()
        try writeSystemConfiguration(port: port)
        let first = try lua(
            "print(storage_scp.status()); print(storage_scp.start()); print(storage_scp.start()); print(storage_scp.status())"
        )
        XCTAssertEqual(
            first.stdout, "service not running\nstart request issued\nservice already running\nservice running\n",
            first.stderr)
        XCTAssertTrue(waitForPort(port))
        let sources = try makeInstances(2)
        XCTAssertEqual(try storescu(port: port, files: sources).status, 0)
        XCTAssertEqual(files(in: path("in")).count, 2)
        let second = try lua("print(storage_scp.stop()); print(storage_scp.stop()); print(storage_scp.status())")
        XCTAssertEqual(second.stdout, "stop request issued\nservice not running\nservice not running\n", second.stderr)
        let log = try String(contentsOfFile: path("log/storscp1.log"), encoding: .utf8)
        XCTAssertTrue(log.contains(" write "), log)
    }

    func testKilledServiceIsStaleAndRestartCleansTheDepot() throws {
        let port = freeTCPPort()
        try writeSystemConfiguration(port: port)
        XCTAssertEqual(try lua("print(storage_scp.start())").stdout, "start request issued\n")
        let pidText = try String(contentsOfFile: path("log/storscp.pid"), encoding: .utf8)
        let pid = try XCTUnwrap(pid_t(pidText.trimmingCharacters(in: .whitespacesAndNewlines)))
        // A transfer cut by a crash leaves a depot file; kill -9 the service.
        _ = FileManager.default.createFile(atPath: path("in/depot/interrupted.part"), contents: Data([1, 2, 3]))
        kill(pid, SIGKILL)
        XCTAssertTrue(StorageWait.until { kill(pid, 0) != 0 })
        XCTAssertEqual(
            try lua("print(storage_scp.status())").stdout, "service not running\n", "stale pid file detected")
        XCTAssertEqual(try lua("print(storage_scp.start())").stdout, "start request issued\n")
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: path("in/depot")), [], "depot cleaned at start")
        XCTAssertEqual(try lua("print(storage_scp.stop())").stdout, "stop request issued\n")
    }

    func testUnwritableStorageFolderMakesStartFail() throws {
        // A folder below a regular file cannot be created, even by root.
        _ = FileManager.default.createFile(atPath: path("not-a-folder"), contents: Data())
        try writeSystemConfiguration(port: freeTCPPort(), storageDirectory: path("not-a-folder/in"))
        let result = try lua("print(storage_scp.start()); print(storage_scp.status())")
        XCTAssertEqual(result.stdout, "start failed\nservice not running\n", result.stderr)
        let log = try String(contentsOfFile: path("log/storscp1.log"), encoding: .utf8)
        XCTAssertTrue(log.contains(" error ") && log.contains("not-a-folder"), log)
    }

    // MARK: - in-process SCP

    func testInProcessSCPRunsHooksWhileServing() throws {
        try writeSystemConfiguration(port: freeTCPPort())
        let sources = try makeInstances(3)
        let script = """
            local scp = storage_scp.new{aet = 'INPROC', port = 0, dir = '\(path("inproc"))', host = '127.0.0.1'}
            local events = {}
            scp:on_association(function(a) events[#events + 1] = 'association ' .. a.calling_aet; return true end)
            scp:on_stored(function(f)
              events[#events + 1] = 'stored ' .. f.PATIENT_ID
              if f.patient_id == 'PAT1' then error('hook failure on purpose') end
            end)
            scp:on_association_end(function(a) events[#events + 1] = 'end ' .. #a.files; scp:stop() end)
            scp:start()
            os.execute(string.format('TCP_NODELAY=1 /usr/bin/storescu -aet SENDER -aec INPROC 127.0.0.1 %d \(sources.joined(separator: " ")) &', scp.port))
            scp:serve()
            print(table.concat(events, ', '))
            """
        let result = try ChildProcess.run(dicomluaBinary, ["-e", script], environment: environment, timeout: 60)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(
            result.stdout, "association SENDER, stored PAT0, stored PAT1, stored PAT2, end 3\n", result.stderr)
        XCTAssertTrue(result.stderr.contains("on_stored raised"), result.stderr)
        XCTAssertEqual(files(in: path("inproc")).count, 3)
    }
}

enum StorageWait {
    static func until(timeout: TimeInterval = 20, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while !condition() {
            if Date() > deadline { return false }
            usleep(20_000)
        }
        return true
    }
}

/// Reads a pipe to its end on a thread of its own.
final class ReadToEnd: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var data = Data()

    init(_ handle: FileHandle) {
        Thread { [self] in
            data = handle.readDataToEndOfFile()
            done.signal()
        }.start()
    }

    func wait(timeout: TimeInterval) -> String {
        guard done.wait(timeout: .now() + timeout) == .success else { return "" }
        return String(decoding: data, as: UTF8.self)
    }
}
