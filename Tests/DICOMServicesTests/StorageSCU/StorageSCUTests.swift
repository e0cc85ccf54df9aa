import DICOMNetwork
import TestSupport
import XCTest

@testable import DICOMServices

/// The storage SCU sending into `/usr/bin/storescp`.
final class StorageSCUTests: XCTestCase {
    override func setUpWithError() throws {
        try XCTSkipUnless(dcmtkAvailable, "DCMTK is not installed")
    }

    func startStorescp() throws -> (ChildProcess, URL, Int) {
        let directory = try makeTemporaryDirectory("storescp")
        let port = freeTCPPort()
        let process = try ChildProcess(dcmtk("storescp"), ["-aet", "DESTAE", "-od", directory.path, "\(port)"])
        XCTAssertTrue(waitForPort(port), process.stderr)
        return (process, directory, port)
    }

    func files(_ count: Int) throws -> [String] {
        let folder = try makeTemporaryDirectory("scu-files")
        return try TestInstance.standardSet.prefix(count).map { instance in
            let path = folder.appendingPathComponent(instance.sopInstanceUID + ".dcm").path
            try Data(instance.part10Bytes()).write(to: URL(fileURLWithPath: path))
            return path
        }
    }

    func configuration(port: Int) throws -> ConfigurationDocument {
        try QRTestConfiguration.make(peer: nil) { configuration in
            try configuration.setApplicationEntity(
                name: "scp", aeTitle: "DESTAE", hostname: "127.0.0.1", port: port,
                serviceList: .storageSCP, serviceType: .storageSCP)
        }
    }

    func testSendsEveryFileWithOneEventEach() async throws {
        let (storescp, directory, port) = try startStorescp()
        defer { storescp.stop(grace: 0.2) }
        let paths = try files(3) + ["/nonexistent/file.dcm"]
        let events = Collected<OperationEvent>()
        let outcome = try await StorageSCU.send(
            files: paths, storageAE: "scp", configuration: try configuration(port: port)
        ) { event in
            events.append(event)
            return .proceed
        }
        XCTAssertNil(outcome.message)
        XCTAssertEqual(outcome.sent, 3)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path).count, 3, storescp.stderr)
        XCTAssertEqual(
            events.all.map(\.statusLines.first),
            [
                "Send: 0x0000 Success", "Send: 0x0000 Success", "Send: 0x0000 Success",
                events.all.last?.statusLines.first,
            ])
        XCTAssertTrue(events.all.last?.statusLines.first?.hasPrefix("Send: failed, ") ?? false)
    }

    func testCallbackCancelStopsTheSend() async throws {
        let (storescp, _, port) = try startStorescp()
        defer { storescp.stop(grace: 0.2) }
        let outcome = try await StorageSCU.send(
            files: try files(3), storageAE: "scp", configuration: try configuration(port: port)
        ) { _ in
            .cancel
        }
        XCTAssertTrue(outcome.cancelled)
        XCTAssertEqual(outcome.sent, 1)
    }

    func testClosedPortIsAReturnedFailure() async throws {
        let configuration = try configuration(port: freeTCPPort())
        let outcome = try await StorageSCU.send(files: try files(1), storageAE: "scp", configuration: configuration)
        XCTAssertEqual(outcome.sent, 0)
        XCTAssertTrue(outcome.message?.contains("refused") ?? false, outcome.message ?? "")
    }

    /// pynetdicom's storescp as a second peer: echo lines carry its implementation version, files arrive.
    func testPynetdicomStorescpReceivesAndEchoes() async throws {
        let directory = try makeTemporaryDirectory("pynetdicom-scp")
        let port = freeTCPPort()
        let scp = try ChildProcess(
            "/usr/bin/env",
            [
                "python3", "-m", "pynetdicom", "storescp", "\(port)", "-aet", "PYSCP",
                "-od", directory.path,
            ])
        defer { scp.stop(grace: 1) }
        try XCTSkipUnless(waitForPort(port), "pynetdicom storescp did not start: \(scp.stderr)")
        let configuration = try QRTestConfiguration.make(peer: nil) { configuration in
            try configuration.setApplicationEntity(
                name: "py", aeTitle: "PYSCP", hostname: "localhost", port: port,
                serviceList: .storageSCP, serviceType: .storageSCP)
        }
        let lines = try await EchoService.echo(applicationEntityName: "py", configuration: configuration)
        XCTAssertEqual(lines.count, 8, "\(lines)")
        XCTAssertEqual(lines[3], "Host Name: (localhost)")
        XCTAssertTrue(lines[6].hasPrefix("Implementation Version: (PYNETDICOM"), lines[6])
        let outcome = try await StorageSCU.send(files: try files(2), storageAE: "py", configuration: configuration)
        XCTAssertEqual(outcome.sent, 2, outcome.message ?? "")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path).count, 2, scp.stderr)
    }
}
