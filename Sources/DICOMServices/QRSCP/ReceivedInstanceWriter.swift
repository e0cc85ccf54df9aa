import DICOMCore
import DICOMNetwork
import Foundation
import NIOCore

/// Writes instances received by C-STORE into `<directory>/received/<SOP Instance UID>.dcm` (Part 10, the
/// data set bytes exactly as received, meta from the command and the context's transfer syntax) and adds
/// them to the index. A second instance with the same UID replaces the first.
final class ReceivedInstanceWriter: Sendable {
    let folder: String
    let index: InstanceIndex

    init(directory: String, index: InstanceIndex) {
        self.folder = URL(fileURLWithPath: directory).appendingPathComponent("received").path
        self.index = index
    }

    /// Stores one C-STORE-RQ data set; returns the C-STORE status (0xA700 when it cannot be written,
    /// 0xC000 when the data set is missing).
    func store(
        _ request: CStoreRQ, transferSyntax: String, dataSet: IncomingDataSet, callingAETitle: String
    ) -> DIMSEStatus {
        guard case .bytes(let buffer) = dataSet else { return .unableToProcess }
        let uid = request.affectedSOPInstanceUID
        guard isValidUID(uid) else { return .unableToProcess }  // never a path from an invalid UID
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let meta = FileMetaInformation(
                mediaStorageSOPClassUID: request.affectedSOPClassUID,
                mediaStorageSOPInstanceUID: uid, transferSyntaxUID: transferSyntax,
                sourceApplicationEntityTitle: callingAETitle)
            let writer = try Part10StreamWriter(inDirectory: folder, meta: meta)
            let path = URL(fileURLWithPath: folder).appendingPathComponent("\(uid).dcm").path
            do {
                try buffer.withUnsafeReadableBytes { try writer.append($0) }
                try writer.finish(renamingTo: path)
            } catch {
                writer.discard()
                throw error
            }
            index.add(try Part10HeaderReader.record(path: path))
            return .success
        } catch {
            return .outOfResources
        }
    }
}
