import DICOMServices
import Foundation

/// One retrieve of a campaign item through the retrieval model (docs/retrieval-model.md): the item's keys at
/// `level`, verified against the journal's inventory with the model's retry rounds.
public struct CampaignRetrieve: Sendable, Equatable {
    public var level: CampaignLevel
    public var keys: CampaignKeys
    /// The inventory (from the journal); nil when verification is off.
    public var inventory: [InventoryEntry]?
    /// SOP Instance UIDs of the inventory already recorded as arrived: not asked for again.
    public var present: Set<String>
    /// Ask only for the missing instances by SOP Instance UID lists from the first round on (a resumed item,
    /// or after a request at the item's level stalled).
    public var missingFirst: Bool
    /// Retry rounds for missing instances.
    public var retry: Int
    /// Seconds to wait for instances the archive reported but that have not arrived yet.
    public var settle: Double

    public init(
        level: CampaignLevel, keys: CampaignKeys, inventory: [InventoryEntry]? = nil, present: Set<String> = [],
        missingFirst: Bool = false, retry: Int = 0, settle: Double = 10
    ) {
        self.level = level
        self.keys = keys
        self.inventory = inventory
        self.present = present
        self.missingFirst = missingFirst
        self.retry = retry
        self.settle = settle
    }
}

/// Why a request to the archive failed. A transient `refusal` is waited out instead of failing the item
/// (docs/lua-api.md "campaign — bulk retrieval that survives", politeness).
public struct CampaignFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var refusal: ArchiveRefusal?
    public init(_ message: String, refusal: ArchiveRefusal? = nil) {
        self.message = message
        self.refusal = refusal
    }
    /// A refusal the campaign waits out (unreachable, rejected-transient, out of resources).
    public var isRefusal: Bool { refusal?.isTransient ?? false }
    public var description: String { message }
}

/// What one retrieve did: the retrieval model's verdict and what a campaign needs of its report.
public struct CampaignRetrieveResult: Sendable {
    public var verdict: RetrieveVerdict
    /// Why the verdict is not `complete` (the report's message).
    public var message: String?
    /// Why the last request failed (network, association, failure status), when it did.
    public var failure: String?
    /// When the archive did not take the last request at all.
    public var refusal: ArchiveRefusal?
    /// Completed sub-operations the archive reported (nil when it sent none).
    public var completed: Int?
    /// UIDs a Failed SOP Instance UID List named that did not arrive later.
    public var failedUIDs: [String]
    /// Rounds made (the report's `attempts`).
    public var attempts: Int
    /// Instances the retrieve itself wrote (C-GET); a C-MOVE's arrive through the executor's SCP.
    public var arrivals: [Arrival]
    /// Instances found missing after the first round and asked for again (0 when none).
    public var retriedUIDs: Int

    public init(
        verdict: RetrieveVerdict, message: String? = nil, failure: String? = nil, refusal: ArchiveRefusal? = nil,
        completed: Int? = nil, failedUIDs: [String] = [], attempts: Int = 1, arrivals: [Arrival] = [],
        retriedUIDs: Int = 0
    ) {
        self.retriedUIDs = retriedUIDs
        self.verdict = verdict
        self.message = message
        self.failure = failure
        self.refusal = refusal
        self.completed = completed
        self.failedUIDs = failedUIDs
        self.attempts = attempts
        self.arrivals = arrivals
    }
}

/// A study a STUDY-level C-FIND found.
public struct FoundStudy: Sendable, Equatable {
    public var keys: CampaignKeys
    /// Returned fields worth keeping with the item (study date, description, modalities).
    public var data: [String: String]
    public init(keys: CampaignKeys, data: [String: String] = [:]) {
        self.keys = keys
        self.data = data
    }
}

/// How the campaign engine talks to the archive: one association at a time per call, each opened after the
/// engine's `pace` (how many at once, when, back-off). The engine keeps the journal; the executor only does
/// DICOM, through DICOMServices' retrieval model. `ServicesCampaignExecutor` is the implementation over
/// DICOMServices; tests may substitute their own.
public protocol CampaignExecutor: Sendable {
    /// Starts what receives instances (the C-MOVE destination SCP); `onArrival` is called for each stored
    /// instance before its C-STORE response is sent, and must return quickly.
    func start(onArrival: @escaping @Sendable (Arrival) -> Void) async throws
    /// Stops it.
    func stop() async
    /// STUDY-level C-FIND (Study Root) with `match` (query field names of docs/lua-api.md, snake_case).
    func findStudies(_ match: [String: String]) async -> Result<[FoundStudy], CampaignFailure>
    /// The SOP Instance UIDs `keys` cover at `level`, by hierarchical C-FIND (one association per call).
    func inventory(_ keys: CampaignKeys, level: CampaignLevel) async -> Result<[InventoryEntry], CampaignFailure>
    /// One retrieve (C-MOVE or C-GET) with the retrieval model's verification and retry rounds. `pace` is
    /// called before each association it opens (false stops it); `progress` for each pending response, with
    /// the instances a C-GET stored since the last call; `control` cancels it.
    func retrieve(
        _ request: CampaignRetrieve, control: OperationControl, pace: @escaping @Sendable () async -> Bool,
        progress: @escaping @Sendable ([Arrival]) -> Void
    ) async -> CampaignRetrieveResult
    /// Where files are named `<SOP Instance UID>.<fileExtension>` (a resumed run looks there for instances it
    /// had received but not recorded).
    var directory: String { get }
    var fileExtension: String { get }
}
