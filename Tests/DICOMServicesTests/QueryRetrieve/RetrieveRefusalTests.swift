import DICOMCore
import DICOMNetwork
import Foundation
import TestSupport
import XCTest

@testable import DICOMServices

/// Refusals as structured values (docs/retrieval-model.md "Refusals"), and the options a caller that keeps its
/// own state uses (a campaign: a known inventory, instances already held, its own pace).
final class RetrieveRefusalTests: XCTestCase {
    func testRefusalsAreReadFromErrorsAndStatusesNotFromWords() {
        XCTAssertEqual(
            ArchiveRefusal(connecting: AssociationError.rejected(.localLimitExceeded)),
            .rejectedTransient(source: 3, reason: 2))
        XCTAssertEqual(
            ArchiveRefusal(connecting: AssociationError.rejected(.calledAETitleNotRecognized)),
            .rejectedPermanent(source: 1, reason: 7))
        XCTAssertEqual(
            ArchiveRefusal(connecting: AssociationError.connectionRefused(host: "127.0.0.1", port: 1)), .unreachable)
        XCTAssertNil(ArchiveRefusal(connecting: AssociationError.protocolError("bad PDU")))
        XCTAssertEqual(ArchiveRefusal(status: .moveDestinationUnknown, completed: 0), .moveDestinationUnknown)
        XCTAssertEqual(ArchiveRefusal(status: DIMSEStatus(0xA702), completed: 0), .outOfResources(0xA702))
        XCTAssertNil(ArchiveRefusal(status: DIMSEStatus(0xA702), completed: 3), "something was done: partial")
        XCTAssertNil(ArchiveRefusal(status: DIMSEStatus(0xC000), completed: 0))
        XCTAssertTrue(ArchiveRefusal.rejectedTransient(source: 3, reason: 2).isTransient)
        XCTAssertFalse(ArchiveRefusal.moveDestinationUnknown.isTransient)
    }

    /// A C-MOVE to a destination the archive does not know ends with the structured refusal 0xA801; one to a
    /// closed port with `unreachable`; neither makes retry rounds (the refusal ends them).
    func testMoveDestinationUnknownAndUnreachableArchiveAreStructuredRefusals() async throws {
        let fixture = try await RetrieveFixture()
        defer { Task { await fixture.stop() } }
        let document = fixture.configuration  // with `unknown_dest` (NOWHERE) and `dead` (a closed port)
        let uid = try await fixture.studyUID()
        let unknown = try await RetrieveService.move(
            keys: RetrieveKeys(studyInstanceUID: uid), model: .studyRoot, level: .study, queryAE: "pacs",
            storageAE: "unknown_dest", configuration: document, options: .fast(retry: 2))
        XCTAssertEqual(unknown.report.refusal, .moveDestinationUnknown, unknown.message ?? "")
        XCTAssertEqual(unknown.report.requests.count, 1, "a refusal ends the rounds")
        let closed = try await RetrieveService.move(
            keys: RetrieveKeys(studyInstanceUID: uid), model: .studyRoot, level: .study, queryAE: "dead",
            storageAE: "me", configuration: document, options: .fast(verify: false))
        XCTAssertEqual(closed.report.refusal, .unreachable, closed.message ?? "")
        XCTAssertEqual(closed.report.verdict, .failed)
    }

    /// With a known inventory and the instances already held, the first round asks only for the missing ones by
    /// SOP Instance UID (no C-FIND), every association waits for the caller's pace, and the verdict counts the
    /// held instances as arrived.
    func testKnownInventoryAndHeldInstancesAreNotAskedForAgain() async throws {
        let fixture = try await RetrieveFixture()
        defer { Task { await fixture.stop() } }
        let uid = try await fixture.studyUID()
        let remote = try SCUConnection.remote(
            named: "pacs", property: "QUERY_SCP", method: "test", configuration: fixture.configuration)
        let inventory = try await RetrieveInventory.list(
            keys: RetrieveKeys(studyInstanceUID: uid), model: .studyRoot, level: .study, remote: remote,
            configuration: fixture.configuration)
        XCTAssertEqual(inventory.count, 6)
        let held = Set(inventory.prefix(4).map(\.sopInstanceUID))
        let paced = Collected<Int>()
        var options = RetrieveOptions.fast(retry: 2)
        options.inventory = inventory
        options.present = held
        options.missingFirst = true
        options.pace = {
            paced.append(1)
            return true
        }
        let outcome = try await fixture.move(options)
        XCTAssertEqual(outcome.report.verdict, .complete, outcome.report.message ?? "")
        XCTAssertEqual(
            Set(outcome.report.requests.flatMap(\.sopInstanceUIDs)), Set(inventory.suffix(2).map(\.sopInstanceUID)))
        XCTAssertTrue(outcome.report.requests.allSatisfy { !$0.sopInstanceUIDs.isEmpty }, "by UID list only")
        XCTAssertEqual(fixture.filesOnDisk(), Set(inventory.suffix(2).map(\.sopInstanceUID)), "held ones not sent")
        XCTAssertEqual(paced.all.count, outcome.report.requests.count, "one pace per association, no C-FIND")
        XCTAssertEqual(uids(outcome.report.arrived), Set(inventory.suffix(2).map(\.sopInstanceUID)))

        // A pace that says stop: nothing is sent, the retrieve ends cancelled.
        options.present = []
        options.pace = { false }
        let stopped = try await fixture.move(options)
        XCTAssertEqual(stopped.report.verdict, .cancelled)
        XCTAssertEqual(stopped.report.requests.count, 0)
    }

    private func uids(_ instances: [StoredInstance]?) -> Set<String> { Set((instances ?? []).map(\.sopInstanceUID)) }
}
