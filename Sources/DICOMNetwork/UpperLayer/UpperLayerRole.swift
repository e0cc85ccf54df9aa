/// Which side of the association the local Upper Layer is on (PS3.8 §9.2.2, AR-8).
///
/// Only the release-collision action AR-8 depends on it (requestor → Sta9, acceptor → Sta10). The state
/// machine learns it from the first transition: Evt1 in Sta1 (local A-ASSOCIATE request) makes it the
/// requestor, Evt5 in Sta1 (incoming transport connection) the acceptor.
public enum UpperLayerRole: Sendable, Equatable {
    /// The association-requestor: opened the transport connection and sent the A-ASSOCIATE-RQ.
    case requestor
    /// The association-acceptor: accepted the transport connection and received the A-ASSOCIATE-RQ.
    case acceptor
}
