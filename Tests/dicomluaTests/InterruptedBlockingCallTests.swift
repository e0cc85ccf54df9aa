import Foundation
import TestSupport
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// Ctrl-C during a blocking call (`scp:serve()`) raises `interrupted!` once: a `pcall` around the call catches
/// it and the script goes on (README "Command line"; Examples/forward.lua relies on it).
final class InterruptedBlockingCallTests: XCTestCase {
    func testPcallCatchesTheInterruptOfABlockingCallAndTheScriptGoesOn() throws {
        guard FileManager.default.isExecutableFile(atPath: dicomluaBinary) else {
            throw XCTSkip("dicomlua is not built (run `swift build` first): \(dicomluaBinary)")
        }
        let directory = try makeTemporaryDirectory("interrupt-pcall")
        defer { try? FileManager.default.removeItem(at: directory) }
        let script = """
            local scp = storage_scp.new{aet = 'INTR', port = 0, dir = arg[1]}
            scp:start()
            print('ready') io.stdout:flush()
            local ok, err = pcall(scp.serve, scp)
            scp:stop()
            print(ok, err)
            print('after')
            """
        let path = directory.appendingPathComponent("serve.lua").path
        try script.write(toFile: path, atomically: true, encoding: .utf8)
        let environment = [
            "DICOMLUA_CONFIG": directory.appendingPathComponent("user.json").path,
            "DICOMLUA_SYSTEM_CONFIG": directory.appendingPathComponent("system.json").path,
        ]
        let process = try ChildProcess(dicomluaBinary, [path, directory.path], environment: environment)
        let deadline = Date().addingTimeInterval(60)
        while !process.stdout.contains("ready") && process.isRunning && Date() < deadline { usleep(10_000) }
        XCTAssertTrue(process.stdout.contains("ready"), process.stderr)
        kill(process.process.processIdentifier, SIGINT)
        XCTAssertEqual(process.wait(timeout: 60), 0, process.stderr)
        XCTAssertEqual(process.stdout, "ready\nfalse\tinterrupted!\nafter\n")
    }
}
