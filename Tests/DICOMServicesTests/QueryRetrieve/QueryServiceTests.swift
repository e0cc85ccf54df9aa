import DICOMCore
import DICOMNetwork
import TestSupport
import XCTest

@testable import DICOMServices

/// Query (C-FIND), query_models_supported and echo against `/usr/bin/dcmqrscp`.
final class QueryServiceTests: XCTestCase {
    nonisolated(unsafe) static var sharedPeer: QRTestPeer?

    override class func tearDown() {
        sharedPeer?.stop()
        sharedPeer = nil
    }

    func peer() throws -> QRTestPeer {
        try XCTSkipUnless(dcmtkAvailable, "DCMTK is not installed")
        if let peer = Self.sharedPeer { return peer }
        let peer = try QRTestPeer()
        Self.sharedPeer = peer
        return peer
    }

    func query(
        _ parameters: QueryParameters, configuration: ConfigurationDocument,
        onMatch: OperationEventHandler? = nil
    ) async throws -> QueryOutcome {
        try await QueryService.query(parameters, queryAE: "remote_qr", configuration: configuration, onMatch: onMatch)
    }

    func testDefaultQueryListsEveryPatientWithTheTwentyOneFields() async throws {
        let configuration = try QRTestConfiguration.make(peer: try peer())
        let outcome = try await query(QueryParameters(), configuration: configuration)
        XCTAssertNil(outcome.failure)
        XCTAssertEqual(outcome.results.map { $0["patient_id"] }.sorted(), ["P1", "P2"])
        let doe = try XCTUnwrap(outcome.results.first { $0["patient_id"] == "P1" })
        XCTAssertEqual(doe["patient_name"], "DOE^JOHN")
        XCTAssertEqual(doe["family_name"], "DOE")
        XCTAssertEqual(doe["given_name"], "JOHN")
        XCTAssertEqual(doe.fields.count, 19)
        XCTAssertEqual(doe["study_instance_uid"], "", "not asked at Patient level")
    }

    func testPatientRootStudyLevelWithWildcardAndDescriptions() async throws {
        let configuration = try QRTestConfiguration.make(peer: try peer())
        let outcome = try await query(
            QueryParameters(model: .patientRoot, level: .study, values: [.patientID: "P*"]),
            configuration: configuration)
        XCTAssertNil(outcome.failure)
        XCTAssertEqual(outcome.results.map { $0["study_description"] }.sorted(), ["HEAD", "KNEE"])
        XCTAssertEqual(outcome.results.map { $0["study_date"] }, ["20240102", "20240102"])
    }

    func testStudyRootSeriesLevelReturnsSeriesOfOneStudy() async throws {
        let peer = try peer()
        let configuration = try QRTestConfiguration.make(peer: peer)
        let study = peer.instances[0].studyUID
        let outcome = try await query(
            QueryParameters(model: .studyRoot, level: .series, values: [.studyInstanceUID: study]),
            configuration: configuration)
        XCTAssertNil(outcome.failure)
        // dcmqrscp's index has no Series Description: the return key comes back empty.
        XCTAssertEqual(outcome.results.map { $0["series_number"] }.sorted(), ["1", "2"])
        XCTAssertEqual(
            outcome.results.map { $0["series_instance_uid"] }.sorted(),
            [peer.instances[0].seriesUID, peer.instances[2].seriesUID])
        XCTAssertEqual(Set(outcome.results.map { $0["modality"] }), ["CT"])
        XCTAssertEqual(outcome.results.first?.queryModel, .studyRoot)
    }

    func testImageLevelByPatientNameFromSubFields() async throws {
        let peer = try peer()
        let configuration = try QRTestConfiguration.make(peer: peer)
        var parameters = QueryParameters(model: .studyRoot, level: .image)
        parameters.values = [
            .familyName: "SMITH", .studyInstanceUID: peer.instances[3].studyUID,
            .seriesInstanceUID: peer.instances[3].seriesUID,
        ]
        XCTAssertEqual(parameters.patientNameToSend, "SMITH")
        let outcome = try await query(parameters, configuration: configuration)
        XCTAssertNil(outcome.failure)
        XCTAssertEqual(
            outcome.results.map { $0["sop_instance_uid"] }.sorted(),
            [peer.instances[3].sopInstanceUID, peer.instances[4].sopInstanceUID])
        XCTAssertEqual(outcome.results.map { $0["instance_number"] }.sorted(), ["1", "2"])
    }

    func testMaxQueryResponsesCancelsAfterTheLimit() async throws {
        let configuration = try QRTestConfiguration.make(peer: try peer(), maxQueryResponses: 1)
        let outcome = try await query(QueryParameters(), configuration: configuration)
        XCTAssertNil(outcome.failure)
        XCTAssertEqual(outcome.results.count, 1)
        XCTAssertTrue(outcome.cancelled)
    }

    func testCallbackSeesEveryMatchAndCanCancel() async throws {
        let configuration = try QRTestConfiguration.make(peer: try peer())
        let events = Collected<OperationEvent>()
        let outcome = try await query(
            QueryParameters(level: .series, values: [.patientID: "P1"]), configuration: configuration
        ) { event in
            events.append(event)
            return .cancel
        }
        XCTAssertTrue(outcome.cancelled)
        XCTAssertEqual(outcome.results.count, 1)
        XCTAssertEqual(events.all.count, 1)
        XCTAssertEqual(events.all.first?.statusLines.first, "Query: 0xFF00 Pending: matches are continuing")
        XCTAssertEqual(events.all.first?.match?["patient_id"], "P1")
    }

    func testStudyRootPatientLevelBecomesStudyLevel() throws {
        let parameters = QueryParameters(model: .studyRoot, level: .patient)
        XCTAssertEqual(parameters.effectiveLevel.level, .study)
        XCTAssertNotNil(parameters.effectiveLevel.warning)
        let identifier = try parameters.findIdentifier()
        XCTAssertEqual(identifier.string(Tag(0x0008, 0x0052)), "STUDY")
        XCTAssertEqual(identifier.string(Tag(0x0010, 0x0020)), "*")
    }

    func testIdentifierHasExactlyTheFieldsOfIDLsTable() throws {
        let identifier = try QueryParameters(model: .patientRoot, level: .series).findIdentifier()
        XCTAssertEqual(
            identifier.map(\.tag),
            [
                Tag(0x0008, 0x0052), Tag(0x0008, 0x0060), Tag(0x0008, 0x1030), Tag(0x0008, 0x103E),
                Tag(0x0010, 0x0020), Tag(0x0020, 0x000D), Tag(0x0020, 0x000E), Tag(0x0020, 0x0011),
            ])
        XCTAssertEqual(
            identifier.string(Tag(0x0010, 0x0020)) ?? "", "", "Patient ID is empty (universal) at Series level")
    }

    func testMissingUIDsAreSubstituted() {
        let result = QueryResult(identifier: DataSet(), model: .patientRoot, level: .image)
        XCTAssertEqual(result["patient_id"], "Unknown Patient Id")
        XCTAssertEqual(result["study_instance_uid"], "Unknown Study UID")
        XCTAssertEqual(result["series_instance_uid"], "Unknown Series UID")
        XCTAssertEqual(result["sop_instance_uid"], "Unknown Image UID")
        XCTAssertEqual(
            QueryResult(identifier: DataSet(), model: .patientRoot, level: .patient)["study_instance_uid"], "")
    }

    func testQueryModelsSupportedListsDcmqrscpModels() async throws {
        let configuration = try QRTestConfiguration.make(peer: try peer())
        let codes = try await QueryService.queryModelsSupported(queryAE: "remote_qr", configuration: configuration)
            .get()
        XCTAssertTrue(Set(codes).isSuperset(of: [0, 1, 2, 6, 7, 8]), "\(codes)")
    }

    func testQueryOfADeadRemoteIsAReturnedFailure() async throws {
        let configuration = try QRTestConfiguration.make(peer: nil)
        let outcome = try await QueryService.query(QueryParameters(), queryAE: "dead", configuration: configuration)
        XCTAssertTrue(outcome.failure?.contains("refused") ?? false, outcome.failure ?? "no failure")
    }

    func testUnknownQuerySCPIsMisuse() async throws {
        let configuration = try QRTestConfiguration.make(peer: nil)
        do {
            _ = try await QueryService.query(QueryParameters(), queryAE: "nobody", configuration: configuration)
            XCTFail("expected misuse")
        } catch let error as ConfigurationError {
            XCTAssertTrue(
                error.description.hasPrefix("query: QUERY_SCP 'nobody' is not an application entity"), error.description
            )
        }
    }

    func testEchoSucceedsWithEightLinesAndFailsWithFour() async throws {
        let configuration = try QRTestConfiguration.make(peer: try peer())
        let lines = try await EchoService.echo(applicationEntityName: "remote_qr", configuration: configuration)
        XCTAssertEqual(lines.count, 8, "\(lines)")
        XCTAssertEqual(lines[0], "Echo Succeeded:")
        XCTAssertEqual(lines[1], "AE Name: (remote_qr)")
        XCTAssertEqual(lines[2], "AE Title: (QRSCP)")
        XCTAssertEqual(lines[4], "IP Address: (127.0.0.1)")
        XCTAssertTrue(lines[6].hasPrefix("Implementation Version: (OFFIS_DCMTK"), lines[6])
        XCTAssertTrue(lines[7].hasPrefix("Implementation Class UID: (1.2.276.0.7230010"), lines[7])
        let failed = try await EchoService.echo(applicationEntityName: "dead", configuration: configuration)
        XCTAssertEqual(failed.count, 4)
        XCTAssertEqual(failed[0], "Echo Failed:")
        XCTAssertTrue(failed[3].hasPrefix("Open Association Failed ("), failed[3])
    }
}
