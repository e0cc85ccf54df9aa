import Foundation
import TestSupport
import XCTest

/// `cfg` and `dicom` in scripts run by the `dicomlua` binary (build it first: `swift build`), with the
/// configuration files in a temporary directory.
final class ScriptGlobalsCommandTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        guard FileManager.default.isExecutableFile(atPath: dicomluaBinary) else {
            throw XCTSkip("dicomlua is not built (run `swift build` first): \(dicomluaBinary)")
        }
        directory = try makeTemporaryDirectory("cli-globals")
    }

    override func tearDownWithError() throws {
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }

    private func dicomlua(_ code: String) throws -> (status: Int32?, stdout: String, stderr: String) {
        let environment = [
            "DICOMLUA_CONFIG": directory.appendingPathComponent("user.json").path,
            "DICOMLUA_SYSTEM_CONFIG": directory.appendingPathComponent("system.json").path,
            "HOME": directory.path,
        ]
        return try ChildProcess.run(
            dicomluaBinary, ["-e", code, directory.path], environment: environment, timeout: 60)
    }

    func testConfigurationAndDataSetsInAScript() throws {
        let result = try dicomlua(
            """
            local dir = ...
            local c = cfg.new()
            c:SetApplicationEntity('pacs', 'PACS', 'localhost', '11112', 'Query_SCP_Service_List', 'Query_SCP')
            c:commit()
            print(cfg.new():get_application_entity('pacs').PORT)
            local ds = dicom.new{PatientName = 'Doe^John', SOPClassUID = '1.2.840.10008.5.1.4.1.1.7', SOPInstanceUID = dicom.uid()}
            dicom.write(dir .. '/x.dcm', ds)
            print(dicom.read(dir .. '/x.dcm').PatientName)
            """)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, "11112\nDoe^John\n")
        XCTAssertTrue(FileManager.default.fileExists(atPath: directory.appendingPathComponent("user.json").path))
    }

    func testMisuseEndsTheScriptWithTheMessage() throws {
        let result = try dicomlua(
            "cfg.new():set_application_entity('x', 'X', 'h', 70000, 'Query_SCP_Service_List', 'Query_SCP')")
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("set_application_entity: port must be 1-65535, got 70000"), result.stderr)
    }
}
