import Foundation
import TestSupport
import XCTest

@testable import DICOMCampaign

/// `dicomlua campaign run --deidentify` against `/usr/bin/dcmqrscp` (docs/deidentification.md "Campaigns"):
/// every arrival is de-identified before it lands, the journal records it by the SOP Instance UID the archive
/// sent (so verification completes the items), and the map kept in the journal gives the same pseudonyms and
/// UIDs to a second campaign.
final class CampaignDeidentifyTests: XCTestCase {
    func testDeidentifyingCampaignCompletesAndItsJournalMapKeepsPseudonyms() throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: dicomluaBinary), "run `swift build` first")
        let peer = try ArchivePeer(studies: 3, perStudy: 2)
        defer { peer.stop() }
        let journal = peer.folder.appendingPathComponent("deid.db").path
        let csv = peer.folder.appendingPathComponent("studies.csv")
        try ("StudyInstanceUID\n" + peer.studyUIDs.joined(separator: "\n") + "\n").write(
            to: csv, atomically: true, encoding: .utf8)

        // C-MOVE into our storage SCP, de-identifying, the map in the journal.
        let run = try ChildProcess(
            dicomluaBinary,
            [
                "campaign", "run", journal, "--from", "pacs", "--to", "me", "--dir", peer.received.path, "--csv",
                csv.path, "--parallel", "1", "--deidentify",
            ], environment: peer.environment)
        XCTAssertEqual(run.wait(timeout: 120), 0, run.stdout + run.stderr)
        let items = try CampaignJournal(path: journal, readOnly: true).items()
        XCTAssertEqual(items.map(\.state), [.complete, .complete, .complete], "\(items)")
        XCTAssertEqual(items.map(\.expectedCount), [2, 2, 2])
        XCTAssertEqual(items.map(\.message), [nil, nil, nil], "verified against the inventory")
        let originals = peer.instances.map(\.sopInstanceUID)
        let recorded = try CampaignJournal(path: journal, readOnly: true).arrivedUIDs(among: originals)
        XCTAssertEqual(recorded, Set(originals), "arrivals are journaled by the UID the archive sent")

        let first = try dicomFiles(peer.received)
        XCTAssertEqual(first.count, 6)
        for name in first {
            let bytes = try Data(contentsOf: peer.received.appendingPathComponent(name))
            let text = String(decoding: bytes, as: UTF8.self)
            XCTAssertFalse(text.contains("PATIENT^"), "\(name) keeps the original patient name")
            XCTAssertFalse(text.contains("1.2.826.0.1.3680043.2.1143.88"), "\(name) keeps an original UID")
        }
        let patients = try ChildProcess.run(
            "/usr/bin/sqlite3", [journal, "SELECT count(*) FROM deid_patient"], timeout: 10)
        XCTAssertEqual(patients.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "3", patients.stderr)

        // A resumed run without the flag goes on de-identifying (the settings are in the journal).
        let plain = try ChildProcess.run(
            dicomluaBinary, ["campaign", "run", journal], environment: peer.environment, timeout: 30)
        XCTAssertEqual(plain.status, 0, plain.stderr)
        XCTAssertTrue(plain.stderr.contains("de-identifying as stored in the journal"), plain.stderr)

        // A second campaign (C-GET) into another folder with the first journal's map: the same UIDs and pseudonyms.
        let other = peer.folder.appendingPathComponent("other")
        try FileManager.default.createDirectory(at: other, withIntermediateDirectories: true)
        let second = try ChildProcess(
            dicomluaBinary,
            [
                "campaign", "run", peer.folder.appendingPathComponent("second.db").path, "--from", "pacs",
                "--method", "get", "--dir", other.path, "--csv", csv.path, "--parallel", "1", "--deidentify",
                "--map", journal,
            ], environment: peer.environment)
        XCTAssertEqual(second.wait(timeout: 120), 0, second.stdout + second.stderr)
        XCTAssertEqual(try dicomFiles(other), first, "the same new SOP Instance UIDs")
        for name in first.prefix(2) {
            XCTAssertEqual(
                try patientLines(peer.received.appendingPathComponent(name)),
                try patientLines(other.appendingPathComponent(name)))
        }
    }

    /// Stopped after some items (SIGTERM) and resumed without `--deidentify`: the resumed run de-identifies
    /// with the options stored in the journal, and no file in the folder carries an original Patient ID; a
    /// resume whose flags contradict the journal is refused.
    func testResumeWithoutTheFlagKeepsDeidentifyingWithTheStoredOptions() throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: dicomluaBinary), "run `swift build` first")
        let peer = try ArchivePeer(studies: 6, perStudy: 2)
        defer { peer.stop() }
        let journal = peer.folder.appendingPathComponent("resume.db").path
        let csv = peer.folder.appendingPathComponent("studies.csv")
        try ("StudyInstanceUID\n" + peer.studyUIDs.joined(separator: "\n") + "\n").write(
            to: csv, atomically: true, encoding: .utf8)
        let first = try ChildProcess(
            dicomluaBinary,
            [
                "campaign", "run", journal, "--from", "pacs", "--to", "me", "--dir", peer.received.path, "--csv",
                csv.path, "--parallel", "1", "--min-interval", "0.5", "--deidentify", "--option", "clean_descriptors",
            ], environment: peer.environment)
        // One line per settled item on stdout: stop after the first.
        let deadline = Date().addingTimeInterval(90)
        while !first.stdout.contains("complete ") && Date() < deadline { usleep(50_000) }
        XCTAssertTrue(first.stdout.contains("complete "), first.stdout + first.stderr)
        first.stop(grace: 20)
        let stopped = try CampaignJournal(path: journal, readOnly: true).items()
        XCTAssertGreaterThan(stopped.filter { $0.state == .complete }.count, 0, "\(stopped)")
        XCTAssertGreaterThan(stopped.filter { $0.state != .complete }.count, 0, "stopped before the end: \(stopped)")

        let contradicting = try ChildProcess.run(
            dicomluaBinary, ["campaign", "run", journal, "--deidentify"], environment: peer.environment, timeout: 30)
        XCTAssertEqual(contradicting.status, 2, contradicting.stderr)
        XCTAssertTrue(
            contradicting.stderr.contains("this campaign de-identifies with options clean_descriptors"),
            contradicting.stderr)

        let resumed = try ChildProcess.run(
            dicomluaBinary, ["campaign", "run", journal], environment: peer.environment, timeout: 120)
        XCTAssertEqual(resumed.status, 0, resumed.stdout + resumed.stderr)
        XCTAssertTrue(
            resumed.stderr.contains("de-identifying as stored in the journal: options clean_descriptors"),
            resumed.stderr)
        let items = try CampaignJournal(path: journal, readOnly: true).items()
        XCTAssertEqual(items.map(\.state), Array(repeating: .complete, count: 6), "\(items)")
        let files = try dicomFiles(peer.received)
        XCTAssertEqual(files.count, 12)
        let originalIDs = Set(peer.instances.map(\.patientID))
        for name in files {
            let dump = try ChildProcess.run(
                "/usr/bin/dcmdump", ["+P", "0010,0020", peer.received.appendingPathComponent(name).path], timeout: 10)
            XCTAssertEqual(dump.status, 0, dump.stderr)
            let value = dump.stdout.split(separator: "[").dropFirst().first?.split(separator: "]").first.map(
                String.init)
            XCTAssertNotNil(value, "\(name): \(dump.stdout)")
            XCTAssertFalse(originalIDs.contains(value ?? ""), "\(name) carries the original Patient ID \(value ?? "")")
        }
    }

    private func dicomFiles(_ folder: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".dcm") }.sorted()
    }

    /// Patient Name and Patient ID as `/usr/bin/dcmdump` prints them.
    private func patientLines(_ file: URL) throws -> [String] {
        let dump = try ChildProcess.run(
            "/usr/bin/dcmdump", ["+P", "0010,0010", "+P", "0010,0020", file.path], timeout: 10)
        XCTAssertEqual(dump.status, 0, dump.stderr)
        let lines = dump.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 2, dump.stdout)
        return lines
    }
}
