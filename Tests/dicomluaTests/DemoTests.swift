import Foundation
import TestSupport
import XCTest

/// `scripts/demo --debug` end to end: sample data, `dicomlua qrscp`, Examples/retrieve_patient.lua.
/// Needs the `query` and `storage_scp` bindings: skipped unless DICOMLUA_RUN_DEMO_TEST=1.
final class DemoTests: XCTestCase {
    func testDemoRetrievesFilesAndPrintsItsSummary() throws {
        try XCTSkipUnless(ProcessInfo.processInfo.environment["DICOMLUA_RUN_DEMO_TEST"] == "1",
                          "set DICOMLUA_RUN_DEMO_TEST=1 to run scripts/demo")
        let demo = packageRoot.appendingPathComponent("scripts/demo").path
        let process = try ChildProcess("/bin/bash", [demo, "--debug"], currentDirectory: packageRoot)
        let status = process.wait(timeout: 600)
        let output = process.stdout + process.stderr
        XCTAssertEqual(status, 0, output)
        let line = try XCTUnwrap(output.split(separator: "\n").first { $0.hasPrefix("demo summary: ") }, output)
        let count = Int(line.dropFirst("demo summary: ".count).prefix { $0.isNumber }) ?? 0
        XCTAssertGreaterThan(count, 0, String(line))
    }
}
