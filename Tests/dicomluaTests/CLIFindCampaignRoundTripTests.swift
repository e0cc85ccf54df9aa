import Foundation
import TestSupport
import XCTest

/// What `dicomlua find --csv` writes, `dicomlua campaign run --csv` reads back (docs/cli.md "find"; README
/// "Campaigns": key columns as DICOM keywords): the studies found are the campaign's items, and all of them
/// arrive.
final class CLIFindCampaignRoundTripTests: XCTestCase {
    func testFindCSVIsACampaignCSV() throws {
        guard FileManager.default.isExecutableFile(atPath: dicomluaBinary) else {
            throw XCTSkip("dicomlua is not built (run `swift build` first): \(dicomluaBinary)")
        }
        let directory = try makeTemporaryDirectory("cli-find-campaign")
        defer { try? FileManager.default.removeItem(at: directory) }
        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
        let environment = [
            "DICOMLUA_CONFIG": path("user.json"), "DICOMLUA_SYSTEM_CONFIG": path("system.json"),
            "XDG_DATA_HOME": directory.path,
        ]
        func dicomlua(_ arguments: [String]) throws -> (status: Int32?, stdout: String, stderr: String) {
            try ChildProcess.run(dicomluaBinary, arguments, environment: environment, timeout: 120)
        }
        let data = try dicomlua([
            "sample-data", path("pacs"), "--patients", "2", "--series", "1", "--instances", "2", "--rows", "16",
        ])
        XCTAssertEqual(data.status, 0, data.stderr)
        let (port, destinationPort) = (freeTCPPort(), freeTCPPort())
        let qrscp = try ChildProcess(
            dicomluaBinary,
            ["qrscp", "--dir", path("pacs"), "--port", "\(port)", "--dest", "CLI_IN=127.0.0.1:\(destinationPort)"],
            environment: environment)
        defer { qrscp.stop() }
        XCTAssertTrue(waitForPort(port), qrscp.stderr)
        let remote = "QRSCP@127.0.0.1:\(port)"

        let find = try dicomlua(["find", remote, "-S", "--csv"])
        XCTAssertEqual(find.status, 0, find.stderr)
        XCTAssertTrue(find.stdout.contains("StudyInstanceUID"), find.stdout)
        try find.stdout.write(toFile: path("studies.csv"), atomically: true, encoding: .utf8)
        let studies = find.stdout.split(whereSeparator: \.isNewline).count - 1  // RFC 4180: CRLF
        XCTAssertEqual(studies, 2, find.stdout)

        let run = try dicomlua([
            "campaign", "run", path("cohort.db"), "--from", remote, "--to", "CLI_IN@127.0.0.1:\(destinationPort)",
            "--csv", path("studies.csv"), "--dir", path("cohort"),
        ])
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
        let complete = run.stdout.split(separator: "\n").filter { $0.hasPrefix("complete ") }
        XCTAssertEqual(complete.count, 2, run.stdout + run.stderr)
        let files = FileManager.default.enumerator(atPath: path("cohort"))?.compactMap { $0 as? String }
            .filter { $0.hasSuffix(".dcm") }
        XCTAssertEqual(files?.count, 4, "\(files ?? [])")
    }
}
