/// The built-in configuration: IDL's four default AEs (reference §1.7, kept under IDL's names so ported
/// scripts work) and the default value of every key.
public enum ConfigurationDefaults {
    public static let queryRetrieveSCUName = "IDL_AE_QUERY_SCU"
    public static let storageSCPName = "IDL_AE_STOR_SCP"
    public static let storageSCUName = "IDL_AE_STOR_SCU"
    public static let echoSCUName = "IDL_AE_ECHO_SCU"

    /// The four default AEs, which can be changed but not removed, nor given another service type.
    /// Host `localhost`; the storage SCP on port 2510, the SCUs on 9999 (IDL's convention for SCU entries).
    public static let applicationEntities: [ApplicationEntity] = [
        // The titles are constants that pass validation; `try!` cannot fail.
        try! ApplicationEntity(
            name: queryRetrieveSCUName, aeTitle: "DICOMLUA_QR_SCU", hostname: "localhost", port: 9999,
            serviceList: .querySCU, serviceType: .querySCU),
        try! ApplicationEntity(
            name: storageSCPName, aeTitle: "DICOMLUA_STORE", hostname: "localhost", port: 2510,
            serviceList: .storageSCP, serviceType: .storageSCP),
        try! ApplicationEntity(
            name: storageSCUName, aeTitle: "DICOMLUA_STORSCU", hostname: "localhost", port: 9999,
            serviceList: .storageSCU, serviceType: .storageSCU),
        try! ApplicationEntity(
            name: echoSCUName, aeTitle: "DICOMLUA_ECHO", hostname: "localhost", port: 9999,
            serviceList: .echoSCU, serviceType: .echoSCU),
    ]

    /// True for the names of the four default AEs.
    public static func isDefaultEntity(_ name: String) -> Bool {
        applicationEntities.contains { $0.name == name }
    }

    /// The default canonical text of every settable key for a file of `scope`.
    /// `LogDir` defaults to the folder of the configuration file itself (IDL keeps its logs beside its
    /// system configuration, reference §4.4).
    static func values(scope: ConfigurationScope, locations: ConfigurationLocations) -> [ConfigurationKey: String] {
        var values: [ConfigurationKey: String] = [:]
        for key in ConfigurationKey.settableKeys { values[key] = value(of: key, scope: scope, locations: locations) }
        return values
    }

    static func value(of key: ConfigurationKey, scope: ConfigurationScope, locations: ConfigurationLocations) -> String
    {
        switch key {
        case .queryRetrieveSCUServiceAE: return queryRetrieveSCUName
        case .storageSCPServiceAE: return storageSCPName
        case .storageSCUServiceAE: return storageSCUName
        case .echoSCUServiceAE: return echoSCUName
        case .maxQueryResponses: return "100"
        case .storageSCPDirectory:
            switch scope {
            case .user: return locations.userReceivedDirectory
            case .system: return locations.systemReceivedDirectory
            }
        case .acceptAny: return "Yes"
        case .fileExtension: return "dcm"
        case .storageSCPControlPort: return "2511"
        case .configFile: return locations.file(for: scope).path
        case .connectTimeout: return "10"
        case .acseTimeout: return "30"
        case .dimseTimeout: return "60"
        case .idleTimeout: return "600"
        case .maxPDULength: return "116794"
        case .duplicatePolicy: return "overwrite"
        case .hooksFile: return ""
        case .maxAssociations: return "16"
        case .maxPendingConnections: return "256"
        case .calledAECheck: return "Yes"
        case .logDirectory: return locations.file(for: scope).deletingLastPathComponent().path
        case .associationHookTimeout: return "30"
        case .hookQueueLimit: return "1000"
        case .hookDrainTimeout: return "30"
        case .hookTimeLimit: return "30"
        case .luaMemoryLimit: return "0"
        case .queryCharacterSet: return ""
        }
    }
}
