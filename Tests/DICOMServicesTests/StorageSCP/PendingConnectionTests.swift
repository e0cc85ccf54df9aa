import DICOMServices
import Foundation
import TestSupport
import XCTest

/// Idle sockets (connections that never send an A-ASSOCIATE-RQ) must not keep real peers out: they take
/// no `MaxAssociations` slot, are closed after `AcseTimeout`, and beyond `MaxPendingConnections` the
/// oldest is closed to make room (issue 20, "slowloris").
final class PendingConnectionTests: XCTestCase {
    private var root: URL!

    override func setUpWithError() throws {
        try XCTSkipUnless(dcmtkAvailable, "DCMTK not installed")
        root = try makeTemporaryDirectory("pending")
    }

    override func tearDown() {
        if let root { try? FileManager.default.removeItem(at: root) }
    }

    private func startSCP(maximumPending: Int = 256, acseTimeout: Double) async throws -> StorageSCP {
        var settings = StorageSCPSettings(
            aeTitle: "OUR_SCP", host: "127.0.0.1", port: 0,
            directory: root.appendingPathComponent("incoming").path, artimTimeout: acseTimeout)
        settings.maximumPendingConnections = maximumPending
        return try await StorageSCP.start(settings: settings)
    }

    private func openIdleSockets(_ count: Int, port: Int, readTimeout: TimeInterval) throws -> [RawTCPClient] {
        try (0..<count).map { _ in try XCTUnwrap(RawTCPClient(port: port, timeout: readTimeout)) }
    }

    private func waitUntil(_ seconds: TimeInterval, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while !condition() && Date() < deadline { usleep(20_000) }
        return condition()
    }

    /// Echo and store at once through the SCP; returns how long both took.
    private func echoAndStore(port: Int) throws -> TimeInterval {
        let started = Date()
        let echo = try ChildProcess.run(
            dcmtk("echoscu"), ["-aet", "SENDER", "-aec", "OUR_SCP", "127.0.0.1", "\(port)"], timeout: 20)
        XCTAssertEqual(echo.status, 0, "C-ECHO refused while idle sockets are open: \(echo.stderr)")
        let sources = try StorageTestFiles.make(count: 1, in: root.appendingPathComponent("src"), pixelBytes: 4096)
        let store = try ChildProcess.run(
            dcmtk("storescu"), ["-aet", "SENDER", "-aec", "OUR_SCP", "127.0.0.1", "\(port)", sources[0].path],
            timeout: 20)
        XCTAssertEqual(store.status, 0, "C-STORE refused while idle sockets are open: \(store.stderr)")
        XCTAssertTrue(
            FileManager.default.fileExists(
                atPath: root.appendingPathComponent("incoming/\(sources[0].uid).dcm").path))
        return Date().timeIntervalSince(started)
    }

    func testSixtyIdleSocketsDoNotKeepEchoAndStoreOutAndAreClosedAfterTheAcseTimeout() async throws {
        let scp = try await startSCP(acseTimeout: 3)
        let idle = try openIdleSockets(60, port: scp.port, readTimeout: 10)
        XCTAssertTrue(waitUntil(5) { scp.pendingConnections == 60 }, "pending: \(scp.pendingConnections)")
        let elapsed = try echoAndStore(port: scp.port)
        XCTAssertLessThan(elapsed, 2.5, "echo and store must not wait for the idle sockets")
        // Every idle socket is closed by the SCP after its time-out (3 s), before the 10 s read limit.
        let started = Date()
        for client in idle { XCTAssertTrue(client.read(upTo: 1).closed, "an idle socket was not closed") }
        XCTAssertLessThan(Date().timeIntervalSince(started), 8)
        XCTAssertTrue(waitUntil(2) { scp.pendingConnections == 0 })
        await scp.stop()
    }

    func testThreeHundredIdleSocketsBeyondTheLimitCloseTheOldestAndRealPeersStillGetIn() async throws {
        let scp = try await startSCP(maximumPending: 256, acseTimeout: 30)
        let idle = try openIdleSockets(300, port: scp.port, readTimeout: 5)
        XCTAssertTrue(waitUntil(5) { scp.pendingConnections == 256 }, "pending: \(scp.pendingConnections)")
        _ = try echoAndStore(port: scp.port)
        // The oldest made room (long before the 30 s time-out); the newest are still open.
        XCTAssertTrue(idle[0].read(upTo: 1).closed, "the oldest idle socket was not closed")
        XCTAssertTrue(idle[43].read(upTo: 1).closed, "the 44th oldest idle socket was not closed")
        // Stopping does not wait for connections that never asked for an association.
        let stopping = Date()
        await scp.stop()
        XCTAssertLessThan(Date().timeIntervalSince(stopping), 3)
    }
}
