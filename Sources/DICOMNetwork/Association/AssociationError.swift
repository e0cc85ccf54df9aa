/// Why an association could not be established or ended abnormally.
public enum AssociationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// TCP connection refused by host:port.
    case connectionRefused(host: String, port: Int)
    /// TCP connection not established within the connect time-out.
    case connectionTimedOut(host: String, port: Int)
    /// Other transport failure while connecting.
    case connectionFailed(String)
    /// The peer answered A-ASSOCIATE-RJ (PS3.8 §9.3.4).
    case rejected(AssociateRJ)
    /// The association was aborted. `byPeer` is true when an A-ABORT PDU arrived, false when we sent it
    /// (after a protocol error, or on `abort()`).
    case aborted(AbortPDU, byPeer: Bool, detail: String)
    /// The peer did not answer in time (ARTIM, PS3.8 §9.1.5) while we waited for A-ASSOCIATE-AC/RJ or
    /// A-RELEASE-RP, or did not send its A-ASSOCIATE-RQ in time.
    case timedOut(String)
    /// The transport connection closed without release or abort (A-P-ABORT, PS3.8 §7.4).
    case connectionClosed
    /// A protocol error detected locally; an A-ABORT was sent.
    case protocolError(String)
    /// The operation needs an established association (Sta6 or Sta8), which this is not (any more).
    case notEstablished
    /// Bad arguments from the caller (no contexts, unknown context ID, …).
    case invalidRequest(String)

    public var description: String {
        switch self {
        case let .connectionRefused(host, port): return "connection to \(host):\(port) refused"
        case let .connectionTimedOut(host, port): return "connection to \(host):\(port) timed out"
        case let .connectionFailed(text): return "connection failed: \(text)"
        case let .rejected(rj): return "association rejected: \(rj)"
        case let .aborted(abort, byPeer, detail):
            return
                "association aborted \(byPeer ? "by the peer" : "locally"): \(abort)\(detail.isEmpty ? "" : " — \(detail)")"
        case let .timedOut(text): return "timed out: \(text)"
        case .connectionClosed: return "the connection closed without association release or abort"
        case let .protocolError(text): return "protocol error: \(text)"
        case .notEstablished: return "the association is not established (released, aborted, or not yet accepted)"
        case let .invalidRequest(text): return "invalid request: \(text)"
        }
    }
}
