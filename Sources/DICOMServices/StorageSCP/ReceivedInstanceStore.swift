import DICOMCore
import DICOMDeidentify
import DICOMNetwork
import Foundation
import Logging
import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where received instances go (docs/lua-api.md "Received instances", docs/protocol-notes.md §5): each data set is
/// streamed into `<directory>/depot/` behind a file meta group built from the C-STORE command, the accepted
/// transfer syntax and the calling AE title (PS3.10 §7.1), then renamed to
/// `<directory>/<SOP Instance UID>.<ext>` (`InstanceFileNaming`) once its last fragment arrived, honouring
/// the `DuplicatePolicy`. A transfer that does not complete leaves nothing behind (the depot file is
/// removed). Shared by the storage SCP and C-GET, which write files identically.
///
/// Use: give `sink(for:context:callingAETitle:)` to the association's sink provider for C-STORE-RQs; the association
/// answers each streamed C-STORE-RQ from its sink (`AnsweringDataSetSink`), and the service reads what
/// happened with `outcome(for:callingAETitle:)`. Thread-safe.
public final class ReceivedInstanceStore: Sendable {
    public let directory: String
    public let fileExtension: String
    public let duplicatePolicy: DuplicatePolicy
    /// fsync each file before it is renamed into place (slower; survives power loss).
    public let fsync: Bool
    /// Bytes of each data set kept in memory to read Patient ID, Study/Series Instance UID.
    public static let headerPrefixLength = 64 * 1024

    let logger: Logger
    /// Called for every stored instance before its C-STORE-RSP is sent (on the event loop for a streamed
    /// data set): whoever must know of a file before the sender learns it was stored (`info.files` of a
    /// C-MOVE, counted by the next C-MOVE-RSP). Must return at once.
    let storedBeforeAnswer: (@Sendable (StoredInstance) -> Void)?
    /// De-identify on arrival (docs/lua-api.md "De-identification"): each completed instance is de-identified
    /// from the depot into `directory` as `<new SOP Instance UID>.dcm` (burned-in: `quarantineDirectory`,
    /// default `<directory>.quarantine`) and the depot file removed, so the folder only holds de-identified
    /// files. The duplicate policy and file extension do not apply then.
    public let deidentifier: Deidentifier?
    public let quarantineDirectory: String?

    /// `fileExtension` without the dot: letters, digits, `_`, `-` (at most 16; empty for none).
    public init(
        directory: String, fileExtension: String = "dcm", duplicatePolicy: DuplicatePolicy = .overwrite,
        fsync: Bool = false,
        logger: Logger = Logger(label: "dicomlua.storage", factory: { _ in SwiftLogNoOpLogHandler() }),
        storedBeforeAnswer: (@Sendable (StoredInstance) -> Void)? = nil,
        deidentifier: Deidentifier? = nil, quarantineDirectory: String? = nil
    ) throws {
        guard InstanceFileNaming.isValidExtension(fileExtension) else {
            throw StoreFailure(
                status: 0xA700,
                "FileExtension: expected letters, digits, '_' or '-' (at most 16), got '\(fileExtension)'")
        }
        self.directory = directory.count > 1 && directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        self.fileExtension = fileExtension
        self.duplicatePolicy = duplicatePolicy
        self.fsync = fsync
        self.logger = logger
        self.storedBeforeAnswer = storedBeforeAnswer
        self.deidentifier = deidentifier
        self.quarantineDirectory = quarantineDirectory
    }

    /// `<directory>/depot`, where incomplete instances are written.
    public var depotDirectory: String { directory + "/depot" }

    /// Creates the folder and its depot (mode 0755) if needed and checks both are writable; throws a
    /// failure naming the folder and the system error otherwise.
    public func prepare() throws {
        for path in [directory, depotDirectory] {
            do {
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            } catch {
                throw StoreFailure.outOfResources("cannot create folder \(path): \(error.localizedDescription)")
            }
            guard access(path, W_OK | X_OK) == 0 else {
                throw StoreFailure.outOfResources("folder \(path) is not writable: \(String(cString: strerror(errno)))")
            }
        }
    }

    /// Removes the files left in the depot by transfers that a crash interrupted: every file that no live
    /// process holds locked (`DepotLock`: the kernel releases the lock with its process, even one left a
    /// zombie or whose pid was re-used). Files another live SCP sharing the folder is writing stay. Returns
    /// how many were removed.
    @discardableResult
    public func removeDepotLeftovers() -> Int {
        let removed = DepotLock.removeUnlocked(in: depotDirectory)
        if removed > 0 { logger.notice("removed \(removed) incomplete file(s) from \(depotDirectory)") }
        return removed
    }

    /// The final path for an instance and whether its name was derived (invalid UID).
    public func finalPath(forSOPInstanceUID uid: String) -> (path: String, derived: Bool) {
        let (name, derived) = InstanceFileNaming.fileName(sopInstanceUID: uid, fileExtension: fileExtension)
        return (directory + "/" + name, derived)
    }

    /// Starts an instance in the depot (file header written). Throws `StoreFailure` (0xA700) when the
    /// depot file cannot be created.
    public func beginInstance(
        _ request: CStoreRQ, transferSyntaxUID: String, callingAETitle: String
    ) throws -> IncomingInstance {
        let meta = FileMetaInformation(
            mediaStorageSOPClassUID: request.affectedSOPClassUID,
            mediaStorageSOPInstanceUID: request.affectedSOPInstanceUID,
            transferSyntaxUID: transferSyntaxUID,
            sourceApplicationEntityTitle: callingAETitle)
        let writer: Part10StreamWriter
        let lock: Int32
        do {
            (writer, lock) = try DepotLock.creating(
                {
                    // `<pid>-<token>-<n>.part`: unique across processes sharing this folder (the service and a
                    // script's storage_scp.new) and within the process; who still writes it is told by its lock.
                    let temporary = depotDirectory + "/" + DepotFileNames.next()
                    let writer = try Part10StreamWriter(
                        temporaryPath: temporary, meta: meta, fsync: fsync, bufferSize: 256 * 1024)
                    return (writer, temporary)
                }, discard: { $0.discard() })
        } catch {
            throw StoreFailure.outOfResources("cannot store \(request.affectedSOPInstanceUID): \(error)")
        }
        return IncomingInstance(
            store: self, request: request, transferSyntaxUID: transferSyntaxUID,
            callingAETitle: callingAETitle, writer: writer, headerLength: writer.headerLength, lock: lock)
    }

    /// A sink for the data set of the C-STORE-RQ `request` (decoded once, by the association's
    /// `MessageAssembler`), arriving on the accepted presentation `context`. The sink refuses the data
    /// (and its C-STORE-RSP carries the refusal) when the command's Affected SOP Class UID is not the
    /// context's abstract syntax (0x0122 SOP class not supported: a presentation context carries the one
    /// abstract syntax it was negotiated for, PS3.8 §7.1.1.13), or when the depot file cannot be created
    /// (0xA700).
    public func sink(
        for request: CStoreRQ, context: AcceptedPresentationContext,
        callingAETitle: String
    ) -> any DataSetSink {
        let sopClass = request.affectedSOPClassUID.trimmingTrailingUIDPadding()
        guard sopClass == context.abstractSyntax.trimmingTrailingUIDPadding() else {
            let failure = StoreFailure(
                status: 0x0122,
                "C-STORE of \(request.affectedSOPInstanceUID) with SOP class "
                    + "\(sopClass) on presentation context \(context.id), which was negotiated for \(context.abstractSyntax): refused"
            )
            logger.error("\(failure.message)")
            return RefusingSink(failure: failure)
        }
        do {
            let instance = try beginInstance(
                request, transferSyntaxUID: context.transferSyntax, callingAETitle: callingAETitle)
            // De-identifying: completed off the event loop, answered after (`DeidentifyingInstance`).
            return deidentifier == nil ? instance : DeidentifyingInstance(instance)
        } catch {
            let failure = error as? StoreFailure ?? .outOfResources("\(error)")
            logger.error("\(failure.message)")
            return RefusingSink(failure: failure)
        }
    }

    /// Writes a data set that arrived in memory (no sink) exactly as a streamed one.
    public func store(
        _ request: CStoreRQ, dataSet: ByteBuffer, transferSyntaxUID: String,
        callingAETitle: String
    ) -> Result<StoredInstance, StoreFailure> {
        do {
            let instance = try beginInstance(
                request, transferSyntaxUID: transferSyntaxUID, callingAETitle: callingAETitle)
            try instance.write(dataSet)
            let result = instance.complete()
            if case .success(let stored) = result { storedBeforeAnswer?(stored) }
            return result
        } catch {
            return .failure(error as? StoreFailure ?? .outOfResources("\(error)"))
        }
    }

    /// The result of a C-STORE whose data set has arrived: the stored instance, or the failure to answer.
    /// A data set held in memory is stored by this call: call it once per such C-STORE-RQ, from the code that
    /// sends the C-STORE-RSP. A streamed one only reads its sink's outcome, the same at every call.
    public func outcome(for incoming: IncomingStore, callingAETitle: String) -> Result<StoredInstance, StoreFailure> {
        outcome(
            for: incoming.request, dataSet: incoming.dataSet, sink: incoming.sink,
            transferSyntaxUID: incoming.transferSyntax, callingAETitle: callingAETitle)
    }

    /// `outcome(for:callingAETitle:)` for a service that answers C-STOREs itself: a de-identifying store's
    /// instance is de-identified on `DeidentificationPool` (never on the event loop or the caller's thread)
    /// and its outcome returned once the de-identified file is in place, so the C-STORE-RSP follows it.
    public func completedOutcome(
        for incoming: IncomingStore, callingAETitle: String
    ) async -> Result<StoredInstance, StoreFailure> {
        if let sink = incoming.sink as? StoreOutcomeSink, case .streamed(nil) = incoming.dataSet,
            let outcome = await sink.completedOutcome()
        {
            return outcome
        }
        if deidentifier != nil, case .bytes = incoming.dataSet {
            do {
                return try await DeidentificationPool.shared.runIfActive {
                    self.outcome(for: incoming, callingAETitle: callingAETitle)
                }
            } catch {
                return .failure(
                    .outOfResources("cannot de-identify \(incoming.request.affectedSOPInstanceUID): \(error)"))
            }
        }
        return outcome(for: incoming, callingAETitle: callingAETitle)
    }

    /// `outcome(for:callingAETitle:)` from the parts of an incoming C-STORE: a streamed data set's outcome
    /// is its sink's (so two associations storing the same instance never see each other's result).
    public func outcome(
        for request: CStoreRQ, dataSet: IncomingDataSet, sink: (any DataSetSink)?, transferSyntaxUID: String,
        callingAETitle: String
    ) -> Result<StoredInstance, StoreFailure> {
        switch dataSet {
        case .bytes(let bytes):
            return store(request, dataSet: bytes, transferSyntaxUID: transferSyntaxUID, callingAETitle: callingAETitle)
        case .none:
            return .failure(StoreFailure(status: 0xC000, "C-STORE-RQ without a data set"))
        case .streamed(let failure):
            if let outcome = (sink as? StoreOutcomeSink)?.arrivedOutcome() { return outcome }
            if let failure {
                return .failure(.outOfResources("cannot store \(request.affectedSOPInstanceUID): \(failure)"))
            }
            return .failure(
                .outOfResources("no record of \(request.affectedSOPInstanceUID) (was it streamed to this store?)"))
        }
    }

    /// The C-STORE status for an outcome: 0x0000, or the failure's status (0xA700 range, 0xC000).
    public static func status(of outcome: Result<StoredInstance, StoreFailure>) -> DIMSEStatus {
        switch outcome {
        case .success: return .success
        case .failure(let failure): return DIMSEStatus(failure.status)
        }
    }
}

/// Names of depot files: unique within the process, and across processes through pid and token (a
/// re-used pid draws another token).
enum DepotFileNames {
    private static let prefix = "\(getpid())-\(UInt64.random(in: 1...UInt64.max))-"
    private static let lock = NSLock()
    nonisolated(unsafe) private static var counter = 0

    static func next() -> String {
        let number = lock.withLock {
            counter += 1
            return counter
        }
        return prefix + String(number) + ".part"
    }
}

/// A sink that refuses every fragment (the depot file could not be created, or the SOP class does not
/// belong on the context): the association drops the data and answers with the failure's status.
final class RefusingSink: AnsweringDataSetSink {
    let failure: StoreFailure
    init(failure: StoreFailure) { self.failure = failure }
    func write(_ fragment: ByteBuffer) throws { throw failure }
    func finish() throws { throw failure }
    func abandon() {}
    var responseStatus: DIMSEStatus { DIMSEStatus(failure.status) }
}
