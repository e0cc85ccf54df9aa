import DICOMScripting
import Foundation
import LuaBridge
import TestSupport
import XCTest

/// A test with a temporary directory and a Lua state holding the script globals, whose `cfg` reads its
/// files from that directory (never the real user's configuration).
class ScriptTestCase: XCTestCase {
    var directory: URL!
    var state: LuaState!

    override func setUpWithError() throws {
        directory = try makeTemporaryDirectory("scripting")
        state = try makeState()
    }

    override func tearDownWithError() throws {
        state = nil
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }

    /// The environment `cfg` sees: both configuration files and HOME inside the temporary directory.
    var configurationEnvironment: [String: String] {
        ["DICOMLUA_CONFIG": path("user.json"), "DICOMLUA_SYSTEM_CONFIG": path("system.json"), "HOME": directory.path]
    }

    func makeState() throws -> LuaState {
        let state = LuaState()
        let runLoop = ScriptRunLoop()
        try ScriptEnvironment.install(in: state, runLoop: runLoop)
        try CfgModule.install(in: state, runLoop: runLoop, environment: configurationEnvironment)
        return state
    }

    /// A path in the temporary directory.
    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Runs `code`; `...` is the temporary directory's path.
    @discardableResult
    func run(_ code: String, file: StaticString = #filePath, line: UInt = #line) throws -> [LuaValue] {
        try state.run(code, name: "=test", arguments: [LuaValue(directory.path)])
    }

    /// Runs `code`, expecting a Lua error whose message contains `expected`.
    func assertRaises(_ code: String, _ expected: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(
            try state.run(code, name: "=test", arguments: [LuaValue(directory.path)]), file: file, line: line
        ) { error in
            let message = (error as? LuaError)?.message ?? "\(error)"
            XCTAssertTrue(message.contains(expected), "expected \"\(expected)\" in: \(message)", file: file, line: line)
        }
    }

    /// Runs a Python program (pydicom), failing the test when it fails.
    func python(_ program: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let result = try ChildProcess.run("/usr/bin/env", ["python3", "-c", program], timeout: 60)
        XCTAssertEqual(result.status, 0, "python: \(result.stderr)", file: file, line: line)
    }
}
