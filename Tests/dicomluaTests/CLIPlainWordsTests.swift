import Foundation
import TestSupport
import XCTest

/// Messages a PACS administrator reads carry no protocol-machine jargon (no "ARTIM", no "Sta5"): a remote that
/// accepts the connection but never answers the association request is said to be just that.
final class CLIPlainWordsTests: XCTestCase {
    func testSilentRemoteIsDescribedInPlainWords() throws {
        guard FileManager.default.isExecutableFile(atPath: dicomluaBinary) else {
            throw XCTSkip("dicomlua is not built (run `swift build` first): \(dicomluaBinary)")
        }
        let directory = try makeTemporaryDirectory("cli-plain")
        defer { try? FileManager.default.removeItem(at: directory) }
        let environment = [
            "DICOMLUA_CONFIG": directory.appendingPathComponent("user.json").path,
            "DICOMLUA_SYSTEM_CONFIG": directory.appendingPathComponent("system.json").path,
            "XDG_DATA_HOME": directory.path,
        ]
        let setup = try ChildProcess.run(
            dicomluaBinary, ["-e", "local c = cfg.new(); c:set_value('AcseTimeout', '1'); c:commit()"],
            environment: environment, timeout: 30)
        XCTAssertEqual(setup.status, 0, setup.stderr)
        // A TCP listener that accepts and then says nothing.
        let port = freeTCPPort()
        let silent = try ChildProcess(
            "/usr/bin/env",
            [
                "python3", "-c",
                """
                import socket, sys, time
                s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind(('127.0.0.1', int(sys.argv[1]))); s.listen(4)
                conns = []
                while True:
                    c, _ = s.accept(); conns.append(c)
                """, "\(port)",
            ])
        defer { silent.stop() }
        XCTAssertTrue(waitForPort(port), silent.stderr)
        let echo = try ChildProcess.run(
            dicomluaBinary, ["echo", "SILENT@127.0.0.1:\(port)"], environment: environment, timeout: 60)
        XCTAssertEqual(echo.status, 1, echo.stdout + echo.stderr)
        let output = echo.stdout + echo.stderr
        XCTAssertTrue(output.contains("the remote did not answer our association request within 1 s"), output)
        XCTAssertFalse(output.contains("ARTIM"), output)
        XCTAssertFalse(output.contains("Sta5"), output)
    }
}
