/// A-ASSOCIATE-RQ PDU (PS3.8 §9.3.2, Table 9-11): AE titles, application context, proposed presentation
/// contexts (items 0x20) and user information.
public typealias AssociateRQ = AssociatePDU<PresentationContextProposal>

/// A-ASSOCIATE-AC PDU (PS3.8 §9.3.3): same fixed part as the RQ (AE fields echoed, "shall not be tested" on
/// receipt), one presentation context result (item 0x21) per proposed context, and user information.
public typealias AssociateAC = AssociatePDU<PresentationContextResult>

/// What the A-ASSOCIATE-RQ and -AC PDUs carry (PS3.8 §9.3.2, §9.3.3): they differ only in their presentation
/// context items, proposals in the RQ, results in the AC.
public struct AssociatePDU<PresentationContext: Equatable & Sendable>: Equatable, Sendable {
    /// Protocol version; bit 0 set means version 1 (PS3.8 §9.3.2).
    public var protocolVersion: UInt16
    /// Called AE title (trimmed of padding spaces/NULs), 1–16 characters; the AC echoes the RQ's.
    public var calledAETitle: String
    /// Calling AE title (trimmed of padding spaces/NULs), 1–16 characters; the AC echoes the RQ's.
    public var callingAETitle: String
    /// Application context name (item 0x10).
    public var applicationContextName: String
    /// Proposed presentation contexts (RQ, items 0x20) or their results (AC, items 0x21, one per proposal).
    public var presentationContexts: [PresentationContext]
    /// User information (item 0x50).
    public var userInformation: UserInformation

    public init(
        protocolVersion: UInt16 = UpperLayerConstants.protocolVersion, calledAETitle: String,
        callingAETitle: String,
        applicationContextName: String = UpperLayerConstants.applicationContextName,
        presentationContexts: [PresentationContext], userInformation: UserInformation
    ) {
        self.protocolVersion = protocolVersion
        self.calledAETitle = calledAETitle
        self.callingAETitle = callingAETitle
        self.applicationContextName = applicationContextName
        self.presentationContexts = presentationContexts
        self.userInformation = userInformation
    }
}
