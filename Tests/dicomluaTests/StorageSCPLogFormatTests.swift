import Foundation
import TestSupport
import XCTest

/// `dicomlua storescp --log-format json` (docs/cli.md "Logging"): one JSON object per line, each event of an
/// association carrying its id, peer and calling AE title, so that one association's lines can be picked out.
final class StorageSCPLogFormatTests: XCTestCase {
    func testJSONLogLinesCarryTheAssociationID() throws {
        guard FileManager.default.isExecutableFile(atPath: dicomluaBinary) else {
            throw XCTSkip("dicomlua is not built (run `swift build` first): \(dicomluaBinary)")
        }
        try XCTSkipUnless(dcmtkAvailable, "DCMTK not installed")
        let directory = try makeTemporaryDirectory("storescp-json")
        defer { try? FileManager.default.removeItem(at: directory) }
        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
        var files: [String] = []
        for instance in TestInstance.standardSet.prefix(3) {
            let file = path("\(instance.sopInstanceUID).dcm")
            try Data(instance.part10Bytes()).write(to: URL(fileURLWithPath: file))
            files.append(file)
        }
        let port = freeTCPPort()
        let scp = try ChildProcess(
            dicomluaBinary,
            [
                "storescp", "--port", "\(port)", "--dir", path("in"), "--log-level", "info", "--log-format", "json",
            ],
            environment: ["DICOMLUA_CONFIG": path("user.json"), "DICOMLUA_SYSTEM_CONFIG": path("system.json")])
        defer { scp.stop() }
        XCTAssertTrue(waitForPort(port), scp.stderr)
        for (calling, batch) in [("FIRST", Array(files.prefix(2))), ("SECOND", [files[2]])] {
            let sent = try ChildProcess.run(
                dcmtk("storescu"), ["-aet", calling, "-aec", "DICOMLUA_STORE", "127.0.0.1", "\(port)"] + batch,
                timeout: 60)
            XCTAssertEqual(sent.status, 0, sent.stderr)
        }
        func objects() -> [[String: Any]] {
            scp.stderr.split(separator: "\n").compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
        }
        func metadata(_ object: [String: Any]) -> [String: String] { object["metadata"] as? [String: String] ?? [:] }
        let deadline = Date().addingTimeInterval(20)
        while objects().filter({ $0["message"] as? String == "association released" }).count < 2, Date() < deadline {
            usleep(50_000)
        }
        let lines = objects()
        XCTAssertTrue(lines.allSatisfy { $0["label"] as? String == "dicomlua.storescp" }, scp.stderr)
        let stored = lines.filter { $0["message"] as? String == "stored" }
        XCTAssertEqual(stored.count, 3, scp.stderr)
        let first = stored.filter { metadata($0)["calling"] == "FIRST" }.map { metadata($0)["association"] }
        let second = stored.filter { metadata($0)["calling"] == "SECOND" }.map { metadata($0)["association"] }
        XCTAssertEqual(first.count, 2, scp.stderr)
        XCTAssertEqual(Set(first).count, 1, "one association, one id: \(scp.stderr)")
        XCTAssertEqual(second.count, 1, scp.stderr)
        XCTAssertNotNil(first.first ?? nil)
        XCTAssertNotEqual(first.first ?? nil, second.first ?? nil, "each association its own id")
        XCTAssertTrue(stored.allSatisfy { metadata($0)["peer"]?.hasPrefix("127.0.0.1:") ?? false }, scp.stderr)
        XCTAssertEqual(
            Set(stored.compactMap { metadata($0)["sop_instance_uid"] }),
            Set(TestInstance.standardSet.prefix(3).map(\.sopInstanceUID)))
        let released = lines.filter { $0["message"] as? String == "association released" }
        XCTAssertEqual(released.compactMap { metadata($0)["files"] }.sorted(), ["1", "2"], scp.stderr)
    }
}
