import Foundation
import TestSupport
import XCTest

/// Against Orthanc (`/usr/sbin/Orthanc`, loopback, HTTP off): it sends N−1 pending C-MOVE responses, so only
/// `CALLBACK_FINAL` makes `info.files` complete; a query over `MaxQueryResponses` says `truncated`;
/// `extra = {ModalitiesInStudy = 'CT'}` at Study level returns only the studies with CT
/// (docs/lua-api.md "Retrieve reports, verification and retry", "Queries that say what they left out").
final class OrthancRetrieveTests: XCTestCase {
    func testCallbackFinalTruncatedAndModalitiesInStudyAgainstOrthanc() throws {
        let orthanc = "/usr/sbin/Orthanc"
        guard FileManager.default.isExecutableFile(atPath: dicomluaBinary) else {
            throw XCTSkip("dicomlua is not built (run `swift build` first): \(dicomluaBinary)")
        }
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: orthanc), "Orthanc is not installed")
        try XCTSkipUnless(dcmtkAvailable, "DCMTK is not installed")
        let directory = try makeTemporaryDirectory("orthanc-retrieve")
        defer { try? FileManager.default.removeItem(at: directory) }
        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
        for name in ["storage", "moved", "pacs/mr"] {
            try FileManager.default.createDirectory(atPath: path(name), withIntermediateDirectories: true)
        }
        // Three studies with a CT and an MR series, and one MR-only study.
        let generated = try ChildProcess.run(
            dicomluaBinary,
            ["sample-data", path("pacs/sample"), "--patients", "3", "--series", "2", "--instances", "3"])
        XCTAssertEqual(generated.status, 0, generated.stderr)
        for instance in TestInstance.standardSet where instance.modality == "MR" {
            try Data(instance.part10Bytes()).write(
                to: URL(fileURLWithPath: path("pacs/mr/\(instance.sopInstanceUID).dcm")))
        }
        let (dicomPort, destPort) = (freeTCPPort(), freeTCPPort())
        try """
        {
          "Name": "dicomlua-test", "StorageDirectory": "\(path("storage"))", "IndexDirectory": "\(path("storage"))",
          "HttpServerEnabled": false, "RemoteAccessAllowed": false, "DicomServerEnabled": true,
          "DicomAet": "ORTHANC", "DicomPort": \(dicomPort), "DicomCheckCalledAet": false,
          "DicomAlwaysAllowEcho": true, "DicomAlwaysAllowStore": true, "DicomAlwaysAllowFind": true,
          "DicomAlwaysAllowMove": true, "DicomAlwaysAllowGet": true,
          "DicomModalities": {
            "script": ["SCRIPT_SCP", "127.0.0.1", \(destPort)],
            "scu": ["DICOMLUA_QR_SCU", "127.0.0.1", 9999]
          },
          "LimitFindResults": 0, "LimitFindInstances": 0, "Plugins": []
        }
        """.write(toFile: path("orthanc.json"), atomically: true, encoding: .utf8)
        let server = try ChildProcess(orthanc, [path("orthanc.json")], currentDirectory: directory)
        defer { server.stop() }
        XCTAssertTrue(waitForPort(dicomPort, timeout: 30), server.stderr)
        let load = try ChildProcess.run(
            dcmtk("storescu"), ["-aec", "ORTHANC", "+sd", "+r", "127.0.0.1", "\(dicomPort)", path("pacs")],
            timeout: 120)
        XCTAssertEqual(load.status, 0, load.stderr)

        let script = """
            local port, dest_port, dir = tonumber(arg[1]), tonumber(arg[2]), arg[3]
            local c = cfg.new()
            c:set_application_entity('orthanc', 'ORTHANC', '127.0.0.1', port, 'Query_SCP_Service_List', 'Query_SCP')
            c:set_application_entity('me', 'SCRIPT_SCP', '127.0.0.1', dest_port, 'Storage_SCP_Service_List', 'Storage_SCP')
            c:set_value('MaxQueryResponses', '3')
            c:commit()
            local q = query.new()
            q:set_property{query_scp = 'orthanc', storage_scp = 'me', query_model = 1, query_level = 1}
            local r, n, truncated = q:query()
            print('limited', n, truncated)
            c:set_value('MaxQueryResponses', '100')
            c:commit()
            r, n, truncated = q:query{extra = {ModalitiesInStudy = 'CT'}}
            print('with CT', n, truncated)
            local study = r[1].study_instance_uid
            local scp = storage_scp.new{ae = 'me', dir = dir}
            scp:start()
            local files, calls, finals = 0, 0, 0
            q.callback_final = true
            q.callback_function = function(status, data, info)
              calls = calls + 1
              files = files + #info.files
              if info.final then finals = finals + 1 end
              return 1
            end
            local ok, count, message, report = q:retrieve{study_instance_uid = study, verify = true}
            scp:stop()
            print('move', ok, count, report.verdict, report.expected_count, #report.arrived, files, finals)
            """
        try script.write(toFile: path("orthanc.lua"), atomically: true, encoding: .utf8)
        let environment = ["DICOMLUA_CONFIG": path("user.json"), "DICOMLUA_SYSTEM_CONFIG": path("system.json")]
        let run = try ChildProcess.run(
            dicomluaBinary, [path("orthanc.lua"), "\(dicomPort)", "\(destPort)", path("moved")],
            environment: environment, timeout: 120)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains("limited\t3\ttrue\n"), run.stdout + run.stderr)
        XCTAssertTrue(run.stderr.contains("MaxQueryResponses (3) cut the query short"), run.stderr)
        XCTAssertTrue(run.stdout.contains("with CT\t3\tfalse\n"), "the MR-only study is left out: \(run.stdout)")
        XCTAssertTrue(
            run.stdout.contains("move\ttrue\t6\tcomplete\t6\t6\t6\t1\n"),
            "info.files over all calls (the final one included) = the 6 files: \(run.stdout)\(run.stderr)")
        let onDisk = ((try? FileManager.default.contentsOfDirectory(atPath: path("moved"))) ?? []).filter {
            $0.hasSuffix(".dcm")
        }
        XCTAssertEqual(onDisk.count, 6)
    }
}
