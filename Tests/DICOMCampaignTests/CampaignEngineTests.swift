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
        XCTAssertEqual(peer.storeSubOperations, 150, "each instance sent once")
        let (maximum, total) = peer.counter.counts
        XCTAssertEqual(maximum, 2, "at most parallel = 2 associations at once (inventories included)")
        XCTAssertGreaterThanOrEqual(total, 100, "50 inventories (one association each) and 50 C-MOVEs")
        XCTAssertEqual(try engine.journal.integrityCheck(), "ok")
    }
}
