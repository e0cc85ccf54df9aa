import Foundation
import TestSupport
import XCTest

/// A C-MOVE from `dicomlua qrscp` into a script's storage SCP with `deidentify` (docs/lua-api.md
/// "De-identification"): no file in its folder carries the original Patient Name, ID, birth date or any
/// original UID, and the `f` records carry both SOP Instance UIDs.
final class DeidentifyingStorageSCPTests: XCTestCase {
    func testRetrieveIntoADeidentifyingSCPLeavesNoOriginalIdentifier() throws {
        guard FileManager.default.isExecutableFile(atPath: dicomluaBinary) else {
            throw XCTSkip("dicomlua is not built (run `swift build` first): \(dicomluaBinary)")
        }
        let directory = try makeTemporaryDirectory("deid-scp")
        defer { try? FileManager.default.removeItem(at: directory) }
        let pacs = directory.appendingPathComponent("pacs").path
        let received = directory.appendingPathComponent("received").path
        let generated = try ChildProcess.run(
            dicomluaBinary, ["sample-data", pacs, "--patients", "1", "--series", "2", "--instances", "3"])
        XCTAssertEqual(generated.status, 0, generated.stderr)

        let (qrPort, destPort) = (freeTCPPort(), freeTCPPort())
        let qrscp = try ChildProcess(
            dicomluaBinary,
            ["qrscp", "--dir", pacs, "--port", "\(qrPort)", "--dest", "ANON_SCP=127.0.0.1:\(destPort)"])
        defer { qrscp.stop() }
        XCTAssertTrue(waitForPort(qrPort), qrscp.stderr)

        let script = """
            local qr_port, dest_port, dir, map = tonumber(arg[1]), tonumber(arg[2]), arg[3], arg[4]
            local c = cfg.new()
            c:set_application_entity('pacs', 'QRSCP', '127.0.0.1', qr_port, 'Query_SCP_Service_List', 'Query_SCP')
            c:set_application_entity('me', 'ANON_SCP', '127.0.0.1', dest_port, 'Storage_SCP_Service_List', 'Storage_SCP')
            c:commit()
            local scp = storage_scp.new{ae = 'me', dir = dir, deidentify = {map = map, patient_id = 'SUBJ-0001'}}
            scp:start()
            local both = 0
            local q = query.new()
            q:set_property{query_scp = 'pacs', storage_scp = 'me'}
            q.callback_function = function(status, data, info)
              for _, f in ipairs(info.files) do
                if f.original_sop_instance_uid and f.original_sop_instance_uid ~= f.sop_instance_uid
                   and f.patient_id == 'SUBJ-0001' then both = both + 1 end
              end
              return 1
            end
            local ok, count = q:retrieve{patient_id = 'PAT0001'}
            scp:stop()
            print(ok, count, both)
            """
        let scriptURL = directory.appendingPathComponent("move.lua")
        try script.write(to: scriptURL, atomically: true, encoding: .utf8)
        let environment = [
            "DICOMLUA_CONFIG": directory.appendingPathComponent("user.json").path,
            "DICOMLUA_SYSTEM_CONFIG": directory.appendingPathComponent("system.json").path,
        ]
        let run = try ChildProcess.run(
            dicomluaBinary,
            [scriptURL.path, "\(qrPort)", "\(destPort)", received, directory.appendingPathComponent("map.db").path],
            environment: environment, timeout: 120)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stdout, "true\t6\t6\n", "6 instances moved, each f record with both UIDs")

        // Every original identifying value, searched for in the raw bytes of every file of the folder.
        let check = """
            import glob, os, sys, pydicom
            pacs, out = sys.argv[1], sys.argv[2]
            secrets = set()
            for f in glob.glob(pacs + '/**/*.dcm', recursive=True):
                ds = pydicom.dcmread(f)
                raw = open(f, 'rb').read()
                secrets.add(str(ds.PatientID).encode()); secrets.add(str(ds.PatientBirthDate).encode())
                secrets.add(ds['PatientName'].value.original_string if hasattr(ds['PatientName'].value, 'original_string') else str(ds.PatientName).encode('latin-1'))
                def uids(d):
                    for e in d:
                        if e.VR == 'UI' and e.value and not str(e.value).startswith('1.2.840.10008') \\
                                and e.tag != 0x00020012:  # our Implementation Class UID is not the patient's
                            secrets.add(str(e.value).encode())
                        if e.VR == 'SQ':
                            for item in e.value: uids(item)
                uids(ds); uids(ds.file_meta)
            files = [n for n in os.listdir(out) if n.endswith('.dcm')]
            leaks = [(n, s) for n in files for s in secrets if s and s in open(os.path.join(out, n), 'rb').read()]
            print(len(files), len(leaks), leaks[:3], sorted(os.listdir(out)) if len(files) != 6 else '')
            """
        let result = try ChildProcess.run("/usr/bin/env", ["python3", "-c", check, pacs, received], timeout: 60)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.hasPrefix("6 0 []"), result.stdout)
        let depot = (try? FileManager.default.contentsOfDirectory(atPath: received + "/depot")) ?? []
        XCTAssertEqual(depot, [], "nothing identifying waits in the depot")
    }
}
