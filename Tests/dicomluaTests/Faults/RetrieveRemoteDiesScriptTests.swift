import Foundation
import TestSupport
import XCTest

/// The Lua view of a remote Q/R SCP dying during a retrieve (RELIABILITY.md, "Query/retrieve"): a script
/// run by the `dicomlua` binary retrieves 120 instances from `dicomlua qrscp`, which its callback kills
/// (SIGKILL) at the first pending response. `retrieve` returns `false, count, message`; the callback saw
/// the counters that `count` reports.
final class RetrieveRemoteDiesScriptTests: XCTestCase {
    func testRetrieveReturnsFalseWithAMessageWhenTheRemoteDies() throws {
        try XCTSkipUnless(dcmtkAvailable, "DCMTK is not installed")
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: dicomluaBinary), "run `swift build` first")
        let folder = try makeTemporaryDirectory("lua-dies")
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = folder.appendingPathComponent("source"), destination = folder.appendingPathComponent("dest")
        try FileManager.default.createDirectory(at: destination, withIntermediateDirectories: true)
        let generated = try ChildProcess.run(
            dicomluaBinary,
            [
                "sample-data", source.path, "--patients", "1", "--studies", "1",
                "--series", "1", "--instances", "120", "--rows", "256",
            ], timeout: 120)
        XCTAssertEqual(generated.status, 0, generated.stderr)
        let destinationPort = freeTCPPort(), qrPort = freeTCPPort()
        let storescp = try ChildProcess(
            dcmtk("storescp"), ["-aet", "DESTAE", "-od", destination.path, "\(destinationPort)"])
        defer { storescp.stop(grace: 0.5) }
        let qrscp = try ChildProcess(
            dicomluaBinary,
            [
                "qrscp", "--dir", source.path, "--port", "\(qrPort)",
                "--dest", "DESTAE=127.0.0.1:\(destinationPort)",
            ])
        defer { qrscp.stop(grace: 0.5) }
        XCTAssertTrue(waitForPort(qrPort, timeout: 30), qrscp.stderr)
        XCTAssertTrue(waitForPort(destinationPort), storescp.stderr)

        let script = """
            local c = cfg.new()
            c:set_application_entity('remote_qr', 'QRSCP', '127.0.0.1', \(qrPort), 'Query_SCP_Service_List', 'Query_SCP')
            c:set_application_entity('dest', 'DESTAE', '127.0.0.1', \(destinationPort), 'Storage_SCP_Service_List', 'Storage_SCP')
            c:commit()
            local q = query.new()
            local seen = {}
            q:set_property{query_scp = 'remote_qr', storage_scp = 'dest', callback_function = function(status, data, info)
                if #seen == 0 then os.execute('kill -KILL \(qrscp.process.processIdentifier)') end
                seen[#seen + 1] = info
                return 1
            end}
            local ok, count, message = q:retrieve{patient_id = 'PAT0001'}
            print(tostring(ok))
            print(count)
            print(message)
            print(#seen > 0 and seen[#seen].completed or 'no callback')
            """
        let environment = [
            "DICOMLUA_CONFIG": folder.appendingPathComponent("user.json").path,
            "DICOMLUA_SYSTEM_CONFIG": folder.appendingPathComponent("system.json").path,
            "HOME": folder.path,
        ]
        let result = try ChildProcess.run(dicomluaBinary, ["-e", script], environment: environment, timeout: 120)
        XCTAssertEqual(
            result.status, 0, "the script ends normally (a dead remote is not a Lua error): \(result.stderr)")
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        XCTAssertGreaterThanOrEqual(lines.count, 4, result.stdout + result.stderr)
        guard lines.count >= 4 else { return }
        XCTAssertEqual(lines[0], "false", "retrieve returns false")
        XCTAssertTrue(lines[2].hasPrefix("retrieve: remote_qr"), "a message naming the remote: \(lines[2])")
        XCTAssertEqual(lines[1], lines[3], "count is the Completed counter the callback saw last")
        XCTAssertLessThan(Int(lines[1]) ?? 999, 120)
        qrscp.wait(timeout: 10)
        XCTAssertEqual(qrscp.process.terminationReason, .uncaughtSignal, "qrscp was killed")
    }
}
