import Foundation
import TestSupport
import XCTest

/// A C-MOVE from `dicomlua qrscp` into a storage SCP running inside the same script: the callback's
/// `info.files` lists, per call, the files this move stored since the previous call (docs/lua-api.md "Callbacks").
final class RetrieveIntoScriptSCPTests: XCTestCase {
    func testInfoFilesListsEveryArrivedFileOnceWithItsMoveOriginator() throws {
        guard FileManager.default.isExecutableFile(atPath: dicomluaBinary) else {
            throw XCTSkip("dicomlua is not built (run `swift build` first): \(dicomluaBinary)")
        }
        let directory = try makeTemporaryDirectory("move-files")
        defer { try? FileManager.default.removeItem(at: directory) }
        let pacs = directory.appendingPathComponent("pacs").path
        let received = directory.appendingPathComponent("received").path
        try FileManager.default.createDirectory(atPath: received, withIntermediateDirectories: true)
        let generated = try ChildProcess.run(
            dicomluaBinary, ["sample-data", pacs, "--patients", "1", "--series", "2", "--instances", "3"])
        XCTAssertEqual(generated.status, 0, generated.stderr)

        let (qrPort, destPort) = (freeTCPPort(), freeTCPPort())
        let qrscp = try ChildProcess(
            dicomluaBinary,
            ["qrscp", "--dir", pacs, "--port", "\(qrPort)", "--dest", "SCRIPT_SCP=127.0.0.1:\(destPort)"])
        defer { qrscp.stop() }
        XCTAssertTrue(waitForPort(qrPort), qrscp.stderr)

        let script = """
            local qr_port, dest_port, dir = tonumber(arg[1]), tonumber(arg[2]), arg[3]
            local c = cfg.new()
            c:set_application_entity('pacs', 'QRSCP', '127.0.0.1', qr_port, 'Query_SCP_Service_List', 'Query_SCP')
            c:set_application_entity('me', 'SCRIPT_SCP', '127.0.0.1', dest_port, 'Storage_SCP_Service_List', 'Storage_SCP')
            c:commit()
            local scp = storage_scp.new{ae = 'me', dir = dir}
            scp:start()
            local seen, originators = {}, {}
            local q = query.new()
            q:set_property{query_scp = 'pacs', storage_scp = 'me'}
            q.callback_function = function(status, data, info)
              for _, f in ipairs(info.files) do
                assert(not seen[f.path], 'reported twice: ' .. f.path)
                assert(io.open(f.path), 'reported before it exists: ' .. f.path)
                seen[f.path] = true
                originators[f.move_originator_aet] = true
              end
              return 1
            end
            local ok, count = q:retrieve{patient_id = 'PAT0001'}
            scp:stop()
            local n = 0
            for _ in pairs(seen) do n = n + 1 end
            print(ok, count, n, originators[c:get_application_entity(c:get_value('QRScuServiceAE')).aet] == true)
            """
        let scriptURL = directory.appendingPathComponent("move.lua")
        try script.write(to: scriptURL, atomically: true, encoding: .utf8)
        let environment = [
            "DICOMLUA_CONFIG": directory.appendingPathComponent("user.json").path,
            "DICOMLUA_SYSTEM_CONFIG": directory.appendingPathComponent("system.json").path,
        ]
        let run = try ChildProcess.run(
            dicomluaBinary, [scriptURL.path, "\(qrPort)", "\(destPort)", received],
            environment: environment, timeout: 120)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(
            run.stdout, "true\t6\t6\ttrue\n",
            "6 instances moved, each reported once in info.files with our AE as originator")
    }
}
