import DICOMServices
import Foundation
import TestSupport
import XCTest

@testable import DICOMCampaign

/// An archive in memory: the inventory is fixed; a STUDY-level request that `stallsAtItemLevel` says nothing
/// until it is cancelled; other requests "store" the instances asked for (all of the keys' — the series' at
/// SERIES level —, or, with `missingFirst`, those not `present`) into the folder and report them.
final class FakeExecutor: CampaignExecutor, @unchecked Sendable {
    let directory: String
    let fileExtension = "dcm"
    let entries: [InventoryEntry]
    let stallsAtItemLevel: Bool
    private let lock = NSLock()
    private var onArrival: (@Sendable (Arrival) -> Void)?
    private(set) var requests: [CampaignRetrieve] = []
    /// The SOP Instance UIDs each request asked for.
    private(set) var asked: [[String]] = []

    init(directory: String, entries: [InventoryEntry], stallsAtItemLevel: Bool) {
        self.directory = directory
        self.entries = entries
        self.stallsAtItemLevel = stallsAtItemLevel
    }

    func start(onArrival: @escaping @Sendable (Arrival) -> Void) async throws {
        lock.withLock { self.onArrival = onArrival }
    }
    func stop() async {}
    func findStudies(_ match: [String: String]) async -> Result<[FoundStudy], CampaignFailure> { .success([]) }
    func inventory(_ keys: CampaignKeys, level: CampaignLevel) async -> Result<[InventoryEntry], CampaignFailure> {
        .success(entries.filter { $0.studyInstanceUID == keys.studyInstanceUID })
    }
    func retrieve(
        _ request: CampaignRetrieve, control: OperationControl, pace: @escaping @Sendable () async -> Bool,
        progress: @escaping @Sendable ([Arrival]) -> Void
    ) async -> CampaignRetrieveResult {
        _ = await pace()
        let wanted = entries.filter {
            $0.studyInstanceUID == request.keys.studyInstanceUID
                && (request.level != .series || $0.seriesInstanceUID == request.keys.seriesInstanceUID)
                && !(request.missingFirst && request.present.contains($0.sopInstanceUID))
        }
        lock.withLock {
            requests.append(request)
            asked.append(wanted.map(\.sopInstanceUID))
        }
        if stallsAtItemLevel && request.level == .study && !request.missingFirst {
            while !control.isCancelRequested { try? await Task.sleep(nanoseconds: 50_000_000) }
            return CampaignRetrieveResult(verdict: .cancelled, completed: 0)
        }
        let sink = lock.withLock { onArrival }
        for entry in wanted {
            let path = directory + "/\(entry.sopInstanceUID).dcm"
            FileManager.default.createFile(atPath: path, contents: Data([1, 2, 3]))
            sink?(
                Arrival(
                    sopInstanceUID: entry.sopInstanceUID, studyInstanceUID: entry.studyInstanceUID,
                    seriesInstanceUID: entry.seriesInstanceUID, path: path, bytes: 3))
            progress([])
        }
        return CampaignRetrieveResult(verdict: .complete, completed: wanted.count)
    }
}

final class CampaignUnitTests: XCTestCase {
    var folder: URL!
    override func setUpWithError() throws { folder = try makeTemporaryDirectory("campaign-unit") }
    override func tearDown() { try? FileManager.default.removeItem(at: folder) }

    func entries(study: String, series: Int, each: Int) -> [InventoryEntry] {
        (1...series).flatMap { s in
            (1...each).map {
                InventoryEntry(
                    studyInstanceUID: study, seriesInstanceUID: "\(study).\(s)", sopInstanceUID: "\(study).\(s).\($0)")
            }
        }
    }

    /// A study-level retrieve that makes no progress for `stall` seconds is cancelled and the item asked again
    /// one level lower: each series at SERIES level; it ends complete.
    func testStalledRetrieveIsCancelledAndAskedAgainSeriesBySeries() async throws {
        let journal = try CampaignJournal(path: folder.appendingPathComponent("stall.db").path)
        var options = CampaignOptions()
        options.stall = 1
        options.parallel = 1
        let executor = FakeExecutor(
            directory: folder.path, entries: entries(study: "1.2.3", series: 2, each: 2), stallsAtItemLevel: true)
        let engine = CampaignEngine(journal: journal, options: options.resolved, executor: executor)
        try journal.add(CampaignKeys(studyInstanceUID: "1.2.3"))
        let summary = try await engine.run()
        let items = try journal.items()
        XCTAssertEqual(summary.count(.complete), 1, "\(items)")
        XCTAssertEqual(executor.requests.map(\.level), [.study, .series, .series])
        XCTAssertEqual(executor.requests.map(\.keys.seriesInstanceUID), [nil, "1.2.3.1", "1.2.3.2"])
        XCTAssertEqual(executor.asked.dropFirst().map(\.count), [2, 2])
        XCTAssertEqual(try journal.items().first?.arrived, 4)
    }

    /// An item whose instances are partly on disk already (a run killed before recording them) is asked only
    /// for the rest, by SOP Instance UID; recorded files that vanished are fetched again.
    func testResumeAsksOnlyForWhatIsMissingAndRechecksRecordedFiles() async throws {
        let path = folder.appendingPathComponent("resume.db").path
        let all = entries(study: "1.2.4", series: 1, each: 4)
        do {
            let journal = try CampaignJournal(path: path)
            let (id, _) = try journal.add(CampaignKeys(studyInstanceUID: "1.2.4"))
            try journal.setExpected(id, all)
            try journal.setState(id, .running, message: nil)  // as a killed run leaves it
            // One instance recorded (but its file is gone), one on disk unrecorded.
            try journal.recordArrival(
                Arrival(
                    sopInstanceUID: all[0].sopInstanceUID, studyInstanceUID: nil, seriesInstanceUID: nil,
                    path: folder.path + "/gone.dcm", bytes: 3), item: id)
            FileManager.default.createFile(atPath: folder.path + "/\(all[1].sopInstanceUID).dcm", contents: Data([1]))
        }
        let journal = try CampaignJournal(path: path)
        let executor = FakeExecutor(directory: folder.path, entries: all, stallsAtItemLevel: false)
        let engine = CampaignEngine(journal: journal, options: CampaignOptions().resolved, executor: executor)
        let summary = try await engine.run()
        XCTAssertEqual(summary.count(.complete), 1)
        XCTAssertEqual(executor.requests.count, 1)
        XCTAssertEqual(executor.requests.first?.missingFirst, true)
        XCTAssertEqual(executor.requests.first?.inventory, all, "the journal's inventory, no new C-FIND")
        XCTAssertEqual(executor.asked.first, [all[0].sopInstanceUID, all[2].sopInstanceUID, all[3].sopInstanceUID])
        XCTAssertEqual(try journal.integrityCheck(), "ok")
    }

    /// Options are stored; a later open overrides and stores them; the journal is WAL with a schema version.
    func testOptionsAreStoredAndOverriddenAndTheJournalIsWALWithAVersion() throws {
        let path = folder.appendingPathComponent("options.db").path
        var first = CampaignOptions()
        first.querySCP = "pacs"
        first.parallel = 3
        first.window = "19:00-06:00"
        _ = try Campaign(path: path, options: first)
        var second = CampaignOptions()
        second.parallel = 1
        let campaign = try Campaign(path: path, options: second)
        XCTAssertEqual(campaign.options.querySCP, "pacs")
        XCTAssertEqual(campaign.options.parallel, 1)
        XCTAssertEqual(try CampaignJournal(path: path, readOnly: true).options().parallel, 1)
        XCTAssertEqual(try CampaignJournal(path: path, readOnly: true).options().window, "19:00-06:00")
        let mode = try ChildProcess.run("/usr/bin/sqlite3", [path, "PRAGMA journal_mode; PRAGMA user_version"])
        XCTAssertEqual(mode.stdout, "wal\n3\n")
        var bad = CampaignOptions()
        bad.window = "7pm-6am"
        XCTAssertThrowsError(try Campaign(path: path, options: bad)) {
            XCTAssertTrue("\($0)".contains("window must be 'HH:MM-HH:MM'"), "\($0)")
        }
    }

    /// A journal of schema 2 (before the de-identification settings were kept) opens, keeps its items and is
    /// migrated to 3; settings stored there read back; settings a command line contradicts are refused.
    func testSchemaTwoJournalIsMigratedAndKeepsDeidentificationSettings() throws {
        let path = folder.appendingPathComponent("v2.db").path
        let journal = try CampaignJournal(path: path)
        try journal.add(CampaignKeys(studyInstanceUID: "1.2.3"))
        // Back to what schema 2 had.
        let downgrade = try ChildProcess.run(
            "/usr/bin/sqlite3",
            [
                path,
                "DROP TABLE deidentification; DELETE FROM grdb_migrations WHERE identifier = 'v3'; PRAGMA user_version = 2;",
            ])
        XCTAssertEqual(downgrade.status, 0, downgrade.stderr)
        XCTAssertNil(try CampaignJournal(path: path, readOnly: true).deidentification(), "a schema 2 journal has none")
        let migrated = try CampaignJournal(path: path)
        XCTAssertEqual(try migrated.items().map(\.keys.studyInstanceUID), ["1.2.3"])
        let version = try ChildProcess.run("/usr/bin/sqlite3", [path, "PRAGMA user_version"])
        XCTAssertEqual(version.stdout, "3\n")
        XCTAssertNil(try migrated.deidentification())
        let settings = CampaignDeidentification(
            options: ["retain_uids", "clean_descriptors"], quarantine: "q", allowBurnedIn: false)
        try migrated.store(settings)
        XCTAssertEqual(try CampaignJournal(path: path, readOnly: true).deidentification(), settings)
        XCTAssertEqual(settings.options, ["clean_descriptors", "retain_uids"])
        XCTAssertTrue(settings.quarantine?.hasPrefix("/") ?? false, "paths are kept absolute")

        XCTAssertEqual(try CampaignDeidentification.resolve(given: nil, stored: settings), settings, "kept on resume")
        XCTAssertEqual(
            try CampaignDeidentification.resolve(
                given: CampaignDeidentification(options: ["retain_uids", "clean_descriptors"], quarantine: "q"),
                stored: settings), settings, "the same settings in another order")
        XCTAssertNil(try CampaignDeidentification.resolve(given: nil, stored: nil))
        // A campaign opened without a de-identifier (a Lua script) goes on with the stored settings.
        let resumed = try Campaign(path: path, options: CampaignOptions())
        XCTAssertNil(resumed.deidentifier)
        XCTAssertEqual(try resumed.applyStoredDeidentification(), settings)
        XCTAssertNotNil(resumed.deidentifier, "a script's run de-identifies too")
        XCTAssertEqual(resumed.quarantineDirectory, settings.quarantine)
        XCTAssertThrowsError(
            try CampaignDeidentification.resolve(given: CampaignDeidentification(), stored: settings)
        ) {
            XCTAssertTrue(
                "\($0)".contains("this campaign de-identifies with options clean_descriptors, retain_uids"), "\($0)")
            XCTAssertTrue("\($0)".contains("the command line asks for no options"), "\($0)")
        }
    }

    /// The journal's times read back as written, in the form `ISO8601DateFormatter` writes (what `sqlite3` users
    /// and `campaign report` see), to the millisecond.
    /// Two `campaign run`s started at the same moment on one new journal: SQLite answers a connection that switches
    /// the new file to WAL while another does "database is locked" at once, without waiting for the busy timeout.
    /// Every opener must get the journal (the run lock then says which process runs it).
    func testManyConnectionsOpeningOneNewJournalAtOnceAllSucceed() throws {
        for round in 0..<20 {
            let path = folder.appendingPathComponent("race-\(round).db").path
            XCTAssertEqual(failuresOfConcurrentRuns(8) { _ = try CampaignJournal(path: path) }, [], "round \(round)")
        }
    }

    func testJournalTimestampsAreISO8601UTCWithMilliseconds() {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        for seconds in [0, 1_796_000_000.123, 1_796_657_368.999, 951_782_400.5] {
            let date = Date(timeIntervalSince1970: seconds)
            let text = JournalTimestamp.string(date)
            XCTAssertEqual(text, formatter.string(from: date))
            XCTAssertEqual(JournalTimestamp.date(text)?.timeIntervalSince1970 ?? 0, seconds, accuracy: 0.001)
        }
        XCTAssertEqual(JournalTimestamp.string(Date(timeIntervalSince1970: 951_782_400.5)), "2000-02-29T00:00:00.500Z")
        XCTAssertEqual(JournalTimestamp.date("2026-01-05T10:00:00Z")?.timeIntervalSince1970, nil, "no milliseconds")
        XCTAssertNil(JournalTimestamp.date("yesterday"))
    }

    /// CSV headers as DICOM keywords or snake_case, quoted fields, data columns kept, unique items.
    func testCSVReadsKeywordsAndSnakeCaseAndKeepsOtherColumns() throws {
        let text = "PatientID,StudyInstanceUID,note\nP1,1.2.3,\"a, b\"\nP1,1.2.3,dup\n,,\n"
        let (rows, skipped) = try CampaignCSV.parse(text, source: "t.csv")
        XCTAssertEqual(rows.count, 2)
        XCTAssertEqual(skipped, 0)
        XCTAssertEqual(rows[0].0, CampaignKeys(patientID: "P1", studyInstanceUID: "1.2.3"))
        XCTAssertEqual(rows[0].1, ["note": "a, b"])
        let journal = try CampaignJournal(path: folder.appendingPathComponent("csv.db").path)
        XCTAssertEqual(try journal.add(rows), 1, "the same study twice is one item")
        let snake = try CampaignCSV.parse("accession_number;site\nA1;x\n", source: "s.csv")
        XCTAssertEqual(snake.rows.first?.0.accessionNumber, "A1")
        XCTAssertThrowsError(try CampaignCSV.parse("name,date\nx,y\n", source: "n.csv")) {
            XCTAssertTrue("\($0)".contains("the header names no key column"), "\($0)")
        }
    }

    func testWindowOverMidnight() throws {
        let window = try CampaignWindow(parsing: "19:00-06:00")
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        func at(_ h: Int, _ m: Int) -> Date {
            calendar.date(from: DateComponents(year: 2026, month: 1, day: 5, hour: h, minute: m))!
        }
        XCTAssertTrue(window.contains(at(23, 0), calendar: calendar))
        XCTAssertTrue(window.contains(at(5, 59), calendar: calendar))
        XCTAssertFalse(window.contains(at(12, 0), calendar: calendar))
        XCTAssertEqual(window.secondsUntilOpen(from: at(18, 0), calendar: calendar), 3600)
    }
}
