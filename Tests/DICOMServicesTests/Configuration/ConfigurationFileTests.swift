import XCTest

@testable import DICOMServices

/// The files: creation, seeding the user file from the system file, the format, round trips, and files
/// that cannot be parsed (docs/lua-api.md "Files").
final class ConfigurationFileTests: ConfigurationTestCase {
    private func contents(_ url: URL) throws -> String { try String(contentsOf: url, encoding: .utf8) }

    func testMissingSystemFileIsCreatedFromTheDefaults() throws {
        XCTAssertFalse(FileManager.default.fileExists(atPath: locations.systemFile.path))
        let s = try systemConfiguration()
        XCTAssertNil(s.fileCreationFailure)
        XCTAssertTrue(FileManager.default.fileExists(atPath: locations.systemFile.path))
        XCTAssertFalse(s.isDirty)
        XCTAssertEqual(try systemConfiguration().current, s.current)
    }

    func testMissingUserFileIsSeededFromTheSystemFileExceptMachinePaths() throws {
        let s = try systemConfiguration()
        try s.setApplicationEntity(
            name: "hospital_pacs", aeTitle: "PACS", hostname: "pacs.example.org", port: 104,
            serviceList: .querySCP, serviceType: .querySCP)
        try s.setValue("500", forKey: "MaxQueryResponses")
        try s.setValue("/srv/dicom", forKey: "StorScpDir")
        try s.setValue("/srv/hooks.lua", forKey: "HooksFile")
        try s.commit()
        XCTAssertFalse(FileManager.default.fileExists(atPath: locations.userFile.path))

        let c = try userConfiguration()
        XCTAssertTrue(
            FileManager.default.fileExists(atPath: locations.userFile.path), "the user file is created on first load")
        XCTAssertEqual(try c.applicationEntity(named: "hospital_pacs").hostname, "pacs.example.org")
        XCTAssertEqual(try c.value(forKey: "MaxQueryResponses"), "500")
        XCTAssertEqual(
            try c.value(forKey: "StorScpDir"), locations.userReceivedDirectory,
            "the system's directories are not the user's")
        XCTAssertEqual(try c.value(forKey: "HooksFile"), "")
        XCTAssertEqual(try c.value(forKey: "configfile"), locations.userFile.path)

        // Later changes of the system file do not reach an existing user file (docs/idl-reference.md §1.2).
        try s.setValue("600", forKey: "MaxQueryResponses")
        try s.commit()
        XCTAssertEqual(try userConfiguration().value(forKey: "MaxQueryResponses"), "500")
    }

    func testFirstUserLoadCreatesBothFilesWhenNeitherExists() throws {
        _ = try userConfiguration()
        XCTAssertTrue(FileManager.default.fileExists(atPath: locations.systemFile.path))
        XCTAssertTrue(FileManager.default.fileExists(atPath: locations.userFile.path))
    }

    func testRoundTripKeepsEverything() throws {
        let c = try userConfiguration()
        try c.setApplicationEntity(
            name: "Réseau \"quoted\" \\ name", aeTitle: "ANY TITLE", hostname: "10.0.0.1", port: "11112",
            serviceList: "Storage_SCP_Service_List", serviceType: "Storage_SCP")
        try c.setApplicationEntity(
            name: "pacs", aeTitle: "PACS", hostname: "pacs", port: 104, serviceList: .querySCP, serviceType: .querySCP)
        try c.setValue("Réseau \"quoted\" \\ name", forKey: "StorScpServiceAE")
        try c.setValue("2.25", forKey: "ConnectTimeout")
        try c.setValue("No", forKey: "AcceptAny")
        try c.setValue("keep", forKey: "DuplicatePolicy")
        try c.setValue("/data/dicom in/Ω", forKey: "StorScpDir")
        let before = c.current
        try c.commit()
        let reread = try userConfiguration()
        XCTAssertEqual(reread.current, before)
        XCTAssertEqual(
            try reread.applicationEntities().map(\.name),
            [
                "IDL_AE_QUERY_SCU", "IDL_AE_STOR_SCP", "IDL_AE_STOR_SCU", "IDL_AE_ECHO_SCU",
                "Réseau \"quoted\" \\ name", "pacs",
            ])
    }

    func testFileIsPrettyPrintedWithAFormatMarkerAndStableOrder() throws {
        let c = try userConfiguration()
        try c.setValue(42, forKey: "MaxQueryResponses")
        try c.commit()
        let text = try contents(locations.userFile)
        XCTAssertTrue(
            text.hasPrefix(
                "{\n  \"format\": \"dicomlua-config/1\",\n  \"values\": {\n    \"QRScuServiceAE\": \"IDL_AE_QUERY_SCU\",\n"
            ), text)
        XCTAssertTrue(text.contains("\n    \"MaxQueryResponses\": 42,\n"), "numbers are JSON numbers")
        XCTAssertTrue(text.contains("\"applentityname\": \"IDL_AE_STOR_SCP\",\n      \"aet\": \"DICOMLUA_STORE\""))
        XCTAssertTrue(text.hasSuffix("}\n"))
        // Committing the same content again writes the same bytes.
        let again = try userConfiguration()
        try again.setValue("43", forKey: "MaxQueryResponses")
        try again.setValue("42", forKey: "MaxQueryResponses")
        try again.commit()
        XCTAssertEqual(try contents(locations.userFile), text)
        XCTAssertFalse(
            FileManager.default.fileExists(atPath: locations.userFile.path + ".tmp"), "no temporary file is left")
        let leftovers = try FileManager.default.contentsOfDirectory(
            atPath: locations.userFile.deletingLastPathComponent().path)
        XCTAssertEqual(Set(leftovers), ["config.json", "config.json.lock"])
    }

    func testSyntaxErrorNamesFileAndLineAndLeavesTheFileAlone() throws {
        _ = try userConfiguration()
        let broken = "{\n  \"format\": \"dicomlua-config/1\",\n  \"values\": { \"MaxQueryResponses\": 10,, }\n}\n"
        try broken.write(to: locations.userFile, atomically: true, encoding: .utf8)
        let bytes = try Data(contentsOf: locations.userFile)
        assertError(
            "new: cannot parse \(locations.userFile.path) at line 3, column 39 (byte offset 73): "
                + "expected a member name in quotes, found ','"
        ) { _ = try userConfiguration() }
        XCTAssertEqual(
            try Data(contentsOf: locations.userFile), bytes, "a file that cannot be parsed is never overwritten")
    }

    func testInvalidValuesNameTheJSONPath() throws {
        _ = try userConfiguration()
        let path = locations.userFile.path
        func check(_ json: String, _ message: String, line: UInt = #line) throws {
            try json.write(to: locations.userFile, atomically: true, encoding: .utf8)
            let bytes = try Data(contentsOf: locations.userFile)
            assertError("new: invalid configuration \(path) at \(message)", line: line) { _ = try userConfiguration() }
            XCTAssertEqual(try Data(contentsOf: locations.userFile), bytes, line: line)
        }
        let entity =
            #"{"applentityname": "x", "aet": "X", "hostname": "h", "port": 70000, "servicelistname": "Query_SCP_Service_List", "servicetype": "Query_SCP"}"#
        try check(
            #"{"format": "dicomlua-config/1", "applicationEntities": [\#(entity)]}"#,
            "$.applicationEntities[0]: port must be 1-65535, got 70000")
        try check(
            #"{"format": "dicomlua-config/1", "values": {"MaxQueryResponses": true}}"#,
            "$.values.MaxQueryResponses: expected a number or a string, got a boolean")
        try check(
            #"{"format": "dicomlua-config/1", "values": {"AcceptAny": "perhaps"}}"#,
            "$.values.AcceptAny: AcceptAny must be Yes or No, got \"perhaps\"")
        try check(
            #"{"format": "dicomlua-config/1", "values": {"Colour": "red"}}"#,
            "$.values.Colour: unknown key (expected one of QRScuServiceAE, StorScpServiceAE, StorScuServiceAE, EchoScuServiceAE, "
                + "MaxQueryResponses, StorScpDir, AcceptAny, FileExtension, StorScpCtrlPort, ConnectTimeout, AcseTimeout, DimseTimeout, "
                + "IdleTimeout, MaxPduLength, DuplicatePolicy, HooksFile, MaxAssociations, MaxPendingConnections, CalledAECheck, LogDir, "
                + "AssociationHookTimeout, HookQueueLimit, HookDrainTimeout, HookTimeLimit, LuaMemoryLimit, QueryCharacterSet)"
        )
        try check(
            #"{"format": "dicomlua-config/1", "values": {"QRScuServiceAE": "ghost"}}"#,
            "$.values.QRScuServiceAE: QRScuServiceAE must name an existing application entity, got \"ghost\"")
        try check(
            #"{"format": "dicomlua-config/2"}"#, "$.format: expected \"dicomlua-config/1\", got \"dicomlua-config/2\"")
        try check(#"{"values": {}}"#, "$.format: missing; expected \"dicomlua-config/1\"")
        try check(#"[]"#, "$: expected an object, got an array")
        try check(
            #"{"format": "dicomlua-config/1", "extra": 1}"#,
            "$.extra: unknown member (expected format, values, applicationEntities)")
        try check(
            #"{"format": "dicomlua-config/1", "applicationEntities": [{"applentityname": "x"}]}"#,
            "$.applicationEntities[0].aet: missing")
        try check(
            #"{"format": "dicomlua-config/1", "applicationEntities": [\#(entity.replacingOccurrences(of: "70000", with: "1")), \#(entity.replacingOccurrences(of: "70000", with: "2"))]}"#,
            "$.applicationEntities[1]: duplicate application entity name \"x\"")
    }

    func testACommitNeverOverwritesAFileThatBecameUnparsable() throws {
        let c = try userConfiguration()
        try c.setValue("5", forKey: "MaxQueryResponses")
        try "{ not json".write(to: locations.userFile, atomically: true, encoding: .utf8)
        assertError(containing: ["commit: cannot parse \(locations.userFile.path) at line 1, column 3"]) {
            try c.commit()
        }
        XCTAssertEqual(try contents(locations.userFile), "{ not json")
        XCTAssertTrue(c.isDirty, "the edits are still pending")
    }

    func testAFileWithoutTheDefaultEntitiesGetsThemBackAndMissingKeysTakeDefaults() throws {
        _ = try userConfiguration()
        try #"{"format": "dicomlua-config/1", "values": {"maxqueryresponses": "7"}}"#.write(
            to: locations.userFile, atomically: true, encoding: .utf8)
        let c = try userConfiguration()
        XCTAssertEqual(try c.applicationEntities().count, 4)
        XCTAssertEqual(try c.value(forKey: "MaxQueryResponses"), "7")
        XCTAssertEqual(try c.value(forKey: "FileExtension"), "dcm")
    }

    func testUnwritableSystemLocationWorksFromDefaultsAndSaysSoOnCommit() throws {
        let blocker = folder.appendingPathComponent("not-a-folder")
        try "x".write(to: blocker, atomically: true, encoding: .utf8)
        var locations = self.locations!
        locations.systemFile = blocker.appendingPathComponent("config.json")
        let s = try Configuration(scope: .system, locations: locations)
        XCTAssertNotNil(s.fileCreationFailure)
        XCTAssertEqual(try s.value(forKey: "StorScpDir"), locations.systemReceivedDirectory)
        XCTAssertEqual(try s.applicationEntities().count, 4)
        try s.setValue("9", forKey: "MaxQueryResponses")
        assertError(containing: [
            "commit: cannot write \(locations.systemFile.path)", "in-memory defaults", "nothing was saved",
        ]) { try s.commit() }
        // A user configuration is still seeded (from the in-memory system defaults).
        let c = try Configuration(scope: .user, locations: locations)
        XCTAssertNil(c.fileCreationFailure)
        XCTAssertEqual(try c.applicationEntities().count, 4)
    }

    func testFileLocationsFromTheEnvironment() {
        let home = ["HOME": "/home/u"]
        XCTAssertEqual(
            ConfigurationLocations.fromEnvironment(home).userFile.path, "/home/u/.config/dicomlua/config.json")
        XCTAssertEqual(ConfigurationLocations.fromEnvironment(home).systemFile.path, "/etc/dicomlua/config.json")
        XCTAssertEqual(
            ConfigurationLocations.fromEnvironment(home.merging(["XDG_CONFIG_HOME": "/x/cfg"]) { $1 }).userFile.path,
            "/x/cfg/dicomlua/config.json")
        XCTAssertEqual(
            ConfigurationLocations.fromEnvironment(home.merging(["XDG_CONFIG_HOME": "relative"]) { $1 }).userFile.path,
            "/home/u/.config/dicomlua/config.json", "a relative XDG_CONFIG_HOME is ignored")
        let explicit = ConfigurationLocations.fromEnvironment(
            home.merging([
                "DICOMLUA_CONFIG": "/a/u.json", "XDG_CONFIG_HOME": "/x",
                "DICOMLUA_SYSTEM_CONFIG": "/b/s.json", "XDG_DATA_HOME": "/d",
            ]) { $1 })
        XCTAssertEqual(explicit.userFile.path, "/a/u.json")
        XCTAssertEqual(explicit.systemFile.path, "/b/s.json")
        XCTAssertEqual(explicit.userReceivedDirectory, "/d/dicomlua/received")
    }

    func testRevertDropsPendingEdits() throws {
        let c = try userConfiguration()
        try c.setValue("3", forKey: "MaxQueryResponses")
        try c.revert()
        XCTAssertFalse(c.isDirty)
        XCTAssertEqual(try c.value(forKey: "MaxQueryResponses"), "100")
    }
}
