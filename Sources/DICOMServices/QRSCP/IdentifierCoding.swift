import DICOMCore
import DICOMNetwork
import NIOCore

/// Decoding and encoding of request/response identifiers in the presentation context's transfer syntax.
enum IdentifierCoding {
    static func decode(_ message: AssociationMessage, transferSyntax: String) throws -> DataSet {
        guard let buffer = message.dataSetBytes else {
            throw QueryFailure(.unableToProcess, "the request carries no identifier (CommandDataSetType 0x0101)")
        }
        do {
            return try DataSetReader.read(
                Array(buffer.readableBytesView), transferSyntax: TransferSyntax.from(uid: transferSyntax))
        } catch {
            throw QueryFailure(.unableToProcess, "the identifier does not decode: \(error)")
        }
    }

    static func encode(_ dataSet: DataSet, transferSyntax: String) throws -> ByteBuffer {
        ByteBuffer(bytes: try DataSetWriter.encode(dataSet, transferSyntax: TransferSyntax.from(uid: transferSyntax)))
    }

    /// The identifier of a final MOVE/GET response: (0008,0058) Failed SOP Instance UID List.
    static func failedList(_ uids: [String]) -> DataSet {
        var dataSet = DataSet()
        dataSet.set(QueryKeys.failedSOPInstanceUIDList, bytes: Array(uids.joined(separator: "\\").utf8), vr: .UI)
        return dataSet
    }
}
