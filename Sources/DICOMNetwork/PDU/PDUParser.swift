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
            throw reader.error(
                "PDU-type", expected: "0x01...0x07", found: "0x\(String(frame.type, radix: 16))",
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
        guard let frame = try decoder.nextFrame(from: &buffer) else {
            throw PDUParseError(
                pduType: bytes.first ?? 0, field: "PDU-length", offset: 2,
                expected: "a complete PDU", found: "\(bytes.count) bytes")
        }
        guard buffer.readableBytes == 0 else {
            throw PDUParseError(
                pduType: frame.type, field: "PDU-length", offset: 2,
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
                throw reader.error(
                    "PDV item-length",
                    expected: "at most \(reader.remaining) (the bytes left in the PDU)",
                    found: "\(length)", at: itemOffset)
            }
            var item = try reader.readChild(Int(length), "PDV item")
            let contextOffset = item.offset
            let contextID = try item.readUInt8("presentation-context-ID")
            guard contextID % 2 == 1 else {
                throw item.error(
                    "presentation-context-ID", expected: "an odd number 1...255", found: "\(contextID)",
                    at: contextOffset)
            }
            let header = try item.readUInt8("message control header")
            values.append(
                PresentationDataValue(
                    contextID: contextID, isCommand: header & 0x01 != 0,
                    isLastFragment: header & 0x02 != 0, data: item.buffer))
        }
        return values
    }
}
