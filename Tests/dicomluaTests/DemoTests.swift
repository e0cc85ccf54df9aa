import Foundation
import TestSupport
import XCTest

/// `scripts/demo --debug` end to end: sample data, `dicomlua qrscp`, Examples/retrieve_patient.lua, and a
/// campaign against a lossy `dicomlua qrscp --fault drop-every=3`.
/// The demo uses the binary this test suite built (DICOMLUA_BIN), so it neither installs nor builds.
final class DemoTests: XCTestCase {
    func testDemoRetrievesFilesAndPrintsItsSummary() throws {
        let demo = packageRoot.appendingPathComponent("scripts/demo").path
        let process = try ChildProcess(
            "/bin/bash", [demo], environment: ["DICOMLUA_BIN": dicomluaBinary],
            currentDirectory: packageRoot)
        let status = process.wait(timeout: 300)
        let output = process.stdout + process.stderr
        XCTAssertEqual(status, 0, output)
        let line = try XCTUnwrap(output.split(separator: "\n").first { $0.hasPrefix("demo summary: ") }, output)
        let count = Int(line.dropFirst("demo summary: ".count).prefix { $0.isNumber }) ?? 0
        XCTAssertGreaterThan(count, 0, String(line))
        XCTAssertTrue(output.contains("found 3 patient(s)"), "the demo queries the three sample patients: \(output)")
        XCTAssertTrue(
            output.contains(
                "retrieve of patient PAT0001: succeeded, \(count) instance(s) reported by the PACS, \(count) file(s) arrived"
            ),
            "the PACS's count and the files that arrived agree: \(output)")
        XCTAssertTrue(output.contains("0xFF00 Pending"), "the Lua callback printed pending responses: \(output)")
        // The campaign against the lossy test PACS: found incomplete, asked again, reported complete.
        XCTAssertTrue(
            output.contains("instance(s) missing after round 1; asked again for those only"),
            "the campaign saw the dropped instances: \(output)")
        XCTAssertTrue(output.contains("campaign: 3 item(s): complete 3; 30 instance(s)"), output)
        XCTAssertTrue(output.contains("demo campaign: 30 file(s) in "), output)
    }
}
