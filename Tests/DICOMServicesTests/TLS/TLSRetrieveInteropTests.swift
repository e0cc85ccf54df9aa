import DICOMCore
import DICOMNetwork
import Foundation
import TestSupport
import XCTest

@testable import DICOMServices

/// C-GET and C-MOVE over DICOM TLS against pynetdicom's TLS Q/R SCP (`Tests/Peers/pynetdicom-tls-peer.py
/// qrscp`, docs/lua-api.md "DICOM TLS"), verified by C-FIND over the same TLS (docs/lua-api.md "Retrieve
/// reports, verification and retry"): every file arrives with the data set pynetdicom sent, byte for byte.
final class TLSRetrieveInteropTests: XCTestCase {
    private var root: URL!

    override func setUpWithError() throws {
        let probe = try ChildProcess.run("/usr/bin/env", ["python3", "-c", "import pynetdicom"], timeout: 30)
        try XCTSkipUnless(probe.status == 0, "pynetdicom is not installed (scripts/setup)")
        root = try makeTemporaryDirectory("tls-retrieve")
    }

    override func tearDown() {
        if let root { try? FileManager.default.removeItem(at: root) }
    }

    private func cert(_ name: String) throws -> String { try TestCertificates.path(name) }

    private var ourTLS: TLSSettings {
        get throws {
            TLSSettings(certificate: try cert("client.pem"), privateKey: try cert("client.key"), ca: try cert("ca.pem"))
        }
    }

    /// Sample data (1 study, 2 series of 3 instances) in `pacs/`, rewritten in Implicit VR Little Endian (the
    /// transfer syntax pynetdicom accepts first from our C-GET proposal, so it sends the data sets as they
    /// are on disk): SOP Instance UID → data set bytes.
    private func makeArchive() throws -> (folder: URL, dataSets: [String: [UInt8]], study: String) {
        let folder = root.appendingPathComponent("pacs")
        _ = try SampleDataGenerator.generate(
            into: folder.path, options: SampleDataOptions(patients: 1, studies: 1, series: 2, instances: 3, rows: 16))
        var dataSets: [String: [UInt8]] = [:]
        var study = ""
        let enumerator = FileManager.default.enumerator(atPath: folder.path)
        while let name = enumerator?.nextObject() as? String {
            guard name.hasSuffix(".dcm") else { continue }
            let path = folder.appendingPathComponent(name).path
            let file = try DICOMFile.read(path: path)
            try DICOMFile(dataSet: file.dataSet, transferSyntax: .implicitVRLittleEndian).write(to: path)
            let uid = try XCTUnwrap(file.dataSet.string(Tag(0x0008, 0x0018)))
            study = try XCTUnwrap(file.dataSet.string(Tag(0x0020, 0x000D)))
            dataSets[uid] = try StorageTestFiles.dataSetBytes(ofFile: path)
        }
        XCTAssertEqual(dataSets.count, 6)
        return (folder, dataSets, study)
    }

    /// The peer as `PYTLSQR` on a free port, knowing `destinations` (AE title → port on 127.0.0.1).
    private func startPeer(archive: URL, destinations: [String: Int] = [:]) throws -> (ChildProcess, Int) {
        let port = freeTCPPort()
        let peer = try ChildProcess(
            "/usr/bin/env",
            [
                "python3", packageRoot.appendingPathComponent("Tests/Peers/pynetdicom-tls-peer.py").path, "qrscp",
                "\(port)", "PYTLSQR", archive.path, try cert("server.pem"), try cert("server.key"),
                try cert("ca.pem"),
            ] + destinations.map { "\($0.key)=127.0.0.1:\($0.value)" })
        guard waitForPort(port, timeout: 30) else {
            peer.stop()
            throw XCTSkip("the pynetdicom TLS Q/R SCP did not start: \(peer.stderr)")
        }
        return (peer, port)
    }

    /// A configuration whose `pacs` is the peer over TLS and whose `me` is `SCRIPT_SCP` on `storagePort`.
    private func configuration(peerPort: Int, storagePort: Int = 104) throws -> ConfigurationDocument {
        let tls = try ourTLS
        return try QRTestConfiguration.make(peer: nil) { configuration in
            try configuration.setApplicationEntity(
                name: "pacs", aeTitle: "PYTLSQR", hostname: "127.0.0.1", port: peerPort,
                serviceList: .querySCP, serviceType: .querySCP)
            try configuration.setTLS(tls, forEntityNamed: "pacs")
            try configuration.setApplicationEntity(
                name: "me", aeTitle: "SCRIPT_SCP", hostname: "127.0.0.1", port: storagePort,
                serviceList: .storageSCP, serviceType: .storageSCP)
        }
    }

    private func assertIntact(
        _ outcome: RetrieveOutcome, folder: URL, expected: [String: [UInt8]], file: StaticString = #filePath,
        line: UInt = #line
    ) throws {
        XCTAssertEqual(outcome.report.verdict, .complete, outcome.report.message ?? "", file: file, line: line)
        XCTAssertEqual(outcome.report.missing, [], file: file, line: line)
        XCTAssertEqual(
            Set(outcome.report.expected), Set(expected.keys), "the C-FIND inventory over TLS", file: file, line: line)
        for (uid, bytes) in expected {
            let path = folder.appendingPathComponent(uid + ".dcm").path
            XCTAssertTrue(FileManager.default.fileExists(atPath: path), "\(uid) did not arrive", file: file, line: line)
            guard FileManager.default.fileExists(atPath: path) else { continue }
            XCTAssertEqual(
                try StorageTestFiles.dataSetBytes(ofFile: path), bytes, "data set of \(uid) differs", file: file,
                line: line)
        }
    }

    func testGetOverTLSFromPynetdicomVerifiesEveryFileIntact() async throws {
        let archive = try makeArchive()
        let (peer, port) = try startPeer(archive: archive.folder)
        defer { peer.stop() }
        let folder = root.appendingPathComponent("got")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let outcome = try await RetrieveService.get(
            keys: RetrieveKeys(studyInstanceUID: archive.study), model: .studyRoot, level: .study, queryAE: "pacs",
            directory: folder, configuration: try configuration(peerPort: port), options: .fast(verify: true))
        XCTAssertTrue(outcome.succeeded, (outcome.message ?? "") + peer.stderr)
        XCTAssertEqual(outcome.count, 6)
        try assertIntact(outcome, folder: folder, expected: archive.dataSets)
    }

    func testMoveOverTLSFromPynetdicomIntoOurTLSStorageSCPVerifiesEveryFileIntact() async throws {
        let archive = try makeArchive()
        let received = root.appendingPathComponent("received")
        let tracker = ArrivalsTracker()
        var settings = StorageSCPSettings(
            aeTitle: "SCRIPT_SCP", host: "127.0.0.1", port: 0, directory: received.path, artimTimeout: 5)
        settings.tls = TLSSettings(
            certificate: try cert("server.pem"), privateKey: try cert("server.key"), ca: try cert("ca.pem"))
        let storage = try await StorageSCP.start(settings: settings, storedBeforeAnswer: { tracker.record($0) })
        // The storage SCP is stopped on every path, the peer by its defer.
        let outcome: RetrieveOutcome
        let peerLog: String
        do {
            let (peer, port) = try startPeer(archive: archive.folder, destinations: ["SCRIPT_SCP": storage.port])
            defer { peer.stop() }
            outcome = try await RetrieveService.move(
                keys: RetrieveKeys(studyInstanceUID: archive.study), model: .studyRoot, level: .study,
                queryAE: "pacs", storageAE: "me",
                configuration: try configuration(peerPort: port, storagePort: storage.port),
                options: .fast(verify: true), destinationTracker: tracker)
            peerLog = peer.stderr
        } catch {
            await storage.stop(gracePeriod: 2)
            throw error
        }
        await storage.stop(gracePeriod: 2)
        XCTAssertTrue(outcome.succeeded, (outcome.message ?? "") + peerLog)
        XCTAssertEqual(outcome.count, 6)
        try assertIntact(outcome, folder: received, expected: archive.dataSets)
    }
}
