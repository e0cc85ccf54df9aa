import NIOCore

/// A-ASSOCIATE-RQ and -AC parsing (PS3.8 §9.3.2–9.3.3): fixed part, then items 0x10, 0x20/0x21, 0x50.
extension PDUParser {
    // MARK: A-ASSOCIATE-RQ / AC

    struct FixedPart {
        var protocolVersion: UInt16
        var calledAETitle: String
        var callingAETitle: String
    }

    static func parseFixedPart(_ reader: inout PDUReader) throws -> FixedPart {
        // Bit 0 (version 1) is checked by the acceptor, which answers A-ASSOCIATE-RJ 1/2/2 (PS3.8 §9.3.4).
        let version = try reader.readUInt16("protocol-version")
        try reader.skip(2, "reserved")
        let called = try reader.readTrimmedString(16, "called-AE-title")
        let calling = try reader.readTrimmedString(16, "calling-AE-title")
        try reader.skip(32, "reserved")
        return FixedPart(protocolVersion: version, calledAETitle: called, callingAETitle: calling)
    }

    static func parseAssociateRQ(_ reader: inout PDUReader) throws -> AssociateRQ {
        let fixed = try parseFixedPart(&reader)
        let items = try parseVariableItems(&reader, contextItemType: 0x20, parseContext: parseContextProposal)
        guard !items.contexts.isEmpty else {
            throw reader.error(
                "presentation context item", expected: "at least one item 0x20", found: "none",
                reason: .unexpectedPDUParameter)
        }
        return AssociateRQ(
            protocolVersion: fixed.protocolVersion, calledAETitle: fixed.calledAETitle,
            callingAETitle: fixed.callingAETitle, applicationContextName: items.applicationContext,
            presentationContexts: items.contexts, userInformation: items.userInformation)
    }

    static func parseAssociateAC(_ reader: inout PDUReader) throws -> AssociateAC {
        let fixed = try parseFixedPart(&reader)
        let items = try parseVariableItems(&reader, contextItemType: 0x21, parseContext: parseContextResult)
        return AssociateAC(
            protocolVersion: fixed.protocolVersion, calledAETitle: fixed.calledAETitle,
            callingAETitle: fixed.callingAETitle, applicationContextName: items.applicationContext,
            presentationContexts: items.contexts, userInformation: items.userInformation)
    }

    /// The variable part shared by A-ASSOCIATE-RQ and -AC (PS3.8 §9.3.2 and §9.3.3): exactly one application
    /// context item (0x10), the presentation context items (0x20 in an RQ, 0x21 in an AC; at most 128) and
    /// exactly one user information item (0x50); unrecognised item types are ignored (PS3.8 §9.3.1). A second
    /// application context or user information item is an error in both PDUs.
    static func parseVariableItems<Context>(
        _ reader: inout PDUReader, contextItemType: UInt8,
        parseContext: (inout PDUReader) throws -> Context
    ) throws -> (applicationContext: String, contexts: [Context], userInformation: UserInformation) {
        var applicationContext: String?
        var contexts: [Context] = []
        var userInformation: UserInformation?
        while !reader.isAtEnd {
            let itemOffset = reader.offset
            let itemType = try reader.readUInt8("item-type")
            _ = try reader.readUInt8("reserved")
            let length = try reader.readUInt16("item-length")
            var item = try reader.readChild(Int(length), "item 0x\(String(itemType, radix: 16)) length")
            switch itemType {
            case 0x10:
                guard applicationContext == nil else {
                    throw item.error(
                        "application context item", expected: "one item", found: "a second one",
                        reason: .unexpectedPDUParameter, at: itemOffset)
                }
                applicationContext = try item.readTrimmedString(item.remaining, "application-context-name")
            case contextItemType:
                guard contexts.count < UpperLayerConstants.maximumPresentationContexts else {
                    throw item.error(
                        "presentation context item", expected: "at most 128 presentation contexts",
                        found: "more", at: itemOffset)
                }
                contexts.append(try parseContext(&item))
            case 0x50:
                guard userInformation == nil else {
                    throw item.error(
                        "user information item", expected: "one item", found: "a second one",
                        reason: .unexpectedPDUParameter, at: itemOffset)
                }
                userInformation = try parseUserInformation(&item)
            default:
                continue  // PS3.8 §9.3.1: unrecognised items ignored
            }
        }
        guard let applicationContext else {
            throw reader.error(
                "application context item", expected: "one item 0x10", found: "none",
                reason: .unexpectedPDUParameter)
        }
        guard let userInformation else {
            throw reader.error(
                "user information item", expected: "one item 0x50", found: "none",
                reason: .unexpectedPDUParameter)
        }
        return (applicationContext, contexts, userInformation)
    }

    static func readContextID(_ item: inout PDUReader) throws -> UInt8 {
        let idOffset = item.offset
        let id = try item.readUInt8("presentation-context-ID")
        guard id % 2 == 1 else {
            throw item.error("presentation-context-ID", expected: "an odd number 1...255", found: "\(id)", at: idOffset)
        }
        return id
    }

    /// Sub-item header: type(1), reserved(1), length(2); returns type and a child reader over the body.
    static func readSubItem(_ item: inout PDUReader) throws -> (type: UInt8, offset: Int, body: PDUReader) {
        let offset = item.offset
        let type = try item.readUInt8("sub-item-type")
        _ = try item.readUInt8("reserved")
        let length = try item.readUInt16("sub-item-length")
        let body = try item.readChild(Int(length), "sub-item 0x\(String(type, radix: 16)) length")
        return (type, offset, body)
    }

    static func parseContextProposal(_ item: inout PDUReader) throws -> PresentationContextProposal {
        let id = try readContextID(&item)
        try item.skip(3, "reserved")
        var abstractSyntax: String?
        var transferSyntaxes: [String] = []
        while !item.isAtEnd {
            var sub = try readSubItem(&item)
            switch sub.type {
            case 0x30:
                guard abstractSyntax == nil else {
                    throw item.error(
                        "abstract syntax sub-item", expected: "one", found: "a second one",
                        reason: .unexpectedPDUParameter, at: sub.offset)
                }
                abstractSyntax = try sub.body.readTrimmedString(sub.body.remaining, "abstract-syntax-name")
            case 0x40:
                transferSyntaxes.append(try sub.body.readTrimmedString(sub.body.remaining, "transfer-syntax-name"))
            default:
                throw item.error(
                    "presentation context sub-item type", expected: "0x30 or 0x40",
                    found: "0x\(String(sub.type, radix: 16))", reason: .unrecognizedPDUParameter,
                    at: sub.offset)
            }
        }
        guard let abstractSyntax, !transferSyntaxes.isEmpty else {
            throw item.error(
                "presentation context \(id)", expected: "one abstract syntax and at least one transfer syntax",
                found: "\(abstractSyntax == nil ? 0 : 1) and \(transferSyntaxes.count)",
                reason: .unexpectedPDUParameter)
        }
        return PresentationContextProposal(id: id, abstractSyntax: abstractSyntax, transferSyntaxes: transferSyntaxes)
    }

    static func parseContextResult(_ item: inout PDUReader) throws -> PresentationContextResult {
        let id = try readContextID(&item)
        _ = try item.readUInt8("reserved")
        let result = try item.readUInt8("result/reason")
        _ = try item.readUInt8("reserved")
        var transferSyntax: String?
        while !item.isAtEnd {
            var sub = try readSubItem(&item)
            switch sub.type {
            case 0x40:
                transferSyntax = try sub.body.readTrimmedString(sub.body.remaining, "transfer-syntax-name")
            default:
                throw item.error(
                    "presentation context sub-item type", expected: "0x40",
                    found: "0x\(String(sub.type, radix: 16))", reason: .unrecognizedPDUParameter,
                    at: sub.offset)
            }
        }
        return PresentationContextResult(id: id, rawResult: result, transferSyntax: transferSyntax)
    }
}
