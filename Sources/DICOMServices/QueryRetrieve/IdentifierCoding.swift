import DICOMCore
import DICOMNetwork
import Foundation
import NIOCore

/// The one codec of DIMSE identifiers (PS3.7 §6.3.1), used by the SCU (query, retrieve) and by the test
/// Q/R SCP: a data set in the presentation context's transfer syntax.
enum IdentifierCoding {
    static func encode(_ dataSet: DataSet, transferSyntax: String) throws -> ByteBuffer {
        ByteBuffer(bytes: try DataSetWriter.encode(dataSet, transferSyntax: TransferSyntax.from(uid: transferSyntax)))
    }

    /// The decoded identifier, or an empty data set when there is none.
    /// - Throws: the decoder's error (with its byte offset) for a malformed identifier.
    static func decode(_ buffer: ByteBuffer?, transferSyntax: String) throws -> DataSet {
        guard let buffer, buffer.readableBytes > 0 else { return DataSet() }
        return try DataSetReader.read(
            Array(buffer.readableBytesView), transferSyntax: TransferSyntax.from(uid: transferSyntax))
    }

    /// The identifier of a request an SCP received; a missing or undecodable one is a failure status
    /// (0xC000 Unable to process) for the requestor.
    static func decodeRequest(_ message: AssociationMessage, transferSyntax: String) throws -> DataSet {
        guard let buffer = message.dataSetBytes else {
            throw QueryFailure(.unableToProcess, "the request carries no identifier (CommandDataSetType 0x0101)")
        }
        do {
            return try decode(buffer, transferSyntax: transferSyntax)
        } catch {
            throw QueryFailure(.unableToProcess, "the identifier does not decode: \(error)")
        }
    }

    /// The identifier of a final MOVE/GET response: (0008,0058) Failed SOP Instance UID List
    /// (PS3.4 C.4.2.1.4.2, C.4.3.1.3.2).
    static func failedList(_ uids: [String]) -> DataSet {
        var dataSet = DataSet()
        dataSet.set(QueryKeys.failedSOPInstanceUIDList, bytes: Array(uids.joined(separator: "\\").utf8), vr: .UI)
        return dataSet
    }

    /// The UIDs of a Failed SOP Instance UID List in a final MOVE/GET response's identifier (empty when the
    /// identifier is absent, undecodable or has no such list: the list is conditional).
    static func failedUIDs(_ buffer: ByteBuffer?, transferSyntax: String) -> [String] {
        guard let dataSet = try? decode(buffer, transferSyntax: transferSyntax),
            let values = dataSet.strings(QueryKeys.failedSOPInstanceUIDList)
        else { return [] }
        return values.map { $0.trimmingCharacters(in: .whitespaces.union(.controlCharacters).union(["\0"])) }
            .filter { !$0.isEmpty }
    }
}
