import Foundation

/// `IDLffDicomExCfg::StorageScpService` and `storage_scp.start/stop/status` (LUA_API.md): controls the storage
/// SCP service, a detached `dicomlua storescp` process configured from the system configuration, and answers
/// with IDL's UNIX strings verbatim (idl-dicomex-api.md §4.2).
///
/// Interface agreed between the scripting and storage SCP work; the `scp` work fills in the body.
public enum StorageServiceControl {
    /// `command` is `start`, `stop` or `status` in any case; anything else throws (misuse).
    /// `systemConfigurationPath` is the system configuration file the service reads.
    public static func perform(_ command: String, systemConfigurationPath: String) throws -> String {
        switch command.lowercased() {
        case "start": return "start failed"
        case "stop": return "service not running"
        case "status": return "service not running"
        default: throw ConfigurationError("storage_scp_service", "expected 'start', 'stop' or 'status', got '\(command)'")
        }
    }
}
