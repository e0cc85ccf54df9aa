import Foundation
import TestSupport
import XCTest

/// pynetdicom's TLS SCU (`Tests/Peers/pynetdicom-tls-peer.py getscu`) doing a C-GET from `dicomlua qrscp
/// --tls-*` (docs/lua-api.md "DICOM TLS"): every instance of the study comes back over TLS, byte for byte.
final class TLSPynetdicomGetTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        guard FileManager.default.isExecutableFile(atPath: dicomluaBinary) else {
            throw XCTSkip("dicomlua is not built (run `swift build` first): \(dicomluaBinary)")
        }
        let probe = try ChildProcess.run("/usr/bin/env", ["python3", "-c", "import pynetdicom"], timeout: 30)
        try XCTSkipUnless(probe.status == 0, "pynetdicom is not installed (scripts/setup)")
        directory = try makeTemporaryDirectory("tls-pyget")
    }

    override func tearDown() {
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }

    private func cert(_ name: String) throws -> String { try TestCertificates.path(name) }
    private func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// The bytes after the file meta group of a Part 10 file (its group length is at offset 140).
    private func dataSetBytes(_ path: String) throws -> [UInt8] {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        guard bytes.count >= 144, bytes[128..<132].elementsEqual("DICM".utf8) else {
            XCTFail("\(path) is not a Part 10 file")
            return []
        }
        let groupLength = Int(bytes[140]) | Int(bytes[141]) << 8 | Int(bytes[142]) << 16 | Int(bytes[143]) << 24
        return Array(bytes[(144 + groupLength)...])
    }

    func testPynetdicomTLSSCUGetsAStudyFromQrscpOverTLSIntact() throws {
        let generated = try ChildProcess.run(
            dicomluaBinary,
            ["sample-data", path("pacs"), "--patients", "1", "--series", "2", "--instances", "3", "--rows", "16"])
        XCTAssertEqual(generated.status, 0, generated.stderr)
        let sources = (FileManager.default.enumerator(atPath: path("pacs"))?.allObjects as? [String] ?? [])
            .filter { $0.hasSuffix(".dcm") }.map { path("pacs") + "/" + $0 }
        XCTAssertEqual(sources.count, 6)
        let uids = try ChildProcess.run(
            "/usr/bin/env",
            [
                "python3", "-c",
                "import sys; from pydicom import dcmread\n"
                    + "for f in sys.argv[1:]: d = dcmread(f); print(f, d.SOPInstanceUID, d.StudyInstanceUID)",
            ] + sources, timeout: 60)
        XCTAssertEqual(uids.status, 0, uids.stderr)
        var sourceOf: [String: String] = [:]  // SOP Instance UID → source file
        var study = ""
        for line in uids.stdout.split(separator: "\n") {
            let fields = line.split(separator: " ").map(String.init)
            guard fields.count == 3 else { continue }
            sourceOf[fields[1]] = fields[0]
            study = fields[2]
        }
        XCTAssertEqual(sourceOf.count, 6, uids.stdout)

        let qrPort = freeTCPPort()
        let qrscp = try ChildProcess(
            dicomluaBinary,
            [
                "qrscp", "--dir", path("pacs"), "--port", "\(qrPort)", "--tls-cert", try cert("server.pem"),
                "--tls-key", try cert("server.key"), "--tls-ca", try cert("ca.pem"),
            ])
        defer { qrscp.stop() }
        XCTAssertTrue(waitForPort(qrPort), qrscp.stderr)
        try FileManager.default.createDirectory(atPath: path("got"), withIntermediateDirectories: true)
        let get = try ChildProcess.run(
            "/usr/bin/env",
            [
                "python3", packageRoot.appendingPathComponent("Tests/Peers/pynetdicom-tls-peer.py").path, "getscu",
                "\(qrPort)", "QRSCP", try cert("client.pem"), try cert("client.key"), try cert("ca.pem"), path("got"),
                study,
            ], timeout: 120)
        XCTAssertEqual(get.status, 0, get.stdout + get.stderr + qrscp.stderr)
        XCTAssertTrue(get.stdout.contains("get 0x0000 completed 6 failed 0"), get.stdout + qrscp.stderr)
        for (uid, source) in sourceOf {
            let got = path("got") + "/" + uid + ".dcm"
            XCTAssertTrue(get.stdout.contains("stored \(uid)"), get.stdout)
            guard FileManager.default.fileExists(atPath: got) else {
                XCTFail("\(uid) did not arrive")
                continue
            }
            XCTAssertEqual(try dataSetBytes(got), try dataSetBytes(source), "data set of \(uid) differs")
        }
    }
}
