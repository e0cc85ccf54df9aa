import DICOMServices
import Foundation
import LuaBridge

/// The `cfg` table (docs/lua-api.md `cfg`): `cfg.new()` binds the user configuration, `cfg.new{system = true}`
/// the system one. Creating the object reads the file (or creates it, see `Configuration.init`); a file
/// that cannot be parsed raises `new: ...`.
public enum CfgModule {
    /// Installs `cfg` in `state` (again: replaces it). `environment` is where the configuration files are looked up
    /// (`DICOMLUA_CONFIG`, `DICOMLUA_SYSTEM_CONFIG`, `XDG_*`, `HOME`), read at each `cfg.new`; nil means the
    /// process environment. Tests pass their own so they never touch the real user's files.
    public static func install(in state: LuaState, runLoop: ScriptRunLoop, environment: [String: String]? = nil) throws
    {
        try state.register(CfgObject.type)
        try state.setModule(
            "cfg",
            functions: [
                "new": { arguments in
                    let options = try LuaNames.keywords(
                        try arguments.optionalTable(0, "new"), method: "new", allowed: ["system"])
                    let locations = ConfigurationLocations.fromEnvironment(
                        environment ?? ProcessInfo.processInfo.environment)
                    let scope: ConfigurationScope = options["system"]?.isTruthy == true ? .system : .user
                    let configuration = try Configuration(scope: scope, locations: locations)
                    return [try arguments.makeUserdata(CfgObject(configuration, runLoop: runLoop), of: CfgObject.type)]
                }
            ])
    }
}
