import Foundation
import LuaBridge

/// What a script finds in its state before it runs (LUA_API.md): for now the `dicom` table with
/// `dicom.version` and `dicom.sleep(seconds)`. The bindings of `cfg`, `query`, `storage_scp` and
/// `storage_scu` are installed here as they are written.
public enum ScriptEnvironment {
    /// Longest `dicom.sleep` accepted, in seconds (a day): a larger value is a script bug.
    public static let maximumSleep: Double = 86_400

    /// Installs the globals of LUA_API.md in `state`. Blocking calls wait on `runLoop`, so jobs posted by
    /// other threads (hooks of an in-process SCP) run meanwhile on the script's thread.
    public static func install(in state: LuaState, runLoop: ScriptRunLoop) throws {
        try state.setModule(
            "dicom",
            functions: [
                "sleep": { arguments in
                    guard let seconds = arguments[0].doubleValue, seconds.isFinite, seconds >= 0,
                        seconds <= maximumSleep
                    else {
                        throw LuaScriptError(
                            "sleep: expected a number of seconds from 0 to \(Int(maximumSleep)), got \(arguments[0].typeName) \(arguments[0])")
                    }
                    runLoop.run(until: { false }, timeout: seconds)
                    return []
                }
            ],
            values: ["version": .string(LuaString(DICOMLuaVersion.string))])
        try installStorageSCP(in: state, runLoop: runLoop)
    }
}
