import Foundation
import TestSupport
import XCTest

@testable import DICOMCampaign

/// `--method get`, `--no-verify`, and Ctrl-C inside a script's `c:run()`, against `/usr/bin/dcmqrscp`.
final class CampaignMethodsTests: XCTestCase {
    func makeEngine(_ peer: ArchivePeer, journal path: String, method: String) throws -> CampaignEngine {
        var options = CampaignOptions()
        options.querySCP = "pacs"
        options.storageSCP = "me"
        options.method = method
        options.parallel = 2
        options.directory = peer.received.path
        options.settle = 2
        let journal = try CampaignJournal(path: path)
        try journal.store(options)
        let resolved = try journal.options().resolved
        let executor = try ServicesCampaignExecutor(options: resolved, configuration: peer.configuration)
        return CampaignEngine(journal: journal, options: resolved, executor: executor)
    }

    /// C-GET: the instances come on our own association (no storage SCP of ours runs), every item is verified
    /// complete, each file is on disk and recorded in the journal with its size.
    func testMethodGetRetrievesVerifiedStudiesOverItsOwnAssociation() async throws {
        let peer = try ArchivePeer(studies: 4, perStudy: 3)
        defer { peer.stop() }
        let engine = try makeEngine(peer, journal: peer.folder.appendingPathComponent("get.db").path, method: "get")
        for uid in peer.studyUIDs { try engine.journal.add(CampaignKeys(studyInstanceUID: uid)) }
        let summary = try await engine.run()
        let items = try engine.journal.items()
        XCTAssertEqual(summary.count(.complete), 4, "\(items)")
        XCTAssertEqual(summary.instances, 12)
        XCTAssertEqual(items.map(\.expectedCount), [3, 3, 3, 3])
        XCTAssertEqual(items.map(\.message), [nil, nil, nil, nil], "verified, not judged by the archive's word")
        let files = try FileManager.default.contentsOfDirectory(atPath: peer.received.path).filter {
            $0.hasSuffix(".dcm")
        }
        XCTAssertEqual(Set(files), Set(peer.instances.map { "\($0.sopInstanceUID).dcm" }))
        XCTAssertGreaterThan(summary.bytes, 12 * 100, "sizes recorded")
        XCTAssertEqual(try engine.journal.integrityCheck(), "ok")
    }

    /// C-GET: each arrival is written to the journal once (a row of `instances`, never rewritten by the
    /// retrieve's final report after its progress had recorded it). Triggers on the journal count the writes.
    func testMethodGetJournalsEachArrivalOnce() async throws {
        let peer = try ArchivePeer(studies: 3, perStudy: 4)
        defer { peer.stop() }
        let path = peer.folder.appendingPathComponent("get-once.db").path
        let engine = try makeEngine(peer, journal: path, method: "get")
        for uid in peer.studyUIDs { try engine.journal.add(CampaignKeys(studyInstanceUID: uid)) }
        let triggers = try ChildProcess.run(
            "/usr/bin/sqlite3",
            [
                path,
                """
                CREATE TABLE arrival_writes(sop_instance_uid TEXT);
                CREATE TRIGGER count_insert AFTER INSERT ON instances
                    BEGIN INSERT INTO arrival_writes VALUES (new.sop_instance_uid); END;
                CREATE TRIGGER count_update AFTER UPDATE ON instances
                    BEGIN INSERT INTO arrival_writes VALUES (new.sop_instance_uid); END;
                """,
            ], timeout: 10)
        XCTAssertEqual(triggers.status, 0, triggers.stderr)
        let summary = try await engine.run()
        let items = try engine.journal.items()
        XCTAssertEqual(summary.count(.complete), 3, "\(items)")
        func count(_ sql: String) throws -> String {
            let r = try ChildProcess.run("/usr/bin/sqlite3", [path, sql], timeout: 10)
            XCTAssertEqual(r.status, 0, r.stderr)
            return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        XCTAssertEqual(try count("SELECT count(*) FROM instances"), "12", "one row per instance")
        XCTAssertEqual(
            try count("SELECT count(*) FROM arrival_writes"), "12", "each arrival written once, not twice")
        XCTAssertEqual(try count("SELECT count(DISTINCT sop_instance_uid) FROM arrival_writes"), "12")
    }

    /// `--no-verify`: no inventory (the archive sees one association per study, the C-MOVE), the items end
    /// complete on the archive's word, and the report says they were not verified.
    func testNoVerifyMakesNoInventoryAndSaysSoInTheReport() throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: dicomluaBinary), "run `swift build` first")
        let peer = try ArchivePeer(studies: 3, perStudy: 2)
        defer { peer.stop() }
        let journal = peer.folder.appendingPathComponent("noverify.db").path
        let csv = peer.folder.appendingPathComponent("studies.csv")
        try ("StudyInstanceUID\n" + peer.studyUIDs.joined(separator: "\n") + "\n").write(
            to: csv, atomically: true, encoding: .utf8)
        // The relay counts the connection that waited for it to listen (bounded wait for its line): count from
        // there.
        let ready = Date().addingTimeInterval(20)
        while peer.counter.counts.total < 1 && Date() < ready { usleep(20_000) }
        XCTAssertGreaterThanOrEqual(peer.counter.counts.total, 1, "the relay never counted its readiness probe")
        let before = peer.counter.counts.total
        let run = try ChildProcess(
            dicomluaBinary,
            [
                "campaign", "run", journal, "--from", "pacs", "--to", "me", "--dir", peer.received.path, "--csv",
                csv.path, "--no-verify", "--parallel", "1",
            ], environment: peer.environment)
        XCTAssertEqual(run.wait(timeout: 90), 0, run.stderr)
        let items = try CampaignJournal(path: journal, readOnly: true).items()
        XCTAssertEqual(items.map(\.state), [.complete, .complete, .complete])
        XCTAssertEqual(items.map(\.expectedCount), [nil, nil, nil], "no inventory")
        XCTAssertEqual(Set(items.compactMap(\.message)), ["not verified (verify off)"])
        let files = try FileManager.default.contentsOfDirectory(atPath: peer.received.path).filter {
            $0.hasSuffix(".dcm")
        }
        XCTAssertEqual(files.count, 6)
        // The relay's count settles after the last association's release: wait for it, bounded.
        let deadline = Date().addingTimeInterval(10)
        while peer.counter.counts.total - before < 3 && Date() < deadline { usleep(50_000) }
        XCTAssertEqual(
            peer.counter.counts.total - before, 3, "one C-MOVE association per study, no C-FIND\n\(peer.log)")
        let report = try ChildProcess.run(
            dicomluaBinary, ["campaign", "report", journal], environment: peer.environment)
        XCTAssertTrue(report.stdout.contains("not verified (verify off)"), report.stdout)
    }

    /// Ctrl-C while a script is inside `c:run()`: the retrieves in flight are cancelled, their items go back
    /// to `pending` (none is left `running`, none `cancelled`), `c:run()` raises `interrupted!` (exit status 1,
    /// as any Lua error, docs/cli.md), the lock is released and `PRAGMA integrity_check` says ok; a second run
    /// completes the rest.
    func testSigintInsideLuaRunLeavesItemsPendingAndTheJournalSound() throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: dicomluaBinary), "run `swift build` first")
        let peer = try ArchivePeer(studies: 30, perStudy: 3)
        defer { peer.stop() }
        let journal = peer.folder.appendingPathComponent("lua.db").path
        let script = peer.folder.appendingPathComponent("pull.lua")
        try """
        local c = campaign.open(arg[1], {query_scp = 'pacs', storage_scp = 'me', directory = arg[2],
                                         parallel = 1, min_interval = 0.2})
        for i = 3, #arg do c:add{study_instance_uid = arg[i]} end
        local settled = 0
        c:on_item(function(item)
          if item.state ~= 'running' then
            settled = settled + 1
            if settled == 2 then print('inside run') io.stdout:flush() end
          end
        end)
        local summary, message = c:run()
        print('run returned', summary and summary.total, message)
        """.write(to: script, atomically: true, encoding: .utf8)
        let run = try ChildProcess(
            dicomluaBinary, [script.path, journal, peer.received.path] + peer.studyUIDs, environment: peer.environment)
        let deadline = Date().addingTimeInterval(60)
        while !run.stdout.contains("inside run") && run.isRunning && Date() < deadline { usleep(20_000) }
        XCTAssertTrue(run.stdout.contains("inside run"), run.stdout + run.stderr)
        kill(run.process.processIdentifier, SIGINT)
        XCTAssertEqual(run.wait(timeout: 30), 1, run.stdout + run.stderr)
        XCTAssertTrue(run.stderr.contains("interrupted!"), run.stderr)
        XCTAssertFalse(run.stdout.contains("run returned"), "c:run() raised instead of returning")
        let items = try CampaignJournal(path: journal, readOnly: true).items()
        XCTAssertEqual(items.count, 30)
        let states = Set(items.map(\.state))
        XCTAssertTrue(states.isSubset(of: [.pending, .complete]), "\(items.map(\.state))")
        XCTAssertGreaterThanOrEqual(items.filter { $0.state == .complete }.count, 2)
        XCTAssertGreaterThan(items.filter { $0.state == .pending }.count, 0, "stopped before the end")
        XCTAssertNil(JournalLock.currentHolder(journalPath: journal))
        let check = try ChildProcess.run("/usr/bin/sqlite3", [journal, "PRAGMA integrity_check"])
        XCTAssertEqual(check.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "ok")
        // Every complete item's files are on disk; a second run completes the rest.
        let again = try ChildProcess(
            dicomluaBinary, ["campaign", "run", journal, "--from", "pacs", "--to", "me", "--dir", peer.received.path],
            environment: peer.environment)
        XCTAssertEqual(again.wait(timeout: 120), 0, again.stderr)
        let after = try CampaignJournal(path: journal, readOnly: true).items()
        XCTAssertEqual(after.filter { $0.state == .complete }.count, 30)
    }
}
