import DICOMCore
import DICOMNetwork
import Foundation
import TestSupport
import XCTest

@testable import DICOMServices

/// DICOM TLS against DCMTK 3.6.7 (docs/lua-api.md "DICOM TLS"): its `storescu +tls` into our storage SCP,
/// our storage SCU and echo into its `storescp +tls`, refusals on both sides, and TLS settings of an AE
/// kept in the configuration file.
final class TLSInteropTests: XCTestCase {
    private var root: URL!

    override func setUpWithError() throws {
        try XCTSkipUnless(dcmtkAvailable, "DCMTK not installed")
        root = try makeTemporaryDirectory("tls")
    }

    override func tearDown() {
        if let root { try? FileManager.default.removeItem(at: root) }
    }

    private func cert(_ name: String) throws -> String { try TestCertificates.path(name) }

    private func startTLSSCP(recorder: EventRecorder) async throws -> StorageSCP {
        var settings = StorageSCPSettings(
            aeTitle: "OUR_SCP", host: "127.0.0.1", port: 0,
            directory: root.appendingPathComponent("incoming").path, artimTimeout: 5)
        settings.tls = TLSSettings(
            certificate: try cert("server.pem"), privateKey: try cert("server.key"), ca: try cert("ca.pem"))
        return try await StorageSCP.start(settings: settings, observer: { recorder.record($0) })
    }

    private func storescu(
        _ port: Int, _ files: [String], key: String, certificate: String
    ) throws -> (
        status: Int32?, stdout: String, stderr: String
    ) {
        try ChildProcess.run(
            dcmtk("storescu"),
            [
                "+tls", try cert(key), try cert(certificate), "+cf", try cert("ca.pem"), "-aet", "SENDER", "-aec",
                "OUR_SCP",
                "127.0.0.1", "\(port)",
            ] + files,
            timeout: 60)
    }

    func testDCMTKStorescuOverTLSDelivers50InstancesIntact() async throws {
        let recorder = EventRecorder()
        let scp = try await startTLSSCP(recorder: recorder)
        let sources = try StorageTestFiles.make(count: 50, in: root.appendingPathComponent("src"), pixelBytes: 4096)
        let result = try storescu(scp.port, sources.map(\.path), key: "client.key", certificate: "client.pem")
        await scp.stop()
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(recorder.stored.count, 50)
        for source in sources {
            let stored = scp.store.directory + "/" + source.uid + ".dcm"
            XCTAssertEqual(
                try StorageTestFiles.dataSetBytes(ofFile: stored),
                try StorageTestFiles.dataSetBytes(ofFile: source.path),
                "data set of \(source.uid) differs")
        }
    }

    func testDCMTKStorescuWithACertificateOfAnotherCAIsRefusedAndTheSCPKeepsServing() async throws {
        let recorder = EventRecorder()
        let scp = try await startTLSSCP(recorder: recorder)
        let sources = try StorageTestFiles.make(count: 1, in: root.appendingPathComponent("src"), pixelBytes: 64)
        let refused = try storescu(
            scp.port, sources.map(\.path), key: "other-client.key", certificate: "other-client.pem")
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertEqual(recorder.stored.count, 0)
        let errors = recorder.events.compactMap { if case .error(let m) = $0 { return m } else { return nil } }
        XCTAssertTrue(
            errors.contains { $0.contains("certificate verify failed: unable to get local issuer certificate") },
            "\(errors)")
        let accepted = try storescu(scp.port, sources.map(\.path), key: "client.key", certificate: "client.pem")
        XCTAssertEqual(accepted.status, 0, accepted.stderr)
        XCTAssertEqual(recorder.stored.count, 1)
        await scp.stop()
    }

    /// A user configuration whose AE `tls_store` is DCMTK's `storescp +tls` on `port`.
    private func configuration(port: Int, tls: TLSSettings?) throws -> ConfigurationDocument {
        try QRTestConfiguration.make(peer: nil) { configuration in
            try configuration.setApplicationEntity(
                name: "tls_store", aeTitle: "DCMTK_TLS", hostname: "127.0.0.1", port: port,
                serviceList: .storageSCP, serviceType: .storageSCP)
            try configuration.setTLS(tls, forEntityNamed: "tls_store")
        }
    }

    private func startDCMTKStorescp(port: Int, output: URL) throws -> ChildProcess {
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        let process = try ChildProcess(
            dcmtk("storescp"),
            [
                "+tls", try cert("server.key"), try cert("server.pem"), "+cf", try cert("ca.pem"),
                "--require-peer-cert",
                "-aet", "DCMTK_TLS", "-od", output.path, "\(port)",
            ])
        XCTAssertTrue(waitForPort(port), "storescp +tls did not start: \(process.stderr)")
        return process
    }

    func testStorageSCUAndEchoOverTLSToDCMTKStorescp() async throws {
        let port = freeTCPPort()
        let output = root.appendingPathComponent("dcmtk")
        let storescp = try startDCMTKStorescp(port: port, output: output)
        defer { storescp.stop() }
        let document = try configuration(
            port: port,
            tls: TLSSettings(
                certificate: try cert("client.pem"), privateKey: try cert("client.key"), ca: try cert("ca.pem")))
        // The setting survived the commit: it was written to and read back from the file.
        XCTAssertEqual(document.applicationEntity(named: "tls_store")?.tls?.ca, try cert("ca.pem"))
        let echo = try await EchoService.echo(applicationEntityName: "tls_store", configuration: document)
        XCTAssertEqual(echo.first, "Echo Succeeded:", "\(echo)")
        let sources = try StorageTestFiles.make(count: 5, in: root.appendingPathComponent("src"), pixelBytes: 1024)
        let outcome = try await StorageSCU.send(
            files: sources.map(\.path), storageAE: "tls_store", configuration: document)
        XCTAssertEqual(outcome.sent, 5, outcome.message ?? "")
        let received = try FileManager.default.contentsOfDirectory(atPath: output.path)
        XCTAssertEqual(received.count, 5)
    }

    func testEchoFailureLineNamesTheTLSReason() async throws {
        let port = freeTCPPort()
        let storescp = try startDCMTKStorescp(port: port, output: root.appendingPathComponent("dcmtk"))
        defer { storescp.stop() }
        // We trust another CA than the one that signed DCMTK's server certificate.
        let document = try configuration(
            port: port,
            tls: TLSSettings(
                certificate: try cert("client.pem"), privateKey: try cert("client.key"), ca: try cert("other-ca.pem")))
        let echo = try await EchoService.echo(applicationEntityName: "tls_store", configuration: document)
        XCTAssertEqual(echo.first, "Echo Failed:", "\(echo)")
        XCTAssertTrue(
            echo.last?.contains("certificate verify failed: unable to get local issuer certificate") == true, "\(echo)")
        // Plain TCP to the TLS port fails too, and the TLS SCP still answers a good peer afterwards.
        let plain = try configuration(port: port, tls: nil)
        let plainEcho = try await EchoService.echo(applicationEntityName: "tls_store", configuration: plain)
        XCTAssertEqual(plainEcho.first, "Echo Failed:", "\(plainEcho)")
        let good = try configuration(
            port: port,
            tls: TLSSettings(
                certificate: try cert("client.pem"), privateKey: try cert("client.key"), ca: try cert("ca.pem")))
        let goodEcho = try await EchoService.echo(applicationEntityName: "tls_store", configuration: good)
        XCTAssertEqual(goodEcho.first, "Echo Succeeded:", "\(goodEcho)")
    }

    private func errors(_ recorder: EventRecorder) -> [String] {
        recorder.events.compactMap { if case .error(let m) = $0 { return m } else { return nil } }
    }

    /// Plain `/usr/bin/storescu` on our TLS port: the SCP's log says what happened, in words
    /// (docs/protocol-notes.md "DICOM TLS: who reports what"), and a TLS peer is served afterwards.
    func testPlainDCMTKStorescuOnTheTLSPortIsNamedInTheSCPLog() async throws {
        let recorder = EventRecorder()
        let scp = try await startTLSSCP(recorder: recorder)
        let sources = try StorageTestFiles.make(count: 1, in: root.appendingPathComponent("src"), pixelBytes: 64)
        let plain = try ChildProcess.run(
            dcmtk("storescu"), ["-aet", "SENDER", "-aec", "OUR_SCP", "127.0.0.1", "\(scp.port)"] + sources.map(\.path),
            timeout: 60)
        XCTAssertNotEqual(plain.status, 0, plain.stderr)
        XCTAssertTrue(
            StorageTestFiles.waitUntil(timeout: 10) {
                errors(recorder).contains { $0.contains("a client spoke plain DICOM to this TLS port") }
            }, "\(errors(recorder))")
        XCTAssertEqual(errors(recorder).count, 1, "\(errors(recorder))")
        XCTAssertTrue(
            errors(recorder)[0].contains("an A-ASSOCIATE-RQ, PDU type 01H, arrived where a TLS ClientHello"),
            "\(errors(recorder))")
        XCTAssertTrue(StorageTestFiles.waitUntil(timeout: 10) { scp.pendingConnections == 0 })
        let accepted = try storescu(scp.port, sources.map(\.path), key: "client.key", certificate: "client.pem")
        XCTAssertEqual(accepted.status, 0, accepted.stderr)
        XCTAssertEqual(recorder.stored.count, 1)
        await scp.stop()
    }

    /// Our TLS echo and storage SCU against a plain `/usr/bin/storescp`, which drops a connection whose
    /// first byte is no PDU type ("Unrecognized PDU type: 16"): both say the remote does not speak TLS.
    func testTLSEchoAndStorageSCUAgainstAPlainDCMTKStorescp() async throws {
        let port = freeTCPPort()
        let output = root.appendingPathComponent("dcmtk")
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        let storescp = try ChildProcess(dcmtk("storescp"), ["-aet", "DCMTK_TLS", "-od", output.path, "\(port)"])
        defer { storescp.stop() }
        XCTAssertTrue(waitForPort(port), "storescp did not start: \(storescp.stderr)")
        let document = try configuration(
            port: port,
            tls: TLSSettings(
                certificate: try cert("client.pem"), privateKey: try cert("client.key"), ca: try cert("ca.pem")))
        let plainPort =
            "the remote closed the connection without answering our TLS ClientHello: its port probably "
            + "speaks plain DICOM, not TLS"
        let echo = try await EchoService.echo(applicationEntityName: "tls_store", configuration: document)
        XCTAssertEqual(echo.first, "Echo Failed:", "\(echo)")
        XCTAssertTrue(echo.last?.contains(plainPort) == true, "\(echo)")
        let sources = try StorageTestFiles.make(count: 2, in: root.appendingPathComponent("src"), pixelBytes: 64)
        let outcome = try await StorageSCU.send(
            files: sources.map(\.path), storageAE: "tls_store", configuration: document)
        XCTAssertEqual(outcome.sent, 0)
        XCTAssertTrue(outcome.message?.contains(plainPort) == true, outcome.message ?? "no message")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: output.path), [])
    }

    // MARK: pynetdicom over TLS (Python's ssl contexts)

    private var pynetdicomPeer: String { packageRoot.appendingPathComponent("Tests/Peers/pynetdicom-tls-peer.py").path }

    private func skipUnlessPynetdicom() throws {
        let probe = try ChildProcess.run("/usr/bin/env", ["python3", "-c", "import pynetdicom"], timeout: 30)
        try XCTSkipUnless(probe.status == 0, "pynetdicom is not installed (scripts/setup)")
    }

    /// pynetdicom's TLS SCU (`ae.associate(..., tls_args=)`) stores into our TLS storage SCP, intact.
    func testPynetdicomTLSSCUStoresIntoOurTLSSCP() async throws {
        try skipUnlessPynetdicom()
        let recorder = EventRecorder()
        let scp = try await startTLSSCP(recorder: recorder)
        let sources = try StorageTestFiles.make(count: 5, in: root.appendingPathComponent("src"), pixelBytes: 2048)
        let result = try ChildProcess.run(
            "/usr/bin/env",
            [
                "python3", pynetdicomPeer, "scu", "\(scp.port)", "OUR_SCP", try cert("client.pem"),
                try cert("client.key"), try cert("ca.pem"),
            ] + sources.map(\.path), timeout: 120)
        await scp.stop()
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        XCTAssertTrue(result.stdout.contains("echo 0x0000"), result.stdout)
        XCTAssertEqual(recorder.stored.count, 5)
        XCTAssertEqual(errors(recorder), [])
        for source in sources {
            XCTAssertEqual(
                try StorageTestFiles.dataSetBytes(ofFile: scp.store.directory + "/" + source.uid + ".dcm"),
                try StorageTestFiles.dataSetBytes(ofFile: source.path), "data set of \(source.uid) differs")
        }
    }

    /// Our TLS C-ECHO and C-STORE against pynetdicom's TLS SCP (`start_server(..., ssl_context=)`), which
    /// requires our client certificate; then a client certificate of another CA is refused with the reason.
    func testOurTLSEchoAndStoreAgainstAPynetdicomTLSSCP() async throws {
        try skipUnlessPynetdicom()
        let port = freeTCPPort()
        let output = root.appendingPathComponent("pynetdicom")
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        let peer = try ChildProcess(
            "/usr/bin/env",
            [
                "python3", pynetdicomPeer, "scp", "\(port)", "DCMTK_TLS", output.path, try cert("server.pem"),
                try cert("server.key"), try cert("ca.pem"),
            ])
        defer { peer.stop() }
        XCTAssertTrue(waitForPort(port, timeout: 30), "the pynetdicom TLS SCP did not start: \(peer.stderr)")
        let document = try configuration(
            port: port,
            tls: TLSSettings(
                certificate: try cert("client.pem"), privateKey: try cert("client.key"), ca: try cert("ca.pem")))
        let echo = try await EchoService.echo(applicationEntityName: "tls_store", configuration: document)
        XCTAssertEqual(echo.first, "Echo Succeeded:", "\(echo)")
        let sources = try StorageTestFiles.make(count: 3, in: root.appendingPathComponent("src"), pixelBytes: 1024)
        let outcome = try await StorageSCU.send(
            files: sources.map(\.path), storageAE: "tls_store", configuration: document)
        XCTAssertEqual(outcome.sent, 3, outcome.message ?? "")
        XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: output.path)).count, 3)
        let refused = try configuration(
            port: port,
            tls: TLSSettings(
                certificate: try cert("other-client.pem"), privateKey: try cert("other-client.key"),
                ca: try cert("ca.pem")))
        let refusedEcho = try await EchoService.echo(applicationEntityName: "tls_store", configuration: refused)
        XCTAssertEqual(refusedEcho.first, "Echo Failed:", "\(refusedEcho)")
        XCTAssertTrue(refusedEcho.last?.contains("unknown CA") == true, "\(refusedEcho)")
    }

    func testSetTLSRefusesAWorldReadableKeyAndAnUnknownAE() throws {
        let folder = try makeTemporaryDirectory("tlscfg")
        let configuration = try Configuration(
            scope: .user,
            locations: ConfigurationLocations(
                userFile: folder.appendingPathComponent("config.json"),
                systemFile: folder.appendingPathComponent("system.json"), homeDirectory: folder.path,
                userReceivedDirectory: folder.path, systemReceivedDirectory: folder.path))
        let key = folder.appendingPathComponent("open.key").path
        try FileManager.default.copyItem(atPath: try cert("client.key"), toPath: key)
        chmod(key, 0o644)
        let name = configuration.current.applicationEntities[0].name
        XCTAssertThrowsError(
            try configuration.setTLS(
                TLSSettings(certificate: try cert("client.pem"), privateKey: key), forEntityNamed: name)
        ) { error in
            XCTAssertTrue("\(error)".hasPrefix("set_tls: private key file \(key)"), "\(error)")
        }
        XCTAssertThrowsError(try configuration.setTLS(nil, forEntityNamed: "no such AE")) { error in
            XCTAssertTrue("\(error)".contains("no such AE"), "\(error)")
        }
        // Pending until commit; set_application_entity keeps the TLS settings; nil goes back to TCP.
        let settings = TLSSettings(certificate: try cert("client.pem"), privateKey: try cert("client.key"))
        try configuration.setTLS(settings, forEntityNamed: name)
        XCTAssertTrue(configuration.isDirty)
        try configuration.commit()
        let reread = try Configuration(scope: .user, locations: configuration.locations)
        XCTAssertEqual(try reread.tls(forEntityNamed: name), settings)
        let entity = reread.current.applicationEntities[0]
        try reread.setApplicationEntity(
            name: entity.name, aeTitle: "RENAMED", hostname: entity.hostname, port: entity.port,
            serviceList: entity.serviceList, serviceType: entity.serviceType)
        XCTAssertEqual(try reread.tls(forEntityNamed: name), settings)
        try reread.setTLS(nil, forEntityNamed: name)
        XCTAssertNil(try reread.tls(forEntityNamed: name))
    }
}

/// The `tls` member of an entity in the configuration file (docs/lua-api.md "DICOM TLS").
final class TLSConfigurationFileTests: XCTestCase {
    func testAnUnknownProfileInTheFileIsAnErrorNamingItsPlace() throws {
        let folder = try makeTemporaryDirectory("tlsfile")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("config.json")
        try """
        {"format": "dicomlua-config/1", "applicationEntities": [
          {"applentityname": "pacs", "aet": "PACS", "hostname": "127.0.0.1", "port": 104,
           "servicelistname": "Query_SCP_Service_List", "servicetype": "Query_SCP",
           "tls": {"ca": "/etc/ca.pem", "profile": "bcp999"}}]}
        """.write(to: file, atomically: true, encoding: .utf8)
        let locations = ConfigurationLocations(
            userFile: file, systemFile: folder.appendingPathComponent("system.json"), homeDirectory: folder.path,
            userReceivedDirectory: folder.path, systemReceivedDirectory: folder.path)
        XCTAssertThrowsError(try Configuration(scope: .user, locations: locations)) { error in
            XCTAssertTrue("\(error)".contains("$.applicationEntities[0].tls.profile"), "\(error)")
            XCTAssertTrue("\(error)".contains("bcp195-nd"), "\(error)")
        }
        try """
        {"format": "dicomlua-config/1", "applicationEntities": [
          {"applentityname": "pacs", "aet": "PACS", "hostname": "127.0.0.1", "port": 104,
           "servicelistname": "Query_SCP_Service_List", "servicetype": "Query_SCP",
           "tls": {"ca": "/etc/ca.pem", "profile": "bcp195-ex"}}]}
        """.write(to: file, atomically: true, encoding: .utf8)
        let tls = try Configuration(scope: .user, locations: locations).tls(forEntityNamed: "pacs")
        XCTAssertEqual(tls, TLSSettings(ca: "/etc/ca.pem", profile: .bcp195Extended))
        XCTAssertEqual(tls?.verifyPeer, true, "verify_peer defaults to true when a CA is given")
    }
}
