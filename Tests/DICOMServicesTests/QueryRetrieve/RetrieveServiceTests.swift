import DICOMCore
import DICOMNetwork
import TestSupport
import XCTest

@testable import DICOMServices

/// Retrieve (C-MOVE into `/usr/bin/storescp`) and get (C-GET into a folder) against `/usr/bin/dcmqrscp`;
/// each test has its own peer so the destination folder counts only its files.
final class RetrieveServiceTests: XCTestCase {
    override func setUpWithError() throws {
        try XCTSkipUnless(dcmtkAvailable, "DCMTK is not installed")
    }

    func testRetrievePatientCountsWhatArrived() async throws {
        let peer = try QRTestPeer()
        defer { peer.stop() }
        let configuration = try QRTestConfiguration.make(peer: peer)
        let events = Collected<OperationEvent>()
        let outcome = try await RetrieveService.move(
            keys: RetrieveKeys(patientID: "P1"), model: .patientRoot, level: .patient,
            queryAE: "remote_qr", storageAE: "dest", configuration: configuration
        ) { event in
            events.append(event)
            return .proceed
        }
        XCTAssertTrue(outcome.succeeded, outcome.message ?? "")
        XCTAssertEqual(outcome.count, 3)
        XCTAssertEqual(peer.destinationFiles.count, 3)
        XCTAssertEqual(events.all.count, 3, "one event per pending response")
        XCTAssertEqual(
            events.all.first?.statusLines.first,
            "Retrieve (C-MOVE to DESTAE): 0xFF00 Pending: sub-operations are continuing")
        XCTAssertTrue(
            events.all.last?.statusLines[1].hasPrefix("Remaining: 0, Completed: 3") ?? false,
            "\(events.all.last?.statusLines ?? [])")
    }

    func testRetrieveStudyRootSeriesLevel() async throws {
        let peer = try QRTestPeer()
        defer { peer.stop() }
        let configuration = try QRTestConfiguration.make(peer: peer)
        let first = peer.instances[0]
        let outcome = try await RetrieveService.move(
            keys: RetrieveKeys(studyInstanceUID: first.studyUID, seriesInstanceUID: first.seriesUID), model: .studyRoot,
            level: .series, queryAE: "remote_qr", storageAE: "dest", configuration: configuration)
        XCTAssertTrue(outcome.succeeded, outcome.message ?? "")
        XCTAssertEqual(outcome.count, 2)
        XCTAssertEqual(peer.destinationFiles.count, 2)
    }

    func testMissingRequiredKeywordIsMisuse() throws {
        XCTAssertThrowsError(
            try RetrieveKeys(studyInstanceUID: "1.2").identifier(model: .studyRoot, level: .series, method: "retrieve")
        ) {
            XCTAssertEqual("\($0)", "retrieve: SERIES_INSTANCE_UID is required for Study Root / Series level")
        }
        XCTAssertThrowsError(try RetrieveKeys().identifier(model: .studyRoot, level: .series, method: "retrieve")) {
            XCTAssertEqual("\($0)", "retrieve: STUDY_INSTANCE_UID is required for Study Root / Series level")
        }
        XCTAssertThrowsError(
            try RetrieveKeys(patientID: "1").identifier(model: .patientRoot, level: .study, method: "retrieve")
        ) {
            XCTAssertEqual("\($0)", "retrieve: STUDY_INSTANCE_UID is required for Patient Root / Study level")
        }
        XCTAssertThrowsError(
            try RetrieveKeys(patientID: "1").identifier(model: .studyRoot, level: .patient, method: "retrieve")
        ) {
            XCTAssertEqual(
                "\($0)", "retrieve: Can not retrieve at the patient level when the query model is study root")
        }
        let all = try RetrieveKeys().identifier(model: .patientRoot, level: .patient, method: "retrieve")
        XCTAssertEqual(all.string(Tag(0x0010, 0x0020)), "*", "no keyword at Patient level: every patient")
    }

    func testUnknownDestinationIsAReturnedFailureWithA801() async throws {
        let peer = try QRTestPeer(instances: Array(TestInstance.standardSet.prefix(1)))
        defer { peer.stop() }
        let configuration = try QRTestConfiguration.make(peer: peer)
        let outcome = try await RetrieveService.move(
            keys: RetrieveKeys(patientID: "P1"), model: .patientRoot, level: .patient,
            queryAE: "remote_qr", storageAE: "unknown_dest", configuration: configuration)
        XCTAssertFalse(outcome.succeeded)
        XCTAssertEqual(outcome.finalStatus, .moveDestinationUnknown)
        XCTAssertTrue(outcome.message?.contains("0xA801") ?? false, outcome.message ?? "")
    }

    func testDeadRemoteIsAReturnedFailure() async throws {
        let configuration = try QRTestConfiguration.make(peer: nil)
        let outcome = try await RetrieveService.move(
            keys: RetrieveKeys(patientID: "P1"), model: .patientRoot, level: .patient,
            queryAE: "dead", storageAE: "unknown_dest", configuration: configuration)
        XCTAssertFalse(outcome.succeeded)
        XCTAssertTrue(outcome.message?.contains("refused") ?? false, outcome.message ?? "")
    }

    func testCancelFromTheCallbackReturnsSuccessWithFewerFiles() async throws {
        let peer = try QRTestPeer(destinationSleepSeconds: 1)  // the cancel lands while sub-operations remain
        defer { peer.stop() }
        let configuration = try QRTestConfiguration.make(peer: peer)
        let outcome = try await RetrieveService.move(
            keys: RetrieveKeys(), model: .patientRoot, level: .patient,
            queryAE: "remote_qr", storageAE: "dest", configuration: configuration
        ) { _ in .cancel }
        XCTAssertTrue(outcome.succeeded, outcome.message ?? "")
        XCTAssertTrue(outcome.cancelled)
        XCTAssertEqual(outcome.finalStatus, .cancel)
        XCTAssertLessThan(outcome.count, 5)
    }

    func testGetWritesFilesIntoTheDirectory() async throws {
        let peer = try QRTestPeer()
        defer { peer.stop() }
        let configuration = try QRTestConfiguration.make(peer: peer)
        let directory = try makeTemporaryDirectory("get")
        let second = peer.instances[3]
        let outcome = try await RetrieveService.get(
            keys: RetrieveKeys(studyInstanceUID: second.studyUID), model: .studyRoot,
            level: .study, queryAE: "remote_qr", directory: directory,
            configuration: configuration)
        XCTAssertTrue(outcome.succeeded, outcome.message ?? "")
        XCTAssertEqual(outcome.count, 2)
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0 != "depot" }
            .sorted()
        XCTAssertEqual(names, [peer.instances[3].sopInstanceUID + ".dcm", peer.instances[4].sopInstanceUID + ".dcm"])
        let file = try DICOMFile.read(path: directory.appendingPathComponent(names[0]).path)
        XCTAssertEqual(file.dataSet.string(Tag(0x0010, 0x0020)), "P2")
    }
}

/// Every model/level row of the seed's table: COUNT equals the files that arrived in storescp's folder.
final class RetrieveEveryModelLevelTests: XCTestCase {
    func testEveryRowOfTheSeedsTable() async throws {
        try XCTSkipUnless(dcmtkAvailable, "DCMTK is not installed")
        let peer = try QRTestPeer()
        defer { peer.stop() }
        let configuration = try QRTestConfiguration.make(peer: peer)
        let i = peer.instances[0]
        let rows: [(IDLQueryModel, IDLQueryLevel, RetrieveKeys, Int)] = [
            (.patientRoot, .patient, RetrieveKeys(patientID: "P1"), 3),
            (.patientRoot, .study, RetrieveKeys(patientID: "P1", studyInstanceUID: i.studyUID), 3),
            (
                .patientRoot, .series,
                RetrieveKeys(patientID: "P1", studyInstanceUID: i.studyUID, seriesInstanceUID: i.seriesUID), 2
            ),
            (
                .patientRoot, .image,
                RetrieveKeys(
                    patientID: "P1", studyInstanceUID: i.studyUID, seriesInstanceUID: i.seriesUID,
                    sopInstanceUID: i.sopInstanceUID), 1
            ),
            (.studyRoot, .study, RetrieveKeys(studyInstanceUID: i.studyUID), 3),
            (.studyRoot, .series, RetrieveKeys(studyInstanceUID: i.studyUID, seriesInstanceUID: i.seriesUID), 2),
            (
                .studyRoot, .image,
                RetrieveKeys(
                    studyInstanceUID: i.studyUID, seriesInstanceUID: i.seriesUID, sopInstanceUID: i.sopInstanceUID), 1
            ),
            (.patientStudyOnly, .study, RetrieveKeys(patientID: "P1", studyInstanceUID: i.studyUID), 3),
        ]
        for (model, level, keys, expected) in rows {
            for name in peer.destinationFiles {
                try FileManager.default.removeItem(at: peer.destinationDirectory.appendingPathComponent(name))
            }
            let outcome = try await RetrieveService.move(
                keys: keys, model: model, level: level, queryAE: "remote_qr",
                storageAE: "dest", configuration: configuration)
            XCTAssertTrue(outcome.succeeded, "\(model) / \(level): \(outcome.message ?? "")")
            XCTAssertEqual(outcome.count, expected, "\(model) / \(level)")
            XCTAssertEqual(peer.destinationFiles.count, outcome.count, "\(model) / \(level)")
        }
    }
}
