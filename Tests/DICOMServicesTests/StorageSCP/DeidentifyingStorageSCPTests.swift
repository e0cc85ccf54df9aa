import DICOMDeidentify
import DICOMNetwork
import DICOMServices
import Foundation
import NIOPosix
import TestSupport
import XCTest

/// A de-identifying storage SCP (docs/lua-api.md "De-identification") never de-identifies on its event loop:
/// while one association's de-identification is stuck (here: another process holds the map's SQLite write
/// lock), another association on the same one-thread event loop is answered at once, and the stuck
/// C-STORE is answered only after its de-identified file is in place.
final class DeidentifyingStorageSCPTests: XCTestCase {
    private var root: URL!
    /// Stopped by `tearDown` when a step threw before the test stopped it: nothing outlives the test.
    private var running: (scp: StorageSCP, group: MultiThreadedEventLoopGroup)?

    override func setUpWithError() throws {
        try XCTSkipUnless(dcmtkAvailable, "DCMTK not installed")
        root = try makeTemporaryDirectory("deid-scp")
    }

    override func tearDown() async throws {
        if let (scp, group) = running {
            await scp.stop(gracePeriod: 1)
            try? await group.shutdownGracefully()
        }
        if let root { try? FileManager.default.removeItem(at: root) }
    }

    func testSlowDeidentificationDoesNotStallAnotherAssociation() async throws {
        let mapPath = root.appendingPathComponent("map.db").path
        let deidentifier = Deidentifier(
            settings: try DeidentificationSettings(), map: try DeidentificationMap(path: mapPath))
        // Another process takes the map's write lock and keeps it until `release` exists.
        let release = root.appendingPathComponent("release").path
        let locker = try ChildProcess(
            "/usr/bin/env",
            [
                "python3", "-c",
                """
                import os, sqlite3, sys, time
                c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
                c.execute('BEGIN IMMEDIATE')
                print('locked', flush=True)
                end = time.time() + 120
                while not os.path.exists(sys.argv[2]) and time.time() < end: time.sleep(0.02)
                c.execute('COMMIT')
                """,
                mapPath, release,
            ])
        defer { locker.stop() }
        XCTAssertTrue(StorageTestFiles.waitUntil { locker.stdout.contains("locked") }, locker.stderr)

        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let incoming = root.appendingPathComponent("incoming").path
        let scp = try await StorageSCP.start(
            settings: StorageSCPSettings(aeTitle: "OUR_SCP", host: "127.0.0.1", port: 0, directory: incoming),
            eventLoopGroup: group, deidentifier: deidentifier)
        running = (scp, group)
        let sources = try StorageTestFiles.make(count: 20, in: root.appendingPathComponent("src"), pixelBytes: 65536)
        let sender = try ChildProcess(
            dcmtk("storescu"), ["-aet", "SENDER", "-aec", "OUR_SCP", "127.0.0.1", "\(scp.port)"] + sources.map(\.path))
        defer { sender.stop() }

        // The first instance arrived and its de-identification waits for the map.
        let depot = incoming + "/depot"
        XCTAssertTrue(
            StorageTestFiles.waitUntil {
                ((try? FileManager.default.contentsOfDirectory(atPath: depot)) ?? []).contains {
                    $0.hasSuffix(".received")
                }
            }, "the first instance never reached its de-identification: \(sender.stderr)")

        let started = Date()
        let echo = try ChildProcess.run(
            dcmtk("echoscu"), ["-to", "20", "-aet", "ECHOER", "-aec", "OUR_SCP", "127.0.0.1", "\(scp.port)"],
            timeout: 60)
        let elapsed = Date().timeIntervalSince(started)
        XCTAssertEqual(echo.status, 0, echo.stderr)
        XCTAssertLessThan(elapsed, 15, "C-ECHO waited \(elapsed) s behind a stuck de-identification")
        XCTAssertTrue(locker.isRunning, "the map was still locked during the C-ECHO")
        XCTAssertTrue(sender.isRunning, "the stuck C-STORE must not have been answered")
        let early = (try? FileManager.default.contentsOfDirectory(atPath: incoming)) ?? []
        XCTAssertEqual(early.filter { $0.hasSuffix(".dcm") }, [], "nothing is stored before the map answers")

        FileManager.default.createFile(atPath: release, contents: nil)
        XCTAssertEqual(sender.wait(timeout: 120), 0, sender.stderr)
        await scp.stop()
        try await group.shutdownGracefully()
        running = nil
        let stored = try FileManager.default.contentsOfDirectory(atPath: incoming).filter { $0.hasSuffix(".dcm") }
        XCTAssertEqual(stored.count, 20)
        let originals = Set(sources.map(\.uid))
        for name in stored {
            XCTAssertFalse(originals.contains(String(name.dropLast(4))), "\(name) is named by its original UID")
            let bytes = try Data(contentsOf: URL(fileURLWithPath: incoming + "/" + name))
            XCTAssertNil(bytes.range(of: Data("TEST^STORE".utf8)), "\(name) still carries the Patient Name")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: depot), [])
    }
}
