/// What an acceptor (SCP) agrees to (PS3.8 §7.1.1, PS3.7 Annex D): AE titles, abstract syntaxes with the
/// transfer syntaxes it accepts for each (in ITS preference order: the first one the requestor also proposed
/// wins — pynetdicom #445), and the abstract syntaxes for which the requestor may take the SCP role.
public struct AcceptancePolicy: Sendable {
    /// Our AE title; when non-nil, an RQ with another called AE title is rejected 1/1/7.
    public var calledAETitle: String?
    /// When non-nil, only these calling AE titles are accepted; others are rejected 1/1/3.
    public var allowedCallingAETitles: Set<String>?
    /// Abstract syntax UID → accepted transfer syntax UIDs by our preference.
    public var supportedAbstractSyntaxes: [String: [String]]
    /// Abstract syntaxes for which a requestor asking for the SCP role gets it (storage classes when the
    /// requestor is a C-GET SCU, PS3.4 C.4.3 / PS3.7 D.3.3.4).
    public var requestorSCPRoleAbstractSyntaxes: Set<String>
    /// The Maximum Length we advertise (PS3.8 D.1); never 0.
    public var maximumPDULength: Int

    public init(
        calledAETitle: String? = nil, allowedCallingAETitles: Set<String>? = nil,
        supportedAbstractSyntaxes: [String: [String]],
        requestorSCPRoleAbstractSyntaxes: Set<String> = [], maximumPDULength: Int = 131_072
    ) {
        precondition(maximumPDULength > 0, "maximumPDULength must be positive")
        self.calledAETitle = calledAETitle
        self.allowedCallingAETitles = allowedCallingAETitles
        self.supportedAbstractSyntaxes = supportedAbstractSyntaxes
        self.requestorSCPRoleAbstractSyntaxes = requestorSCPRoleAbstractSyntaxes
        self.maximumPDULength = maximumPDULength
    }

    /// Verification SOP Class (PS3.4 Annex A).
    public static let verificationSOPClassUID = "1.2.840.10008.1.1"
}

/// The acceptor's answer to an A-ASSOCIATE-RQ.
public enum AcceptorDecision: Equatable, Sendable {
    case accept(AssociateAC, NegotiatedAssociation)
    case reject(AssociateRJ)
}

/// Acceptor side of A-ASSOCIATE: decides AC or RJ for a request under a policy. Pure.
public enum AssociationAcceptor {
    /// Decision rules, in order: protocol version 1 (bit 0, else 1/2/2); application context must be DICOM's (else 1/1/2); called AE title (1/1/7);
    /// calling AE title whitelist (1/1/3); then one result per proposed context — 0 accepted with our most
    /// preferred transfer syntax that was proposed, 3 abstract syntax not supported, 4 no transfer syntax
    /// in common. Several contexts per abstract syntax are answered independently. An association whose
    /// contexts are all rejected is still accepted (the requestor decides to release), as pynetdicom does.
    public static func decide(request: AssociateRQ, policy: AcceptancePolicy) -> AcceptorDecision {
        guard request.protocolVersion & 0x0001 != 0 else { return .reject(.protocolVersionNotSupported) }
        guard request.applicationContextName == UpperLayerConstants.applicationContextName else {
            return .reject(.applicationContextNameNotSupported)
        }
        if let ourTitle = policy.calledAETitle, ourTitle != request.calledAETitle {
            return .reject(.calledAETitleNotRecognized)
        }
        if let allowed = policy.allowedCallingAETitles, !allowed.contains(request.callingAETitle) {
            return .reject(.callingAETitleNotRecognized)
        }
        let askedRoles = Dictionary(
            request.userInformation.roleSelections.map { ($0.sopClassUID, $0) },
            uniquingKeysWith: { a, _ in a })
        var results: [PresentationContextResult] = []
        var accepted: [UInt8: AcceptedPresentationContext] = [:]
        var rejected: [UInt8: PresentationContextResultCode] = [:]
        var answeredRoles: [RoleSelection] = []
        for proposal in request.presentationContexts.prefix(UpperLayerConstants.maximumPresentationContexts) {
            guard let ours = policy.supportedAbstractSyntaxes[proposal.abstractSyntax] else {
                results.append(
                    PresentationContextResult(
                        id: proposal.id, result: .abstractSyntaxNotSupported,
                        transferSyntax: nil))
                rejected[proposal.id] = .abstractSyntaxNotSupported
                continue
            }
            guard let ts = ours.first(where: { proposal.transferSyntaxes.contains($0) }) else {
                results.append(
                    PresentationContextResult(
                        id: proposal.id, result: .transferSyntaxesNotSupported,
                        transferSyntax: nil))
                rejected[proposal.id] = .transferSyntaxesNotSupported
                continue
            }
            var scu = true
            var scp = false
            if let asked = askedRoles[proposal.abstractSyntax] {
                scu = asked.scuRole
                scp = asked.scpRole && policy.requestorSCPRoleAbstractSyntaxes.contains(proposal.abstractSyntax)
                if !answeredRoles.contains(where: { $0.sopClassUID == proposal.abstractSyntax }) {
                    answeredRoles.append(
                        RoleSelection(sopClassUID: proposal.abstractSyntax, scuRole: scu, scpRole: scp))
                }
            }
            results.append(PresentationContextResult(id: proposal.id, result: .acceptance, transferSyntax: ts))
            accepted[proposal.id] = AcceptedPresentationContext(
                id: proposal.id, abstractSyntax: proposal.abstractSyntax,
                transferSyntax: ts, requestorIsSCU: scu,
                requestorIsSCP: scp)
        }
        let info = UserInformation(
            maximumLength: UInt32(policy.maximumPDULength),
            implementationClassUID: UpperLayerConstants.implementationClassUID,
            roleSelections: answeredRoles,
            implementationVersionName: UpperLayerConstants.implementationVersionName)
        let ac = AssociateAC(
            calledAETitle: request.calledAETitle, callingAETitle: request.callingAETitle,
            presentationContexts: results, userInformation: info)
        let negotiated = NegotiatedAssociation(
            callingAETitle: request.callingAETitle, calledAETitle: request.calledAETitle,
            acceptedContexts: accepted, rejectedContexts: rejected,
            maximumPDULengthToSend: AssociationRequestor.sendLimit(peerMaximum: request.userInformation.maximumLength),
            maximumPDULengthToReceive: policy.maximumPDULength,
            peerImplementationClassUID: request.userInformation.implementationClassUID,
            peerImplementationVersionName: request.userInformation.implementationVersionName)
        return .accept(ac, negotiated)
    }
}
