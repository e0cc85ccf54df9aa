/// An association of the storage SCP, as events and hooks (`a` records of docs/lua-api.md) describe it.
public struct StorageAssociationInfo: Sendable, Equatable {
    /// Increasing number, unique within one SCP.
    public var id: Int
    public var callingAETitle: String
    public var calledAETitle: String
    /// Peer address as `host:port` (or `?`).
    public var peer: String

    public init(id: Int, callingAETitle: String, calledAETitle: String, peer: String) {
        self.id = id
        self.callingAETitle = callingAETitle
        self.calledAETitle = calledAETitle
        self.peer = peer
    }
}

/// What a storage SCP reports to its owner (the log, hooks, observers), in order per association.
public enum StorageSCPEvent: Sendable, Equatable {
    /// Listening on `port`.
    case started(aeTitle: String, port: Int, directory: String)
    /// An association was accepted (and, when a gate is set, let through).
    case associationAccepted(StorageAssociationInfo)
    /// The gate (a Lua `on_association` hook returning false, raising or not answering in time) refused
    /// it before the A-ASSOCIATE-AC: it was rejected (A-ASSOCIATE-RJ) and stored nothing.
    case associationRefused(StorageAssociationInfo)
    /// An instance was written and answered with success.
    case instanceStored(StoredInstance, association: StorageAssociationInfo)
    /// A C-STORE was answered with a failure status.
    case storeFailed(sopInstanceUID: String, status: UInt16, message: String, association: StorageAssociationInfo)
    /// The association ended (released, or aborted when `failure` is set) with what it stored.
    case associationEnded(StorageAssociationInfo, files: [StoredInstance], failure: String?)
    /// Something went wrong outside a C-STORE (a listener error, a hook error reported by the owner...).
    case error(String)
    /// The SCP stopped listening and every association finished.
    case stopped
}
