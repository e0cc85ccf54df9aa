import Foundation
import TestSupport
import XCTest

@testable import DICOMCampaign

/// `Examples/cohort_pull.lua` (the Lua `campaign` module) against `/usr/bin/dcmqrscp`.
final class CohortPullExampleTests: XCTestCase {
    override func setUpWithError() throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: dicomluaBinary), "run `swift build` first")
    }

    static var example: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Examples/cohort_pull.lua").path
    }

    /// 20 accession numbers, 2 unknown to the archive and 1 carried by two studies: 19 studies complete
    /// (each its own item with its accession number and the row's other columns), 2 not_found, a report
    /// row per item.
    func testTwentyAccessionNumbersTwoUnknownOneMatchingTwoStudies() throws {
        // 19 studies: ACC-P1 … ACC-P17 one study each, ACC-P18 two (the accession number comes from the
        // patient ID in the test data).
        var instances = ArchivePeer.make(studies: 19, perStudy: 2)
        for i in instances.indices where instances[i].studyUID.hasSuffix(".19") {
            instances[i].patientID = "P18"
        }
        let peer = try ArchivePeer(instances: instances)
        defer { peer.stop() }
        let folder = peer.folder.appendingPathComponent("cohort")
        let csv = peer.folder.appendingPathComponent("accessions.csv")
        var text = "AccessionNumber,cohort_group\n"
        for p in 1...18 { text += "ACC-P\(p),g\(p % 3)\n" }
        text += "ACC-UNKNOWN-1,x\nACC-UNKNOWN-2,x\n"
        try text.write(to: csv, atomically: true, encoding: .utf8)
        let run = try ChildProcess(
            dicomluaBinary, [Self.example, csv.path, folder.path, "pacs", "me"], environment: peer.environment)
        let status = run.wait(timeout: 120)
        XCTAssertEqual(status, 1, "not_found items make the exit status 1\n\(run.stdout)\n\(run.stderr)")
        XCTAssertTrue(run.stdout.contains("20 new item(s) from 20 row(s)"), run.stdout)
        XCTAssertTrue(
            run.stdout.contains("21 item(s): 19 complete, 0 partial, 0 failed, 0 empty, 2 not found"), run.stdout)
        let items = try CampaignJournal(path: folder.appendingPathComponent("cohort.db").path, readOnly: true).items()
        XCTAssertEqual(items.count, 21)
        let double = items.filter { $0.keys.accessionNumber == "ACC-P18" }
        XCTAssertEqual(double.count, 2)
        XCTAssertEqual(Set(double.map(\.state)), [.complete])
        XCTAssertEqual(double.first?.data["cohort_group"], "g0")
        XCTAssertEqual(
            items.filter { $0.state == .notFound }.compactMap(\.keys.accessionNumber).sorted(),
            ["ACC-UNKNOWN-1", "ACC-UNKNOWN-2"])
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".dcm") }
        XCTAssertEqual(files.count, 38)
        let report = try String(contentsOf: folder.appendingPathComponent("report.csv"), encoding: .utf8)
        let lines = report.split(separator: "\n")
        XCTAssertEqual(lines.count, 22)
        XCTAssertTrue(lines[0].hasPrefix("patient_id,accession_number,study_instance_uid"), String(lines[0]))
        XCTAssertTrue(lines[0].hasSuffix("cohort_group"), String(lines[0]))
        XCTAssertTrue(report.contains("ACC-UNKNOWN-1,,,,not_found,"), report)
    }
}
