import NIOCore

/// The sizes of P-DATA-TF PDUs (PS3.8 §9.3.5, Table 9-22: type 0x04, reserved 0x00, PDU length (UInt32 BE),
/// then for each PDV item: item length (UInt32 BE, = fragment + 2), presentation context ID, message
/// control header (PS3.8 Annex E.2), fragment bytes), and a buffer sized for one. The bytes are written by
/// `ByteBuffer.writePDU`, the one PDU writer.
public enum PDataTFWriter {
    /// PDU type of P-DATA-TF.
    public static let pduType: UInt8 = 0x04
    /// Bytes of the PDU header (type, reserved, length).
    public static let pduHeaderLength = 6
    /// Bytes each PDV adds besides its fragment (item length, context ID, control header).
    public static let pdvOverhead = 6

    /// The PDU-length field value for `pdvs`: the sum of (4 + 1 + 1 + fragment) over the PDVs.
    public static func pduLength(of pdvs: [PresentationDataValue]) -> Int {
        pdvs.reduce(0) { $0 + pdvOverhead + $1.data.readableBytes }
    }

    /// One P-DATA-TF PDU containing `pdvs`, in a new buffer.
    public static func encode(_ pdvs: [PresentationDataValue]) -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: pduHeaderLength + pduLength(of: pdvs))
        buffer.writePDU(.dataTF(pdvs))  // the one PDU writer (ByteBuffer+PDU.swift)
        return buffer
    }

    /// One P-DATA-TF PDU containing `pdv`, as two buffers to be written one after the other: the PDU and
    /// PDV headers (PS3.8 §9.3.5, 12 bytes), then the fragment itself, not copied (the socket writes both
    /// with one `writev`). Byte for byte the same as `encode([pdv])`.
    public static func encodeInPlace(_ pdv: PresentationDataValue) -> [ByteBuffer] {
        var header = ByteBufferAllocator().buffer(capacity: pduHeaderLength + pdvOverhead)
        header.writeInteger(pduType)
        header.writeInteger(UInt8(0))
        header.writeInteger(UInt32(pdvOverhead + pdv.data.readableBytes))
        header.writeInteger(UInt32(pdv.data.readableBytes + 2))
        header.writeInteger(pdv.contextID)
        header.writeInteger(pdv.messageControlHeader)
        return [header, pdv.data]
    }
}
