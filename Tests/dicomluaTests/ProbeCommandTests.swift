import Foundation
import TestSupport
import XCTest

/// `dicomlua probe` against archives of different capabilities: dcmqrscp (does not know our AE as a
/// destination), `dicomlua qrscp` (knows it: the move test succeeds) and pynetdicom's qrscp.
final class ProbeCommandTests: XCTestCase {
    private var directory: URL!
    private var environment: [String: String] = [:]

    override func setUpWithError() throws {
        guard FileManager.default.isExecutableFile(atPath: dicomluaBinary) else {
            throw XCTSkip("dicomlua is not built (run `swift build` first): \(dicomluaBinary)")
        }
        directory = try makeTemporaryDirectory("cli-probe")
        environment = [
            "DICOMLUA_CONFIG": directory.appendingPathComponent("user.json").path,
            "DICOMLUA_SYSTEM_CONFIG": directory.appendingPathComponent("system.json").path,
        ]
    }

    override func tearDownWithError() throws {
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }

    private func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    private func probe(_ arguments: [String]) throws -> (status: Int32?, stdout: String, stderr: String) {
        try ChildProcess.run(dicomluaBinary, ["probe"] + arguments, environment: environment, timeout: 90)
    }

    func testDcmqrscpDoesNotKnowOurAEAsADestination() throws {
        try XCTSkipUnless(dcmtkAvailable, "DCMTK is not installed")
        let peer = try QRTestPeer()
        defer { peer.stop() }
        let result = try probe(["QRSCP@127.0.0.1:\(peer.qrPort)", "--port", "\(freeTCPPort())", "--dest", "STRANGER"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let out = result.stdout
        XCTAssertTrue(out.contains("C-ECHO: ok"), out)
        XCTAssertTrue(out.contains("Implementation class UID: 1.2.276.0.7230010.3"), out)  // DCMTK's root
        XCTAssertTrue(out.contains("Implementation version name: OFFIS_DCMTK"), out)
        XCTAssertTrue(out.contains("Maximum PDU length: 16384 bytes"), out)
        XCTAssertTrue(out.contains("C-FIND: Patient Root yes, Study Root yes"), out)
        XCTAssertTrue(out.contains("Patient Root IMAGE: answers"), out)
        XCTAssertTrue(out.contains("Specific Character Set (0008,0005) in a PATIENT-level match:"), out)
        XCTAssertTrue(out.contains("does not know STRANGER as a move destination"), out)

        let noMove = try probe(["QRSCP@127.0.0.1:\(peer.qrPort)", "--no-move", "--json"])
        XCTAssertEqual(noMove.status, 0, noMove.stderr)
        let object = try JSONSerialization.jsonObject(with: Data(noMove.stdout.utf8)) as? [String: Any]
        XCTAssertEqual(object?["echo"] as? String, "ok")
        XCTAssertEqual(object?["max_pdu_length"] as? Int, 16384)
        XCTAssertEqual(object?["move"] as? String, "not tried (--no-move)")

        let down = try probe(["QRSCP@127.0.0.1:\(freeTCPPort())", "--no-move"])
        XCTAssertEqual(down.status, 1, down.stdout)
        XCTAssertTrue(down.stdout.contains("C-ECHO: failed"), down.stdout)
    }

    func testDicomluaQrscpSendsToUs() throws {
        let data = try ChildProcess.run(
            dicomluaBinary,
            ["sample-data", path("pacs"), "--patients", "1", "--series", "1", "--instances", "1", "--rows", "16"])
        XCTAssertEqual(data.status, 0, data.stderr)
        let (port, ourPort) = (freeTCPPort(), freeTCPPort())
        let qrscp = try ChildProcess(
            dicomluaBinary,
            ["qrscp", "--dir", path("pacs"), "--port", "\(port)", "--dest", "PROBE_IN=127.0.0.1:\(ourPort)"])
        defer { qrscp.stop() }
        XCTAssertTrue(waitForPort(port), qrscp.stderr)
        let result = try probe(["QRSCP@127.0.0.1:\(port)", "--dest", "PROBE_IN", "--port", "\(ourPort)"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("C-GET: Patient Root yes"), result.stdout)
        XCTAssertTrue(
            result.stdout.contains("C-MOVE to us: ok: the archive sent an instance to PROBE_IN"), result.stdout)

        // The same report as a Lua table (q:probe()).
        let script = """
            local c = cfg.new()
            c:set_application_entity('pacs', 'QRSCP', '127.0.0.1', \(port), 'Query_SCP_Service_List', 'Query_SCP')
            c:set_application_entity('me', 'PROBE_IN', '127.0.0.1', \(ourPort), 'Storage_SCP_Service_List', 'Storage_SCP')
            c:commit()
            local q = query.new()
            q:set_property{query_scp = 'pacs', storage_scp = 'me'}
            local r = q:probe()
            print(r.echo, r.move_result, #r.models, r.models[1].service, r.levels[1].level, r.max_pdu_length)
            print(q:probe{move = false}.move_result)
            """
        let lua = try ChildProcess.run(dicomluaBinary, ["-e", script], environment: environment, timeout: 60)
        XCTAssertEqual(lua.status, 0, lua.stderr)
        XCTAssertEqual(lua.stdout, "ok\treceived\t9\tFIND\tPATIENT\t131072\nskipped\n", lua.stderr)

        // Known title, wrong port: the archive cannot store to us.
        let wrong = try probe([
            "QRSCP@127.0.0.1:\(port)", "--dest", "PROBE_IN", "--port", "\(freeTCPPort())", "--move-timeout", "10",
        ])
        XCTAssertEqual(wrong.status, 0, wrong.stderr)
        XCTAssertTrue(
            wrong.stdout.contains("could not store to it") || wrong.stdout.contains("cannot reach this host"),
            wrong.stdout)
    }

    func testPynetdicomQrscp() throws {
        let check = try ChildProcess.run(
            "/usr/bin/env", ["python3", "-c", "import pynetdicom, sqlalchemy"], timeout: 30)
        try XCTSkipUnless(check.status == 0, "pynetdicom's qrscp needs sqlalchemy (scripts/setup installs it)")
        try XCTSkipUnless(dcmtkAvailable, "DCMTK is not installed")
        let data = try ChildProcess.run(
            dicomluaBinary,
            ["sample-data", path("pacs"), "--patients", "1", "--series", "1", "--instances", "1", "--rows", "16"])
        XCTAssertEqual(data.status, 0, data.stderr)
        let (port, ourPort) = (freeTCPPort(), freeTCPPort())
        let qrscp = try PynetdicomQRSCP.start(
            in: directory, port: port, destinations: [("PROBE_IN", ourPort)], load: path("pacs"))
        defer { qrscp.stop() }
        let result = try probe(["PYQRSCP@127.0.0.1:\(port)", "--dest", "PROBE_IN", "--port", "\(ourPort)"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("Implementation version name: PYNETDICOM"), result.stdout)
        XCTAssertTrue(result.stdout.contains("Maximum PDU length: 16382 bytes"), result.stdout)
        XCTAssertTrue(result.stdout.contains("C-MOVE to us: ok"), result.stdout)
        let unknown = try probe(["PYQRSCP@127.0.0.1:\(port)", "--dest", "STRANGER", "--port", "\(ourPort)"])
        XCTAssertTrue(unknown.stdout.contains("does not know STRANGER as a move destination"), unknown.stdout)
    }
}
