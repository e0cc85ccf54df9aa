import XCTest

@testable import DICOMServices

/// `get_value`/`set_value`: defaults, case-insensitive keys, and the check of every key (IDL reference §1.4).
final class ConfigurationKeyTests: ConfigurationTestCase {
    func testUserDefaults() throws {
        let c = try userConfiguration()
        let expected: [String: String] = [
            "QRScuServiceAE": "IDL_AE_QUERY_SCU", "StorScpServiceAE": "IDL_AE_STOR_SCP",
            "StorScuServiceAE": "IDL_AE_STOR_SCU",
            "EchoScuServiceAE": "IDL_AE_ECHO_SCU", "MaxQueryResponses": "100",
            "StorScpDir": locations.userReceivedDirectory,
            "AcceptAny": "Yes", "FileExtension": "dcm", "StorScpCtrlPort": "2511",
            "configfile": locations.userFile.path,
            "ConnectTimeout": "10", "AcseTimeout": "30", "DimseTimeout": "60", "IdleTimeout": "600",
            "MaxPduLength": "116794",
            "DuplicatePolicy": "overwrite", "HooksFile": "", "MaxAssociations": "16",
            "MaxPendingConnections": "256", "CalledAECheck": "Yes",
            "LogDir": locations.userFile.deletingLastPathComponent().path,
            "AssociationHookTimeout": "30", "HookQueueLimit": "1000", "HookDrainTimeout": "30", "HookTimeLimit": "30",
            "LuaMemoryLimit": "0", "QueryCharacterSet": "",
        ]
        XCTAssertEqual(Set(expected.keys), Set(ConfigurationKey.allCases.map(\.rawValue)))
        for (key, value) in expected { XCTAssertEqual(try c.value(forKey: key), value, key) }
    }

    func testMaxPendingConnectionsReachesTheStorageSCP() throws {
        let c = try userConfiguration()
        XCTAssertEqual(try StorageSCPSettings(configuration: c.current).maximumPendingConnections, 256)
        try c.setValue("40", forKey: "maxpendingconnections")
        XCTAssertEqual(try StorageSCPSettings(configuration: c.current).maximumPendingConnections, 40)
        XCTAssertThrowsError(try c.setValue("0", forKey: "MaxPendingConnections")) { error in
            XCTAssertTrue("\(error)".contains("MaxPendingConnections must be 1-4096, got 0"), "\(error)")
        }
    }

    func testIdleTimeoutReachesTheStorageSCPAndZeroMeansNone() throws {
        let c = try userConfiguration()
        XCTAssertEqual(try StorageSCPSettings(configuration: c.current).idleTimeout, 600)
        try c.setValue("2.5", forKey: "idletimeout")
        XCTAssertEqual(try StorageSCPSettings(configuration: c.current).idleTimeout, 2.5)
        try c.setValue("0", forKey: "IdleTimeout")
        XCTAssertNil(try StorageSCPSettings(configuration: c.current).idleTimeout)
        XCTAssertThrowsError(try c.setValue("-1", forKey: "IdleTimeout"))
        XCTAssertThrowsError(try c.setValue("soon", forKey: "IdleTimeout"))
    }

    func testSystemDefaults() throws {
        let s = try systemConfiguration()
        XCTAssertEqual(try s.value(forKey: "StorScpDir"), locations.systemReceivedDirectory)
        XCTAssertEqual(try s.value(forKey: "configfile"), locations.systemFile.path)
        XCTAssertEqual(try s.value(forKey: "LogDir"), locations.systemFile.deletingLastPathComponent().path)
    }

    func testBuiltInSystemReceivedDirectory() {
        let resolved = ConfigurationLocations.fromEnvironment(["HOME": "/home/u"])
        XCTAssertEqual(resolved.systemReceivedDirectory, "/var/lib/dicomlua/received")
        XCTAssertEqual(resolved.userReceivedDirectory, "/home/u/.local/share/dicomlua/received")
    }

    func testKeysAreCaseInsensitive() throws {
        let c = try userConfiguration()
        try c.setValue("250", forKey: "maxqueryresponses")
        XCTAssertEqual(try c.value(forKey: "MAXQUERYRESPONSES"), "250")
        XCTAssertEqual(try c.value(forKey: "MaxQueryResponses"), "250")
        XCTAssertEqual(try c.value(forKey: "CONFIGFILE"), locations.userFile.path)
    }

    func testUnknownAndReadOnlyKeys() throws {
        let c = try userConfiguration()
        assertError(containing: ["get_value: unknown key \"LogFile\" (expected one of QRScuServiceAE, "]) {
            _ = try c.value(forKey: "LogFile")
        }
        assertError(containing: ["set_value: unknown key \"Port\""]) { try c.setValue("1", forKey: "Port") }
        assertError("set_value: configfile is read-only (it is the path of the bound file)") {
            try c.setValue("/tmp/x", forKey: "configfile")
        }
    }

    func testServiceAEKeysMustNameAnExistingEntityOfTheRightType() throws {
        let c = try userConfiguration()
        assertError("set_value: QRScuServiceAE must name an existing application entity, got \"nobody\"") {
            try c.setValue("nobody", forKey: "QRScuServiceAE")
        }
        assertError(
            "set_value: StorScpServiceAE must name an AE of service type Storage_SCP, got IDL_AE_ECHO_SCU of type Echo_SCU"
        ) {
            try c.setValue("IDL_AE_ECHO_SCU", forKey: "StorScpServiceAE")
        }
        assertError(containing: ["set_value: AE name must be at most 30 characters"]) {
            try c.setValue(String(repeating: "x", count: 31), forKey: "EchoScuServiceAE")
        }
        try c.setApplicationEntity(
            name: "my_stor_scp_aen", aeTitle: "my_stor_scp", hostname: "my_machine_name", port: "2510",
            serviceList: "Storage_SCP_Service_List", serviceType: "Storage_SCP")
        try c.setValue("my_stor_scp_aen", forKey: "StorScpServiceAE")
        XCTAssertEqual(try c.value(forKey: "StorScpServiceAE"), "my_stor_scp_aen")
        XCTAssertEqual(c.current.storageSCP.aeTitle, "my_stor_scp")
        XCTAssertEqual(c.current.storageSCP.port, 2510)
    }

    func testIntegerKeys() throws {
        let c = try userConfiguration()
        let cases: [(String, String, String)] = [
            ("MaxQueryResponses", "0", "set_value: MaxQueryResponses must be 1-99999, got 0"),
            ("MaxQueryResponses", "100000", "set_value: MaxQueryResponses must be 1-99999, got 100000"),
            ("MaxQueryResponses", "ten", "set_value: MaxQueryResponses must be an integer 1-99999, got \"ten\""),
            ("MaxQueryResponses", "1.5", "set_value: MaxQueryResponses must be an integer 1-99999, got \"1.5\""),
            ("StorScpCtrlPort", "65536", "set_value: StorScpCtrlPort must be 1-65535, got 65536"),
            ("StorScpCtrlPort", "-5", "set_value: StorScpCtrlPort must be 1-65535, got -5"),
            ("MaxPduLength", "4095", "set_value: MaxPduLength must be 4096-2097152, got 4095"),
            ("MaxPduLength", "2097153", "set_value: MaxPduLength must be 4096-2097152, got 2097153"),
            ("MaxAssociations", "0", "set_value: MaxAssociations must be 1-1024, got 0"),
        ]
        for (key, value, message) in cases { assertError(message) { try c.setValue(value, forKey: key) } }
        try c.setValue(99999, forKey: "MaxQueryResponses")
        try c.setValue(" 0250 ", forKey: "StorScpCtrlPort")
        try c.setValue(2097152, forKey: "MaxPduLength")
        try c.setValue(1, forKey: "MaxAssociations")
        XCTAssertEqual(try c.value(forKey: "StorScpCtrlPort"), "250")
        let d = c.current
        XCTAssertEqual(d.maxQueryResponses, 99999)
        XCTAssertEqual(d.storageSCPControlPort, 250)
        XCTAssertEqual(d.maxPDULength, 2097152)
        XCTAssertEqual(d.maxAssociations, 1)
    }

    func testTimeoutKeys() throws {
        let c = try userConfiguration()
        assertError("set_value: ConnectTimeout must be seconds, more than 0, at most 3600, got 0") {
            try c.setValue("0", forKey: "ConnectTimeout")
        }
        assertError("set_value: AcseTimeout must be a number of seconds, more than 0, got \"soon\"") {
            try c.setValue("soon", forKey: "AcseTimeout")
        }
        assertError("set_value: DimseTimeout must be seconds, 0 for none, at most 86400, got 86401") {
            try c.setValue("86401", forKey: "DimseTimeout")
        }
        assertError("set_value: DimseTimeout must be a number of seconds, 0 for none, got \"-1\"") {
            try c.setValue("-1", forKey: "DimseTimeout")
        }
        try c.setValue(2.5, forKey: "ConnectTimeout")
        try c.setValue("45", forKey: "acsetimeout")
        try c.setValue(0, forKey: "DimseTimeout")
        XCTAssertEqual(try c.value(forKey: "ConnectTimeout"), "2.5")
        XCTAssertEqual(c.current.connectTimeout, 2.5)
        XCTAssertEqual(c.current.acseTimeout, 45)
        XCTAssertNil(c.current.dimseTimeout, "0 means no DIMSE timeout")
        try c.setValue("60", forKey: "DimseTimeout")
        XCTAssertEqual(c.current.dimseTimeout, 60)
    }

    func testYesNoKeys() throws {
        let c = try userConfiguration()
        try c.setValue("no", forKey: "AcceptAny")
        XCTAssertEqual(try c.value(forKey: "AcceptAny"), "No")
        XCTAssertFalse(c.current.acceptAny)
        try c.setValue("YES", forKey: "acceptany")
        XCTAssertEqual(try c.value(forKey: "AcceptAny"), "Yes")
        try c.setValue(false, forKey: "CalledAECheck")
        XCTAssertEqual(try c.value(forKey: "CalledAECheck"), "No")
        XCTAssertFalse(c.current.calledAECheck)
        assertError("set_value: AcceptAny must be Yes or No, got \"maybe\"") {
            try c.setValue("maybe", forKey: "AcceptAny")
        }
        assertError("set_value: CalledAECheck must be Yes or No, got \"1\"") {
            try c.setValue("1", forKey: "CalledAECheck")
        }
    }

    func testDuplicatePolicy() throws {
        let c = try userConfiguration()
        XCTAssertEqual(c.current.duplicatePolicy, .overwrite)
        try c.setValue("KEEP", forKey: "DuplicatePolicy")
        XCTAssertEqual(try c.value(forKey: "DuplicatePolicy"), "keep")
        XCTAssertEqual(c.current.duplicatePolicy, .keep)
        assertError("set_value: DuplicatePolicy must be overwrite or keep, got \"rename\"") {
            try c.setValue("rename", forKey: "DuplicatePolicy")
        }
    }

    func testFileExtension() throws {
        let c = try userConfiguration()
        for bad in ["", ".dcm", "a/b", "a.b", String(repeating: "x", count: 17), "d m"] {
            assertError(
                "set_value: FileExtension must be 1-16 characters of A-Z a-z 0-9 _ - (no dot, no path separator), got \"\(bad)\""
            ) {
                try c.setValue(bad, forKey: "FileExtension")
            }
        }
        try c.setValue("DICOM_file-1", forKey: "fileextension")
        XCTAssertEqual(c.current.fileExtension, "DICOM_file-1")
    }

    func testPathKeys() throws {
        let c = try userConfiguration()
        assertError("set_value: StorScpDir must be an absolute path (or start with ~/), got \"relative/dir\"") {
            try c.setValue("relative/dir", forKey: "StorScpDir")
        }
        assertError("set_value: LogDir must be an absolute path (or start with ~/), got \"\"") {
            try c.setValue("", forKey: "LogDir")
        }
        assertError("set_value: StorScpDir must not contain control characters, got \"/a\\x0Ab\"") {
            try c.setValue("/a\nb", forKey: "StorScpDir")
        }
        assertError("set_value: StorScpDir must be at most 4096 bytes, got 4098") {
            try c.setValue("/" + String(repeating: "d", count: 4097), forKey: "StorScpDir")
        }
        try c.setValue("~/MyStorScpDir/", forKey: "StorScpDir")
        XCTAssertEqual(try c.value(forKey: "StorScpDir"), locations.homeDirectory + "/MyStorScpDir")
        XCTAssertEqual(c.current.storageDirectory.path, locations.homeDirectory + "/MyStorScpDir")
        try c.setValue("/var/log/dicomlua", forKey: "LogDir")
        XCTAssertEqual(c.current.logDirectory.path, "/var/log/dicomlua")
        XCTAssertNil(c.current.hooksFile)
        try c.setValue("/etc/dicomlua/hooks.lua", forKey: "HooksFile")
        XCTAssertEqual(c.current.hooksFile?.path, "/etc/dicomlua/hooks.lua")
        try c.setValue("", forKey: "HooksFile")
        XCTAssertNil(c.current.hooksFile)
        assertError("set_value: HooksFile must be an absolute path (or start with ~/), got \"hooks.lua\"") {
            try c.setValue("hooks.lua", forKey: "HooksFile")
        }
    }

    func testSettingAValueMakesTheConfigurationDirtyUntilCommit() throws {
        let c = try userConfiguration()
        XCTAssertFalse(c.isDirty)
        try c.setValue("7", forKey: "MaxQueryResponses")
        XCTAssertTrue(c.isDirty)
        XCTAssertEqual(
            try userConfiguration().value(forKey: "MaxQueryResponses"), "100", "pending edits are not in the file")
        try c.commit()
        XCTAssertFalse(c.isDirty)
        XCTAssertEqual(try userConfiguration().value(forKey: "MaxQueryResponses"), "7")
    }

    func testAFailedSetChangesNothing() throws {
        let c = try userConfiguration()
        assertError(containing: ["must be 1-99999"]) { try c.setValue("0", forKey: "MaxQueryResponses") }
        XCTAssertFalse(c.isDirty)
        XCTAssertEqual(try c.value(forKey: "MaxQueryResponses"), "100")
    }
}
