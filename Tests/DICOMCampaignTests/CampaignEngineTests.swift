import DICOMServices
import Foundation
import TestSupport
import XCTest

@testable import DICOMCampaign

/// The engine against `/usr/bin/dcmqrscp`, without Lua.
final class CampaignEngineTests: XCTestCase {
    func makeEngine(
        _ peer: ArchivePeer, journal path: String, parallel: Int = 2, method: String = "move",
        tweak: (inout CampaignOptions) -> Void = { _ in }
    ) throws -> CampaignEngine {
        var options = CampaignOptions()
        options.querySCP = "pacs"
        options.storageSCP = "me"
        options.method = method
        options.parallel = parallel
        options.directory = peer.received.path
        options.settle = 2
        tweak(&options)
        let journal = try CampaignJournal(path: path)
        try journal.store(options)
        let resolved = try journal.options().resolved
        let executor = try ServicesCampaignExecutor(options: resolved, configuration: peer.configuration)
        return CampaignEngine(journal: journal, options: resolved, executor: executor)
    }

    /// 50 studies with `parallel = 2`: all complete, files on disk = expected_count, and dcmqrscp never had
    /// more than 2 of our associations at once (counted in its own log).
    func testFiftyStudiesParallelTwoAllCompleteAndPolite() async throws {
        let peer = try ArchivePeer(studies: 50, perStudy: 3)
        defer { peer.stop() }
        peer.markLog()
        let path = peer.folder.appendingPathComponent("cohort.db").path
        let engine = try makeEngine(peer, journal: path)
        for uid in peer.studyUIDs { try engine.journal.add(CampaignKeys(studyInstanceUID: uid)) }
        try engine.journal.add(CampaignKeys(studyInstanceUID: peer.studyUIDs[0]))  // same study twice: one item
        let summary = try await engine.run()
        XCTAssertEqual(summary.total, 50)
        let unfinished = try engine.journal.items().filter { $0.state != .complete }
        XCTAssertEqual(summary.count(.complete), 50, "\(unfinished)")
        XCTAssertEqual(summary.instances, 150)
        let items = try engine.journal.items()
        XCTAssertEqual(items.map(\.expectedCount), Array(repeating: 3, count: 50))
        let files = try FileManager.default.contentsOfDirectory(atPath: peer.received.path).filter {
            $0.hasSuffix(".dcm")
        }
        XCTAssertEqual(files.count, items.compactMap(\.expectedCount).reduce(0, +))
        XCTAssertEqual(peer.storeSubOperations(reaching: 150), 150, "each instance sent once")
        let (maximum, total) = peer.counter.counts
        XCTAssertEqual(maximum, 2, "at most parallel = 2 associations at once (inventories included)")
        XCTAssertGreaterThanOrEqual(total, 100, "50 inventories (one association each) and 50 C-MOVEs")
        XCTAssertEqual(try engine.journal.integrityCheck(), "ok")
    }

    /// An archive that answers A-ASSOCIATE-RJ rejected-transient for its first seconds: the campaign backs
    /// off and waits, and every item still ends complete (none failed).
    func testRefusingArchiveDelaysButFailsNoItem() async throws {
        let peer = try ArchivePeer(studies: 4, perStudy: 2, rejectSeconds: 4)
        defer { peer.stop() }
        let path = peer.folder.appendingPathComponent("refused.db").path
        let engine = try makeEngine(peer, journal: path)
        let lines = LogLines()
        engine.log = { lines.append($0) }
        for uid in peer.studyUIDs { try engine.journal.add(CampaignKeys(studyInstanceUID: uid)) }
        let started = Date()
        let summary = try await engine.run()
        let items = try engine.journal.items()
        XCTAssertEqual(summary.count(.complete), 4, "\(items)")
        XCTAssertEqual(summary.count(.failed), 0)
        XCTAssertNil(summary.message)
        XCTAssertGreaterThanOrEqual(peer.counter.rejected, 3, "the archive refused a few times")
        XCTAssertTrue(lines.all.contains { $0.contains("refused") && $0.contains("backing off") }, "\(lines.all)")
        XCTAssertGreaterThan(Date().timeIntervalSince(started), 2, "the run waited for the archive")
    }

    /// `give_up`: an archive that only refuses makes `run()` return with the items still pending and a message.
    func testArchiveThatOnlyRefusesMakesRunGiveUpWithItemsPending() async throws {
        let peer = try ArchivePeer(studies: 2, perStudy: 1, rejectSeconds: 600)
        defer { peer.stop() }
        let path = peer.folder.appendingPathComponent("giveup.db").path
        let engine = try makeEngine(peer, journal: path) { $0.giveUp = 3 }
        for uid in peer.studyUIDs { try engine.journal.add(CampaignKeys(studyInstanceUID: uid)) }
        let summary = try await engine.run()
        XCTAssertEqual(summary.count(.pending), 2)
        XCTAssertTrue(
            summary.message?.hasPrefix("gave up: the archive refused or was unreachable for 3 s") ?? false, "\(summary)"
        )
    }

    /// The lossy test PACS (`dicomlua qrscp --fault drop-every=2`: its first C-MOVE leaves out every second
    /// instance yet reports success): the study is found incomplete, its missing instances are requested again,
    /// and it ends complete; a study the archive does not have ends empty.
    func testLossyArchiveEndsCompleteAfterRetryAndUnknownStudyEndsEmpty() async throws {
        let folder = try makeTemporaryDirectory("campaign-lossy")
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = folder.appendingPathComponent("source")
        let received = folder.appendingPathComponent("received")
        try FileManager.default.createDirectory(at: source, withIntermediateDirectories: true)
        let instances = ArchivePeer.make(studies: 3, perStudy: 6)
        for instance in instances {
            try Data(instance.part10Bytes()).write(to: source.appendingPathComponent("\(instance.sopInstanceUID).dcm"))
        }
        let destinationPort = freeTCPPort()
        var settings = QRSCPConfiguration(
            directory: source.path, port: 0,
            destinations: ["CAMPAIGN": MoveDestination(host: "127.0.0.1", port: destinationPort)])
        settings.faults.dropEvery = 2
        let qrscp = try await QRSCP.start(settings)
        let configuration = try ArchivePeer.configuration(
            folder: folder, received: received, pacsPort: qrscp.port, destinationPort: destinationPort)
        var options = CampaignOptions()
        options.querySCP = "pacs"
        options.storageSCP = "me"
        options.directory = received.path
        options.settle = 1
        let journal = try CampaignJournal(path: folder.appendingPathComponent("lossy.db").path)
        try journal.store(options)
        let engine = CampaignEngine(
            journal: journal, options: options.resolved,
            executor: try ServicesCampaignExecutor(options: options.resolved, configuration: configuration))
        for uid in Set(instances.map(\.studyUID)).sorted() { try journal.add(CampaignKeys(studyInstanceUID: uid)) }
        try journal.add(CampaignKeys(studyInstanceUID: "1.2.826.0.1.3680043.2.1143.88.999"))
        let summary = try await engine.run()
        await qrscp.shutdown()
        let items = try journal.items()
        XCTAssertEqual(summary.count(.complete), 3, "\(items)")
        XCTAssertEqual(items.last?.state, .empty)
        XCTAssertEqual(items.map(\.attempts).max(), 2, "one study needed a retry round")
        XCTAssertEqual(summary.instances, 18)
    }
}

/// Lines collected from another task.
final class LogLines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ line: String) { lock.withLock { lines.append(line) } }
    var all: [String] { lock.withLock { lines } }
}

/// `stall`: a retrieve with no progress for `stall` seconds is cancelled and asked for again one level lower,
/// study → series → image (docs/lua-api.md "campaign — bulk retrieval that survives").
final class CampaignStallTests: XCTestCase {
    /// The test PACS hangs on every STUDY- and SERIES-level C-MOVE (`--fault stall=STUDY --fault stall=SERIES`):
    /// the study's request is cancelled and each of its two series is asked for at SERIES level; those hang too,
    /// and the instances are asked for by SOP Instance UID (IMAGE level), which completes the item.
    func testStallStepsDownStudyThenSeriesThenImage() async throws {
        let lines = LogLines()
        let (summary, items, archive) = try await runStalling(levels: ["STUDY", "SERIES"], log: lines)
        XCTAssertEqual(summary.count(.complete), 1, "\(items)")
        XCTAssertEqual(summary.instances, 4)
        let engine = lines.all.joined(separator: "\n")
        XCTAssertTrue(engine.contains("at STUDY level: cancelled, asking for it series by series"), engine)
        XCTAssertTrue(engine.contains("at SERIES level: cancelled, asking for the missing instances by SOP"), engine)
        let moves = archive.filter { $0.contains(": C-MOVE Study Root ") }
        XCTAssertEqual(moves.filter { $0.contains(" STUDY to ") }.count, 1, moves.joined(separator: "\n"))
        XCTAssertGreaterThanOrEqual(moves.filter { $0.contains(" SERIES to ") }.count, 1, moves.joined(separator: "\n"))
        XCTAssertGreaterThanOrEqual(moves.filter { $0.contains(" IMAGE to ") }.count, 1, moves.joined(separator: "\n"))
        // The order: STUDY first, then SERIES, IMAGE last.
        let levels = moves.compactMap { line in [" STUDY to ", " SERIES to ", " IMAGE to "].first { line.contains($0) }
        }
        XCTAssertEqual(levels.first, " STUDY to ")
        XCTAssertEqual(levels.last, " IMAGE to ")
    }

    /// Only STUDY-level requests hang: after the stall the item's two series are each asked for at SERIES level
    /// (not by SOP Instance UID, not the study again), and the item ends complete.
    func testStallAtStudyLevelRetriesEachSeriesAtSeriesLevel() async throws {
        let lines = LogLines()
        let (summary, items, archive) = try await runStalling(levels: ["STUDY"], log: lines)
        XCTAssertEqual(summary.count(.complete), 1, "\(items)")
        XCTAssertEqual(summary.instances, 4)
        let moves = archive.filter { $0.contains(": C-MOVE Study Root ") }
        XCTAssertEqual(moves.filter { $0.contains(" STUDY to ") }.count, 1, moves.joined(separator: "\n"))
        XCTAssertEqual(moves.filter { $0.contains(" SERIES to ") }.count, 2, "one per series: \(moves)")
        XCTAssertEqual(moves.filter { $0.contains(" IMAGE to ") }.count, 0, moves.joined(separator: "\n"))
    }

    private func runStalling(
        levels: Set<String>, log lines: LogLines
    ) async throws -> (CampaignSummary, [CampaignItem], [String]) {
        let folder = try makeTemporaryDirectory("campaign-stall")
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = folder.appendingPathComponent("source")
        let received = folder.appendingPathComponent("received")
        try FileManager.default.createDirectory(at: source, withIntermediateDirectories: true)
        let instances = ArchivePeer.make(studies: 1, perStudy: 4)
        XCTAssertEqual(Set(instances.map(\.seriesUID)).count, 2, "the study has two series")
        for instance in instances {
            try Data(instance.part10Bytes()).write(to: source.appendingPathComponent("\(instance.sopInstanceUID).dcm"))
        }
        let destinationPort = freeTCPPort()
        let archive = LogLines()
        var settings = QRSCPConfiguration(
            directory: source.path, port: 0,
            destinations: ["CAMPAIGN": MoveDestination(host: "127.0.0.1", port: destinationPort)],
            log: { archive.append($0) })
        settings.faults.stallLevels = levels
        let qrscp = try await QRSCP.start(settings)
        let configuration = try ArchivePeer.configuration(
            folder: folder, received: received, pacsPort: qrscp.port, destinationPort: destinationPort)
        var options = CampaignOptions()
        options.querySCP = "pacs"
        options.storageSCP = "me"
        options.directory = received.path
        options.settle = 1
        options.stall = 2
        let journal = try CampaignJournal(path: folder.appendingPathComponent("stall.db").path)
        try journal.store(options)
        let engine = CampaignEngine(
            journal: journal, options: options.resolved,
            executor: try ServicesCampaignExecutor(options: options.resolved, configuration: configuration))
        engine.log = { lines.append($0) }
        try journal.add(CampaignKeys(studyInstanceUID: instances[0].studyUID))
        let summary = try await engine.run()
        await qrscp.shutdown()
        return (summary, try journal.items(), archive.all)
    }
}
