import DICOMCore
import NIOCore

/// Encodes and decodes DIMSE identifiers in a presentation context's transfer syntax (PS3.7 §6.3.1).
enum SCUIdentifierCoding {
    static func encode(_ dataSet: DataSet, transferSyntaxUID: String) throws -> ByteBuffer {
        ByteBuffer(
            bytes: try DataSetWriter.encode(dataSet, transferSyntax: TransferSyntax.from(uid: transferSyntaxUID)))
    }

    /// A C-FIND response identifier, read in its (0008,0005), else in the request's
    /// (`IdentifierCharacterSet.response`).
    static func decodeFindResponse(_ buffer: ByteBuffer?, transferSyntaxUID: String, request: DataSet) throws -> DataSet
    {
        IdentifierCharacterSet.response(try decode(buffer, transferSyntaxUID: transferSyntaxUID), request: request)
    }

    /// The decoded identifier, or an empty data set when there is none.
    /// - Throws: the decoder's error (with its byte offset) for a malformed identifier.
    static func decode(_ buffer: ByteBuffer?, transferSyntaxUID: String) throws -> DataSet {
        guard let buffer, buffer.readableBytes > 0 else { return DataSet() }
        let bytes = buffer.getBytes(at: buffer.readerIndex, length: buffer.readableBytes) ?? []
        return try DataSetReader.read(bytes, transferSyntax: TransferSyntax.from(uid: transferSyntaxUID))
    }
}
