import Foundation
import TestSupport
import XCTest

/// `dicomlua storescp --deidentify` (docs/lua-api.md "De-identification"): what /usr/bin/storescu sends lands
/// de-identified, UIDs and pseudonyms agree across two associations, and the map it wrote gives
/// `dicomlua deidentify` the same result for the same originals.
final class StorageSCPDeidentifyCommandTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        guard FileManager.default.isExecutableFile(atPath: dicomluaBinary) else {
            throw XCTSkip("dicomlua is not built (run `swift build` first): \(dicomluaBinary)")
        }
        try XCTSkipUnless(dcmtkAvailable, "DCMTK not installed")
        directory = try makeTemporaryDirectory("storescp-deid")
        let json = """
            {"format": "dicomlua-config/1", "values": {"StorScpDir": "\(path("unused"))"},
             "applicationEntities": [{"applentityname": "IDL_AE_STOR_SCP", "aet": "ANON_SCP", "hostname": "localhost",
                                      "port": 11112, "servicelistname": "Storage_SCP_Service_List", "servicetype": "Storage_SCP"}]}
            """
        try json.write(toFile: path("system.json"), atomically: true, encoding: .utf8)
    }

    override func tearDown() {
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }

    private func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    private var environment: [String: String] {
        ["DICOMLUA_SYSTEM_CONFIG": path("system.json"), "DICOMLUA_CONFIG": path("user.json")]
    }

    func testDeidentifyOptionsNeedDeidentify() throws {
        let result = try ChildProcess.run(
            dicomluaBinary, ["storescp", "--config", path("system.json"), "--map", path("map.db")],
            environment: environment, timeout: 30)
        XCTAssertEqual(result.status, 2, result.stderr)
        XCTAssertTrue(
            result.stderr.hasPrefix(
                "dicomlua: storescp: --option, --map, --lookup, --quarantine and --allow-burned-in need --deidentify"),
            result.stderr)
        let unknown = try ChildProcess.run(
            dicomluaBinary,
            ["storescp", "--config", path("system.json"), "--port", "0", "--deidentify", "--option", "clean_all"],
            environment: environment, timeout: 30)
        XCTAssertEqual(unknown.status, 2, unknown.stderr)
        XCTAssertTrue(
            unknown.stderr.hasPrefix("dicomlua: storescp: option 'clean_all' is not known: expected one of"),
            unknown.stderr)
        XCTAssertFalse(unknown.stdout.contains("listening"), unknown.stdout)
    }

    func testArrivalsAreDeidentifiedConsistentlyAndTheMapServesDeidentify() throws {
        let originals = path("originals")
        let generated = try ChildProcess.run(
            dicomluaBinary, ["sample-data", originals, "--patients", "2", "--series", "2", "--instances", "3"])
        XCTAssertEqual(generated.status, 0, generated.stderr)
        let files = DeidentifyFiles.dicomFiles(under: originals)
        XCTAssertEqual(files.count, 12)

        let port = freeTCPPort()
        let received = path("received")
        let map = path("map.db")
        let scp = try ChildProcess(
            dicomluaBinary,
            [
                "storescp", "--config", path("system.json"), "--port", "\(port)", "--dir", received, "--accept-any",
                "--deidentify", "--map", map, "--option", "retain_longitudinal_modified_dates",
            ],
            environment: environment)
        defer { scp.stop() }
        XCTAssertTrue(waitForPort(port), scp.stderr)

        // Two associations, each with half of every study (every other file).
        for half in 0..<2 {
            let part = files.enumerated().filter { $0.offset % 2 == half }.map(\.element)
            let sent = try ChildProcess.run(
                dcmtk("storescu"), ["-aet", "SENDER\(half)", "-aec", "ANON_SCP", "127.0.0.1", "\(port)"] + part,
                timeout: 120)
            XCTAssertEqual(sent.status, 0, sent.stderr)
        }
        scp.stop()

        let direct = path("direct")
        let rerun = try ChildProcess.run(
            dicomluaBinary,
            ["deidentify", originals, direct, "--map", map, "--option", "retain_longitudinal_modified_dates"],
            timeout: 120)
        XCTAssertEqual(rerun.status, 0, rerun.stderr)

        let summary = try DeidentifyFiles.summary(originals: originals, folders: [received, direct])
        let lines = summary.split(separator: "\n").map(String.init)
        // received: 12 files, 2 pseudonyms, 2 studies, 4 series, no original value in any file.
        XCTAssertEqual(lines.first, "\(received) 12 files 2 patients 2 studies 4 series 0 leaks", summary)
        XCTAssertEqual(lines.dropFirst().first, "\(direct) 12 files 2 patients 2 studies 4 series 0 leaks", summary)
        XCTAssertEqual(lines.last, "same names, patients and study/series UIDs: True", summary)
        let depot = (try? FileManager.default.contentsOfDirectory(atPath: received + "/depot")) ?? []
        XCTAssertEqual(depot, [])
    }
}

/// Reads de-identified folders with pydicom.
enum DeidentifyFiles {
    static func dicomFiles(under root: String) -> [String] {
        let walker = FileManager.default.enumerator(atPath: root)
        var out: [String] = []
        while let name = walker?.nextObject() as? String {
            if name.hasSuffix(".dcm") { out.append(root + "/" + name) }
        }
        return out.sorted()
    }

    /// One line per folder: counts of files, distinct Patient IDs, studies and series, and how many files
    /// still contain an original identifying value (Patient Name, ID, birth date, any non-standard UID) in
    /// their bytes; then whether all folders agree file by file.
    static func summary(originals: String, folders: [String]) throws -> String {
        let check = """
            import glob, os, sys, pydicom
            originals, folders = sys.argv[1], sys.argv[2:]
            secrets = set()
            for f in glob.glob(originals + '/**/*.dcm', recursive=True):
                ds = pydicom.dcmread(f)
                secrets.update(str(v).encode() for v in (ds.PatientID, ds.get('PatientBirthDate', ''), ds.PatientName) if str(v))
                def uids(d):
                    for e in d:
                        if e.VR == 'UI' and e.value and not str(e.value).startswith('1.2.840.10008') and e.tag != 0x00020012:
                            secrets.add(str(e.value).encode())
                        if e.VR == 'SQ':
                            for item in e.value: uids(item)
                uids(ds)
            views = []
            for folder in folders:
                names = sorted(n for n in os.listdir(folder) if n.endswith('.dcm'))
                view, leaks = {}, 0
                for n in names:
                    raw = open(os.path.join(folder, n), 'rb').read()
                    leaks += any(s in raw for s in secrets)
                    ds = pydicom.dcmread(os.path.join(folder, n))
                    view[n] = (str(ds.PatientID), ds.StudyInstanceUID, ds.SeriesInstanceUID)
                views.append(view)
                vals = list(view.values())
                print(folder, len(names), 'files', len({v[0] for v in vals}), 'patients', len({v[1] for v in vals}),
                      'studies', len({v[2] for v in vals}), 'series', leaks, 'leaks')
            print('same names, patients and study/series UIDs:', all(v == views[0] for v in views))
            """
        let result = try ChildProcess.run(
            "/usr/bin/env", ["python3", "-c", check, originals] + folders, timeout: 120)
        guard result.status == 0 else { return "python failed: \(result.stderr)" }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
