import Foundation
import TestSupport
import XCTest

@testable import DICOMCampaign

/// `dicomlua campaign run` killed with SIGKILL at three moments of a 50-study campaign, then run again.
final class CampaignKillTests: XCTestCase {
    override func setUpWithError() throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: dicomluaBinary), "run `swift build` first")
    }

    func startRun(_ peer: ArchivePeer, _ journal: String, extra: [String] = []) throws -> ChildProcess {
        try ChildProcess(
            dicomluaBinary,
            ["campaign", "run", journal, "--from", "pacs", "--to", "me", "--dir", peer.received.path] + extra,
            environment: peer.environment)
    }

    func completeCount(_ journal: String) -> Int {
        guard let j = try? CampaignJournal(path: journal, readOnly: true), let s = try? j.summary() else { return 0 }
        return s.count(.complete)
    }

    /// Every study ends complete; dcmqrscp sends no instance twice that had arrived before a kill (its C-STORE
    /// sub-operations are counted in its log); `PRAGMA integrity_check` says ok.
    func testKillNineAtThreeMomentsThenResumeFetchesOnlyWhatIsMissing() throws {
        let peer = try ArchivePeer(studies: 50, perStudy: 3)
        defer { peer.stop() }
        peer.markLog()
        let journal = peer.folder.appendingPathComponent("cohort.db").path
        let csv = peer.folder.appendingPathComponent("cohort.csv")
        try ("StudyInstanceUID,group\n" + peer.studyUIDs.map { "\($0),g1" }.joined(separator: "\n") + "\n")
            .write(to: csv, atomically: true, encoding: .utf8)
        var kills: [Int] = []
        for (index, moment) in [4, 18, 33].enumerated() {
            let run = try startRun(peer, journal, extra: index == 0 ? ["--csv", csv.path, "--parallel", "2"] : [])
            let deadline = Date().addingTimeInterval(60)
            while completeCount(journal) < moment && run.isRunning && Date() < deadline { usleep(20_000) }
            XCTAssertTrue(run.isRunning, "run \(index + 1) ended before the kill: \(run.stderr)")
            kill(run.process.processIdentifier, SIGKILL)
            run.process.waitUntilExit()
            kills.append(completeCount(journal))
        }
        let last = try startRun(peer, journal)
        XCTAssertEqual(last.wait(timeout: 90), 0, last.stderr)
        let items = try CampaignJournal(path: journal, readOnly: true).items()
        XCTAssertEqual(items.count, 50)
        XCTAssertEqual(items.filter { $0.state == .complete }.count, 50, "\(items.filter { $0.state != .complete })")
        XCTAssertEqual(items.first?.data["group"], "g1")
        let files = try FileManager.default.contentsOfDirectory(atPath: peer.received.path).filter {
            $0.hasSuffix(".dcm")
        }
        XCTAssertEqual(files.count, 150)
        // Only instances in flight at a kill may be sent twice: at most `parallel` requests per kill.
        let sent = peer.storeSubOperations(reaching: 150)
        XCTAssertGreaterThanOrEqual(sent, 150)
        XCTAssertLessThanOrEqual(sent, 150 + 3 * 2, "C-STORE sub-operations over all runs (kills after \(kills) items)")
        let check = try ChildProcess.run("/usr/bin/sqlite3", [journal, "PRAGMA integrity_check"])
        XCTAssertEqual(check.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "ok")
        print(
            "campaign kill test: complete at the kills \(kills); C-STORE sub-operations sent \(sent) for 150 instances")
    }

    /// A second `run` of a journal that a process runs is refused, naming that process; SIGINT stops the
    /// first one cleanly (its items stay pending, exit status 1).
    func testSecondRunIsRefusedNamingTheHolderAndSigintStopsCleanly() throws {
        let peer = try ArchivePeer(studies: 2, perStudy: 1)
        defer { peer.stop() }
        let journal = peer.folder.appendingPathComponent("locked.db").path
        // A window that is closed now: the first run waits in it.
        let now = Calendar.current.dateComponents([.hour, .minute], from: Date().addingTimeInterval(7200))
        let window = String(format: "%02d:%02d-%02d:%02d", now.hour!, now.minute!, (now.hour! + 1) % 24, now.minute!)
        let csv = peer.folder.appendingPathComponent("two.csv")
        try ("study_instance_uid\n" + peer.studyUIDs.joined(separator: "\n") + "\n").write(
            to: csv, atomically: true, encoding: .utf8)
        let first = try startRun(peer, journal, extra: ["--csv", csv.path, "--window", window])
        let deadline = Date().addingTimeInterval(20)
        while JournalLock.currentHolder(journalPath: journal) == nil && Date() < deadline { usleep(20_000) }
        let second = try ChildProcess.run(dicomluaBinary, ["campaign", "run", journal], environment: peer.environment)
        XCTAssertEqual(second.status, 2)
        XCTAssertTrue(
            second.stderr.contains("being run by another process (pid \(first.process.processIdentifier)"),
            second.stderr)
        // Both workers wait for the window: shown as waiting, with until when (bounded wait for both).
        var status = try ChildProcess.run(
            dicomluaBinary, ["campaign", "status", journal], environment: peer.environment)
        let shown = Date().addingTimeInterval(20)
        while !status.stdout.contains("2 item(s): waiting 2 (until ") && Date() < shown {
            usleep(200_000)
            status = try ChildProcess.run(
                dicomluaBinary, ["campaign", "status", journal], environment: peer.environment)
        }
        XCTAssertTrue(status.stdout.contains("2 item(s): waiting 2 (until "), status.stdout)
        XCTAssertTrue(status.stdout.contains("running: pid \(first.process.processIdentifier)"), status.stdout)
        kill(first.process.processIdentifier, SIGINT)
        XCTAssertEqual(first.wait(timeout: 20), 1, first.stderr)
        XCTAssertTrue(first.stderr.contains("interrupted by SIGINT"), first.stderr)
        let items = try CampaignJournal(path: journal, readOnly: true).items()
        XCTAssertEqual(items.map(\.state), [.pending, .pending])
        XCTAssertNil(JournalLock.currentHolder(journalPath: journal))
    }
}
