import Foundation
import TestSupport
import XCTest

/// The `dicomlua` binary as a user runs it (build it first: `swift build`).
final class DicomluaCommandTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        guard FileManager.default.isExecutableFile(atPath: dicomluaBinary) else {
            throw XCTSkip("dicomlua is not built (run `swift build` first): \(dicomluaBinary)")
        }
        directory = try makeTemporaryDirectory("cli")
    }

    override func tearDownWithError() throws {
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }

    private func script(_ name: String, _ code: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        try code.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    private func dicomlua(_ arguments: [String]) throws -> (status: Int32?, stdout: String, stderr: String) {
        try ChildProcess.run(dicomluaBinary, arguments, timeout: 60)
    }

    /// Runs in the temporary directory, so scripts can be named relatively (Lua shortens long chunk names
    /// in messages to 60 characters, as `lua` does).
    private func dicomluaInDirectory(_ arguments: [String]) throws -> (status: Int32?, stdout: String, stderr: String) {
        let process = try ChildProcess(dicomluaBinary, arguments, currentDirectory: directory)
        let status = process.wait(timeout: 60)
        return (status, process.stdout, process.stderr)
    }

    func testArgTableAndVarargsFollowLuaC() throws {
        let path = try script(
            "args.lua",
            """
            print(arg[0], arg[1], arg[2], #arg, arg[-1] ~= nil)
            print(select('#', ...), ...)
            """)
        let result = try dicomlua([path, "one", "two words"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, "\(path)\tone\ttwo words\t2\ttrue\n2\tone\ttwo words\n")
    }

    func testScriptArgumentsThatLookLikeOptionsReachTheScript() throws {
        let path = try script("opts.lua", "print(...)")
        let result = try dicomlua([path, "--version", "-e", "storescp"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, "--version\t-e\tstorescp\n")
    }

    func testExecuteStringWithArguments() throws {
        let result = try dicomlua(["-e", "print(arg[-1], select('#', ...), dicom.version ~= nil, ...)", "a", "b"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, "-e\t2\ttrue\ta\tb\n")
    }

    func testLuaErrorExitsOneWithMessageAndTraceback() throws {
        _ = try script("fail.lua", "local x = 1\nerror('something broke')\n")
        let result = try dicomluaInDirectory(["fail.lua"])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.hasPrefix("dicomlua: fail.lua:2: something broke\n"), result.stderr)
        XCTAssertTrue(result.stderr.contains("stack traceback:"), result.stderr)
    }

    func testOsExitIsHonouredAndOutputFlushed() throws {
        let result = try dicomlua(["-e", "io.write('partial line') print(' and more') os.exit(3)"])
        XCTAssertEqual(result.status, 3)
        XCTAssertEqual(result.stdout, "partial line and more\n")
        XCTAssertEqual(try dicomlua(["-e", "os.exit(true)"]).status, 0)
        XCTAssertEqual(try dicomlua(["-e", "os.exit(false)"]).status, 1)
    }

    func testSyntaxErrorAndMissingFileExitOne() throws {
        _ = try script("syntax.lua", "print('ok')\nx = = 2\n")
        let syntax = try dicomluaInDirectory(["syntax.lua"])
        XCTAssertEqual(syntax.status, 1)
        XCTAssertTrue(syntax.stderr.hasPrefix("dicomlua: syntax.lua:2:"), syntax.stderr)
        XCTAssertEqual(syntax.stdout, "", "nothing runs when the script does not compile")

        let missing = try dicomlua([directory.appendingPathComponent("nope.lua").path])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("dicomlua: cannot open"), missing.stderr)
        XCTAssertTrue(missing.stderr.contains("nope.lua"), missing.stderr)
    }

    func testVersion() throws {
        let result = try dicomlua(["--version"])
        XCTAssertEqual(result.status, 0)
        XCTAssertTrue(result.stdout.hasPrefix("dicomlua 0."), result.stdout)
        XCTAssertTrue(result.stdout.contains("(Lua 5.4."), result.stdout)
    }

    func testUnknownOptionIsAUsageError() throws {
        let result = try dicomlua(["-x"])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderr.contains("dicomlua: unrecognized option '-x'"), result.stderr)
    }

    func testSubcommandsDispatchAndAScriptNamedLikeOneStillRuns() throws {
        let help = try dicomlua(["sample-data", "--help"])
        XCTAssertEqual(help.status, 0, help.stderr)
        XCTAssertTrue(help.stdout.contains("--patients"), "sample-data must reach its own parser: \(help.stdout)")

        _ = try script("storescp", "print('script named storescp')")
        let process = try ChildProcess(dicomluaBinary, ["./storescp"], currentDirectory: directory)
        XCTAssertEqual(process.wait(timeout: 60), 0, process.stderr)
        XCTAssertEqual(process.stdout, "script named storescp\n")
    }

    func testDicomSleepWaitsAndValidates() throws {
        let result = try dicomlua(["-e", "dicom.sleep(0.01) print(pcall(dicom.sleep, -1))"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.hasPrefix("false\tsleep: expected a number of seconds"), result.stdout)
    }

    func testScriptFromStandardInput() throws {
        let path = try script("piped.lua", "print('from stdin', ...)")
        let result = try ChildProcess.run("/bin/sh", ["-c", "'\(dicomluaBinary)' - x < '\(path)'"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, "from stdin\tx\n")
    }

    /// Ctrl-C stops a busy loop and a `dicom.sleep` with "interrupted!", status 1, and `<close>` still runs.
    func testInterruptStopsBusyLoopAndSleep() throws {
        for body in ["while true do end", "dicom.sleep(3600)"] {
            let path = try script(
                "busy.lua",
                """
                local guard <close> = setmetatable({}, {__close = function() io.stderr:write('closed\\n') end})
                print('ready') io.stdout:flush()
                \(body)
                """)
            let process = try ChildProcess(dicomluaBinary, [path])
            var ready = false
            for _ in 0..<6000 where !ready {  // bounded: 60 s
                ready = process.stdout.contains("ready")
                if !ready { usleep(10_000) }
            }
            XCTAssertTrue(ready, "script did not start: \(process.stderr)")
            kill(process.process.processIdentifier, SIGINT)
            XCTAssertEqual(process.wait(timeout: 60), 1, body)
            XCTAssertTrue(process.stderr.contains("dicomlua: "), process.stderr)
            XCTAssertTrue(process.stderr.contains("interrupted!"), process.stderr)
            XCTAssertTrue(process.stderr.contains("closed"), process.stderr)
        }
    }
}
