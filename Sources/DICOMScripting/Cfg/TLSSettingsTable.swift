import DICOMServices
import LuaBridge

/// DICOM TLS settings to and from the Lua table of docs/lua-api.md "DICOM TLS" (`set_tls`, `get_tls`,
/// `storage_scp.new{tls = ...}`): `certificate`, `private_key`, `ca`, `profile`, `verify_peer`,
/// `verify_hostname`. Only converts; the checks are `TLSSettingsValidation`'s.
enum TLSSettingsTable {
    static let keywords: Set<String> = [
        "certificate", "private_key", "ca", "profile", "verify_peer", "verify_hostname",
    ]

    static func settings(from table: LuaTable, method: String) throws -> TLSSettings {
        let options = try LuaNames.keywords(table, method: method, allowed: keywords)
        func path(_ name: String) throws -> String? {
            guard let value = options[name], !value.isNil else { return nil }
            guard let text = value.stringValue, !text.isEmpty else {
                throw LuaScriptError("\(method): tls.\(name) must be a file name, got \(value.typeName)")
            }
            return text
        }
        func flag(_ name: String) throws -> Bool? {
            guard let value = options[name], !value.isNil else { return nil }
            guard let flag = value.boolValue else {
                throw LuaScriptError("\(method): tls.\(name) must be a boolean, got \(value.typeName)")
            }
            return flag
        }
        var profile = TLSProfile.bcp195NonDowngrading
        if let value = options["profile"], !value.isNil {
            guard let name = value.stringValue else {
                throw LuaScriptError("\(method): tls.profile must be a string, got \(value.typeName)")
            }
            do {
                profile = try TLSSettingsValidation.profile(named: name)
            } catch {
                throw LuaScriptError("\(method): tls.\(error)")
            }
        }
        return TLSSettings(
            certificate: try path("certificate"), privateKey: try path("private_key"), ca: try path("ca"),
            profile: profile, verifyPeer: try flag("verify_peer"), verifyHostname: try flag("verify_hostname") ?? false)
    }

    static func table(_ settings: TLSSettings) -> LuaValue {
        var fields: [LuaKey: LuaValue] = [:]
        func put(_ name: String, _ value: LuaValue) { fields[.string(LuaString(name))] = value }
        if let certificate = settings.certificate { put("certificate", LuaValue(certificate)) }
        if let key = settings.privateKey { put("private_key", LuaValue(key)) }
        if let ca = settings.ca { put("ca", LuaValue(ca)) }
        put("profile", LuaValue(settings.profile.rawValue))
        put("verify_peer", .boolean(settings.verifyPeer))
        put("verify_hostname", .boolean(settings.verifyHostname))
        return .table(LuaTable(array: [], fields: fields))
    }
}
