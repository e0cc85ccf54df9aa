import DICOMCore
import DICOMNetwork
import TestSupport
import XCTest

@testable import DICOMServices

/// A remote Q/R SCP that dies in the middle of a C-MOVE (RELIABILITY.md, "Query/retrieve"): `dicomlua
/// qrscp` moving 120 instances to DCMTK's storescp is killed (SIGKILL) from the callback of the first
/// pending response. The retrieve returns `succeeded == false` with a message naming the remote, its
/// count is the Completed counter of the last pending response, which the callback saw.
final class RemoteDiesDuringMoveTests: XCTestCase {
    func testRemoteKilledAfterTheFirstPendingResponse() async throws {
        try XCTSkipUnless(dcmtkAvailable, "DCMTK is not installed")
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: dicomluaBinary), "run `swift build` first")
        let folder = try makeTemporaryDirectory("dies")
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = folder.appendingPathComponent("source")
        let destination = folder.appendingPathComponent("dest")
        try FileManager.default.createDirectory(at: destination, withIntermediateDirectories: true)
        _ = try SampleDataGenerator.generate(
            into: source.path,
            options: SampleDataOptions(patients: 1, studies: 1, series: 1, instances: 120, rows: 256))
        let destinationPort = freeTCPPort()
        let storescp = try ChildProcess(
            dcmtk("storescp"), ["-aet", "DESTAE", "-od", destination.path, "\(destinationPort)"])
        defer { storescp.stop(grace: 0.5) }
        let qrPort = freeTCPPort()
        let qrscp = try ChildProcess(
            dicomluaBinary,
            [
                "qrscp", "--dir", source.path, "--aet", "QRSCP", "--port", "\(qrPort)",
                "--dest", "DESTAE=127.0.0.1:\(destinationPort)",
            ])
        defer { qrscp.stop(grace: 0.5) }
        XCTAssertTrue(waitForPort(qrPort, timeout: 30), "qrscp did not start: \(qrscp.stderr)")
        XCTAssertTrue(waitForPort(destinationPort), "storescp did not start: \(storescp.stderr)")

        let configuration = try QRTestConfiguration.make(peer: nil) { c in
            try c.setApplicationEntity(
                name: "remote_qr", aeTitle: "QRSCP", hostname: "127.0.0.1", port: qrPort,
                serviceList: .querySCP, serviceType: .querySCP)
            try c.setApplicationEntity(
                name: "dest", aeTitle: "DESTAE", hostname: "127.0.0.1", port: destinationPort,
                serviceList: .storageSCP, serviceType: .storageSCP)
        }
        let events = Collected<OperationEvent>()
        let pid = qrscp.process.processIdentifier
        let outcome = try await RetrieveService.move(
            keys: RetrieveKeys(patientID: SampleDataGenerator.patientID(1)),
            model: .patientRoot, level: .patient, queryAE: "remote_qr",
            storageAE: "dest", configuration: configuration
        ) { event in
            if events.all.isEmpty { kill(pid, SIGKILL) }
            events.append(event)
            return .proceed
        }
        XCTAssertFalse(outcome.succeeded, "a remote that died cannot have succeeded")
        let message = try XCTUnwrap(outcome.message)
        XCTAssertTrue(message.hasPrefix("retrieve: "), message)
        XCTAssertTrue(message.contains("remote_qr"), "the message names the remote: \(message)")
        XCTAssertNil(outcome.finalStatus, "no final response arrived")
        let last = try XCTUnwrap(events.all.last, "the callback saw at least the first pending response")
        XCTAssertEqual(last.status?.isPending, true)
        XCTAssertEqual(
            outcome.count, Int(last.counts.completed ?? 0), "the count is the last counters the callback saw")
        XCTAssertLessThan(outcome.count, 120, "killed long before the end")
        qrscp.wait(timeout: 10)
        XCTAssertEqual(qrscp.process.terminationReason, .uncaughtSignal, "qrscp was killed, not stopped")
    }
}
