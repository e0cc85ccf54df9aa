import Foundation

/// Which file a configuration is bound to (docs/idl-reference.md §1.2): the user's own, or the system one that
/// the storage SCP service reads.
public enum ConfigurationScope: String, Sendable {
    case user
    case system
}

/// Where the configuration files and the default directories are, resolved from the environment
/// (docs/lua-api.md "Files"):
/// - user file: `$DICOMLUA_CONFIG`, else `$XDG_CONFIG_HOME/dicomlua/config.json`, else
///   `~/.config/dicomlua/config.json`;
/// - system file: `$DICOMLUA_SYSTEM_CONFIG`, else `/etc/dicomlua/config.json`;
/// - user data (the default user `StorScpDir` is `<userData>/received`): `$XDG_DATA_HOME/dicomlua`, else
///   `~/.local/share/dicomlua`;
/// - system `StorScpDir` default: `/var/lib/dicomlua/received`.
/// Empty or relative `XDG_*` values are ignored, as the XDG Base Directory specification requires.
public struct ConfigurationLocations: Equatable, Sendable {
    public var userFile: URL
    public var systemFile: URL
    /// The home directory: expands a leading `~` in path values.
    public var homeDirectory: String
    /// Default `StorScpDir` of a user configuration.
    public var userReceivedDirectory: String
    /// Default `StorScpDir` of the system configuration.
    public var systemReceivedDirectory: String

    public init(
        userFile: URL, systemFile: URL, homeDirectory: String,
        userReceivedDirectory: String, systemReceivedDirectory: String = "/var/lib/dicomlua/received"
    ) {
        self.userFile = userFile
        self.systemFile = systemFile
        self.homeDirectory = homeDirectory
        self.userReceivedDirectory = userReceivedDirectory
        self.systemReceivedDirectory = systemReceivedDirectory
    }

    /// Resolves the locations from `environment` (by default the process's).
    public static func fromEnvironment(
        _ environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> ConfigurationLocations {
        let home = nonEmpty(environment["HOME"]) ?? NSHomeDirectory()
        func absolute(_ name: String) -> String? {
            guard let value = nonEmpty(environment[name]), value.hasPrefix("/") else { return nil }
            return value
        }
        let userFile =
            nonEmpty(environment["DICOMLUA_CONFIG"])
            ?? ((absolute("XDG_CONFIG_HOME") ?? home + "/.config") + "/dicomlua/config.json")
        let systemFile = nonEmpty(environment["DICOMLUA_SYSTEM_CONFIG"]) ?? "/etc/dicomlua/config.json"
        let dataHome = (absolute("XDG_DATA_HOME") ?? home + "/.local/share") + "/dicomlua"
        return ConfigurationLocations(
            userFile: URL(fileURLWithPath: userFile), systemFile: URL(fileURLWithPath: systemFile),
            homeDirectory: home, userReceivedDirectory: dataHome + "/received")
    }

    /// The file of `scope`.
    public func file(for scope: ConfigurationScope) -> URL {
        switch scope {
        case .user: return userFile
        case .system: return systemFile
        }
    }

    private static func nonEmpty(_ value: String?) -> String? {
        guard let value, !value.isEmpty else { return nil }
        return value
    }
}
