/// A PDU that could not be parsed: which field, at which byte offset (from the start of the PDU, header
/// included), what was expected and what arrived. `abortReason` is the A-ABORT reason to send (PS3.8 §9.3.8).
public struct PDUParseError: Error, Equatable, CustomStringConvertible {
    public var pduType: UInt8
    public var field: String
    public var offset: Int
    public var expected: String
    public var found: String
    public var abortReason: AbortReason

    public init(
        pduType: UInt8, field: String, offset: Int, expected: String, found: String,
        abortReason: AbortReason = .invalidPDUParameterValue
    ) {
        self.pduType = pduType
        self.field = field
        self.offset = offset
        self.expected = expected
        self.found = found
        self.abortReason = abortReason
    }

    public var description: String {
        let name = PDUType(rawValue: pduType)?.description ?? "PDU type 0x\(String(pduType, radix: 16))"
        return "\(name): \(field) at offset \(offset): expected \(expected), found \(found)"
    }
}
