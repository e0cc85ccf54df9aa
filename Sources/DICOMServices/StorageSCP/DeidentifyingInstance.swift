import DICOMNetwork
import NIOCore
import NIOPosix

/// An instance received by a de-identifying store (docs/lua-api.md "De-identification"): its fragments go
/// into the depot on the event loop like any other (`IncomingInstance`), but the de-identification itself —
/// parsing the header, the map's SQLite transaction, re-encoding, copying the bulk data — runs on
/// `DeidentificationPool` once the data set is complete, so that a slow de-identification never holds the
/// event loop other associations share.
///
/// It is deliberately not an `AnsweringDataSetSink`: the C-STORE-RSP is sent by the service's consumer after
/// `complete()` returned, that is only once the de-identified file is in place (PS3.4 B.2.3: success means
/// the SOP instance was stored). Back-pressure follows from that: an association's consumer handles one
/// message at a time, its message stream stops reading the connection while the consumer is behind
/// (`DICOMAssociation.messages`), so at most one de-identification per open association waits for the pool,
/// and the queue is bounded by `MaximumAssociations`.
public final class DeidentifyingInstance: DataSetSink, @unchecked Sendable {
    let instance: IncomingInstance

    init(_ instance: IncomingInstance) { self.instance = instance }

    public func write(_ fragment: ByteBuffer) throws { try instance.write(fragment) }

    /// The last fragment was written: nothing more happens on the event loop (`complete()` does the rest).
    public func finish() throws {}

    public func abandon() { instance.abandon() }

    /// De-identifies the received data set into the store's folder on `DeidentificationPool` and calls the
    /// store's `storedBeforeAnswer`; the outcome to answer with. Called once, by the message's consumer.
    func complete() async -> Result<StoredInstance, StoreFailure> {
        let instance = self.instance
        if let failed = instance.outcome { return failed }  // a write failed: already abandoned
        do {
            return try await DeidentificationPool.shared.runIfActive { instance.completeNow() }
        } catch {
            instance.abandon()
            return .failure(.outOfResources("cannot de-identify \(instance.request.affectedSOPInstanceUID): \(error)"))
        }
    }
}

/// The threads that de-identify received instances (`DeidentifyingInstance`): one per processor, started on
/// first use and kept for the life of the process, apart from the event loops and from
/// `NIOThreadPool.singleton` (which serves file reads of outgoing C-STOREs).
enum DeidentificationPool {
    static let shared: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: max(2, System.coreCount))
        pool.start()
        return pool
    }()
}
