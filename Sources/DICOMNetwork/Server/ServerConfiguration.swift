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
    /// Optional extra check before the policy's checks (calling/called AE title, peer address): return an
    /// A-ASSOCIATE-RJ to refuse, e.g. `.callingAETitleNotRecognized`. Runs on the event loop: keep it quick.
    public var admission: (@Sendable (AssociationRequestInfo) -> AssociateRJ?)?
    /// Optional asynchronous check after every other one accepted, before the A-ASSOCIATE-AC is sent (an
    /// access hook that may take time): return an A-ASSOCIATE-RJ to refuse. The acceptor waits for it
    /// (ARTIM is not running then; bound the wait yourself).
    public var decideBeforeAccept: (@Sendable (AssociationRequestInfo) async -> AssociateRJ?)? = nil

    public init(
        policy: AcceptancePolicy, association: AssociationConfiguration = AssociationConfiguration(),
        maximumAssociations: Int = 16, admission: (@Sendable (AssociationRequestInfo) -> AssociateRJ?)? = nil
    ) {
        precondition(maximumAssociations > 0, "maximumAssociations must be positive")
        self.policy = policy
        self.association = association
        self.maximumAssociations = maximumAssociations
        self.admission = admission
    }
}
