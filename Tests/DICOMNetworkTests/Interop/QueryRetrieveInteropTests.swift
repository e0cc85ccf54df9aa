import Foundation
import NIOCore
import TestSupport
import XCTest

@testable import DICOMNetwork

/// DIMSE operations of our client against DCMTK peers: C-STORE into `storescp`; C-STORE, C-FIND, C-MOVE
/// (to our own server as destination) and C-GET against `dcmqrscp` (which forks per association).
final class QueryRetrieveInteropTests: XCTestCase {
    let sc = TestDataSets.secondaryCapture
    let implicitLE = [TransferSyntaxUID.implicitVRLittleEndian]

    override func setUpWithError() throws {
        try XCTSkipUnless(dcmtkAvailable, "DCMTK is not installed")
    }

    /// C-STORE of a hand-made instance into `storescp`: success status and a file on disk.
    func testStoreIntoStorescpWritesAFile() async throws {
        let port = freeTCPPort()
        let directory = try makeTemporaryDirectory("storescp-out")
        let storescp = try ChildProcess(dcmtk("storescp"), ["-aet", "STORESCP", "-od", directory.path, "\(port)"])
        defer { storescp.stop() }
        XCTAssertTrue(waitForPort(port), storescp.stderr)
        let association = try await DICOMAssociation.connect(
            host: "127.0.0.1", port: port, callingAETitle: "DICOMLUA", calledAETitle: "STORESCP",
            contexts: [ProposedPresentationContext(abstractSyntax: sc, transferSyntaxes: implicitLE)])
        let response = try await association.store(
            sopClassUID: sc, sopInstanceUID: "1.2.826.0.1.3680043.2.1143.1.1",
            dataSet: TestDataSets.instance(
                patientID: "P1", studyUID: "1.2.826.0.1.3680043.2.1143.1",
                seriesUID: "1.2.826.0.1.3680043.2.1143.1.2", sopInstanceUID: "1.2.826.0.1.3680043.2.1143.1.1"))
        XCTAssertEqual(response.status, .success)
        try await association.release()
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        XCTAssertEqual(files.count, 1, storescp.stderr)
        XCTAssertEqual(files.first?.hasSuffix(".1.2.826.0.1.3680043.2.1143.1.1"), true, "\(files)")
    }

    /// A running dcmqrscp ("QRSCP") whose HostTable maps "DEST" to our storage server, loaded with
    /// `count` instances of one study through our own C-STORE.
    struct QRFixture {
        let qrscp: ChildProcess
        let port: Int
        let destination: DICOMServer
        let moved: Recorder<String>
        let study: String
        let instances: [String]
    }

    private func startQRFixture(count: Int) async throws -> QRFixture {
        let directory = try makeTemporaryDirectory("dcmqrscp")
        let database = directory.appendingPathComponent("db")
        try FileManager.default.createDirectory(at: database, withIntermediateDirectories: true)

        // Our storage SCP, the C-MOVE destination "DEST".
        let moved = Recorder<String>()
        let policy = AcceptancePolicy(supportedAbstractSyntaxes: [
            sc: TransferSyntaxUID.uncompressed,
            verificationSOPClassUID: implicitLE,
        ])
        let destination = try await DICOMServer.start(configuration: ServerConfiguration(policy: policy)) {
            association in
            try? await association.serve(store: { incoming in
                moved.append(incoming.request.affectedSOPInstanceUID)
                return .success
            })
        }
        let qrPort = freeTCPPort()
        let config = """
            NetworkTCPPort  = \(qrPort)
            MaxPDUSize      = 16384
            MaxAssociations = 4
            HostTable BEGIN
            dest = (DEST, 127.0.0.1, \(destination.port))
            HostTable END
            VendorTable BEGIN
            VendorTable END
            AETable BEGIN
            QRSCP   \(database.path)   RW   (100, 1024mb)   ANY
            AETable END
            """
        let configFile = directory.appendingPathComponent("dcmqrscp.cfg")
        try config.write(to: configFile, atomically: true, encoding: .utf8)
        let qrscp = try ChildProcess(dcmtk("dcmqrscp"), ["-c", configFile.path, "\(qrPort)"])
        XCTAssertTrue(waitForPort(qrPort), qrscp.stderr)

        let study = "1.2.826.0.1.3680043.2.1143.7.\(count)"
        let series = study + ".1"
        let instances = (1...count).map { series + ".\($0)" }
        let store = try await DICOMAssociation.connect(
            host: "127.0.0.1", port: qrPort, callingAETitle: "DICOMLUA", calledAETitle: "QRSCP",
            contexts: [ProposedPresentationContext(abstractSyntax: sc, transferSyntaxes: implicitLE)])
        for (index, uid) in instances.enumerated() {
            let response = try await store.store(
                sopClassUID: sc, sopInstanceUID: uid,
                dataSet: TestDataSets.instance(
                    patientID: "PQR", studyUID: study, seriesUID: series,
                    sopInstanceUID: uid, instanceNumber: index + 1))
            XCTAssertEqual(response.status, .success, qrscp.stderr)
        }
        try await store.release()
        return QRFixture(
            qrscp: qrscp, port: qrPort, destination: destination, moved: moved, study: study, instances: instances)
    }

    /// Store two instances into dcmqrscp, find the study, move it to our server, get it back.
    func testStoreFindMoveGetAgainstDcmqrscp() async throws {
        let fixture = try await startQRFixture(count: 2)
        defer { fixture.qrscp.stop() }
        let (qrPort, study, instances, moved, destination) = (
            fixture.port, fixture.study, fixture.instances, fixture.moved,
            fixture.destination
        )

        // C-FIND, C-MOVE, C-GET on one association.
        let qr = try await DICOMAssociation.connect(
            host: "127.0.0.1", port: qrPort, callingAETitle: "DICOMLUA", calledAETitle: "QRSCP",
            contexts: [
                ProposedPresentationContext(abstractSyntax: TestDataSets.studyRootFind, transferSyntaxes: implicitLE),
                ProposedPresentationContext(abstractSyntax: TestDataSets.studyRootMove, transferSyntaxes: implicitLE),
                ProposedPresentationContext(abstractSyntax: TestDataSets.studyRootGet, transferSyntaxes: implicitLE),
                ProposedPresentationContext(abstractSyntax: sc, transferSyntaxes: implicitLE, role: .scuAndSCP),
            ])
        let found = try await qr.find(
            sopClassUID: TestDataSets.studyRootFind,
            identifier: TestDataSets.studyIdentifier(studyUID: study)
        ).collect()
        XCTAssertEqual(found.map(\.response.status), [.pending, .success])
        XCTAssertEqual(found.first?.identifier.flatMap { TestDataSets.value(0x0010, 0x0020, in: $0) }, "PQR")

        var moveCounts: [SubOperationCounts] = []
        for try await response in try await qr.move(
            sopClassUID: TestDataSets.studyRootMove, destination: "DEST",
            identifier: TestDataSets.studyIdentifier(studyUID: study))
        {
            moveCounts.append(response.response.subOperations)
            if !response.response.status.isPending { XCTAssertEqual(response.response.status, .success) }
        }
        XCTAssertEqual(moveCounts.last?.completed, 2)
        XCTAssertEqual(Set(moved.all), Set(instances))

        let got = Recorder<String>()
        let getResponses = try await qr.get(
            sopClassUID: TestDataSets.studyRootGet,
            identifier: TestDataSets.studyIdentifier(studyUID: study)
        ) { incoming in
            if case .bytes(let bytes) = incoming.dataSet, TestDataSets.value(0x0020, 0x000D, in: bytes) == study {
                got.append(incoming.request.affectedSOPInstanceUID)
            }
            return .success
        }.collect()
        XCTAssertEqual(getResponses.last?.response.status, .success)
        XCTAssertEqual(getResponses.last?.response.subOperations.completed, 2)
        XCTAssertEqual(Set(got.all), Set(instances))
        try await qr.release()
        await destination.shutdown(gracePeriod: .seconds(5))
    }

    /// C-CANCEL during C-MOVE: pending responses carry the counters, and the final status is Cancel (FE00)
    /// with fewer sub-operations completed than matched.
    func testMoveCancelledAfterTheFirstPendingResponse() async throws {
        let fixture = try await startQRFixture(count: 12)
        defer { fixture.qrscp.stop() }
        let qr = try await DICOMAssociation.connect(
            host: "127.0.0.1", port: fixture.port, callingAETitle: "DICOMLUA", calledAETitle: "QRSCP",
            contexts: [
                ProposedPresentationContext(abstractSyntax: TestDataSets.studyRootMove, transferSyntaxes: implicitLE)
            ])
        let responses = try await qr.move(
            sopClassUID: TestDataSets.studyRootMove, destination: "DEST",
            identifier: TestDataSets.studyIdentifier(studyUID: fixture.study))
        var all: [CMoveRSP] = []
        for try await response in responses {
            all.append(response.response)
            if all.count == 1 {
                XCTAssertEqual(response.response.status, .pending)
                XCTAssertEqual(response.response.subOperations.remaining, 11)
                try await responses.cancel()
            }
        }
        XCTAssertEqual(all.last?.status, .cancel)
        XCTAssertLessThan(Int(all.last?.subOperations.completed ?? 12), 12)
        try await qr.release()
        await fixture.destination.shutdown(gracePeriod: .seconds(5))
    }
}
