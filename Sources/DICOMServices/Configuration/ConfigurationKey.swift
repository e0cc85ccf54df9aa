/// The keys of `get_value`/`set_value`: IDL's nine (reference §1.4), IDL's undocumented read-only
/// `configfile`, and this project's additions. Looked up case-insensitively; `rawValue` is the canonical
/// spelling used in the file. Declaration order is the order of the `values` object in the file.
public enum ConfigurationKey: String, CaseIterable, Sendable {
    // IDL keys (reference §1.4).
    case queryRetrieveSCUServiceAE = "QRScuServiceAE"
    case storageSCPServiceAE = "StorScpServiceAE"
    case storageSCUServiceAE = "StorScuServiceAE"
    case echoSCUServiceAE = "EchoScuServiceAE"
    case maxQueryResponses = "MaxQueryResponses"
    case storageSCPDirectory = "StorScpDir"
    case acceptAny = "AcceptAny"
    case fileExtension = "FileExtension"
    case storageSCPControlPort = "StorScpCtrlPort"
    /// Read-only: the path of the bound file (IDL `dicomex_getconfigfilepath.pro`). Never stored.
    case configFile = "configfile"
    // This project's keys.
    case connectTimeout = "ConnectTimeout"
    case acseTimeout = "AcseTimeout"
    case dimseTimeout = "DimseTimeout"
    case idleTimeout = "IdleTimeout"
    case maxPDULength = "MaxPduLength"
    case duplicatePolicy = "DuplicatePolicy"
    case hooksFile = "HooksFile"
    case maxAssociations = "MaxAssociations"
    case maxPendingConnections = "MaxPendingConnections"
    case calledAECheck = "CalledAECheck"
    case logDirectory = "LogDir"
    // Hooks under load (docs/lua-api.md "Hooks under load").
    case associationHookTimeout = "AssociationHookTimeout"
    case hookQueueLimit = "HookQueueLimit"
    case hookDrainTimeout = "HookDrainTimeout"
    case hookTimeLimit = "HookTimeLimit"
    case luaMemoryLimit = "LuaMemoryLimit"
    /// The Specific Character Set C-FIND keys are sent in; empty: the smallest standard set that holds them.
    case queryCharacterSet = "QueryCharacterSet"

    /// Looks a key up ignoring case (`storscpdir` finds `StorScpDir`).
    public init?(named name: String) {
        let lowered = name.lowercased()
        guard let match = Self.allCases.first(where: { $0.rawValue.lowercased() == lowered }) else { return nil }
        self = match
    }

    /// The keys a script may set, in file order (all but `configfile`).
    public static var settableKeys: [ConfigurationKey] { allCases.filter { $0 != .configFile } }

    /// For the four keys that name an AE: the service type that AE must have (reference §1.6: the GUI
    /// offers only AEs of that type for each key).
    public var requiredServiceType: ServiceType? {
        switch self {
        case .queryRetrieveSCUServiceAE: return .querySCU
        case .storageSCPServiceAE: return .storageSCP
        case .storageSCUServiceAE: return .storageSCU
        case .echoSCUServiceAE: return .echoSCU
        case .maxQueryResponses, .storageSCPDirectory, .acceptAny, .fileExtension, .storageSCPControlPort,
            .configFile, .connectTimeout, .acseTimeout, .dimseTimeout, .idleTimeout, .maxPDULength, .duplicatePolicy,
            .hooksFile, .maxAssociations, .maxPendingConnections, .calledAECheck, .logDirectory,
            .associationHookTimeout, .hookQueueLimit,
            .hookDrainTimeout, .hookTimeLimit, .luaMemoryLimit, .queryCharacterSet:
            return nil
        }
    }

    /// True for keys whose value is a path on this machine: they are not copied when a user file is
    /// seeded from the system file (the system's directories are the service's, not the user's).
    var isMachinePath: Bool {
        switch self {
        case .storageSCPDirectory, .hooksFile, .logDirectory, .configFile: return true
        case .queryRetrieveSCUServiceAE, .storageSCPServiceAE, .storageSCUServiceAE, .echoSCUServiceAE,
            .maxQueryResponses, .acceptAny, .fileExtension, .storageSCPControlPort, .connectTimeout,
            .acseTimeout, .dimseTimeout, .idleTimeout, .maxPDULength, .duplicatePolicy, .maxAssociations,
            .maxPendingConnections, .calledAECheck, .associationHookTimeout, .hookQueueLimit, .hookDrainTimeout,
            .hookTimeLimit,
            .luaMemoryLimit, .queryCharacterSet:
            return false
        }
    }
}
