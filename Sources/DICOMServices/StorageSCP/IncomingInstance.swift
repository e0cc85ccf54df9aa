import DICOMCore
import DICOMDeidentify
import DICOMNetwork
import Foundation
import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One instance being received: a `DataSetSink` writing the data set into the depot file behind its meta
/// group, moving it into place on `finish()` (docs/protocol-notes.md §5: atomic rename, duplicates as the
/// store's policy says) and keeping the outcome, which answers the C-STORE-RSP on the event loop
/// (`AnsweringDataSetSink`) and is read by the service through the message (`outcome`). `abandon()` removes
/// the depot file. While it is being written, the depot file is locked through `lock` (`DepotLock`), so
/// that a clean-up by a later or another process leaves it alone. One owner at a time: the association's event loop, then the consumer of the message.
public final class IncomingInstance: AnsweringDataSetSink, @unchecked Sendable {
    let store: ReceivedInstanceStore
    let request: CStoreRQ
    let transferSyntaxUID: String
    /// The data set's encoding, for the header scan.
    private let transferSyntax: TransferSyntax
    let callingAETitle: String
    private let writer: Part10StreamWriter
    private let headerLength: Int
    /// Descriptor holding the depot file's `flock` until the file is in place or removed (-1: none).
    private var lock: Int32
    /// The data set's first bytes (up to `ReceivedInstanceStore.headerPrefixLength`), copied only when the
    /// first fragment was not enough to find the header fields (`headerFields`).
    private var prefix: [UInt8] = []
    /// Patient ID, Study and Series Instance UID, once known from the first fragment in place.
    private var headerFields: InstanceHeaderScanner.Fields?
    private var done = false
    /// Set by `finish()`, or by a failed `write`; read after the message reached its consumer.
    private(set) var outcome: Result<StoredInstance, StoreFailure>?

    init(
        store: ReceivedInstanceStore, request: CStoreRQ, transferSyntaxUID: String, callingAETitle: String,
        writer: Part10StreamWriter, headerLength: Int, lock: Int32 = -1
    ) {
        self.lock = lock
        self.store = store
        self.request = request
        self.transferSyntaxUID = transferSyntaxUID
        self.transferSyntax = TransferSyntax.from(uid: transferSyntaxUID)
        self.callingAETitle = callingAETitle
        self.writer = writer
        self.headerLength = headerLength
    }

    public func write(_ fragment: ByteBuffer) throws {
        do {
            try fragment.withUnsafeReadableBytes { raw in
                if headerFields == nil && prefix.isEmpty {
                    // Nearly always enough (the fields sit in the first kilobytes): no copy of the prefix.
                    headerFields = InstanceHeaderScanner.scanIfComplete(raw, transferSyntax: transferSyntax)
                }
                if headerFields == nil && prefix.count < ReceivedInstanceStore.headerPrefixLength {
                    let wanted = raw.prefix(ReceivedInstanceStore.headerPrefixLength - prefix.count)
                    if prefix.isEmpty { prefix.reserveCapacity(wanted.count) }
                    prefix += wanted
                }
                try writer.append(raw)
            }
        } catch {
            let failure = StoreFailure.outOfResources("cannot write \(request.affectedSOPInstanceUID): \(error)")
            store.logger.error("\(failure.message)")
            outcome = .failure(failure)
            abandon()
            throw failure
        }
    }

    public func finish() throws {
        if case .failure(let failure) = completeNow() { throw failure }
    }

    /// `complete()`, keeping the outcome and telling `storedBeforeAnswer` of a stored instance: on the event
    /// loop from `finish()`, or on `DeidentificationPool` for a `DeidentifyingInstance`.
    func completeNow() -> Result<StoredInstance, StoreFailure> {
        let result = complete()
        if outcome == nil { outcome = result }
        if case .success(let stored) = result { store.storedBeforeAnswer?(stored) }
        return result
    }

    public var responseStatus: DIMSEStatus {
        outcome.map(ReceivedInstanceStore.status(of:))
            ?? DIMSEStatus(StoreFailure.outOfResources("").status)  // abandoned before its end
    }

    public func abandon() {
        done = true
        writer.discard()
        releaseLock()
    }

    deinit { releaseLock() }

    /// Closes the lock's descriptor (the file is in place or removed; nothing in the depot is ours).
    private func releaseLock() {
        guard lock >= 0 else { return }
        close(lock)
        lock = -1
    }

    /// Moves the completed file into place; the outcome is returned, not recorded.
    func complete() -> Result<StoredInstance, StoreFailure> {
        guard !done else {
            return .failure(.outOfResources("instance \(request.affectedSOPInstanceUID) was abandoned"))
        }
        done = true
        defer { releaseLock() }
        if let deidentifier = store.deidentifier { return completeDeidentified(deidentifier) }
        let (finalPath, derived) = store.finalPath(forSOPInstanceUID: request.affectedSOPInstanceUID)
        if derived {
            store.logger.warning(
                "SOP Instance UID '\(request.affectedSOPInstanceUID)' is not a valid UID: stored as \(finalPath)")
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
        let fields = headerFields ?? InstanceHeaderScanner.scan(prefix, transferSyntax: transferSyntax)
        prefix = []
        return .success(
            StoredInstance(
                path: finalPath, sopClassUID: request.affectedSOPClassUID.trimmingTrailingUIDPadding(),
                sopInstanceUID: request.affectedSOPInstanceUID.trimmingTrailingUIDPadding(),
                studyInstanceUID: fields.studyInstanceUID, seriesInstanceUID: fields.seriesInstanceUID,
                patientID: fields.patientID, callingAETitle: callingAETitle,
                bytes: kept ? fileSize(finalPath) ?? bytes : bytes, transferSyntaxUID: transferSyntaxUID,
                moveOriginatorAETitle: request.moveOriginatorAETitle,
                moveOriginatorMessageID: request.moveOriginatorMessageID,
                nameWasDerived: derived, keptExistingCopy: kept))
    }

    /// De-identifies the completed depot file into the store's folder (or its quarantine) and removes it.
    private func completeDeidentified(_ deidentifier: Deidentifier) -> Result<StoredInstance, StoreFailure> {
        let received = writer.temporaryPath + ".received"
        defer { unlink(received) }
        let original = headerFields ?? InstanceHeaderScanner.scan(prefix, transferSyntax: transferSyntax)
        prefix = []
        let file: DeidentifiedFile
        do {
            try writer.finish(renamingTo: received)
            file = try deidentifier.deidentifyFile(
                at: received, outputDirectory: store.directory, quarantineDirectory: store.quarantineDirectory,
                fsync: store.fsync)
        } catch {
            let failure = StoreFailure(
                status: 0xC000, "cannot de-identify \(request.affectedSOPInstanceUID): \(error); nothing was kept")
            store.logger.error("\(failure.message)")
            return .failure(failure)
        }
        if file.quarantined {
            store.logger.warning("\(file.path): Burned In Annotation is YES, de-identified into the quarantine")
        }
        var stored = StoredInstance(
            path: file.path, sopClassUID: file.sopClassUID, sopInstanceUID: file.sopInstanceUID,
            studyInstanceUID: file.studyInstanceUID, seriesInstanceUID: file.seriesInstanceUID,
            patientID: file.pseudonym, callingAETitle: callingAETitle, bytes: file.bytes,
            transferSyntaxUID: transferSyntaxUID, moveOriginatorAETitle: request.moveOriginatorAETitle,
            moveOriginatorMessageID: request.moveOriginatorMessageID)
        stored.originalSOPInstanceUID = request.affectedSOPInstanceUID.trimmingTrailingUIDPadding()
        stored.originalStudyInstanceUID = original.studyInstanceUID
        stored.originalSeriesInstanceUID = original.seriesInstanceUID
        stored.quarantined = file.quarantined
        return .success(stored)
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
            throw DICOMFileError(
                "rename to", path: finalPath, errno: linkErrno == EPERM || linkErrno == ENOTSUP ? errno : linkErrno)
        }
        return false
    }

    private func fileSize(_ path: String) -> Int? {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_size) : nil
    }
}
