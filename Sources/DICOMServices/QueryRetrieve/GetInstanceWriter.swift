import DICOMCore
import DICOMNetwork
import Foundation
import NIOCore

/// Writes the instances a C-GET brings back as the storage SCP does (LUA_API.md "storage_scp"): a Part 10
/// file `<SOP Instance UID>.<extension>` with its received transfer syntax, written first into
/// `directory/depot/` and renamed into place once complete (an existing file is replaced). A SOP Instance
/// UID that is not a plain DICOM UID never becomes a path (status 0xA900... is not used: 0xC000 is).
///
/// Until the storage SCP's `ReceivedInstanceStore` is shared, this is its minimal twin for C-GET.
public struct GetInstanceWriter: Sendable {
    public let directory: URL
    public let fileExtension: String
    public let sourceAETitle: String

    public init(directory: URL, fileExtension: String, sourceAETitle: String) {
        self.directory = directory
        self.fileExtension = fileExtension
        self.sourceAETitle = sourceAETitle
    }

    /// Writes one incoming C-STORE; returns the path written.
    public func write(_ incoming: IncomingStore) throws -> String {
        let uid = incoming.request.affectedSOPInstanceUID
        guard isValidUID(uid) else { throw QueryRetrieveFailure("SOP Instance UID \"\(uid)\" is not a valid UID") }
        guard case .bytes(let buffer) = incoming.dataSet else {
            throw QueryRetrieveFailure("C-STORE sub-operation for \(uid) carried no data set")
        }
        let meta = FileMetaInformation(mediaStorageSOPClassUID: incoming.request.affectedSOPClassUID,
                                       mediaStorageSOPInstanceUID: uid, transferSyntaxUID: incoming.transferSyntax,
                                       sourceApplicationEntityTitle: sourceAETitle)
        let depot = directory.appendingPathComponent("depot", isDirectory: true)
        try FileManager.default.createDirectory(at: depot, withIntermediateDirectories: true)
        let name = fileExtension.isEmpty ? uid : "\(uid).\(fileExtension)"
        let temporary = depot.appendingPathComponent(name + ".\(UUID().uuidString).part")
        var data = Data(meta.fileHeader())
        data.append(contentsOf: buffer.readableBytesView)
        do {
            try data.write(to: temporary)
            let final = directory.appendingPathComponent(name)
            if rename(temporary.path, final.path) != 0 {
                throw QueryRetrieveFailure("cannot move \(temporary.path) to \(final.path): errno \(errno)")
            }
            return final.path
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
    }
}
