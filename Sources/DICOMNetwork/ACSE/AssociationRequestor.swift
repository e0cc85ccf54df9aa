/// Requestor side of A-ASSOCIATE (PS3.8 §7.1, PS3.7 Annex D): builds the RQ and interprets the AC.
public enum AssociationRequestor {
    public enum RequestError: Error, Equatable, CustomStringConvertible {
        case noContexts
        case tooManyContexts(Int)
        case invalidMaximumPDULength(Int)
        case noAcceptedContext
        case invalidAETitle(String)
        public var description: String {
            switch self {
            case .invalidAETitle(let title):
                return "expected an AE title of 1–16 printable characters without backslash, found \"\(title)\""
            case .noContexts: return "expected at least one presentation context to propose, found none"
            case .tooManyContexts(let n): return "expected at most 128 presentation contexts, found \(n)"
            case .invalidMaximumPDULength(let n): return "expected a maximum PDU length of 1...4294967295, found \(n)"
            case .noAcceptedContext:
                return "the peer accepted the association but none of the proposed presentation contexts"
            }
        }
    }

    /// Builds the A-ASSOCIATE-RQ: context IDs 1, 3, 5, … in the order given; one role selection item per
    /// abstract syntax with a role proposal; our Maximum Length (never 0), Implementation Class UID and
    /// Version Name.
    public static func makeRequest(
        callingAETitle: String, calledAETitle: String,
        contexts: [ProposedPresentationContext],
        maximumPDULength: Int
    ) throws -> AssociateRQ {
        for title in [callingAETitle, calledAETitle] where !isValidAETitle(title) {
            throw RequestError.invalidAETitle(title)
        }
        guard !contexts.isEmpty else { throw RequestError.noContexts }
        guard contexts.count <= UpperLayerConstants.maximumPresentationContexts else {
            throw RequestError.tooManyContexts(contexts.count)
        }
        guard maximumPDULength > 0, maximumPDULength <= Int(UInt32.max) else {
            throw RequestError.invalidMaximumPDULength(maximumPDULength)
        }
        var proposals: [PresentationContextProposal] = []
        var roles: [RoleSelection] = []
        for (index, context) in contexts.enumerated() {
            proposals.append(
                PresentationContextProposal(
                    id: UInt8(2 * index + 1), abstractSyntax: context.abstractSyntax,
                    transferSyntaxes: context.transferSyntaxes))
            if let role = context.role, !roles.contains(where: { $0.sopClassUID == context.abstractSyntax }) {
                roles.append(RoleSelection(sopClassUID: context.abstractSyntax, scuRole: role.scu, scpRole: role.scp))
            }
        }
        let info = UserInformation(
            maximumLength: UInt32(maximumPDULength),
            implementationClassUID: UpperLayerConstants.implementationClassUID,
            roleSelections: roles,
            implementationVersionName: UpperLayerConstants.implementationVersionName)
        return AssociateRQ(
            calledAETitle: calledAETitle, callingAETitle: callingAETitle,
            presentationContexts: proposals, userInformation: info)
    }

    /// Interprets the A-ASSOCIATE-AC for the request we sent. Results for IDs we did not propose are ignored;
    /// an accepted context without a transfer syntax, or with one we did not propose, is treated as rejected.
    /// Roles: default SCU only; with our role proposal, what the acceptor answered ANDed with what we asked
    /// (an acceptor that ignores the item leaves the default roles, PS3.7 D.3.3.4).
    public static func negotiate(request: AssociateRQ, accept: AssociateAC) throws -> NegotiatedAssociation {
        let proposed = Dictionary(request.presentationContexts.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let askedRoles = Dictionary(
            request.userInformation.roleSelections.map { ($0.sopClassUID, $0) },
            uniquingKeysWith: { a, _ in a })
        let answeredRoles = Dictionary(
            accept.userInformation.roleSelections.map { ($0.sopClassUID, $0) },
            uniquingKeysWith: { a, _ in a })
        var accepted: [UInt8: AcceptedPresentationContext] = [:]
        var rejected: [UInt8: PresentationContextResultCode] = [:]
        for result in accept.presentationContexts {
            guard let proposal = proposed[result.id] else { continue }
            guard result.isAccepted, let ts = result.transferSyntax, proposal.transferSyntaxes.contains(ts) else {
                rejected[result.id] = result.resultCode ?? .noReason
                continue
            }
            var scu = true
            var scp = false
            if let asked = askedRoles[proposal.abstractSyntax], let answer = answeredRoles[proposal.abstractSyntax] {
                scu = asked.scuRole && answer.scuRole
                scp = asked.scpRole && answer.scpRole
            }
            accepted[result.id] = AcceptedPresentationContext(
                id: result.id, abstractSyntax: proposal.abstractSyntax,
                transferSyntax: ts, requestorIsSCU: scu, requestorIsSCP: scp)
        }
        for id in proposed.keys where accepted[id] == nil && rejected[id] == nil { rejected[id] = .noReason }
        guard !accepted.isEmpty else { throw RequestError.noAcceptedContext }
        let ours = Int(request.userInformation.maximumLength ?? UInt32(NegotiationLimits.sendCapWhenPeerUnlimited))
        return NegotiatedAssociation(
            callingAETitle: request.callingAETitle, calledAETitle: request.calledAETitle,
            acceptedContexts: accepted, rejectedContexts: rejected,
            maximumPDULengthToSend: sendLimit(peerMaximum: accept.userInformation.maximumLength),
            maximumPDULengthToReceive: ours,
            peerImplementationClassUID: accept.userInformation.implementationClassUID,
            peerImplementationVersionName: accept.userInformation.implementationVersionName)
    }

    /// AE title rule (PS3.5 Table 6.2-1, VR AE): 1–16 characters of the default repertoire, no
    /// backslash or control characters, not only spaces.
    public static func isValidAETitle(_ title: String) -> Bool {
        let bytes = Array(title.utf8)
        return !bytes.isEmpty && bytes.count <= 16 && bytes.allSatisfy { $0 >= 0x20 && $0 < 0x7F && $0 != 0x5C }
            && bytes.contains { $0 != 0x20 }
    }

    /// The PDU-length we use when sending: the peer's Maximum Length, capped at 128 KiB when it is 0 or
    /// absent (PS3.8 D.1: 0 = no maximum), raised to a sane minimum.
    static func sendLimit(peerMaximum: UInt32?) -> Int {
        guard let peerMaximum, peerMaximum != 0 else { return NegotiationLimits.sendCapWhenPeerUnlimited }
        return max(Int(peerMaximum), NegotiationLimits.minimumPeerPDULength)
    }
}
