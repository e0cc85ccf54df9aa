import NIOCore

/// One framed PDU: the PDU-type byte and the bytes after the 6-byte header (PS3.8 §9.3.1).
/// Interpreting the body is the job of `PDUParser`.
public struct PDUFrame: Equatable, Sendable {
    public var type: UInt8
    public var body: ByteBuffer
    public init(type: UInt8, body: ByteBuffer) {
        self.type = type
        self.body = body
    }
}

/// Errors of the frame decoder.
public enum PDUFrameDecoderError: Error, Equatable, CustomStringConvertible {
    /// The PDU-length field announces more than the configured maximum; nothing was allocated for it.
    case pduTooLong(type: UInt8, length: UInt32, maximum: Int)
    /// The connection closed in the middle of a PDU.
    case truncatedPDU(bufferedBytes: Int)

    public var description: String {
        switch self {
        case let .pduTooLong(type, length, maximum):
            return
                "PDU type 0x\(String(type, radix: 16)) at offset 2: expected a PDU-length of at most \(maximum) bytes, found \(length)"
        case let .truncatedPDU(buffered):
            return "connection closed inside a PDU: \(buffered) bytes of an incomplete PDU were left"
        }
    }
}

/// Cuts an Upper Layer byte stream into PDUs (PS3.8 §9.3.1): 6-byte header `type | reserved | length(4, BE)`,
/// then `length` bytes. It only frames; `PDUParser` parses.
///
/// `maximumPDULength` bounds the PDU-length field of every PDU: a larger value is rejected as soon as the
/// header arrives (before any body byte is buffered), so a peer announcing 0xFFFFFFFF bytes costs nothing.
/// It is an `NIOSingleStepByteToMessageDecoder`; wrap it in `ByteToMessageHandler`.
public struct PDUFrameDecoder: NIOSingleStepByteToMessageDecoder {
    public typealias InboundOut = PDUFrame

    /// Largest accepted PDU-length field (bytes after the 6-byte header).
    public let maximumPDULength: Int

    public init(maximumPDULength: Int) {
        precondition(maximumPDULength > 0, "maximumPDULength must be positive")
        self.maximumPDULength = maximumPDULength
    }

    public mutating func decode(buffer: inout ByteBuffer) throws -> PDUFrame? {
        guard buffer.readableBytes >= 6,
            let type = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self),
            let length = buffer.getInteger(at: buffer.readerIndex + 2, as: UInt32.self)
        else { return nil }
        guard UInt64(length) <= UInt64(self.maximumPDULength) else {
            throw PDUFrameDecoderError.pduTooLong(type: type, length: length, maximum: self.maximumPDULength)
        }
        guard buffer.readableBytes >= 6 + Int(length) else { return nil }
        buffer.moveReaderIndex(forwardBy: 6)
        let body = buffer.readSlice(length: Int(length))!
        return PDUFrame(type: type, body: body)
    }

    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> PDUFrame? {
        if let frame = try self.decode(buffer: &buffer) { return frame }
        if buffer.readableBytes > 0 && seenEOF {
            let left = buffer.readableBytes
            buffer.moveReaderIndex(forwardBy: left)
            throw PDUFrameDecoderError.truncatedPDU(bufferedBytes: left)
        }
        return nil
    }
}
