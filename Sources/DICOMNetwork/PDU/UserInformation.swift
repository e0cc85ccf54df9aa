import NIOCore

/// User Information item (type 0x50, PS3.8 §9.3.2.3 and PS3.7 Annex D.3.3): negotiation sub-items.
/// Unknown sub-items are kept (`unknownSubItems`) and otherwise ignored, as PS3.8 D.2 requires.
public struct UserInformation: Equatable, Sendable {
    /// Maximum Length Received (sub-item 0x51, PS3.8 D.1): the largest P-DATA-TF PDU-length the sender of
    /// this item accepts; 0 means no limit.
    public var maximumLength: UInt32?
    /// Implementation Class UID (sub-item 0x52, PS3.7 D.3.3.2).
    public var implementationClassUID: String?
    /// Asynchronous Operations Window (sub-item 0x53, PS3.7 D.3.3.3).
    public var asynchronousOperationsWindow: AsynchronousOperationsWindow?
    /// SCP/SCU Role Selection (sub-items 0x54, PS3.7 D.3.3.4).
    public var roleSelections: [RoleSelection]
    /// Implementation Version Name (sub-item 0x55, PS3.7 D.3.3.2).
    public var implementationVersionName: String?
    /// SOP Class Extended Negotiation (sub-items 0x56, PS3.7 D.3.3.5).
    public var extendedNegotiations: [ExtendedNegotiation]
    /// Sub-items this implementation does not interpret (0x57, 0x58, 0x59, …), kept verbatim.
    public var unknownSubItems: [UnknownSubItem]

    public init(
        maximumLength: UInt32? = nil, implementationClassUID: String? = nil,
        asynchronousOperationsWindow: AsynchronousOperationsWindow? = nil,
        roleSelections: [RoleSelection] = [], implementationVersionName: String? = nil,
        extendedNegotiations: [ExtendedNegotiation] = [], unknownSubItems: [UnknownSubItem] = []
    ) {
        self.maximumLength = maximumLength
        self.implementationClassUID = implementationClassUID
        self.asynchronousOperationsWindow = asynchronousOperationsWindow
        self.roleSelections = roleSelections
        self.implementationVersionName = implementationVersionName
        self.extendedNegotiations = extendedNegotiations
        self.unknownSubItems = unknownSubItems
    }
}

/// Asynchronous Operations Window sub-item (0x53, PS3.7 D.3.3.3).
public struct AsynchronousOperationsWindow: Equatable, Sendable {
    public var maximumOperationsInvoked: UInt16
    public var maximumOperationsPerformed: UInt16
    public init(maximumOperationsInvoked: UInt16, maximumOperationsPerformed: UInt16) {
        self.maximumOperationsInvoked = maximumOperationsInvoked
        self.maximumOperationsPerformed = maximumOperationsPerformed
    }
}

/// SCP/SCU Role Selection sub-item (0x54, PS3.7 D.3.3.4): layout UID-length(2), SOP class UID,
/// SCU-role(1), SCP-role(1); 1 = role supported/proposed, 0 = not.
public struct RoleSelection: Equatable, Sendable {
    public var sopClassUID: String
    public var scuRole: Bool
    public var scpRole: Bool
    public init(sopClassUID: String, scuRole: Bool, scpRole: Bool) {
        self.sopClassUID = sopClassUID
        self.scuRole = scuRole
        self.scpRole = scpRole
    }
}

/// SOP Class Extended Negotiation sub-item (0x56, PS3.7 D.3.3.5): UID-length(2), SOP class UID,
/// service-class-application-information bytes.
public struct ExtendedNegotiation: Equatable, Sendable {
    public var sopClassUID: String
    public var applicationInformation: [UInt8]
    public init(sopClassUID: String, applicationInformation: [UInt8]) {
        self.sopClassUID = sopClassUID
        self.applicationInformation = applicationInformation
    }
}

/// A user information sub-item that is not interpreted, kept as its type and body bytes.
public struct UnknownSubItem: Equatable, Sendable {
    public var type: UInt8
    public var body: [UInt8]
    public init(type: UInt8, body: [UInt8]) {
        self.type = type
        self.body = body
    }
}
