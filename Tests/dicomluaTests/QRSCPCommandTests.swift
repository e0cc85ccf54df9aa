import Foundation
import TestSupport
import XCTest

/// `dicomlua sample-data` and `dicomlua qrscp` as a user runs them (build first: `swift build`).
final class QRSCPCommandTests: XCTestCase {
    func testSampleDataThenQrscpAnswersFindscu() throws {
        guard FileManager.default.isExecutableFile(atPath: dicomluaBinary) else {
            throw XCTSkip("dicomlua is not built (run `swift build` first): \(dicomluaBinary)")
        }
        try XCTSkipUnless(dcmtkAvailable, "DCMTK is not installed")
        let directory = try makeTemporaryDirectory("qrscp-cli")
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try ChildProcess.run(
            dicomluaBinary,
            [
                "sample-data", directory.path, "--patients", "2", "--series", "1",
                "--instances", "2", "--rows", "16",
            ])
        XCTAssertEqual(data.status, 0, data.stderr)
        XCTAssertTrue(data.stdout.contains("wrote 4 instance(s)"), data.stdout)
        let bad = try ChildProcess.run(dicomluaBinary, ["sample-data", directory.path, "--patients", "0"])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("--patients must be in 1...9999, got 0"), bad.stderr)

        let port = freeTCPPort()
        let qrscp = try ChildProcess(dicomluaBinary, ["qrscp", "--dir", directory.path, "--port", "\(port)"])
        defer { qrscp.stop() }
        XCTAssertTrue(waitForPort(port), qrscp.stderr)
        let find = try ChildProcess.run(
            dcmtk("findscu"),
            [
                "-P", "-aec", "QRSCP", "-k", "QueryRetrieveLevel=PATIENT", "-k", "PatientID",
                "127.0.0.1", "\(port)",
            ])
        XCTAssertEqual(find.status, 0)
        XCTAssertTrue(find.stderr.contains("PAT0002"), find.stderr)
        qrscp.stop()
        XCTAssertTrue(qrscp.stderr.contains("indexed 4 instance(s)"), qrscp.stderr)
        XCTAssertTrue(qrscp.stderr.contains("C-FIND Patient Root PATIENT: 2 match(es)"), qrscp.stderr)
    }
}
