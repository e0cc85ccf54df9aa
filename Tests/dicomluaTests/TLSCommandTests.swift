import Foundation
import TestSupport
import XCTest

/// DICOM TLS through the commands and scripts (docs/lua-api.md "DICOM TLS"): `dicomlua qrscp --tls-*`
/// answering DCMTK's `echoscu +tls` and `findscu +tls` and a script's `q:query`, `q:retrieve` (C-MOVE into
/// the script's TLS storage SCP, `--dest AET=HOST:PORT:tls`) and `q:get` over TLS; refusals.
final class TLSCommandTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        guard FileManager.default.isExecutableFile(atPath: dicomluaBinary) else {
            throw XCTSkip("dicomlua is not built (run `swift build` first): \(dicomluaBinary)")
        }
        try XCTSkipUnless(dcmtkAvailable, "DCMTK is not installed")
        directory = try makeTemporaryDirectory("tls-cli")
    }

    override func tearDown() {
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }

    private func cert(_ name: String) throws -> String { try TestCertificates.path(name) }
    private func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    private func dcmtkTLS() throws -> [String] {
        ["+tls", try cert("client.key"), try cert("client.pem"), "+cf", try cert("ca.pem")]
    }

    func testQrscpOverTLSServesDCMTKAndAScriptsQueryRetrieveAndGet() throws {
        let generated = try ChildProcess.run(
            dicomluaBinary, ["sample-data", path("pacs"), "--patients", "2", "--series", "1", "--instances", "3"])
        XCTAssertEqual(generated.status, 0, generated.stderr)
        let (qrPort, destPort) = (freeTCPPort(), freeTCPPort())
        let qrscp = try ChildProcess(
            dicomluaBinary,
            [
                "qrscp", "--dir", path("pacs"), "--port", "\(qrPort)", "--tls-cert", try cert("server.pem"),
                "--tls-key", try cert("server.key"), "--tls-ca", try cert("ca.pem"),
                "--dest", "SCRIPT_SCP=127.0.0.1:\(destPort):tls",
            ])
        defer { qrscp.stop() }
        XCTAssertTrue(waitForPort(qrPort), qrscp.stderr)

        let echo = try ChildProcess.run(dcmtk("echoscu"), try dcmtkTLS() + ["-aec", "QRSCP", "127.0.0.1", "\(qrPort)"])
        XCTAssertEqual(echo.status, 0, echo.stderr)
        let find = try ChildProcess.run(
            dcmtk("findscu"),
            try dcmtkTLS() + [
                "-P", "-aec", "QRSCP", "-k", "QueryRetrieveLevel=PATIENT", "-k", "PatientID", "127.0.0.1", "\(qrPort)",
            ])
        XCTAssertEqual(find.status, 0, find.stderr)
        XCTAssertTrue(find.stderr.contains("PAT0002"), find.stderr)

        // A plain-TCP findscu on the TLS port is refused with a reason in qrscp's log, which keeps serving.
        let plain = try ChildProcess.run(
            dcmtk("findscu"),
            ["-P", "-aec", "QRSCP", "-k", "QueryRetrieveLevel=PATIENT", "-k", "PatientID", "127.0.0.1", "\(qrPort)"],
            timeout: 40)
        XCTAssertNotEqual(plain.status, 0)
        // The log line may trail findscu's exit: wait for it, bounded.
        let named = "a client spoke plain DICOM to this TLS port (an A-ASSOCIATE-RQ, PDU type 01H"
        let deadline = Date().addingTimeInterval(10)
        while !qrscp.stderr.contains(named) && Date() < deadline { usleep(50_000) }
        XCTAssertTrue(qrscp.stderr.contains(named), qrscp.stderr)

        let script = """
            local qr_port, dest_port, moved, got, certs = tonumber(arg[1]), tonumber(arg[2]), arg[3], arg[4], arg[5]
            local c = cfg.new()
            c:set_application_entity('pacs', 'QRSCP', '127.0.0.1', qr_port, 'Query_SCP_Service_List', 'Query_SCP')
            c:set_application_entity('me', 'SCRIPT_SCP', '127.0.0.1', dest_port, 'Storage_SCP_Service_List', 'Storage_SCP')
            c:set_tls('pacs', {certificate = certs .. '/client.pem', private_key = certs .. '/client.key',
                               ca = certs .. '/ca.pem'})
            c:set_tls('me', {certificate = certs .. '/server.pem', private_key = certs .. '/server.key',
                             ca = certs .. '/ca.pem', profile = 'bcp195-nd'})
            c:commit()
            local t = cfg.new():get_tls('pacs')
            print('tls', t.profile, t.verify_peer, t.verify_hostname, cfg.new():get_tls('no_tls_ae') == nil)
            local q = query.new()
            q:set_property{query_scp = 'pacs', storage_scp = 'me'}
            local patients, n = q:query()
            assert(patients, n)
            print('patients', n)
            local scp = storage_scp.new{ae = 'me', dir = moved}
            scp:start()
            local ok, count, message = q:retrieve{patient_id = 'PAT0001'}
            scp:stop()
            print('move', ok, count, message)
            ok, count, message = q:get{patient_id = 'PAT0002', directory = got}
            print('get', ok, count, message)
            """
        let scriptPath = path("qr.lua")
        try script.write(toFile: scriptPath, atomically: true, encoding: .utf8)
        // The script's configuration holds one plain AE too, for get_tls's nil.
        let prepare = """
            local c = cfg.new()
            c:set_application_entity('no_tls_ae', 'PLAIN', '127.0.0.1', 104, 'Query_SCP_Service_List', 'Query_SCP')
            c:commit()
            """
        try prepare.write(toFile: path("prepare.lua"), atomically: true, encoding: .utf8)
        let environment = ["DICOMLUA_CONFIG": path("user.json"), "DICOMLUA_SYSTEM_CONFIG": path("system.json")]
        let prepared = try ChildProcess.run(dicomluaBinary, [path("prepare.lua")], environment: environment)
        XCTAssertEqual(prepared.status, 0, prepared.stderr)
        let certs = try TestCertificates.directory().path
        try FileManager.default.createDirectory(atPath: path("got"), withIntermediateDirectories: true)
        let run = try ChildProcess.run(
            dicomluaBinary, [scriptPath, "\(qrPort)", "\(destPort)", path("moved"), path("got"), certs],
            environment: environment, timeout: 120)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(
            run.stdout, "tls\tbcp195-nd\ttrue\tfalse\ttrue\npatients\t2\nmove\ttrue\t3\tnil\nget\ttrue\t3\tnil\n",
            run.stderr + qrscp.stderr)
        let count = { (folder: String) in
            (try? FileManager.default.contentsOfDirectory(atPath: self.path(folder)))?.filter { $0.hasSuffix(".dcm") }
                .count ?? 0
        }
        XCTAssertEqual(count("moved"), 3, "the C-MOVE's files arrived over TLS in the script's SCP")
        XCTAssertEqual(count("got"), 3, "the C-GET's files arrived over TLS")
        let saved = try String(contentsOfFile: path("user.json"), encoding: .utf8)
        XCTAssertTrue(saved.contains("\"private_key\""), "the TLS settings are stored in the configuration file")
    }

    func testStorescpRefusesAWorldReadablePrivateKey() throws {
        let key = path("open.key")
        try FileManager.default.copyItem(atPath: try cert("server.key"), toPath: key)
        chmod(key, 0o644)
        let run = try ChildProcess.run(
            dicomluaBinary,
            [
                "storescp", "--config", path("system.json"), "--port", "0", "--dir", path("in"),
                "--tls-cert", try cert("server.pem"), "--tls-key", key,
            ],
            timeout: 30)
        XCTAssertEqual(run.status, 1, run.stdout + run.stderr)
        XCTAssertTrue(run.stderr.contains("private key file \(key)"), run.stderr)
        XCTAssertTrue(run.stderr.contains("other users"), run.stderr)
    }
}
