import NIOCore

/// Parses framed PDUs into `PDU` values (PS3.8 §9.3). Pure functions: no I/O, no state.
///
/// Checks (each failure is a `PDUParseError` naming field and offset): known PDU type; fixed lengths of
/// RJ/RELEASE/ABORT; items and sub-items not running past their parent; PDV item length ≥ 2 and within the
/// PDU; odd presentation context IDs; at most 128 presentation contexts; exactly one application context
/// and one user information item in RQ/AC. Unknown user information sub-items are kept; unknown items in the
/// variable part of RQ/AC are ignored, as PS3.8 §9.3.1 allows.
public enum PDUParser {
    /// Parses one framed PDU.
    public static func parse(_ frame: PDUFrame) throws -> PDU {
        var reader = PDUReader(pduType: frame.type, buffer: frame.body, offset: 6)
        guard let type = PDUType(rawValue: frame.type) else {
            throw reader.error("PDU-type", expected: "0x01...0x07", found: "0x\(String(frame.type, radix: 16))",
                               reason: .unrecognizedPDU, at: 0)
        }
        switch type {
        case .associateRQ:
            return .associateRQ(try parseAssociateRQ(&reader))
        case .associateAC:
            return .associateAC(try parseAssociateAC(&reader))
        case .associateRJ:
            try expectLength(4, &reader)
            _ = try reader.readUInt8("reserved")
            let result = try reader.readUInt8("result")
            let source = try reader.readUInt8("source")
            let reason = try reader.readUInt8("reason/diag.")
            return .associateRJ(AssociateRJ(result: result, source: source, reason: reason))
        case .dataTF:
            return .dataTF(try parsePresentationDataValues(&reader))
        case .releaseRQ:
            try expectLength(4, &reader)
            return .releaseRQ
        case .releaseRP:
            try expectLength(4, &reader)
            return .releaseRP
        case .abort:
            try expectLength(4, &reader)
            try reader.skip(2, "reserved")
            let source = try reader.readUInt8("source")
            let reason = try reader.readUInt8("reason/diag.")
            return .abort(AbortPDU(source: source, reason: reason))
        }
    }

    /// Parses a whole PDU including its 6-byte header (for tests and fixtures). The PDU-length must match.
    public static func parse(bytes: [UInt8]) throws -> PDU {
        var buffer = ByteBuffer(bytes: bytes)
        var decoder = PDUFrameDecoder(maximumPDULength: Int(UInt32.max))
        guard let frame = try decoder.decode(buffer: &buffer) else {
            throw PDUParseError(pduType: bytes.first ?? 0, field: "PDU-length", offset: 2,
                                expected: "a complete PDU", found: "\(bytes.count) bytes")
        }
        guard buffer.readableBytes == 0 else {
            throw PDUParseError(pduType: frame.type, field: "PDU-length", offset: 2,
                                expected: "\(bytes.count - 6)", found: "\(frame.body.readableBytes)")
        }
        return try parse(frame)
    }

    private static func expectLength(_ length: Int, _ reader: inout PDUReader) throws {
        guard reader.remaining == length else {
            throw reader.error("PDU-length", expected: "\(length)", found: "\(reader.remaining)", at: 2)
        }
    }

    // MARK: P-DATA-TF

    /// PDV items (PS3.8 §9.3.5.1): item-length(4) ≥ 2, context ID (odd), message control header, data.
    static func parsePresentationDataValues(_ reader: inout PDUReader) throws -> [PresentationDataValue] {
        guard !reader.isAtEnd else {
            throw reader.error("presentation-data-value item", expected: "at least one PDV item", found: "none")
        }
        var values: [PresentationDataValue] = []
        while !reader.isAtEnd {
            let itemOffset = reader.offset
            let length = try reader.readUInt32("PDV item-length")
            guard length >= 2 else {
                throw reader.error("PDV item-length", expected: "at least 2", found: "\(length)", at: itemOffset)
            }
            guard UInt64(length) <= UInt64(reader.remaining) else {
                throw reader.error("PDV item-length",
                                   expected: "at most \(reader.remaining) (the bytes left in the PDU)",
                                   found: "\(length)", at: itemOffset)
            }
            var item = try reader.readChild(Int(length), "PDV item")
            let contextOffset = item.offset
            let contextID = try item.readUInt8("presentation-context-ID")
            guard contextID % 2 == 1 else {
                throw item.error("presentation-context-ID", expected: "an odd number 1...255", found: "\(contextID)",
                                 at: contextOffset)
            }
            let header = try item.readUInt8("message control header")
            values.append(PresentationDataValue(contextID: contextID, isCommand: header & 0x01 != 0,
                                                isLastFragment: header & 0x02 != 0, data: item.buffer))
        }
        return values
    }

    // MARK: A-ASSOCIATE-RQ / AC

    private struct FixedPart {
        var protocolVersion: UInt16
        var calledAETitle: String
        var callingAETitle: String
    }

    private static func parseFixedPart(_ reader: inout PDUReader) throws -> FixedPart {
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
        var applicationContext: String?
        var contexts: [PresentationContextProposal] = []
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
                    throw item.error("application context item", expected: "one item", found: "a second one",
                                     reason: .unexpectedPDUParameter, at: itemOffset)
                }
                applicationContext = try item.readTrimmedString(item.remaining, "application-context-name")
            case 0x20:
                guard contexts.count < UpperLayerConstants.maximumPresentationContexts else {
                    throw item.error("presentation context item", expected: "at most 128 presentation contexts",
                                     found: "more", at: itemOffset)
                }
                contexts.append(try parseContextProposal(&item))
            case 0x50:
                guard userInformation == nil else {
                    throw item.error("user information item", expected: "one item", found: "a second one",
                                     reason: .unexpectedPDUParameter, at: itemOffset)
                }
                userInformation = try parseUserInformation(&item)
            default:
                continue  // PS3.8 §9.3.1: unrecognised items ignored
            }
        }
        guard let applicationContext else {
            throw reader.error("application context item", expected: "one item 0x10", found: "none",
                               reason: .unexpectedPDUParameter)
        }
        guard !contexts.isEmpty else {
            throw reader.error("presentation context item", expected: "at least one item 0x20", found: "none",
                               reason: .unexpectedPDUParameter)
        }
        guard let userInformation else {
            throw reader.error("user information item", expected: "one item 0x50", found: "none",
                               reason: .unexpectedPDUParameter)
        }
        return AssociateRQ(protocolVersion: fixed.protocolVersion, calledAETitle: fixed.calledAETitle,
                           callingAETitle: fixed.callingAETitle, applicationContextName: applicationContext,
                           presentationContexts: contexts, userInformation: userInformation)
    }

    static func parseAssociateAC(_ reader: inout PDUReader) throws -> AssociateAC {
        let fixed = try parseFixedPart(&reader)
        var applicationContext: String?
        var results: [PresentationContextResult] = []
        var userInformation: UserInformation?
        while !reader.isAtEnd {
            let itemOffset = reader.offset
            let itemType = try reader.readUInt8("item-type")
            _ = try reader.readUInt8("reserved")
            let length = try reader.readUInt16("item-length")
            var item = try reader.readChild(Int(length), "item 0x\(String(itemType, radix: 16)) length")
            switch itemType {
            case 0x10:
                applicationContext = try item.readTrimmedString(item.remaining, "application-context-name")
            case 0x21:
                guard results.count < UpperLayerConstants.maximumPresentationContexts else {
                    throw item.error("presentation context item", expected: "at most 128 presentation contexts",
                                     found: "more", at: itemOffset)
                }
                results.append(try parseContextResult(&item))
            case 0x50:
                userInformation = try parseUserInformation(&item)
            default:
                continue
            }
        }
        guard let applicationContext else {
            throw reader.error("application context item", expected: "one item 0x10", found: "none",
                               reason: .unexpectedPDUParameter)
        }
        guard let userInformation else {
            throw reader.error("user information item", expected: "one item 0x50", found: "none",
                               reason: .unexpectedPDUParameter)
        }
        return AssociateAC(protocolVersion: fixed.protocolVersion, calledAETitle: fixed.calledAETitle,
                           callingAETitle: fixed.callingAETitle, applicationContextName: applicationContext,
                           presentationContexts: results, userInformation: userInformation)
    }

    private static func readContextID(_ item: inout PDUReader) throws -> UInt8 {
        let idOffset = item.offset
        let id = try item.readUInt8("presentation-context-ID")
        guard id % 2 == 1 else {
            throw item.error("presentation-context-ID", expected: "an odd number 1...255", found: "\(id)", at: idOffset)
        }
        return id
    }

    /// Sub-item header: type(1), reserved(1), length(2); returns type and a child reader over the body.
    private static func readSubItem(_ item: inout PDUReader) throws -> (type: UInt8, offset: Int, body: PDUReader) {
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
                    throw item.error("abstract syntax sub-item", expected: "one", found: "a second one",
                                     reason: .unexpectedPDUParameter, at: sub.offset)
                }
                abstractSyntax = try sub.body.readTrimmedString(sub.body.remaining, "abstract-syntax-name")
            case 0x40:
                transferSyntaxes.append(try sub.body.readTrimmedString(sub.body.remaining, "transfer-syntax-name"))
            default:
                throw item.error("presentation context sub-item type", expected: "0x30 or 0x40",
                                 found: "0x\(String(sub.type, radix: 16))", reason: .unrecognizedPDUParameter,
                                 at: sub.offset)
            }
        }
        guard let abstractSyntax, !transferSyntaxes.isEmpty else {
            throw item.error("presentation context \(id)", expected: "one abstract syntax and at least one transfer syntax",
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
                throw item.error("presentation context sub-item type", expected: "0x40",
                                 found: "0x\(String(sub.type, radix: 16))", reason: .unrecognizedPDUParameter,
                                 at: sub.offset)
            }
        }
        return PresentationContextResult(id: id, rawResult: result, transferSyntax: transferSyntax)
    }

    // MARK: User information (PS3.7 Annex D.3.3)

    static func parseUserInformation(_ item: inout PDUReader) throws -> UserInformation {
        var info = UserInformation()
        while !item.isAtEnd {
            var sub = try readSubItem(&item)
            switch sub.type {
            case 0x51:
                guard sub.body.remaining == 4 else {
                    throw sub.body.error("maximum-length-received sub-item length", expected: "4",
                                         found: "\(sub.body.remaining)", at: sub.offset + 2)
                }
                info.maximumLength = try sub.body.readUInt32("maximum-length-received")
            case 0x52:
                info.implementationClassUID = try sub.body.readTrimmedString(sub.body.remaining, "implementation-class-uid")
            case 0x53:
                let invoked = try sub.body.readUInt16("maximum-number-operations-invoked")
                let performed = try sub.body.readUInt16("maximum-number-operations-performed")
                info.asynchronousOperationsWindow = AsynchronousOperationsWindow(
                    maximumOperationsInvoked: invoked, maximumOperationsPerformed: performed)
            case 0x54:
                let uidLength = try sub.body.readUInt16("UID-length")
                let uid = try sub.body.readTrimmedString(Int(uidLength), "SOP-class-uid")
                let scu = try sub.body.readUInt8("SCU-role")
                let scp = try sub.body.readUInt8("SCP-role")
                info.roleSelections.append(RoleSelection(sopClassUID: uid, scuRole: scu != 0, scpRole: scp != 0))
            case 0x55:
                info.implementationVersionName = try sub.body.readTrimmedString(sub.body.remaining,
                                                                                "implementation-version-name")
            case 0x56:
                let uidLength = try sub.body.readUInt16("SOP-class-uid-length")
                let uid = try sub.body.readTrimmedString(Int(uidLength), "SOP-class-uid")
                let information = try sub.body.readBytes(sub.body.remaining, "service-class-application-information")
                info.extendedNegotiations.append(ExtendedNegotiation(sopClassUID: uid, applicationInformation: information))
            default:
                let body = try sub.body.readBytes(sub.body.remaining, "user information sub-item")
                info.unknownSubItems.append(UnknownSubItem(type: sub.type, body: body))
            }
        }
        return info
    }
}
