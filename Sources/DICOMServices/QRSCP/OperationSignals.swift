import DICOMNetwork
import Foundation

/// What the association's reader passes to the operation in progress: a C-CANCEL-RQ for it (PS3.7
/// §9.3.2.3) and, during C-GET, the C-STORE-RSPs of its sub-operations.
final class OperationSignals: @unchecked Sendable {
    let messageID: UInt16
    private let lock = NSLock()
    private var cancelled = false
    let storeResponses: AsyncStream<CStoreRSP>
    private let continuation: AsyncStream<CStoreRSP>.Continuation

    init(messageID: UInt16) {
        self.messageID = messageID
        (storeResponses, continuation) = AsyncStream.makeStream(of: CStoreRSP.self, bufferingPolicy: .unbounded)
    }

    var isCancelled: Bool { lock.withLock { cancelled } }
    func cancel() { lock.withLock { cancelled = true } }

    func deliver(_ response: CStoreRSP) { continuation.yield(response) }
    /// No more store responses will come (association ended, or the peer moved on).
    func finish() { continuation.finish() }
}
