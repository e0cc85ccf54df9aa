import Foundation
import TestSupport
import XCTest

/// `dicomlua storescp` killed with SIGKILL in the middle of a real large transfer and restarted at once,
/// five times: no depot file survives a restart and no partial file appears outside the depot, even when the
/// killed process stays a zombie (its parent does not reap it, as under a late-reaping pid 1) — issue 20.
final class StorageSCPCrashTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        guard FileManager.default.isExecutableFile(atPath: dicomluaBinary) else {
            throw XCTSkip("dicomlua is not built (run `swift build` first): \(dicomluaBinary)")
        }
        try XCTSkipUnless(dcmtkAvailable, "DCMTK not installed")
        directory = try makeTemporaryDirectory("storescp-crash")
    }

    override func tearDown() {
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }

    private func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// One Secondary Capture instance of about `megabytes` MB of pixel data.
    private func makeLargeInstance(megabytes: Int) throws -> String {
        let code = """
            import sys
            from pydicom.dataset import Dataset, FileMetaDataset
            from pydicom.uid import ExplicitVRLittleEndian, generate_uid
            ds = Dataset(); ds.SOPClassUID = '1.2.840.10008.5.1.4.1.1.7'; ds.SOPInstanceUID = generate_uid()
            ds.PatientID = 'BIG'; ds.Rows = 1024; ds.Columns = 1024; ds.NumberOfFrames = int(sys.argv[2]) // 2
            ds.BitsAllocated = 16
            ds.BitsStored = 16; ds.HighBit = 15; ds.PixelRepresentation = 0; ds.SamplesPerPixel = 1
            ds.PhotometricInterpretation = 'MONOCHROME2'; ds.PixelData = bytes(1024 * 1024 * int(sys.argv[2]))
            ds.file_meta = FileMetaDataset(); ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
            ds.file_meta.MediaStorageSOPClassUID = ds.SOPClassUID; ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
            ds.save_as(sys.argv[1], enforce_file_format=True)
            """
        let file = path("big.dcm")
        let result = try ChildProcess.run("/usr/bin/env", ["python3", "-c", code, file, "\(megabytes)"])
        XCTAssertEqual(result.status, 0, result.stderr)
        return file
    }

    private func writeConfiguration() throws {
        let json = """
            {"format": "dicomlua-config/1", "values": {"StorScpDir": "\(path("in"))", "LogDir": "\(path("log"))"},
             "applicationEntities": [{"applentityname": "IDL_AE_STOR_SCP", "aet": "CRASH_SCP", "hostname": "localhost",
                                      "port": 11112, "servicelistname": "Storage_SCP_Service_List", "servicetype": "Storage_SCP"}]}
            """
        try json.write(toFile: path("system.json"), atomically: true, encoding: .utf8)
    }

    /// `dicomlua storescp` started by a shell that then becomes `sleep` and never reaps it: once killed, the
    /// SCP stays a zombie as long as this parent lives. Returns the parent and the SCP's pid.
    private func startUnreapedSCP(port: Int) throws -> (parent: ChildProcess, pid: pid_t) {
        let parent = try ChildProcess(
            "/bin/sh",
            [
                "-c",
                "'\(dicomluaBinary)' storescp --config '\(path("system.json"))' --host 127.0.0.1 --port \(port) & echo \"pid $!\"; exec /bin/sleep 120",
            ])
        var pid: pid_t?
        XCTAssertTrue(
            wait(20) {
                pid = parent.stdout.split(separator: "\n").first { $0.hasPrefix("pid ") }.flatMap {
                    pid_t($0.dropFirst(4))
                }
                return pid != nil && parent.stdout.contains("listening on")
            }, "storescp did not start: \(parent.stdout) \(parent.stderr)")
        return (parent, try XCTUnwrap(pid))
    }

    private func wait(_ seconds: TimeInterval, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while !condition() {
            if Date() > deadline { return false }
            usleep(2_000)
        }
        return true
    }

    /// The port of "… listening on 127.0.0.1 port N, storing into …".
    private func listeningPort(_ process: ChildProcess) -> Int? {
        guard let tail = process.stdout.components(separatedBy: " port ").last else { return nil }
        return Int(String(tail.prefix { $0.isNumber }))
    }

    private func depotFiles() -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: path("in/depot"))) ?? []
    }

    private func isZombie(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return false }
        return stat[stat.index(close, offsetBy: 2)] == "Z"
    }

    func testSIGKILLMidTransferAndImmediateRestartLeaveNoDepotFileFiveTimes() throws {
        try writeConfiguration()
        let big = try makeLargeInstance(megabytes: 200)
        var parents: [ChildProcess] = []
        var scps: [pid_t] = []
        defer {
            // No SCP left behind, even when an assertion failed early (their parents do not reap them).
            for pid in scps { kill(pid, SIGKILL) }
            parents.forEach { $0.stop() }
        }
        var current = try startUnreapedSCP(port: freeTCPPort())
        parents.append(current.parent)
        scps.append(current.pid)
        for round in 1...5 {
            let port = try XCTUnwrap(listeningPort(current.parent))
            let sender = try ChildProcess(
                dcmtk("storescu"), ["-aet", "SENDER", "-aec", "CRASH_SCP", "127.0.0.1", "\(port)", big])
            defer { sender.stop() }
            XCTAssertTrue(wait(30) { !depotFiles().isEmpty }, "round \(round): the transfer never reached the depot")
            kill(current.pid, SIGKILL)
            XCTAssertTrue(wait(5) { isZombie(current.pid) }, "round \(round): the killed SCP is not a zombie")
            XCTAssertFalse(depotFiles().isEmpty, "round \(round): killed before the partial file was written")
            // Restart at once (the killed one is still a zombie).
            current = try startUnreapedSCP(port: freeTCPPort())
            parents.append(current.parent)
            scps.append(current.pid)
            XCTAssertEqual(depotFiles(), [], "round \(round): a depot file survived the kill and the restart")
            let outside = try FileManager.default.contentsOfDirectory(atPath: path("in")).filter { $0 != "depot" }
            XCTAssertEqual(outside, [], "round \(round): a partial file outside the depot")
        }
        // The last SCP still stores the instance whole.
        let port = try XCTUnwrap(listeningPort(current.parent))
        let result = try ChildProcess.run(
            dcmtk("storescu"), ["-aet", "SENDER", "-aec", "CRASH_SCP", "127.0.0.1", "\(port)", big], timeout: 60)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: path("in")).count, 2)
        XCTAssertEqual(depotFiles(), [])
    }
}
