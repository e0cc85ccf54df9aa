import DICOMDeidentify
import DICOMServices
import Foundation
import LuaBridge

/// The `storage_scp` global (docs/lua-api.md): `start()`, `stop()`, `status()` control the storage SCP service
/// (IDL's strings); `new{ae = name}` or `new{aet =, port =, dir =, accept_any =, extension =, host =}` makes
/// an in-process SCP with `on_association`, `on_stored`, `on_association_end`, `start`, `stop`, `serve`,
/// and the read-only properties `port`, `aet`, `dir`, `running`.
extension ScriptEnvironment {
    static let storageSCPKeywords: Set<String> = [
        "ae", "aet", "port", "dir", "accept_any", "extension", "host", "duplicate_policy", "deidentify", "tls",
    ]

    public static func installStorageSCP(in state: LuaState, runLoop: ScriptRunLoop) throws {
        let type = LuaUserdataType<InProcessStorageSCP>(name: "storage_scp")
        type.describe = { scp in
            "storage_scp \(scp.settings.aeTitle) port \(scp.port.map(String.init) ?? "\(scp.settings.port) (stopped)")"
        }
        type.onRelease = { $0.stopDetached() }
        for kind in StorageSCPHooks.Kind.allCases {
            type.method(kind.rawValue) { scp, arguments in
                let value = arguments[0]
                guard value.isNil || value.functionValue != nil else {
                    throw LuaScriptError("\(kind.rawValue): expected a function or nil, got \(value.typeName)")
                }
                scp.hooks.set(kind, value.functionValue)
                return []
            }
        }
        type.method("start") { scp, _ in
            try scriptCall("start") { try scp.start() }
            return []
        }
        type.method("stop") { scp, _ in
            try scriptCall("stop") { try scp.stop() }
            return []
        }
        type.method("serve") { scp, _ in
            try scriptCall("serve") { try scp.serve() }
            return []
        }
        type.property("port", get: { scp in .integer(Int64(scp.port ?? scp.settings.port)) })
        type.property("aet", get: { LuaValue($0.settings.aeTitle) })
        type.property("dir", get: { LuaValue($0.settings.directory) })
        type.property("running", get: { .boolean($0.isRunning) })
        try state.register(type)

        func service(_ command: String) -> LuaFunction {
            { _ in
                let path = ConfigurationLocations.fromEnvironment().systemFile.path
                let answer = try runLoop.awaitBlocking {
                    try StorageServiceControl.perform(command, systemConfigurationPath: path)
                }
                return [LuaValue(answer)]
            }
        }
        try state.setModule(
            "storage_scp",
            functions: [
                "start": service("start"), "stop": service("stop"), "status": service("status"),
                "new": { arguments in
                    let options = try LuaNames.keywords(
                        arguments.optionalTable(0, "new"), method: "new", allowed: storageSCPKeywords)
                    let settings = try storageSCPSettings(options)
                    let limits = StorageSCPHookLimits(configuration: try Configuration(scope: .user).current)
                    let hooks = StorageSCPHooks(state: state, runLoop: runLoop, limits: limits) { message in
                        FileHandle.standardError.write(
                            Data("dicomlua: storage_scp \(settings.aeTitle): \(message)\n".utf8))
                    }
                    let scp = InProcessStorageSCP(settings: settings, hooks: hooks, runLoop: runLoop)
                    if let opts = options["deidentify"], !opts.isNil {
                        guard let table = opts.tableValue else {
                            throw LuaScriptError("new: deidentify: expected a table of options, got \(opts.typeName)")
                        }
                        // Without `map`, one map for the SCP's lifetime.
                        (scp.deidentifier, scp.quarantineDirectory) = try DeidentifyBindings.deidentifier(
                            table, method: "new: deidentify", defaultMap: DeidentificationMap())
                    }
                    return [try arguments.makeUserdata(scp, of: type)]
                },
            ])
    }

    /// Settings from `new{...}`: an AE of the user configuration (`ae`), else the user configuration's
    /// storage SCP with the given fields replaced.
    static func storageSCPSettings(_ options: [String: LuaValue]) throws -> StorageSCPSettings {
        let document = try Configuration(scope: .user).current
        var settings: StorageSCPSettings
        if let ae = options["ae"] {
            guard let name = ae.stringValue else {
                throw LuaScriptError("new: ae: expected an AE name, got \(ae.typeName)")
            }
            settings = try StorageSCPSettings(configuration: document, aeName: name)
        } else {
            settings = try StorageSCPSettings(configuration: document)
        }
        if let v = options["aet"] {
            guard let s = v.stringValue, !s.isEmpty, s.count <= 16 else {
                throw LuaScriptError("new: aet: expected an AE title (1-16 characters), got \(v)")
            }
            settings.aeTitle = s
        }
        if let v = options["port"] {
            guard let p = v.integerValue, (0...65535).contains(p) else {
                throw LuaScriptError("new: port: expected 0-65535, got \(v)")
            }
            settings.port = Int(p)
        }
        if let v = options["dir"] {
            guard let s = v.stringValue, !s.isEmpty else {
                throw LuaScriptError("new: dir: expected a folder, got \(v.typeName)")
            }
            settings.directory = s
        }
        if let v = options["extension"] {
            guard let s = v.stringValue, InstanceFileNaming.isValidExtension(s) else {
                throw LuaScriptError("new: extension: expected letters, digits, '_' or '-', got \(v)")
            }
            settings.fileExtension = s
        }
        if let v = options["host"] {
            guard let s = v.stringValue else {
                throw LuaScriptError("new: host: expected an address, got \(v.typeName)")
            }
            settings.host = s
        }
        if let v = options["accept_any"] {
            guard let b = v.boolValue else {
                throw LuaScriptError("new: accept_any: expected a boolean, got \(v.typeName)")
            }
            settings.allowedCallingAETitles = b ? nil : document.knownAETitles
        }
        if let v = options["duplicate_policy"] {
            guard let s = v.stringValue, let policy = DuplicatePolicy(rawValue: s.lowercased()) else {
                throw LuaScriptError("new: duplicate_policy: expected 'overwrite' or 'keep', got \(v)")
            }
            settings.duplicatePolicy = policy
        }
        if let v = options["tls"] {
            // docs/lua-api.md "DICOM TLS": a table of settings, or false for plain TCP on a TLS AE.
            switch v {
            case .table(let table):
                let tls = try TLSSettingsTable.settings(from: table, method: "new")
                do {
                    try TLSSettingsValidation.check(tls, requireCertificate: true)
                } catch {
                    throw LuaScriptError("new: tls: \(error)")
                }
                settings.tls = tls
            case .boolean(false): settings.tls = nil
            case .nil, .boolean, .integer, .number, .string, .function, .reference:
                throw LuaScriptError("new: tls: expected a table of TLS settings or false, got \(v.typeName)")
            }
        }
        return settings
    }

    /// Runs a blocking SCP operation, turning failures into script errors naming the method.
    private static func scriptCall(_ method: String, _ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as LuaScriptError {
            throw error
        } catch let error as ScriptWaitInterrupted {
            throw error
        } catch {
            throw LuaScriptError("\(method): \(error)")
        }
    }
}
