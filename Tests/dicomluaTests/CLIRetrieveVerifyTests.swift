import Foundation
import TestSupport
import XCTest

/// `dicomlua move`/`get` `--verify` and `--retry` (docs/cli.md "move and get"): the retrieval model's report
/// decides the exit status, and the SOP Instance UIDs still missing are printed one a line.
final class CLIRetrieveVerifyTests: XCTestCase {
    private var directory: URL!
    private var environment: [String: String] = [:]

    override func setUpWithError() throws {
        guard FileManager.default.isExecutableFile(atPath: dicomluaBinary) else {
            throw XCTSkip("dicomlua is not built (run `swift build` first): \(dicomluaBinary)")
        }
        directory = try makeTemporaryDirectory("cli-verify")
        environment = [
            "DICOMLUA_CONFIG": directory.appendingPathComponent("user.json").path,
            "DICOMLUA_SYSTEM_CONFIG": directory.appendingPathComponent("system.json").path,
            "XDG_DATA_HOME": directory.path,
        ]
    }

    override func tearDownWithError() throws {
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }

    private func dicomlua(_ arguments: [String]) throws -> (status: Int32?, stdout: String, stderr: String) {
        try ChildProcess.run(dicomluaBinary, arguments, environment: environment, timeout: 120)
    }

    private func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    private func dcmFiles(_ name: String) -> Set<String> {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path(name))) ?? []
        return Set(names.filter { $0.hasSuffix(".dcm") }.map { String($0.dropLast(4)) })
    }

    /// dcmqrscp whose stored copy of one instance is gone: its sub-operation fails. Without --verify the
    /// failed sub-operation gives status 1; with --verify --retry 1 the report is partial after 2 rounds and
    /// names the missing instance on stdout; an intact patient verifies complete (move and get).
    func testPartialMoveNamesWhatIsMissingAgainstDcmqrscp() throws {
        try XCTSkipUnless(dcmtkAvailable, "DCMTK is not installed")
        let port = freeTCPPort()
        let peer = try QRTestPeer(moveDestinations: ["CLI_IN": port])
        defer { peer.stop() }
        let remote = "QRSCP@127.0.0.1:\(peer.qrPort)"
        let lost = peer.instances.first { $0.patientID == "P1" }!.sopInstanceUID
        let database = peer.folder.appendingPathComponent("db")
        let stored = try FileManager.default.contentsOfDirectory(atPath: database.path).map {
            database.appendingPathComponent($0)
        }
        let copy = try XCTUnwrap(
            stored.first {
                (try? Data(contentsOf: $0))?.range(of: Data(lost.utf8)) != nil && !$0.path.hasSuffix(".dat")
            },
            "dcmqrscp's copy of \(lost) in \(stored)")
        try FileManager.default.removeItem(at: copy)

        let unverified = try dicomlua([
            "move", remote, "-k", "PatientID=P1", "--dest", "CLI_IN", "--dir", path("plain"), "--port", "\(port)",
        ])
        XCTAssertEqual(unverified.status, 1, unverified.stderr)
        XCTAssertTrue(unverified.stderr.contains("moved 2 instances, 1 failed"), unverified.stderr)
        XCTAssertTrue(
            unverified.stderr.contains("dicomlua: move: the archive reported 1 failed sub-operation"), unverified.stderr
        )

        let verified = try dicomlua([
            "move", remote, "-k", "PatientID=P1", "--dest", "CLI_IN", "--dir", path("in"), "--port", "\(port)",
            "--verify", "--retry", "1",
        ])
        XCTAssertEqual(verified.status, 1, verified.stderr)
        XCTAssertEqual(verified.stdout, "\(lost)\n", "the missing SOP Instance UID, one a line")
        XCTAssertTrue(verified.stderr.contains("verified: 1 of 3 missing after 2 rounds"), verified.stderr)
        XCTAssertTrue(
            verified.stderr.contains("dicomlua: move: partial: 1 of 3 instance(s) missing"), verified.stderr)
        XCTAssertEqual(dcmFiles("in").count, 2)
        XCTAssertFalse(dcmFiles("in").contains(lost))

        let complete = try dicomlua([
            "move", remote, "-k", "PatientID=P2", "--dest", "CLI_IN", "--dir", path("in2"), "--port", "\(port)",
            "--verify",
        ])
        XCTAssertEqual(complete.status, 0, complete.stderr)
        XCTAssertEqual(complete.stdout, "")
        XCTAssertTrue(complete.stderr.contains("moved 2 instances"), complete.stderr)
        XCTAssertTrue(complete.stderr.contains("verified: all 2 arrived"), complete.stderr)

        let got = try dicomlua(["get", remote, "-k", "PatientID=P2", "--dir", path("got"), "--verify"])
        XCTAssertEqual(got.status, 0, got.stderr)
        XCTAssertTrue(got.stderr.contains("received 2 instances"), got.stderr)
        XCTAssertTrue(got.stderr.contains("verified: all 2 arrived"), got.stderr)
        XCTAssertEqual(dcmFiles("got").count, 2)

        // A move to an AE the archive knows but whose files this process cannot see: not verified, status 1.
        let blind = try dicomlua(["move", remote, "-k", "PatientID=P2", "--dest", "DESTAE", "--verify"])
        XCTAssertEqual(blind.status, 1, blind.stderr)
        XCTAssertTrue(blind.stderr.contains("the destination cannot be observed"), blind.stderr)
        XCTAssertTrue(blind.stderr.contains("give --dir"), blind.stderr)
    }

    /// `dicomlua qrscp` that drops every 3rd instance of its first C-GET while counting it completed: `get
    /// --verify --retry 1` asks again for what is missing and ends complete after 2 rounds.
    func testGetRetryFetchesWhatTheArchiveDropped() throws {
        let data = try dicomlua([
            "sample-data", path("pacs"), "--patients", "1", "--series", "2", "--instances", "3", "--rows", "16",
        ])
        XCTAssertEqual(data.status, 0, data.stderr)
        let port = freeTCPPort()
        let qrscp = try ChildProcess(
            dicomluaBinary, ["qrscp", "--dir", path("pacs"), "--port", "\(port)", "--fault", "drop-every=3"],
            environment: environment)
        defer { qrscp.stop() }
        XCTAssertTrue(waitForPort(port), qrscp.stderr)
        let got = try dicomlua([
            "get", "QRSCP@127.0.0.1:\(port)", "-k", "PatientID=PAT0001", "--dir", path("got"), "--retry", "1",
        ])
        XCTAssertEqual(got.status, 0, got.stderr)
        XCTAssertTrue(got.stderr.contains("verified: all 6 arrived after 2 rounds"), got.stderr)
        XCTAssertEqual(dcmFiles("got").count, 6)
    }
}
