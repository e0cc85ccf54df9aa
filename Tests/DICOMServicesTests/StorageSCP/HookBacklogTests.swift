import DICOMServices
import TestSupport
import XCTest

/// The hook backlog's places as the storage SCP takes them on the event loop (`tryReserve`, never waiting) and
/// gives them back for a file no `on_stored` hook will see (`cancelReservation`), beside the task's `reserve`.
final class HookBacklogTests: XCTestCase {
    private func file(_ n: Int) -> StoredInstance {
        StoredInstance(
            path: "/tmp/\(n).dcm", sopClassUID: "1.2", sopInstanceUID: "1.2.\(n)", studyInstanceUID: "1.2.3",
            seriesInstanceUID: "1.2.3.4", patientID: "P", callingAETitle: "SCU", bytes: 1,
            transferSyntaxUID: "1.2.840.10008.1.2")
    }

    func testTryReserveTakesOnlyFreePlacesAndNeverGoesAheadOfAWaitingAssociation() async {
        let backlog = HookBacklog(limit: 2)
        XCTAssertTrue(backlog.tryReserve())
        let first = backlog.enqueue(file(1))
        XCTAssertTrue(backlog.tryReserve())
        XCTAssertFalse(backlog.tryReserve(), "two places, both taken: the event loop must hand the file to the task")
        let waited = Recorder<Bool>()
        let waiter = Task {
            await backlog.reserve()
            waited.append(true)
        }
        try? await Task.sleep(nanoseconds: 100_000_000)
        XCTAssertEqual(waited.all, [], "the task waits for room")
        backlog.cancelReservation()  // the second file had no hook: its place goes to the waiting association
        await waiter.value
        XCTAssertEqual(waited.all, [true])
        XCTAssertFalse(backlog.tryReserve(), "the freed place went to the association that waited")
        XCTAssertTrue(backlog.take(first))
        XCTAssertTrue(backlog.tryReserve(), "the hook of file 1 ran: one place free again")
        XCTAssertEqual(backlog.count, 2)
    }

    func testAReleasedBacklogNeverRefuses() {
        let backlog = HookBacklog(limit: 1)
        XCTAssertTrue(backlog.tryReserve())
        XCTAssertFalse(backlog.tryReserve())
        backlog.release()
        XCTAssertTrue(backlog.tryReserve(), "a stopping SCP lets transfers in flight finish")
    }
}
