import Foundation
import LuaBridge

/// What a script finds in its state before it runs (docs/lua-api.md): the globals `dicom`, `cfg`, `query`,
/// `campaign`, `storage_scu` and `storage_scp`.
public enum ScriptEnvironment {
    /// Longest `dicom.sleep` accepted, in seconds (a day): a larger value is a script bug.
    public static let maximumSleep: Double = 86_400

    /// Installs the globals of docs/lua-api.md in `state`. Blocking calls wait on `runLoop`, so jobs posted by
    /// other threads (hooks of an in-process SCP) run meanwhile on the script's thread.
    public static func install(in state: LuaState, runLoop: ScriptRunLoop) throws {
        try DicomModule.install(in: state, runLoop: runLoop)
        try CfgModule.install(in: state, runLoop: runLoop)
        try QueryBinding.install(in: state, runLoop: runLoop)
        try StorageSCUBinding.install(in: state, runLoop: runLoop)
        try installStorageSCP(in: state, runLoop: runLoop)
        try CampaignBinding.install(in: state, runLoop: runLoop)
    }
}
