import DICOMCore
import DICOMNetwork
import Foundation
import TestSupport
import XCTest

@testable import DICOMServices

/// The report of a retrieve against the test Q/R SCP and its faults (docs/lua-api.md "Retrieve reports,
/// verification and retry"): for each fault the verdict, `missing`, `failed_uids` and `arrived` match the
/// files on disk; with `retry` the report ends `complete`; without `verify` it is never `complete`.
final class RetrieveReportTests: XCTestCase {
    private func uids(_ instances: [StoredInstance]?) -> Set<String> { Set((instances ?? []).map(\.sopInstanceUID)) }

    func testNormalMoveWithVerifyIsCompleteAndWithoutVerifyUnverified() async throws {
        let fixture = try await RetrieveFixture()
        defer { Task { await fixture.stop() } }
        let plain = try await fixture.move(RetrieveOptions())
        XCTAssertEqual(plain.report.verdict, .unverified, "never complete on the remote's word alone")
        XCTAssertEqual(plain.count, 6)
        XCTAssertEqual(plain.report.expected, [])
        XCTAssertNil(plain.report.expectedCount)
        let verified = try await fixture.move(.fast())
        XCTAssertEqual(verified.report.verdict, .complete, verified.report.message ?? "")
        XCTAssertNil(verified.report.message)
        XCTAssertEqual(verified.report.expectedCount, 6)
        XCTAssertEqual(Set(verified.report.expected), fixture.filesOnDisk())
        XCTAssertEqual(uids(verified.report.arrived), fixture.filesOnDisk())
        XCTAssertEqual(verified.report.missing, [])
        XCTAssertEqual(verified.report.attempts, 1)
        XCTAssertEqual(verified.report.completed, 6)
        XCTAssertEqual(verified.report.status, .success)
    }

    func testDroppedInstancesAreMissingAndRetryCompletesTheStudy() async throws {
        let fixture = try await RetrieveFixture(faults: ["drop-every=3"])
        defer { Task { await fixture.stop() } }
        let first = try await fixture.move(.fast())
        XCTAssertEqual(first.report.verdict, .partial, first.report.message ?? "")
        XCTAssertEqual(first.count, 6, "the archive claims every sub-operation completed")
        XCTAssertEqual(first.report.missing.count, 2)
        XCTAssertEqual(Set(first.report.missing), Set(first.report.expected).subtracting(fixture.filesOnDisk()))
        XCTAssertEqual(uids(first.report.arrived), fixture.filesOnDisk())
        XCTAssertEqual(first.report.failedUIDs, [])
        XCTAssertTrue(first.report.message?.contains("2 of 6 instance(s) missing") ?? false, first.report.message ?? "")
        let retried = try await fixture.move(.fast(retry: 2))
        XCTAssertEqual(retried.report.verdict, .complete, retried.report.message ?? "")
        XCTAssertEqual(fixture.filesOnDisk().count, 6)
    }

    func testRetryRoundsRequestTheMissingInstancesByUIDList() async throws {
        let fixture = try await RetrieveFixture(faults: ["drop-every=2"])
        defer { Task { await fixture.stop() } }
        let events = Collected<OperationEvent>()
        let outcome = try await fixture.move(.fast(retry: 2)) { event in
            events.append(event)
            return .proceed
        }
        XCTAssertEqual(outcome.report.verdict, .complete, outcome.report.message ?? "")
        XCTAssertEqual(outcome.report.attempts, 2)
        XCTAssertEqual(outcome.report.requests.count, 3, "the first request, then one per series")
        XCTAssertEqual(outcome.report.requests[1].sopInstanceUIDs.count, 1)
        XCTAssertEqual(outcome.report.requests[2].sopInstanceUIDs.count, 2)
        XCTAssertEqual(Set(events.all.compactMap(\.attempt)), [1, 2])
        XCTAssertEqual(uids(outcome.report.arrived), fixture.filesOnDisk())
        XCTAssertEqual(fixture.filesOnDisk().count, 6)
    }

    func testEarlyFinalResponseIsSettled() async throws {
        let fixture = try await RetrieveFixture(faults: ["early-final"])
        defer { Task { await fixture.stop() } }
        let outcome = try await fixture.move(.fast())
        XCTAssertEqual(outcome.report.verdict, .complete, outcome.report.message ?? "")
        XCTAssertEqual(uids(outcome.report.arrived).count, 6)
        XCTAssertEqual(fixture.filesOnDisk().count, 6)
    }

    func testFailedSubOperationsAreListedAndRetried() async throws {
        let fixture = try await RetrieveFixture(faults: ["fail-every=3"])
        defer { Task { await fixture.stop() } }
        let first = try await fixture.move(.fast())
        XCTAssertEqual(first.report.verdict, .partial, first.report.message ?? "")
        XCTAssertEqual(first.report.status, .warningB000)
        XCTAssertEqual(first.report.failed, 2)
        XCTAssertEqual(Set(first.report.failedUIDs), Set(first.report.missing))
        XCTAssertEqual(first.report.failedUIDs.count, 2)
        XCTAssertTrue(fixture.filesOnDisk().isDisjoint(with: first.report.failedUIDs))
        let retried = try await fixture.move(.fast(retry: 1))
        XCTAssertEqual(retried.report.verdict, .complete, retried.report.message ?? "")
        XCTAssertEqual(retried.report.failedUIDs, [], "failed earlier, arrived later: not failed any more")
        XCTAssertEqual(fixture.filesOnDisk().count, 6)
    }

    func testNoCountersStillVerifies() async throws {
        let fixture = try await RetrieveFixture(faults: ["no-counters"])
        defer { Task { await fixture.stop() } }
        let plain = try await fixture.move(RetrieveOptions())
        XCTAssertEqual(plain.report.verdict, .unverified, plain.report.message ?? "")
        XCTAssertNil(plain.report.completed, "the remote never sent a counter")
        let verified = try await fixture.move(.fast())
        XCTAssertEqual(verified.report.verdict, .complete, verified.report.message ?? "")
        XCTAssertEqual(uids(verified.report.arrived), fixture.filesOnDisk())
    }

    func testMissingLastPendingNeedsTheFinalCallForEveryFile() async throws {
        let fixture = try await RetrieveFixture(faults: ["missing-last-pending"])
        defer { Task { await fixture.stop() } }
        func files(callFinal: Bool) async throws -> (Int, Int) {
            let events = Collected<OperationEvent>()
            _ = try await fixture.move(.fast(verify: false, callFinal: callFinal)) { event in
                events.append(event)
                return .proceed
            }
            return (events.all.reduce(0) { $0 + ($1.files?.count ?? 0) }, events.all.filter(\.isFinal).count)
        }
        let (withoutFinal, finals0) = try await files(callFinal: false)
        XCTAssertEqual(withoutFinal, 5, "N−1 pending responses: the last file is not reported")
        XCTAssertEqual(finals0, 0)
        let (withFinal, finals1) = try await files(callFinal: true)
        XCTAssertEqual(withFinal, 6, "CALLBACK_FINAL: every file")
        XCTAssertEqual(finals1, 1)
    }

    func testArchiveOwnTitleAsMoveOriginatorIsAttributed() async throws {
        let fixture = try await RetrieveFixture(faults: ["own-originator"])
        defer { Task { await fixture.stop() } }
        let outcome = try await fixture.move(.fast())
        XCTAssertEqual(outcome.report.verdict, .complete, outcome.report.message ?? "")
        XCTAssertEqual(Set((outcome.report.arrived ?? []).compactMap(\.moveOriginatorAETitle)), ["QRSCP"])
    }

    func testGetWithDroppedInstancesIsRetriedToComplete() async throws {
        let fixture = try await RetrieveFixture(faults: ["drop-every=3"])
        defer { Task { await fixture.stop() } }
        let folder = fixture.directory.appendingPathComponent("got")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let outcome = try await RetrieveService.get(
            keys: RetrieveKeys(studyInstanceUID: try await fixture.studyUID()), model: .studyRoot, level: .study,
            queryAE: "pacs", directory: folder, configuration: fixture.configuration, options: .fast(retry: 1))
        XCTAssertEqual(outcome.report.verdict, .complete, outcome.report.message ?? "")
        XCTAssertEqual(outcome.report.attempts, 2)
        XCTAssertEqual(uids(outcome.report.arrived), fixture.filesOnDisk(folder))
        XCTAssertEqual(fixture.filesOnDisk(folder).count, 6)
    }

    func testCancelledMoveReportsWhatIsOnDisk() async throws {
        let fixture = try await RetrieveFixture(series: 1, instances: 40)
        defer { Task { await fixture.stop() } }
        let outcome = try await fixture.move(.fast()) { _ in .cancel }
        XCTAssertEqual(outcome.report.verdict, .cancelled, outcome.report.message ?? "")
        XCTAssertTrue(outcome.cancelled)
        XCTAssertEqual(uids(outcome.report.arrived), fixture.filesOnDisk())
        XCTAssertLessThan(fixture.filesOnDisk().count, 40)
    }

    func testTwoMovesAtOnceFromOneCallingTitleAreAttributedExactly() async throws {
        let fixture = try await RetrieveFixture(patients: 2, series: 1, instances: 5)
        defer { Task { await fixture.stop() } }
        @Sendable func move(_ patient: String) async throws -> RetrieveOutcome {
            try await RetrieveService.move(
                keys: RetrieveKeys(patientID: patient), model: .patientRoot, level: .patient, queryAE: "pacs",
                storageAE: "me", configuration: fixture.configuration, options: .fast(),
                destinationTracker: fixture.tracker)
        }
        async let a = move("PAT0001")
        async let b = move("PAT0002")
        let (first, second) = try await (a, b)
        XCTAssertEqual(first.report.verdict, .complete, first.report.message ?? "")
        XCTAssertEqual(second.report.verdict, .complete, second.report.message ?? "")
        XCTAssertEqual(Set((first.report.arrived ?? []).compactMap(\.patientID)), ["PAT0001"])
        XCTAssertEqual(Set((second.report.arrived ?? []).compactMap(\.patientID)), ["PAT0002"])
        XCTAssertEqual(
            uids(first.report.arrived).union(uids(second.report.arrived)), fixture.filesOnDisk())
        XCTAssertNotEqual(first.report.requests[0].messageID, second.report.requests[0].messageID)
    }

    func testUnobservableDestinationIsUnverified() async throws {
        let fixture = try await RetrieveFixture()
        defer { Task { await fixture.stop() } }
        let outcome = try await RetrieveService.move(
            keys: RetrieveKeys(studyInstanceUID: try await fixture.studyUID()), model: .studyRoot, level: .study,
            queryAE: "pacs", storageAE: "me", configuration: fixture.configuration, options: .fast())
        XCTAssertEqual(outcome.report.verdict, .unverified)
        XCTAssertNil(outcome.report.arrived)
        XCTAssertEqual(outcome.report.expectedCount, 6)
        XCTAssertTrue(outcome.report.message?.contains("cannot be observed") ?? false, outcome.report.message ?? "")
    }

    func testServiceDestinationIsObservedByNameInItsDirectory() async throws {
        let fixture = try await RetrieveFixture()
        defer { Task { await fixture.stop() } }
        let system = try QRTestConfiguration.make(peer: nil) { configuration in
            try configuration.setApplicationEntity(
                name: "service", aeTitle: "SCRIPT_SCP", hostname: "127.0.0.1", port: fixture.storage.port,
                serviceList: .storageSCP, serviceType: .storageSCP)
            try configuration.setValue("service", forKey: "StorScpServiceAE")
            try configuration.setValue(fixture.received.path, forKey: "StorScpDir")
        }
        let outcome = try await RetrieveService.move(
            keys: RetrieveKeys(studyInstanceUID: try await fixture.studyUID()), model: .studyRoot, level: .study,
            queryAE: "pacs", storageAE: "me", configuration: fixture.configuration, options: .fast(), system: system)
        XCTAssertEqual(outcome.report.verdict, .complete, outcome.report.message ?? "")
        XCTAssertEqual(uids(outcome.report.arrived), fixture.filesOnDisk())
    }
}

/// The verdict rules as a pure function (docs/lua-api.md "Retrieve reports, verification and retry").
final class RetrieveVerdictRulesTests: XCTestCase {
    private func request(
        _ status: DIMSEStatus?, completed: UInt16? = nil, failed: UInt16? = nil, failure: String? = nil
    ) -> RetrieveRequestRecord {
        var record = RetrieveRequestRecord(attempt: 1, failure: failure)
        if let status {
            record.responses = [
                RetrieveResponse(status: status, counts: SubOperationCounts(completed: completed, failed: failed))
            ]
        }
        return record
    }

    func testRules() {
        typealias R = RetrieveVerdictRules
        let ok = [request(.success, completed: 2, failed: 0)]
        XCTAssertEqual(R.judge(cancelled: true, inventory: .notAsked, arrived: [], requests: ok).verdict, .cancelled)
        XCTAssertEqual(
            R.judge(cancelled: false, inventory: .notAsked, arrived: ["a"], requests: ok).verdict, .unverified)
        XCTAssertEqual(
            R.judge(cancelled: false, inventory: .notAsked, arrived: [], requests: [request(.success, completed: 0)])
                .verdict, .empty)
        XCTAssertEqual(
            R.judge(cancelled: false, inventory: .notAsked, arrived: nil, requests: [request(nil, failure: "refused")])
                .verdict, .failed)
        XCTAssertEqual(
            R.judge(cancelled: false, inventory: .failed("x"), arrived: ["a"], requests: ok).verdict, .unverified)
        XCTAssertEqual(
            R.judge(cancelled: false, inventory: .listed(["a"]), arrived: ["a"], requests: ok).verdict, .unverified,
            "the archive reported 2 sub-operations, the inventory listed 1: cut short")
        XCTAssertEqual(
            R.judge(cancelled: false, inventory: .listed(["a", "b"]), arrived: ["a", "b"], requests: ok).verdict,
            .complete)
        let partial = R.judge(cancelled: false, inventory: .listed(["a", "b"]), arrived: ["a"], requests: ok)
        XCTAssertEqual(partial.verdict, .partial)
        XCTAssertEqual(partial.missing, ["b"])
        XCTAssertEqual(
            R.judge(cancelled: false, inventory: .listed(["a", "b"]), arrived: [], requests: ok).verdict, .failed)
        XCTAssertEqual(
            R.judge(cancelled: false, inventory: .listed(["a", "b"]), arrived: nil, requests: ok).verdict, .unverified)
        XCTAssertEqual(R.judge(cancelled: false, inventory: .listed([]), arrived: [], requests: []).verdict, .empty)
    }

    func testRetryBatchesArePerSeriesAndAtMostAHundred() {
        let items =
            (0..<150).map {
                InventoryItem(
                    patientID: "P", studyInstanceUID: "1", seriesInstanceUID: "1.1", sopInstanceUID: "1.1.\($0)")
            } + [
                InventoryItem(patientID: "P", studyInstanceUID: "1", seriesInstanceUID: "1.2", sopInstanceUID: "1.2.1")
            ]
        XCTAssertEqual(RetrieveService.batches(items).map(\.count), [100, 50, 1])
    }

    func testTrackerAttributesByMessageIDAndOriginator() {
        let tracker = ArrivalsTracker()
        func stored(_ uid: String, _ aet: String?, _ id: UInt16?) -> StoredInstance {
            StoredInstance(
                path: "/x/\(uid)", sopClassUID: "1", sopInstanceUID: uid, callingAETitle: "A", bytes: 1,
                transferSyntaxUID: "1.2.840.10008.1.2.1", moveOriginatorAETitle: aet, moveOriginatorMessageID: id)
        }
        tracker.record(stored("1", "ME", 7))
        tracker.record(stored("2", "OTHER", 7))
        tracker.record(stored("3", "ME ", 8))
        tracker.record(stored("4", "ARCHIVE", 7))
        tracker.record(stored("5", nil, nil))
        let (mine, next) = tracker.instances(messageID: 7, originators: ["ME", "ARCHIVE"], from: 0)
        XCTAssertEqual(mine.map(\.sopInstanceUID), ["1", "4"])
        XCTAssertEqual(tracker.instances(messageID: 7, originators: ["ME"], from: next).instances, [])
        XCTAssertEqual(
            tracker.instances(messageID: 8, originators: ["ME"], from: 0).instances.map(\.sopInstanceUID), ["3"])
    }

    func testMessageIDsAreUniqueAcrossTheProcess() {
        let a = MessageIDAllocator.processWide()
        let b = MessageIDAllocator.processWide()
        XCTAssertNotEqual(a, b)
    }
}
