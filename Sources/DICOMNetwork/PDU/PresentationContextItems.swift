/// Presentation Context item of an A-ASSOCIATE-RQ (item type 0x20, PS3.8 §9.3.2.2): one abstract syntax
/// (sub-item 0x30) and one or more transfer syntaxes (sub-items 0x40), in the requestor's preference order.
public struct PresentationContextProposal: Equatable, Sendable {
    /// Odd integer 1...255.
    public var id: UInt8
    public var abstractSyntax: String
    public var transferSyntaxes: [String]

    public init(id: UInt8, abstractSyntax: String, transferSyntaxes: [String]) {
        self.id = id
        self.abstractSyntax = abstractSyntax
        self.transferSyntaxes = transferSyntaxes
    }
}

/// Result/reason of a presentation context in an A-ASSOCIATE-AC (PS3.8 §9.3.3.2, Table 9-18).
public enum PresentationContextResultCode: UInt8, Sendable, CustomStringConvertible {
    case acceptance = 0
    case userRejection = 1
    case noReason = 2
    case abstractSyntaxNotSupported = 3
    case transferSyntaxesNotSupported = 4

    public var description: String {
        switch self {
        case .acceptance: return "acceptance"
        case .userRejection: return "user-rejection"
        case .noReason: return "no-reason (provider rejection)"
        case .abstractSyntaxNotSupported: return "abstract-syntax-not-supported (provider rejection)"
        case .transferSyntaxesNotSupported: return "transfer-syntaxes-not-supported (provider rejection)"
        }
    }
}

/// Presentation Context item of an A-ASSOCIATE-AC (item type 0x21, PS3.8 §9.3.3.2). The transfer syntax
/// sub-item is only significant when accepted; some peers omit it otherwise (pynetdicom #361), so it is optional.
public struct PresentationContextResult: Equatable, Sendable {
    public var id: UInt8
    /// Raw result/reason byte; see `resultCode` (unknown values are kept).
    public var result: UInt8
    public var transferSyntax: String?

    public init(id: UInt8, result: PresentationContextResultCode, transferSyntax: String?) {
        self.id = id
        self.result = result.rawValue
        self.transferSyntax = transferSyntax
    }

    public init(id: UInt8, rawResult: UInt8, transferSyntax: String?) {
        self.id = id
        self.result = rawResult
        self.transferSyntax = transferSyntax
    }

    public var resultCode: PresentationContextResultCode? { PresentationContextResultCode(rawValue: result) }
    public var isAccepted: Bool { result == PresentationContextResultCode.acceptance.rawValue }
}
