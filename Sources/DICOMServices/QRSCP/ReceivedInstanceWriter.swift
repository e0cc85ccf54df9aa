import DICOMCore
import DICOMNetwork
import Foundation

/// Stores instances received by C-STORE into `<directory>/received/<SOP Instance UID>.dcm` through the one
/// received-file writer, `ReceivedInstanceStore` (Part 10, the data set bytes exactly as received, meta from
/// the command and the context's transfer syntax; written in `received/depot/`, then renamed into place),
/// and adds them to the index. A second instance with the same UID replaces the first.
final class ReceivedInstanceWriter: Sendable {
    let store: ReceivedInstanceStore
    let index: InstanceIndex

    init(directory: String, index: InstanceIndex) throws {
        let folder = URL(fileURLWithPath: directory).appendingPathComponent("received").path
        self.store = try ReceivedInstanceStore(directory: folder, fileExtension: "dcm", duplicatePolicy: .overwrite)
        self.index = index
    }

    /// `<directory>/received`.
    var folder: String { store.directory }

    /// Stores one C-STORE-RQ data set; returns the C-STORE status (0xA700 when it cannot be written,
    /// 0xC000 when the data set is missing or the SOP Instance UID is not a valid UID).
    func store(
        _ request: CStoreRQ, transferSyntax: String, dataSet: IncomingDataSet, callingAETitle: String
    ) -> DIMSEStatus {
        guard case .bytes = dataSet else { return .unableToProcess }
        guard isValidUID(request.affectedSOPInstanceUID) else { return .unableToProcess }  // never a derived name
        do {
            try store.prepare()  // the folder is created when the first instance arrives
        } catch {
            return .outOfResources
        }
        let outcome = store.outcome(
            for: request, dataSet: dataSet, sink: nil, transferSyntaxUID: transferSyntax,
            callingAETitle: callingAETitle)
        guard case .success(let stored) = outcome else { return ReceivedInstanceStore.status(of: outcome) }
        do {
            index.add(try Part10HeaderReader.record(path: stored.path))
            return .success
        } catch {
            return .outOfResources
        }
    }
}
