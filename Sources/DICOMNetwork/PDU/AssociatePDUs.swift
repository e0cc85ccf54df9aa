/// A-ASSOCIATE-RQ PDU (PS3.8 §9.3.2, Table 9-11): AE titles, application context, proposed presentation
/// contexts and user information.
public struct AssociateRQ: Equatable, Sendable {
    /// Protocol version; bit 0 set means version 1 (PS3.8 §9.3.2).
    public var protocolVersion: UInt16
    /// Called AE title (trimmed of padding spaces/NULs), 1–16 characters.
    public var calledAETitle: String
    /// Calling AE title (trimmed of padding spaces/NULs), 1–16 characters.
    public var callingAETitle: String
    /// Application context name (item 0x10).
    public var applicationContextName: String
    /// Proposed presentation contexts (items 0x20).
    public var presentationContexts: [PresentationContextProposal]
    /// User information (item 0x50).
    public var userInformation: UserInformation

    public init(
        protocolVersion: UInt16 = UpperLayerConstants.protocolVersion, calledAETitle: String,
        callingAETitle: String,
        applicationContextName: String = UpperLayerConstants.applicationContextName,
        presentationContexts: [PresentationContextProposal], userInformation: UserInformation
    ) {
        self.protocolVersion = protocolVersion
        self.calledAETitle = calledAETitle
        self.callingAETitle = callingAETitle
        self.applicationContextName = applicationContextName
        self.presentationContexts = presentationContexts
        self.userInformation = userInformation
    }
}

/// A-ASSOCIATE-AC PDU (PS3.8 §9.3.3): same fixed part as the RQ (AE fields echoed, not tested on receipt),
/// one presentation context result per proposed context, and user information.
public struct AssociateAC: Equatable, Sendable {
    public var protocolVersion: UInt16
    /// Echo of the RQ's called AE title ("shall not be tested", PS3.8 §9.3.3).
    public var calledAETitle: String
    /// Echo of the RQ's calling AE title ("shall not be tested", PS3.8 §9.3.3).
    public var callingAETitle: String
    public var applicationContextName: String
    /// Results (items 0x21), one per proposed context.
    public var presentationContexts: [PresentationContextResult]
    public var userInformation: UserInformation

    public init(
        protocolVersion: UInt16 = UpperLayerConstants.protocolVersion, calledAETitle: String,
        callingAETitle: String,
        applicationContextName: String = UpperLayerConstants.applicationContextName,
        presentationContexts: [PresentationContextResult], userInformation: UserInformation
    ) {
        self.protocolVersion = protocolVersion
        self.calledAETitle = calledAETitle
        self.callingAETitle = callingAETitle
        self.applicationContextName = applicationContextName
        self.presentationContexts = presentationContexts
        self.userInformation = userInformation
    }
}
