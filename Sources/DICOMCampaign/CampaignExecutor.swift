import DICOMServices
import Foundation

/// One C-MOVE or C-GET request of a campaign item: the item's keys at `level`, or, at image level, a list
/// of SOP Instance UIDs of one series (at most 100, as `q:retrieve`'s retry rounds ask).
public struct CampaignRequest: Sendable, Equatable {
    public var level: CampaignLevel
    public var keys: CampaignKeys
    public var sopInstanceUIDs: [String]

    public init(level: CampaignLevel, keys: CampaignKeys, sopInstanceUIDs: [String] = []) {
        self.level = level
        self.keys = keys
        self.sopInstanceUIDs = sopInstanceUIDs
    }
}

/// Why a request to the archive failed. `isRefusal` marks the failures the campaign waits out instead of
/// failing the item (docs/lua-api.md "campaign — bulk retrieval that survives", politeness): 0xA700, 0xA701,
/// 0xA702 with nothing done, A-ASSOCIATE-RJ rejected-transient, a refused or reset connection.
public struct CampaignFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var isRefusal: Bool
    public init(_ message: String, isRefusal: Bool) {
        self.message = message
        self.isRefusal = isRefusal
    }
    public var description: String { message }
}

/// What one request did.
public struct CampaignRequestResult: Sendable {
    /// Completed sub-operations the archive reported (nil when it sent none).
    public var completed: Int?
    /// UIDs a Failed SOP Instance UID List named.
    public var failedUIDs: [String]
    /// Nil when the final status was success, warning or cancel.
    public var failure: CampaignFailure?
    /// The request ended by C-CANCEL (stall, stop, or a script's cancel).
    public var cancelled: Bool
    /// Instances the request itself wrote (C-GET); a C-MOVE's arrive through the executor's SCP.
    public var arrivals: [Arrival]

    public init(
        completed: Int? = nil, failedUIDs: [String] = [], failure: CampaignFailure? = nil, cancelled: Bool = false,
        arrivals: [Arrival] = []
    ) {
        self.completed = completed
        self.failedUIDs = failedUIDs
        self.failure = failure
        self.cancelled = cancelled
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

/// How the campaign engine talks to the archive: one association per call. The engine schedules the calls
/// (how many at once, when) and keeps the journal; the executor only does DICOM. `ServicesCampaignExecutor`
/// is the implementation over DICOMServices; tests may substitute their own.
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
    /// One C-MOVE or C-GET. `progress` is called for each pending response; `control` cancels it.
    func retrieve(
        _ request: CampaignRequest, control: OperationControl, progress: @escaping @Sendable () -> Void
    ) async -> CampaignRequestResult
    /// Where files are named `<SOP Instance UID>.<fileExtension>` (a resumed run looks there for instances it
    /// had received but not recorded).
    var directory: String { get }
    var fileExtension: String { get }
}
