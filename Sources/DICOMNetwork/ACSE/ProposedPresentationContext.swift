/// A presentation context the requestor wants: an abstract syntax (SOP class), transfer syntaxes in
/// preference order, and optionally an SCP/SCU role proposal (PS3.7 D.3.3.4; e.g. SCP role for storage
/// classes when the association will carry C-GET sub-operations, PS3.4 C.4.3).
public struct ProposedPresentationContext: Equatable, Sendable {
    public var abstractSyntax: String
    public var transferSyntaxes: [String]
    /// nil: no role selection item (default roles: requestor SCU, acceptor SCP).
    public var role: RoleProposal?

    public init(abstractSyntax: String, transferSyntaxes: [String], role: RoleProposal? = nil) {
        self.abstractSyntax = abstractSyntax
        self.transferSyntaxes = transferSyntaxes
        self.role = role
    }
}

/// Roles the requestor proposes to play for an abstract syntax (PS3.7 D.3.3.4).
public struct RoleProposal: Equatable, Sendable {
    public var scu: Bool
    public var scp: Bool
    public init(scu: Bool, scp: Bool) {
        self.scu = scu
        self.scp = scp
    }
    /// Requestor acts as SCU and SCP (C-GET with storage sub-operations).
    public static let scuAndSCP = RoleProposal(scu: true, scp: true)
}

/// Well-known transfer syntax UIDs (PS3.5 Annex A).
public enum TransferSyntaxUID {
    public static let implicitVRLittleEndian = "1.2.840.10008.1.2"
    public static let explicitVRLittleEndian = "1.2.840.10008.1.2.1"
    public static let deflatedExplicitVRLittleEndian = "1.2.840.10008.1.2.1.99"
    public static let explicitVRBigEndian = "1.2.840.10008.1.2.2"
    /// The uncompressed syntaxes every SCP should accept, Explicit VR LE first.
    public static let uncompressed = [explicitVRLittleEndian, implicitVRLittleEndian]
}
