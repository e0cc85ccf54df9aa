import DICOMScripting
import DICOMServices
import Foundation
import LuaBridge
import TestSupport
import XCTest

/// README "Character sets": `q:query()` gives UTF-8 names whatever character set the archive stored them in
/// (`/usr/bin/dcmqrscp` holding PS3.5's Greek, Japanese ISO 2022 IR 13/IR 87 and Korean examples).
final class QueryCharacterSetBindingTests: XCTestCase {
    func testQueryReturnsNamesAsUTF8() throws {
        try XCTSkipUnless(dcmtkAvailable, "DCMTK is not installed")
        let located = try ChildProcess.run(
            "/usr/bin/env", ["python3", "-c", "import pydicom, os; print(os.path.dirname(pydicom.__file__))"],
            timeout: 60)
        try XCTSkipUnless(located.status == 0, "pydicom is not installed")
        let folder = located.stdout.trimmingCharacters(in: .whitespacesAndNewlines) + "/data/charset_files/"
        let examples = ["chrGreek.dcm", "chrH32.dcm", "chrI2.dcm"].map { folder + $0 }
        let peer = try QRTestPeer()
        defer { peer.stop() }
        let load = try ChildProcess.run(
            dcmtk("storescu"), ["-aec", "QRSCP", "127.0.0.1", "\(peer.qrPort)"] + examples, timeout: 60)
        XCTAssertEqual(load.status, 0, load.stderr)
        let configFolder = try makeTemporaryDirectory("lua-charset-cfg")
        defer { try? FileManager.default.removeItem(at: configFolder) }
        setenv("DICOMLUA_CONFIG", configFolder.appendingPathComponent("user.json").path, 1)
        setenv("DICOMLUA_SYSTEM_CONFIG", configFolder.appendingPathComponent("system.json").path, 1)
        let state = LuaState()
        try ScriptEnvironment.install(in: state, runLoop: ScriptRunLoop())
        let results = try state.run(
            """
            local c = cfg.new()
            c:set_application_entity('remote_qr', 'QRSCP', '127.0.0.1', \(peer.qrPort), 'Query_SCP_Service_List', 'Query_SCP')
            c:commit()
            local q = query.new()
            q:set_property{query_scp = 'remote_qr', patient_name = '*'}
            local r, n = q:query()
            local names = {}
            for i = 1, n do names[#names + 1] = r[i].patient_name end
            table.sort(names)
            return table.concat(names, '|')
            """)
        let names = Set((results.first?.stringValue ?? "").split(separator: "|").map(String.init))
        XCTAssertTrue(
            names.isSuperset(of: [
                "Διονυσιος", "ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう", "Hong^Gildong=洪^吉洞=홍^길동",
            ]), "\(names)")
    }
}
