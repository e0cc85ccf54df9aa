/// One presentation context accepted by both sides, with the roles it may be used in.
public struct AcceptedPresentationContext: Equatable, Sendable {
    public var id: UInt8
    public var abstractSyntax: String
    public var transferSyntax: String
    /// The requestor may act as SCU (send requests) on this context.
    public var requestorIsSCU: Bool
    /// The requestor may act as SCP (receive requests, e.g. C-STORE sub-operations of C-GET).
    public var requestorIsSCP: Bool

    public init(
        id: UInt8, abstractSyntax: String, transferSyntax: String, requestorIsSCU: Bool = true,
        requestorIsSCP: Bool = false
    ) {
        self.id = id
        self.abstractSyntax = abstractSyntax
        self.transferSyntax = transferSyntax
        self.requestorIsSCU = requestorIsSCU
        self.requestorIsSCP = requestorIsSCP
    }
}

/// The outcome of a successful A-ASSOCIATE negotiation (PS3.8 §7.1, PS3.7 Annex D), as seen from one side.
public struct NegotiatedAssociation: Equatable, Sendable {
    public var callingAETitle: String
    public var calledAETitle: String
    /// Accepted contexts by ID.
    public var acceptedContexts: [UInt8: AcceptedPresentationContext]
    /// Proposed contexts the acceptor did not accept, with the reason.
    public var rejectedContexts: [UInt8: PresentationContextResultCode]
    /// Largest P-DATA-TF PDU-length we may send: the peer's Maximum Length, or our own cap when the peer
    /// said 0 (= unlimited, PS3.8 D.1) or sent no Maximum Length item.
    public var maximumPDULengthToSend: Int
    /// Largest P-DATA-TF PDU-length we advertised to the peer.
    public var maximumPDULengthToReceive: Int
    public var peerImplementationClassUID: String?
    public var peerImplementationVersionName: String?

    public init(
        callingAETitle: String, calledAETitle: String, acceptedContexts: [UInt8: AcceptedPresentationContext],
        rejectedContexts: [UInt8: PresentationContextResultCode], maximumPDULengthToSend: Int,
        maximumPDULengthToReceive: Int, peerImplementationClassUID: String?,
        peerImplementationVersionName: String?
    ) {
        self.callingAETitle = callingAETitle
        self.calledAETitle = calledAETitle
        self.acceptedContexts = acceptedContexts
        self.rejectedContexts = rejectedContexts
        self.maximumPDULengthToSend = maximumPDULengthToSend
        self.maximumPDULengthToReceive = maximumPDULengthToReceive
        self.peerImplementationClassUID = peerImplementationClassUID
        self.peerImplementationVersionName = peerImplementationVersionName
    }

    /// The first accepted context for `abstractSyntax`, preferring `transferSyntax` when given.
    public func context(
        forAbstractSyntax abstractSyntax: String, transferSyntax: String? = nil
    )
        -> AcceptedPresentationContext?
    {
        let matching = acceptedContexts.values.filter { $0.abstractSyntax == abstractSyntax }.sorted { $0.id < $1.id }
        if let transferSyntax, let exact = matching.first(where: { $0.transferSyntax == transferSyntax }) {
            return exact
        }
        return transferSyntax == nil ? matching.first : nil
    }
}

/// Limits of the negotiation layer.
public enum NegotiationLimits {
    /// Our cap for the PDU-length we send when the peer advertises 0 (unlimited): 128 KiB, as DCMTK does
    /// (`ASC_MAXIMUMPDUSIZE`).
    public static let sendCapWhenPeerUnlimited = 131_072
    /// Smallest Maximum Length we honour from a peer: below this, fragments would be absurdly small; we treat
    /// smaller values as this (DCMTK's `ASC_MINIMUMPDUSIZE` is 4096).
    public static let minimumPeerPDULength = 1024
}
