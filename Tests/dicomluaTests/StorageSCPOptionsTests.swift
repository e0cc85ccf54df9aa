import Foundation
import TestSupport
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// `dicomlua storescp` checks its options before starting (usage errors: `dicomlua: ...`, exit status 2), and
/// a busy port is named in words, in the command and from Lua (issue 20).
final class StorageSCPOptionsTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        guard FileManager.default.isExecutableFile(atPath: dicomluaBinary) else {
            throw XCTSkip("dicomlua is not built (run `swift build` first): \(dicomluaBinary)")
        }
        directory = try makeTemporaryDirectory("storescp-options")
        let json = """
            {"format": "dicomlua-config/1", "values": {"StorScpDir": "\(path("in"))", "LogDir": "\(path("log"))"},
             "applicationEntities": [{"applentityname": "IDL_AE_STOR_SCP", "aet": "BUSY_SCP", "hostname": "localhost",
                                      "port": 11112, "servicelistname": "Storage_SCP_Service_List", "servicetype": "Storage_SCP"}]}
            """
        try json.write(toFile: path("system.json"), atomically: true, encoding: .utf8)
    }

    override func tearDown() {
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }

    private func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    private func storescp(_ arguments: [String]) throws -> (status: Int32?, stdout: String, stderr: String) {
        try ChildProcess.run(
            dicomluaBinary, ["storescp", "--config", path("system.json")] + arguments,
            environment: ["DICOMLUA_SYSTEM_CONFIG": path("system.json"), "DICOMLUA_CONFIG": path("user.json")],
            timeout: 30)
    }

    func testInvalidOptionsAreUsageErrorsWithExitStatus2() throws {
        let cases: [([String], String)] = [
            (["--port", "70000"], "dicomlua: storescp: --port must be 1-65535 (0: a free one), got 70000"),
            (["--port=-1"], "dicomlua: storescp: --port must be 1-65535 (0: a free one), got -1"),
            (
                ["--aet", String(repeating: "A", count: 25)],
                "dicomlua: storescp: --aet: AE title must be 1-16 characters, got 25"
            ),
            (
                ["--aet", "BAD\\AE"],
                "dicomlua: storescp: --aet: AE title must use the DICOM default character repertoire"
            ),
            (["--aet", "   "], "dicomlua: storescp: --aet: AE title must be 1-16 characters, not empty or all spaces"),
            (["--ext", ".dcm"], "dicomlua: storescp: --ext must be 1-16 characters of A-Z a-z 0-9 _ -"),
            (["--host", ""], "dicomlua: storescp: --host: hostname must not be empty"),
            (["--hooks", path("missing.lua")], "dicomlua: storescp: --hooks: no such file \(path("missing.lua"))"),
            (["--no-such-option"], "dicomlua: storescp: Unknown option '--no-such-option'"),
        ]
        for (arguments, expected) in cases {
            let result = try storescp(arguments)
            XCTAssertEqual(result.status, 2, "\(arguments): \(result.stderr)")
            XCTAssertTrue(result.stderr.hasPrefix(expected), "\(arguments): \(result.stderr)")
            XCTAssertTrue(result.stderr.contains("dicomlua: see 'dicomlua storescp --help'"), result.stderr)
            XCTAssertFalse(result.stdout.contains("listening"), result.stdout)
        }
    }

    /// A socket listening on 0.0.0.0:`port` held by this test process.
    private func listen(port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = INADDR_ANY
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, Glibc.listen(fd, 8) == 0 else {
            close(fd)
            throw XCTSkip("cannot listen on port \(port) for the test")
        }
        return fd
    }

    func testBusyPortIsNamedByTheCommand() throws {
        let port = freeTCPPort()
        let listener = try listen(port: port)
        defer { close(listener) }
        let result = try storescp(["--port", "\(port)"])
        XCTAssertEqual(result.status, 1, result.stderr)
        XCTAssertEqual(
            result.stderr,
            "dicomlua storescp: storage SCP BUSY_SCP cannot start: port \(port) on 0.0.0.0 is already in use (another process listens there)\n"
        )
    }

    func testBusyPortIsNamedFromLua() throws {
        let port = freeTCPPort()
        let listener = try listen(port: port)
        defer { close(listener) }
        let script = """
            local scp = storage_scp.new{aet = 'LUA_SCP', port = \(port), dir = '\(path("lua"))'}
            local ok, message = pcall(scp.start, scp)
            print(ok, message)
            """
        let result = try ChildProcess.run(
            dicomluaBinary, ["-e", script],
            environment: ["DICOMLUA_SYSTEM_CONFIG": path("system.json"), "DICOMLUA_CONFIG": path("user.json")],
            timeout: 30)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(
            result.stdout.contains(
                "storage SCP LUA_SCP cannot start: port \(port) on 0.0.0.0 is already in use (another process listens there)"
            ), result.stdout)
    }
}
