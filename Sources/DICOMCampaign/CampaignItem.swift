import Foundation

/// The state of one campaign item (docs/lua-api.md "campaign — bulk retrieval that survives").
public enum CampaignItemState: String, Sendable, CaseIterable, Codable {
    /// Not retrieved yet (also: an item that was in flight when a run was stopped or killed).
    case pending
    /// A run is retrieving it now.
    case running
    /// Verified: every instance of the inventory arrived (or, without verification, the archive reported
    /// success with no failed sub-operation).
    case complete
    /// Something arrived, something is missing or failed.
    case partial
    /// Nothing arrived and the archive or the network failed.
    case failed
    /// The archive has nothing for these keys (empty inventory, or no sub-operation).
    case empty
    /// An accession number that no study of the archive carries.
    case notFound = "not_found"
    /// A script's `on_item` callback cancelled it.
    case cancelled

    /// States a later `run()` takes again (with a fresh retry budget).
    public var isRetaken: Bool {
        switch self {
        case .pending, .running, .partial, .failed: return true
        case .complete, .empty, .notFound, .cancelled: return false
        }
    }

    /// States that end an item's run.
    public var isSettled: Bool {
        switch self {
        case .pending, .running: return false
        case .complete, .partial, .failed, .empty, .notFound, .cancelled: return true
        }
    }
}

/// The level an item is retrieved at (the most specific of its keys).
public enum CampaignLevel: String, Sendable, Comparable {
    case patient, study, series, image

    var rank: Int {
        switch self {
        case .patient: return 0
        case .study: return 1
        case .series: return 2
        case .image: return 3
        }
    }
    public static func < (a: CampaignLevel, b: CampaignLevel) -> Bool { a.rank < b.rank }
}

/// What an item names: the keys of `q:retrieve` plus `accession_number`.
public struct CampaignKeys: Sendable, Equatable, Hashable, Codable {
    public var patientID: String?
    public var accessionNumber: String?
    public var studyInstanceUID: String?
    public var seriesInstanceUID: String?
    public var sopInstanceUID: String?

    public init(
        patientID: String? = nil, accessionNumber: String? = nil, studyInstanceUID: String? = nil,
        seriesInstanceUID: String? = nil, sopInstanceUID: String? = nil
    ) {
        func clean(_ s: String?) -> String? {
            guard let t = s?.trimmingCharacters(in: .whitespaces), !t.isEmpty else { return nil }
            return t
        }
        self.patientID = clean(patientID)
        self.accessionNumber = clean(accessionNumber)
        self.studyInstanceUID = clean(studyInstanceUID)
        self.seriesInstanceUID = clean(seriesInstanceUID)
        self.sopInstanceUID = clean(sopInstanceUID)
    }

    /// The snake_case names of the key columns, in hierarchy order.
    public static let names = [
        "patient_id", "accession_number", "study_instance_uid", "series_instance_uid", "sop_instance_uid",
    ]

    public subscript(name: String) -> String? {
        switch name {
        case "patient_id": return patientID
        case "accession_number": return accessionNumber
        case "study_instance_uid": return studyInstanceUID
        case "series_instance_uid": return seriesInstanceUID
        case "sop_instance_uid": return sopInstanceUID
        default: return nil
        }
    }

    public var isEmpty: Bool { Self.names.allSatisfy { self[$0] == nil } }

    /// The level the keys name; nil for an accession number that still needs resolving.
    public var level: CampaignLevel? {
        if sopInstanceUID != nil { return .image }
        if seriesInstanceUID != nil { return .series }
        if studyInstanceUID != nil { return .study }
        if accessionNumber != nil { return nil }
        return .patient
    }

    /// What makes an item unique: its most specific key (adding the same study twice, once by accession
    /// number and once by UID, keeps one item).
    public var uniqueKey: String {
        if let v = sopInstanceUID { return "image:\(v)" }
        if let v = seriesInstanceUID { return "series:\(v)" }
        if let v = studyInstanceUID { return "study:\(v)" }
        if let v = accessionNumber { return "accession:\(v)" }
        return "patient:\(patientID ?? "")"
    }

    /// Checks that the keys can be retrieved (a series needs its study, an image its series and study).
    public func validate() throws {
        if isEmpty {
            throw CampaignError(
                "an item needs one of patient_id, accession_number, study_instance_uid, series_instance_uid, "
                    + "sop_instance_uid")
        }
        if seriesInstanceUID != nil && studyInstanceUID == nil {
            throw CampaignError("an item with series_instance_uid needs its study_instance_uid")
        }
        if sopInstanceUID != nil && (seriesInstanceUID == nil || studyInstanceUID == nil) {
            throw CampaignError("an item with sop_instance_uid needs its series_instance_uid and study_instance_uid")
        }
    }
}

/// One item as the journal records it (the `item` record of docs/lua-api.md).
public struct CampaignItem: Sendable, Equatable {
    public var id: Int64
    public var keys: CampaignKeys
    /// Other CSV columns, repeated in the report.
    public var data: [String: String]
    public var state: CampaignItemState
    /// Instances the inventory listed; nil before the inventory or without verification.
    public var expectedCount: Int?
    /// Instances of this item recorded as arrived.
    public var arrived: Int
    /// Expected instances that have not arrived (always an array).
    public var missing: [String]
    /// Instances the archive named in a Failed SOP Instance UID List and that did not arrive.
    public var failedUIDs: [String]
    /// Rounds of requests made over all runs.
    public var attempts: Int
    public var bytes: Int64
    public var message: String?
    public var started: Date?
    public var finished: Date?

    public init(
        id: Int64, keys: CampaignKeys, data: [String: String] = [:], state: CampaignItemState = .pending,
        expectedCount: Int? = nil, arrived: Int = 0, missing: [String] = [], failedUIDs: [String] = [],
        attempts: Int = 0, bytes: Int64 = 0, message: String? = nil, started: Date? = nil, finished: Date? = nil
    ) {
        self.id = id
        self.keys = keys
        self.data = data
        self.state = state
        self.expectedCount = expectedCount
        self.arrived = arrived
        self.missing = missing
        self.failedUIDs = failedUIDs
        self.attempts = attempts
        self.bytes = bytes
        self.message = message
        self.started = started
        self.finished = finished
    }
}

/// What `run()` returns: `total`, a count per state, `instances`, `bytes`, `elapsed`, and why it stopped
/// early (nil when every item is settled).
public struct CampaignSummary: Sendable, Equatable {
    public var total: Int
    public var counts: [CampaignItemState: Int]
    /// Instances recorded over the whole journal.
    public var instances: Int
    public var bytes: Int64
    /// Seconds this run took.
    public var elapsed: Double
    /// Why the run returned with items still pending (stopped, gave up); nil when all settled.
    public var message: String?
    /// Running items that wait for their turn (window, back-off, `min_interval`), and the earliest time one
    /// of them goes on.
    public var waiting = 0
    public var waitingUntil: Date?

    public init(
        total: Int, counts: [CampaignItemState: Int], instances: Int, bytes: Int64, elapsed: Double,
        message: String?
    ) {
        self.total = total
        self.counts = counts
        self.instances = instances
        self.bytes = bytes
        self.elapsed = elapsed
        self.message = message
    }

    public func count(_ state: CampaignItemState) -> Int { counts[state] ?? 0 }
}

/// Misuse of a campaign or a journal problem, in words (raised in Lua, exit status 2 on the command line).
public struct CampaignError: Error, Sendable, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
