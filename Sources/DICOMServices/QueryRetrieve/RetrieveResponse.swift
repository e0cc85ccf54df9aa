import DICOMNetwork
import Foundation

/// One C-MOVE-RSP or C-GET-RSP as a retrieve records it (PS3.7 §9.3.3.2, §9.3.4.2; the two differ only in
/// their command field): status, the four conditional counters, and — in a final response — the Failed SOP
/// Instance UID List (0008,0058) of its identifier (PS3.4 C.4.2.1.4.2, C.4.3.1.3.2).
public struct RetrieveResponse: Sendable, Equatable {
    public var status: DIMSEStatus
    public var counts: SubOperationCounts
    /// The Failed SOP Instance UID List (empty when absent).
    public var failedSOPInstanceUIDs: [String]
    public var errorComment: String?
    /// Seconds since the retrieve started.
    public var elapsed: Double

    public init(
        status: DIMSEStatus, counts: SubOperationCounts = SubOperationCounts(), failedSOPInstanceUIDs: [String] = [],
        errorComment: String? = nil, elapsed: Double = 0
    ) {
        self.status = status
        self.counts = counts
        self.failedSOPInstanceUIDs = failedSOPInstanceUIDs
        self.errorComment = errorComment
        self.elapsed = elapsed
    }

    /// The response as received, its identifier decoded in the context's transfer syntax.
    init<Operation: RetrieveOperation>(_ received: DIMSEResponse<RetrieveRSP<Operation>>, elapsed: Double) {
        self.init(
            status: received.response.status, counts: received.response.subOperations,
            failedSOPInstanceUIDs: received.response.status.isPending
                ? [] : IdentifierCoding.failedUIDs(received.identifier, transferSyntax: received.transferSyntax),
            errorComment: received.response.errorComment, elapsed: elapsed)
    }

    public var isFinal: Bool { !status.isPending }
}
