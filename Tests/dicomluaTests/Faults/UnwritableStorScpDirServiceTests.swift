import Foundation
import TestSupport
import XCTest

/// An unwritable `StorScpDir` is reported when the storage SCP starts (RELIABILITY.md, "Storage"):
/// `dicomlua storescp` exits at once with a message naming the folder and the reason, and
/// `storage_scp_service('start')` answers `start failed` (the reason is in `LogDir/storscp1.log`).
final class UnwritableStorScpDirServiceTests: XCTestCase {
    private var directory: URL!
    private var mount: TmpfsMount?

    override func setUpWithError() throws {
        guard FileManager.default.isExecutableFile(atPath: dicomluaBinary) else {
            throw XCTSkip("dicomlua is not built (run `swift build` first): \(dicomluaBinary)")
        }
        directory = try makeTemporaryDirectory("svc-unwritable")
    }

    override func tearDownWithError() throws {
        _ = try? dicomlua("print(cfg.new{system = true}:storage_scp_service('stop'))")
        mount?.unmount()
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }

    private func dicomlua(_ code: String) throws -> (status: Int32?, stdout: String, stderr: String) {
        try ChildProcess.run(dicomluaBinary, ["-e", code, directory.path], environment: environment, timeout: 60)
    }

    private var environment: [String: String] {
        [
            "DICOMLUA_CONFIG": directory.appendingPathComponent("user.json").path,
            "DICOMLUA_SYSTEM_CONFIG": directory.appendingPathComponent("system.json").path,
            "HOME": directory.path,
        ]
    }

    private func configure(storageDirectory: String) throws {
        let result = try dicomlua(
            """
            local dir = ...
            local sc = cfg.new{system = true}
            sc:set_application_entity('IDL_AE_STOR_SCP', 'SVCSCP', 'localhost', \(freeTCPPort()), 'Storage_SCP_Service_List', 'Storage_SCP')
            sc:set_value('StorScpDir', '\(storageDirectory)')
            sc:set_value('LogDir', dir .. '/log')
            sc:commit()
            """)
        XCTAssertEqual(result.status, 0, result.stderr)
    }

    private func assertReportedAtStart(
        _ storageDirectory: String, reason: String, file: StaticString = #filePath, line: UInt = #line
    ) throws {
        try configure(storageDirectory: storageDirectory)
        let foreground = try ChildProcess.run(
            dicomluaBinary, ["storescp", "--config", environment["DICOMLUA_SYSTEM_CONFIG"]!],
            environment: environment, timeout: 30)
        XCTAssertNotNil(foreground.status, "storescp exits instead of running", file: file, line: line)
        XCTAssertNotEqual(foreground.status, 0, file: file, line: line)
        XCTAssertTrue(
            foreground.stderr.contains(storageDirectory), "names the folder: \(foreground.stderr)", file: file,
            line: line)
        XCTAssertTrue(foreground.stderr.contains(reason), "says why: \(foreground.stderr)", file: file, line: line)
        let service = try dicomlua("print(cfg.new{system = true}:storage_scp_service('start'))")
        XCTAssertEqual(service.stdout, "start failed\n", service.stderr, file: file, line: line)
    }

    func testFolderBelowARegularFile() throws {
        let plain = directory.appendingPathComponent("plain-file")
        try Data("x".utf8).write(to: plain)
        try assertReportedAtStart(plain.appendingPathComponent("received").path, reason: "cannot create folder")
    }

    func testReadOnlyFileSystem() throws {
        switch TmpfsMount.mount(sizeKiB: 256, readOnly: true) {
        case .success(let m): mount = m
        case .failure(let why): throw XCTSkip("read-only folder test skipped: \(why)")
        }
        try assertReportedAtStart(mount!.directory.path, reason: "Read-only file system")
    }
}
