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
///
/// The reads it is fed are never merged. A PDU that lies whole inside a read is a slice of that read (no
/// copy); only the PDU that a read's end cuts is copied, into a buffer of its own that holds that PDU alone and
/// grows with the bytes that actually arrive (a header announcing a large PDU reserves nothing). (NIO's
/// `ByteToMessageHandler` appends every read to the unread rest of the previous one: with reads of up to 1 MiB
/// that meant copying, and often reallocating, up to a megabyte to finish one PDU — `docs/design.md`, step 2 of
/// the C-STORE walk.) `PDUDecodingHandler` is the pipeline stage around it.
public struct PDUFrameDecoder {
    /// Largest accepted PDU-length field (bytes after the 6-byte header).
    public let maximumPDULength: Int

    /// The bytes of a PDU that earlier reads began but did not finish, header included.
    private var partial: ByteBuffer?

    public init(maximumPDULength: Int) {
        precondition(maximumPDULength > 0, "maximumPDULength must be positive")
        self.maximumPDULength = maximumPDULength
    }

    /// Bytes of an incomplete PDU kept from earlier reads.
    public var bufferedBytes: Int { self.partial?.readableBytes ?? 0 }

    /// The next complete PDU, from the bytes kept so far and then `incoming`; nil when `incoming` is used up
    /// before a PDU is complete (its bytes are then kept). Call again until it returns nil.
    public mutating func nextFrame(from incoming: inout ByteBuffer) throws -> PDUFrame? {
        if var partial = self.partial {
            self.partial = nil  // unshared, so that appending does not copy it first
            if let frame = try self.fill(&partial, from: &incoming) { return frame }
            self.partial = partial
            return nil
        }
        guard incoming.readableBytes > 0 else { return nil }
        if let length = try self.announcedLength(in: incoming), let frame = Self.frame(of: length, from: &incoming) {
            return frame
        }
        var partial = ByteBufferAllocator().buffer(capacity: 6)
        _ = try self.fill(&partial, from: &incoming)
        self.partial = partial
        return nil
    }

    /// Throws `truncatedPDU` when the stream ended with bytes of an incomplete PDU kept.
    public mutating func finish() throws {
        let left = self.bufferedBytes
        self.partial = nil
        if left > 0 { throw PDUFrameDecoderError.truncatedPDU(bufferedBytes: left) }
    }

    /// Moves bytes from `incoming` into `partial` until it holds the whole PDU, returned as a frame, or
    /// `incoming` is empty (nil). `partial` grows by what this read brings, never by what a header announces.
    private func fill(_ partial: inout ByteBuffer, from incoming: inout ByteBuffer) throws -> PDUFrame? {
        if partial.readableBytes < 6 { Self.move(6 - partial.readableBytes, from: &incoming, to: &partial) }
        guard let length = try self.announcedLength(in: partial) else { return nil }
        let wanted = min(6 + length - partial.readableBytes, incoming.readableBytes)
        partial.reserveCapacity(minimumWritableBytes: wanted)
        Self.move(wanted, from: &incoming, to: &partial)
        return Self.frame(of: length, from: &partial)
    }

    /// The PDU-length of the header at the start of `buffer`, checked against the maximum; nil while fewer
    /// than 6 bytes are there.
    private func announcedLength(in buffer: ByteBuffer) throws -> Int? {
        guard buffer.readableBytes >= 6,
            let type = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self),
            let length = buffer.getInteger(at: buffer.readerIndex + 2, as: UInt32.self)
        else { return nil }
        guard UInt64(length) <= UInt64(self.maximumPDULength) else {
            throw PDUFrameDecoderError.pduTooLong(type: type, length: length, maximum: self.maximumPDULength)
        }
        return Int(length)
    }

    /// Reads the PDU at the start of `buffer` (its header checked, announcing `length`) as a frame whose body
    /// is a slice; nil, reading nothing, while `buffer` does not hold it whole.
    private static func frame(of length: Int, from buffer: inout ByteBuffer) -> PDUFrame? {
        guard buffer.readableBytes >= 6 + length, let type = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self),
            let body = buffer.getSlice(at: buffer.readerIndex + 6, length: length)
        else { return nil }
        buffer.moveReaderIndex(forwardBy: 6 + length)
        return PDUFrame(type: type, body: body)
    }

    private static func move(_ count: Int, from source: inout ByteBuffer, to destination: inout ByteBuffer) {
        guard count > 0, var bytes = source.readSlice(length: min(count, source.readableBytes)) else { return }
        destination.writeBuffer(&bytes)
    }
}
