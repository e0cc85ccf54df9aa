/// A failure of the transport below the Upper Layer (e.g. a TLS handshake), with its reason in words. A
/// handler in front of the association handler fires it with `fireErrorCaught`; the association handler
/// ends the association with it (`.connectionFailed(reason)` or, when `timedOut`, `.timedOut(reason)`)
/// instead of a bare "connection closed", then closes the connection (PS3.8 §7.4, A-P-ABORT).
public struct TransportFailure: Error, Equatable, Sendable, CustomStringConvertible {
    public let reason: String
    public let timedOut: Bool

    public init(_ reason: String, timedOut: Bool = false) {
        self.reason = reason
        self.timedOut = timedOut
    }

    public var description: String { reason }

    var associationError: AssociationError { timedOut ? .timedOut(reason) : .connectionFailed(reason) }
}
