import DICOMServices
import Foundation
import Logging
import ServiceLifecycle
import TestSupport
import XCTest

/// The storage SCP as a swift-service-lifecycle `Service`: a graceful shutdown of its `ServiceGroup` (what
/// SIGTERM triggers) lets the transfer in flight finish, then the SCP stops listening (issue 20).
final class StorageSCPServiceTests: XCTestCase {
    func testGracefulShutdownOfTheServiceGroupLetsTheTransferInFlightFinish() async throws {
        try XCTSkipUnless(dcmtkAvailable, "DCMTK not installed")
        let root = try makeTemporaryDirectory("scp-service")
        defer { try? FileManager.default.removeItem(at: root) }
        var settings = StorageSCPSettings(
            aeTitle: "OUR_SCP", host: "127.0.0.1", port: 0, directory: root.appendingPathComponent("in").path)
        settings.shutdownGracePeriod = 20
        let scp = try await StorageSCP.start(settings: settings)
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [scp], logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })))
        let running = Task { try await group.run() }
        // A 32 MB instance, sent slowly enough to be in flight when the shutdown comes.
        let sources = try StorageTestFiles.make(
            count: 1, in: root.appendingPathComponent("src"), pixelBytes: 32 << 20)
        let sender = try ChildProcess(
            dcmtk("storescu"), ["-aet", "SENDER", "-aec", "OUR_SCP", "127.0.0.1", "\(scp.port)", sources[0].path])
        let depot = root.appendingPathComponent("in/depot").path
        let deadline = Date().addingTimeInterval(20)
        while ((try? FileManager.default.contentsOfDirectory(atPath: depot)) ?? []).isEmpty && Date() < deadline {
            usleep(2_000)
        }
        await group.triggerGracefulShutdown()
        try await running.value
        XCTAssertEqual(sender.wait(timeout: 30), 0, "the transfer in flight was cut: \(sender.stderr)")
        let stored = try StorageTestFiles.dataSetBytes(
            ofFile: root.appendingPathComponent("in/\(sources[0].uid).dcm").path)
        let source = try StorageTestFiles.dataSetBytes(ofFile: sources[0].path)
        XCTAssertTrue(Data(stored) == Data(source), "the stored data set differs from its source")
        XCTAssertNil(RawTCPClient(port: scp.port), "still listening after the shutdown")
    }
}
