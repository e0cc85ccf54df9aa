import DICOMNetwork
import Foundation

/// The verdict of a retrieve (docs/lua-api.md "Retrieve reports, verification and retry"). A retrieve is
/// never `complete` on the remote's word alone.
public enum RetrieveVerdict: String, Sendable, Equatable {
    /// Verified against the inventory: nothing missing.
    case complete
    /// Something arrived, something is missing or failed.
    case partial
    /// Nothing matched: the inventory is empty, or without `verify` the remote reported no sub-operation.
    case empty
    /// Nothing arrived and the remote or the network failed.
    case failed
    /// The callback (or an interrupt) cancelled the retrieve.
    case cancelled
    /// Judged by the remote's status alone: no `verify`, an inventory that failed or was cut short, or a
    /// destination that cannot be observed.
    case unverified
}

/// What one retrieve did, as the contract's `report` (docs/lua-api.md "Retrieve reports, verification and
/// retry"): the remote's answers summed over all requests, what arrived, what was expected, the verdict.
public struct RetrieveReport: Sendable {
    /// The final response's status of the last request; nil when none arrived.
    public var status: DIMSEStatus?
    /// Sub-operation counters summed over all requests; nil when the remote never sent one.
    public var completed: Int?
    public var failed: Int?
    public var warning: Int?
    public var remaining: Int?
    /// UIDs a Failed SOP Instance UID List named and that did not arrive later.
    public var failedUIDs: [String]
    /// The instances this retrieve brought; nil when the destination cannot be observed.
    public var arrived: [StoredInstance]?
    /// The SOP Instance UIDs of the inventory (empty without `verify`).
    public var expected: [String]
    /// The inventory's count; nil without `verify` (or when the inventory failed).
    public var expectedCount: Int?
    /// `expected` minus the UIDs of `arrived`, after the retries.
    public var missing: [String]
    /// Rounds made: 1, plus one per retry round.
    public var attempts: Int
    public var verdict: RetrieveVerdict
    /// Why the verdict is not `complete`; nil when it is.
    public var message: String?
    /// Every request made, with every response (the whole story, for logs and campaigns).
    public var requests: [RetrieveRequestRecord]

    /// The refusal of the last request, when the archive did not take it (docs/retrieval-model.md "Refusals").
    public var refusal: ArchiveRefusal? { requests.last?.refusal }

    public init(
        status: DIMSEStatus? = nil, completed: Int? = nil, failed: Int? = nil, warning: Int? = nil,
        remaining: Int? = nil, failedUIDs: [String] = [], arrived: [StoredInstance]? = nil, expected: [String] = [],
        expectedCount: Int? = nil, missing: [String] = [], attempts: Int = 1, verdict: RetrieveVerdict,
        message: String? = nil, requests: [RetrieveRequestRecord] = []
    ) {
        self.status = status
        self.completed = completed
        self.failed = failed
        self.warning = warning
        self.remaining = remaining
        self.failedUIDs = failedUIDs
        self.arrived = arrived
        self.expected = expected
        self.expectedCount = expectedCount
        self.missing = missing
        self.attempts = attempts
        self.verdict = verdict
        self.message = message
        self.requests = requests
    }
}

/// One C-MOVE or C-GET request of a retrieve and what came back.
public struct RetrieveRequestRecord: Sendable {
    /// Its Message ID (the Move Originator Message ID of its sub-operations), when it was sent.
    public var messageID: UInt16?
    /// The round (1 for the first request, 2 for the first retry round, …).
    public var attempt: Int
    /// The SOP Instance UIDs asked for by UID list (retry rounds); empty for the first request.
    public var sopInstanceUIDs: [String]
    /// Every response, pending ones first, the final one last.
    public var responses: [RetrieveResponse]
    /// Why the request failed (network, association, failure status), when it did.
    public var failure: String?
    /// When the archive did not take the request at all: why, structured (docs/retrieval-model.md "Refusals").
    public var refusal: ArchiveRefusal?

    public init(
        messageID: UInt16? = nil, attempt: Int, sopInstanceUIDs: [String] = [], responses: [RetrieveResponse] = [],
        failure: String? = nil, refusal: ArchiveRefusal? = nil
    ) {
        self.messageID = messageID
        self.attempt = attempt
        self.sopInstanceUIDs = sopInstanceUIDs
        self.responses = responses
        self.failure = failure
        self.refusal = refusal
    }

    /// The final response, when one arrived.
    public var final: RetrieveResponse? { responses.last.flatMap { $0.isFinal ? $0 : nil } }

    /// The counters this request ended with: the final response's, else the last pending one's
    /// (PS3.4 C.4.2.1.5: counters are conditional in a final response).
    public var lastCounts: SubOperationCounts {
        var counts = SubOperationCounts()
        for response in responses {
            if let v = response.counts.completed { counts.completed = v }
            if let v = response.counts.failed { counts.failed = v }
            if let v = response.counts.warning { counts.warning = v }
            if let v = response.counts.remaining { counts.remaining = v }
        }
        // A final response without Remaining: none remain (PS3.4 C.4.2.1.5), unless it says otherwise.
        if let final, final.counts.remaining == nil, final.status.category != .cancel, counts.remaining != nil {
            counts.remaining = 0
        }
        return counts
    }
}
