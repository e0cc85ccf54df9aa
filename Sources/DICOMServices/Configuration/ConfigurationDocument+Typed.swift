import Foundation

/// What the storage SCP does when a received instance's file already exists.
public enum DuplicatePolicy: String, Sendable {
    /// Replace the earlier file (IDL's behaviour, reference §4.3).
    case overwrite
    /// Keep the earlier file and discard the new one (still answered with success).
    case keep
}

/// Typed accessors for Swift callers. The stored text is always valid (it was checked on the way in), so
/// these never fail; the fallbacks after `??` are unreachable and only keep the accessors total.
extension ConfigurationDocument {
    /// The AE named by `QRScuServiceAE`: the calling AE for queries and retrieves.
    public var queryRetrieveSCU: ApplicationEntity { serviceEntity(.queryRetrieveSCUServiceAE) }
    /// The AE named by `StorScpServiceAE`: the storage SCP's title and port.
    public var storageSCP: ApplicationEntity { serviceEntity(.storageSCPServiceAE) }
    /// The AE named by `StorScuServiceAE`: the calling AE for sending.
    public var storageSCU: ApplicationEntity { serviceEntity(.storageSCUServiceAE) }
    /// The AE named by `EchoScuServiceAE`: the calling AE for `echo`.
    public var echoSCU: ApplicationEntity { serviceEntity(.echoSCUServiceAE) }

    public var maxQueryResponses: Int { int(.maxQueryResponses) }
    public var storageDirectory: URL { URL(fileURLWithPath: value(of: .storageSCPDirectory), isDirectory: true) }
    /// `AcceptAny` = `Yes`: any calling AE title may associate; `No`: only those of the system configuration.
    public var acceptAny: Bool { value(of: .acceptAny) == "Yes" }
    public var fileExtension: String { value(of: .fileExtension) }
    public var storageSCPControlPort: Int { int(.storageSCPControlPort) }
    /// Seconds to establish the TCP connection.
    public var connectTimeout: Double { Double(value(of: .connectTimeout)) ?? 10 }
    /// Seconds to wait for an A-ASSOCIATE response or A-RELEASE response (the ARTIM timer, PS3.8 §9.1.5).
    public var acseTimeout: Double { Double(value(of: .acseTimeout)) ?? 30 }
    /// Seconds to wait for a DIMSE message; nil when `DimseTimeout` is 0 (no limit).
    public var dimseTimeout: Double? {
        let seconds = Double(value(of: .dimseTimeout)) ?? 60
        return seconds == 0 ? nil : seconds
    }
    /// Seconds an association of the storage SCP may stay silent between messages; nil when
    /// `IdleTimeout` is 0 (no limit).
    public var idleTimeout: Double? {
        let seconds = Double(value(of: .idleTimeout)) ?? 600
        return seconds == 0 ? nil : seconds
    }
    /// The Maximum Length we announce in our A-ASSOCIATE (PS3.8 §D.1), bytes.
    public var maxPDULength: Int { int(.maxPDULength) }
    public var duplicatePolicy: DuplicatePolicy { DuplicatePolicy(rawValue: value(of: .duplicatePolicy)) ?? .overwrite }
    /// The Lua hooks file of the storage SCP service, or nil when `HooksFile` is empty.
    public var hooksFile: URL? {
        let path = value(of: .hooksFile)
        return path.isEmpty ? nil : URL(fileURLWithPath: path)
    }
    public var maxAssociations: Int { int(.maxAssociations) }
    /// Connections of the storage SCP that have not yet sent their A-ASSOCIATE-RQ, held at once (they do
    /// not take a `MaxAssociations` slot); at the limit the oldest is closed.
    public var maxPendingConnections: Int { int(.maxPendingConnections) }
    /// `CalledAECheck` = `Yes`: reject an association whose called AE title is not ours (A-ASSOCIATE-RJ
    /// result 1, source 1, reason 7: called AE title not recognized, PS3.8 §9.3.4).
    public var calledAECheck: Bool { value(of: .calledAECheck) == "Yes" }
    /// `AssociationHookTimeout`: seconds an association waits for `on_association` before it is refused.
    public var associationHookTimeout: Double { Double(value(of: .associationHookTimeout)) ?? 30 }
    /// `HookQueueLimit`: `on_stored` calls that may wait; beyond, the SCP stops reading from its peers.
    public var hookQueueLimit: Int { max(1, Int(value(of: .hookQueueLimit)) ?? 1000) }
    /// `HookDrainTimeout`: seconds the queued hooks may run once the SCP is stopping.
    public var hookDrainTimeout: Double { Double(value(of: .hookDrainTimeout)) ?? 30 }
    /// `HookTimeLimit`: seconds one hook or callback may run in Lua; nil when 0 (no limit).
    public var hookTimeLimit: Double? {
        let seconds = Double(value(of: .hookTimeLimit)) ?? 30
        return seconds == 0 ? nil : seconds
    }
    /// `LuaMemoryLimit`: MiB a Lua state may hold; nil when 0 (no limit).
    public var luaMemoryLimit: Int? {
        let mebibytes = Int(value(of: .luaMemoryLimit)) ?? 0
        return mebibytes == 0 ? nil : mebibytes
    }
    /// The Specific Character Set (0008,0005) C-FIND keys are sent in; nil when `QueryCharacterSet` is empty
    /// (the smallest standard set that holds them).
    public var queryCharacterSet: String? {
        let text = value(of: .queryCharacterSet)
        return text.isEmpty ? nil : text
    }
    /// Where the storage SCP service writes `storscp1.log` and `storscp2.log`.
    public var logDirectory: URL { URL(fileURLWithPath: value(of: .logDirectory), isDirectory: true) }

    /// All AEs, or those of one service type, in file order.
    public func applicationEntities(ofType type: ServiceType?) -> [ApplicationEntity] {
        guard let type else { return applicationEntities }
        return applicationEntities.filter { $0.serviceType == type }
    }

    /// The AE titles defined in this configuration (for `AcceptAny` = `No`).
    public var knownAETitles: Set<String> { Set(applicationEntities.map(\.aeTitle)) }

    private func int(_ key: ConfigurationKey) -> Int {
        Int(value(of: key)) ?? 0
    }

    private func serviceEntity(_ key: ConfigurationKey) -> ApplicationEntity {
        applicationEntity(named: value(of: key))
            ?? ConfigurationDefaults.applicationEntities.first { $0.serviceType == key.requiredServiceType }!
    }
}
