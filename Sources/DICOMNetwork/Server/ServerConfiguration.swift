import NIOCore

/// What a peer asks for, as seen by the server's admission callback.
public struct AssociationRequestInfo: Sendable {
    public var callingAETitle: String
    public var calledAETitle: String
    public var peerAddress: SocketAddress?
}

/// Configuration of a `DICOMServer`. Defaults are documented per field.
public struct ServerConfiguration: Sendable {
    /// Presentation contexts, AE titles and roles we accept (see `AcceptancePolicy`). Its
    /// `maximumPDULength` is overridden by `association.maximumPDULength`.
    public var policy: AcceptancePolicy
    /// Limits and time-outs of each association (ARTIM bounds how long a silent peer may hold a socket).
    public var association: AssociationConfiguration
    /// Associations (open connections) handled at once; the next A-ASSOCIATE-RQ is rejected 2/3/2
    /// (rejected-transient, local-limit-exceeded, PS3.8 §9.3.4). Default 16.
    public var maximumAssociations: Int
    /// Connections that have not yet delivered a complete A-ASSOCIATE-RQ (a silent socket, a slow or hostile
    /// peer, a TLS handshake in progress) held at once. They take no `maximumAssociations` slot; when one
    /// more arrives at the limit, the oldest pending connection is closed to make room, so that no number of
    /// idle sockets keeps a real peer out. Default 256.
    public var maximumPendingConnections: Int = 256
    /// How long a connection may stay pending (no complete A-ASSOCIATE-RQ) before it is closed. nil (the
    /// default): `association.artimTimeout`, the ARTIM timer that PS3.8 §9.1.5 runs while the acceptor waits
    /// for the A-ASSOCIATE-RQ (Sta2); a TLS handshake counts against the same time.
    public var pendingConnectionTimeout: TimeAmount?
    /// Optional extra check before the policy's checks (calling/called AE title, peer address): return an
    /// A-ASSOCIATE-RJ to refuse, e.g. `.callingAETitleNotRecognized`. Runs on the event loop: keep it quick.
    public var admission: (@Sendable (AssociationRequestInfo) -> AssociateRJ?)?
    /// Optional asynchronous check after every other one accepted, before the A-ASSOCIATE-AC is sent (an
    /// access hook that may take time): return an A-ASSOCIATE-RJ to refuse. The acceptor waits for it
    /// (ARTIM is not running then; bound the wait yourself).
    public var decideBeforeAccept: (@Sendable (AssociationRequestInfo) async -> AssociateRJ?)? = nil

    public init(
        policy: AcceptancePolicy, association: AssociationConfiguration = AssociationConfiguration(),
        maximumAssociations: Int = 16, maximumPendingConnections: Int = 256,
        admission: (@Sendable (AssociationRequestInfo) -> AssociateRJ?)? = nil
    ) {
        precondition(maximumAssociations > 0, "maximumAssociations must be positive")
        precondition(maximumPendingConnections > 0, "maximumPendingConnections must be positive")
        self.maximumPendingConnections = maximumPendingConnections
        self.policy = policy
        self.association = association
        self.maximumAssociations = maximumAssociations
        self.admission = admission
    }
}
