import NIOCore
import TestSupport
import XCTest

@testable import DICOMNetwork

/// Real SCUs against our server: DCMTK `storescu` and pynetdicom `storescu`/`echoscu`; the data set bytes
/// reach our streaming sink exactly as they were in the file.
final class StorageSCPInteropTests: XCTestCase {
    override func setUpWithError() throws {
        try XCTSkipUnless(dcmtkAvailable, "DCMTK is not installed")
    }

    private func startStorageServer(
        sinks: Recorder<CollectingSink>, stored: Recorder<String>
    ) async throws -> DICOMServer {
        var association = AssociationConfiguration()
        association.dataSetSinkProvider = { _, _, message in
            guard case .cStoreRQ = message else { return nil }
            let sink = CollectingSink()
            sinks.append(sink)
            return sink
        }
        let policy = AcceptancePolicy(
            calledAETitle: "DICOMLUA",
            supportedAbstractSyntaxes: [
                TestDataSets.secondaryCapture: [TransferSyntaxUID.implicitVRLittleEndian],
                verificationSOPClassUID: TransferSyntaxUID.uncompressed,
            ])
        return try await DICOMServer.start(configuration: ServerConfiguration(policy: policy, association: association))
        {
            try? await $0.serve(store: { incoming in
                stored.append(incoming.request.affectedSOPInstanceUID)
                return .success
            })
        }
    }

    private func writeFile(large: Bool) throws -> (url: URL, dataSet: [UInt8]) {
        var dataSet = TestDataSets.instance(
            patientID: "P9", studyUID: "1.2.826.0.1.3680043.2.1143.9",
            seriesUID: "1.2.826.0.1.3680043.2.1143.9.1",
            sopInstanceUID: "1.2.826.0.1.3680043.2.1143.9.1.1")
        if large {
            // (7FE0,0010) OW pixel-like payload of 300 KB in Implicit VR LE, so it spans many PDUs.
            dataSet.writeBytes([0xE0, 0x7F, 0x10, 0x00])
            dataSet.writeInteger(UInt32(300_000), endianness: .little)
            dataSet.writeBytes((0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        }
        let (bytes, offset) = TestPart10.file(
            sopClassUID: TestDataSets.secondaryCapture,
            sopInstanceUID: "1.2.826.0.1.3680043.2.1143.9.1.1", dataSet: dataSet)
        let url = try makeTemporaryDirectory("part10").appendingPathComponent("instance.dcm")
        try Data(bytes).write(to: url)
        return (url, Array(bytes[offset...]))
    }

    func testDCMTKStorescuStreamsIntoOurSink() async throws {
        let sinks = Recorder<CollectingSink>()
        let stored = Recorder<String>()
        let server = try await startStorageServer(sinks: sinks, stored: stored)
        // The file's own transfer syntax (Implicit VR LE) is the only one we accept, so no SCU converts it.
        let (file, dataSet) = try writeFile(large: true)
        let result = try ChildProcess.run(
            dcmtk("storescu"), ["-aec", "DICOMLUA", "127.0.0.1", "\(server.port)", file.path],
            timeout: 60)
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        XCTAssertEqual(stored.all, ["1.2.826.0.1.3680043.2.1143.9.1.1"])
        XCTAssertEqual(sinks.all.first?.bytes, dataSet)
        XCTAssertEqual(sinks.all.first?.finished, true)
        await server.shutdown(gracePeriod: .seconds(5))
    }

    func testPynetdicomStorescuAndEchoscuAgainstOurServer() async throws {
        let sinks = Recorder<CollectingSink>()
        let stored = Recorder<String>()
        let server = try await startStorageServer(sinks: sinks, stored: stored)
        let (file, dataSet) = try writeFile(large: false)
        let store = try ChildProcess.run(
            "/usr/bin/env",
            [
                "python3", "-m", "pynetdicom", "storescu", "127.0.0.1", "\(server.port)",
                file.path, "-aec", "DICOMLUA",
            ], timeout: 60)
        XCTAssertEqual(store.status, 0, store.stdout + store.stderr)
        XCTAssertEqual(stored.all, ["1.2.826.0.1.3680043.2.1143.9.1.1"])
        XCTAssertEqual(sinks.all.first?.bytes, dataSet)
        let echo = try ChildProcess.run(
            "/usr/bin/env",
            [
                "python3", "-m", "pynetdicom", "echoscu", "127.0.0.1", "\(server.port)",
                "-aec", "DICOMLUA",
            ], timeout: 60)
        XCTAssertEqual(echo.status, 0, echo.stdout + echo.stderr)
        XCTAssertFalse((echo.stdout + echo.stderr).contains("E:"), echo.stdout + echo.stderr)
        await server.shutdown(gracePeriod: .seconds(5))
    }
}
