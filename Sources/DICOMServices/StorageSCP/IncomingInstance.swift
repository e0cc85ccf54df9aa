#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import DICOMCore
import DICOMNetwork
import Foundation
import NIOCore

/// One instance being received: a `DataSetSink` writing the data set into the depot file behind its meta
/// group, moving it into place on `finish()` (dicom-protocol-notes §5: atomic rename, duplicates as the
/// store's policy says) and recording the outcome for the C-STORE-RSP. `abandon()` removes the depot file.
/// One owner at a time (the association's event loop).
public final class IncomingInstance: DataSetSink, @unchecked Sendable {
    let store: ReceivedInstanceStore
    let request: CStoreRQ
    let transferSyntaxUID: String
    let callingAETitle: String
    private let writer: Part10StreamWriter
    private let headerLength: Int
    private var prefix: [UInt8] = []
    private var done = false

    init(store: ReceivedInstanceStore, request: CStoreRQ, transferSyntaxUID: String, callingAETitle: String,
         writer: Part10StreamWriter, headerLength: Int) {
        self.store = store
        self.request = request
        self.transferSyntaxUID = transferSyntaxUID
        self.callingAETitle = callingAETitle
        self.writer = writer
        self.headerLength = headerLength
    }

    public func write(_ fragment: ByteBuffer) throws {
        do {
            try fragment.withUnsafeReadableBytes { raw in
                if prefix.count < ReceivedInstanceStore.headerPrefixLength {
                    let wanted = raw.prefix(ReceivedInstanceStore.headerPrefixLength - prefix.count)
                    if prefix.isEmpty { prefix.reserveCapacity(wanted.count) }
                    prefix += wanted
                }
                try writer.append(raw)
            }
        } catch {
            let failure = StoreFailure.outOfResources("cannot write \(request.affectedSOPInstanceUID): \(error)")
            store.logger.error("\(failure.message)")
            store.outcomes.record(.failure(failure), for: key)
            abandon()
            throw failure
        }
    }

    public func finish() throws {
        let result = complete()
        store.outcomes.record(result, for: key)
        if case .failure(let failure) = result { throw failure }
    }

    public func abandon() {
        done = true
        writer.discard()
    }

    private var key: PendingOutcomes.Key { PendingOutcomes.Key(callingAETitle, request) }

    /// Moves the completed file into place; the outcome is returned, not recorded.
    func complete() -> Result<StoredInstance, StoreFailure> {
        guard !done else { return .failure(.outOfResources("instance \(request.affectedSOPInstanceUID) was abandoned")) }
        done = true
        let (finalPath, derived) = store.finalPath(forSOPInstanceUID: request.affectedSOPInstanceUID)
        if derived {
            store.logger.warning("SOP Instance UID '\(request.affectedSOPInstanceUID)' is not a valid UID: stored as \(finalPath)")
        }
        let bytes = headerLength + writer.dataSetLength
        var kept = false
        do {
            switch store.duplicatePolicy {
            case .overwrite:
                try writer.finish(renamingTo: finalPath)
            case .keep:
                kept = try finishKeepingExisting(finalPath)
            }
        } catch {
            return .failure(.outOfResources("cannot store \(request.affectedSOPInstanceUID) as \(finalPath): \(error)"))
        }
        let fields = InstanceHeaderScanner.scan(prefix, transferSyntax: TransferSyntax.from(uid: transferSyntaxUID))
        prefix = []
        return .success(StoredInstance(
            path: finalPath, sopClassUID: request.affectedSOPClassUID.trimmingTrailingUIDPadding(),
            sopInstanceUID: request.affectedSOPInstanceUID.trimmingTrailingUIDPadding(),
            studyInstanceUID: fields.studyInstanceUID, seriesInstanceUID: fields.seriesInstanceUID,
            patientID: fields.patientID, callingAETitle: callingAETitle,
            bytes: kept ? fileSize(finalPath) ?? bytes : bytes, transferSyntaxUID: transferSyntaxUID,
            moveOriginatorAETitle: request.moveOriginatorAETitle, moveOriginatorMessageID: request.moveOriginatorMessageID,
            nameWasDerived: derived, keptExistingCopy: kept))
    }

    /// `DuplicatePolicy.keep`: completes into the depot, then hard-links into place, which fails if a file
    /// is there (atomic "create if absent"); without hard links, checks then renames. True when an
    /// existing copy was kept.
    private func finishKeepingExisting(_ finalPath: String) throws -> Bool {
        let completed = writer.temporaryPath + ".complete"
        try writer.finish(renamingTo: completed)
        defer { unlink(completed) }
        if link(completed, finalPath) == 0 { return false }
        let linkErrno = errno
        if linkErrno == EEXIST { return true }
        if access(finalPath, F_OK) == 0 { return true }
        guard rename(completed, finalPath) == 0 else {
            throw DICOMFileError("rename to", path: finalPath, errno: linkErrno == EPERM || linkErrno == ENOTSUP ? errno : linkErrno)
        }
        return false
    }

    private func fileSize(_ path: String) -> Int? {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_size) : nil
    }
}

/// Outcomes of completed data sets until the service answers their C-STORE-RQ, keyed by calling AE title,
/// message ID and SOP Instance UID. Bounded: the oldest entries go first beyond `limit`.
final class PendingOutcomes: @unchecked Sendable {
    struct Key: Hashable {
        var callingAETitle: String
        var messageID: UInt16
        var sopInstanceUID: String
        init(_ callingAETitle: String, _ request: CStoreRQ) {
            self.callingAETitle = callingAETitle
            self.messageID = request.messageID
            self.sopInstanceUID = request.affectedSOPInstanceUID
        }
    }

    private let lock = NSLock()
    private var entries: [Key: [Result<StoredInstance, StoreFailure>]] = [:]
    private var order: [Key] = []
    private let limit: Int

    init(limit: Int) { self.limit = limit }

    func record(_ outcome: Result<StoredInstance, StoreFailure>, for key: Key) {
        lock.withLock {
            entries[key, default: []].append(outcome)
            order.append(key)
            while order.count > limit {
                let oldest = order.removeFirst()
                if var list = entries[oldest], !list.isEmpty {
                    list.removeFirst()
                    entries[oldest] = list.isEmpty ? nil : list
                }
            }
        }
    }

    func take(_ key: Key) -> Result<StoredInstance, StoreFailure>? {
        lock.withLock {
            guard var list = entries[key], !list.isEmpty else { return nil }
            let first = list.removeFirst()
            entries[key] = list.isEmpty ? nil : list
            if let index = order.firstIndex(of: key) { order.remove(at: index) }
            return first
        }
    }
}
