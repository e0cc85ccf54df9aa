import Foundation

/// The options of a campaign (docs/lua-api.md "campaign — bulk retrieval that survives"). They are stored in
/// the journal; options given to a later `open`/`run` override them and are stored in turn. Every field is
/// optional here so that "not given" and "given" stay apart when options are merged; `resolved` applies the
/// defaults.
public struct CampaignOptions: Sendable, Equatable, Codable {
    /// AE name (user configuration) of the archive queried and retrieved from.
    public var querySCP: String?
    /// AE name of the C-MOVE destination: an SCP this process runs on that AE's port.
    public var storageSCP: String?
    /// 1 Study Root (default); 0 Patient Root (used for items with only a patient ID in any case).
    public var queryModel: Int?
    /// `move` (default) or `get`.
    public var method: String?
    /// Where files go; default the configuration's `StorScpDir`.
    public var directory: String?
    /// At most this many associations to the archive at once (inventories included). Default 2.
    public var parallel: Int?
    /// Seconds between two associations opened to the archive. Default 0.
    public var minInterval: Double?
    /// `HH:MM-HH:MM` (local time): associations are opened only inside it. Default: always.
    public var window: String?
    /// Inventory before retrieving and compare after. Default true.
    public var verify: Bool?
    /// Retry rounds for missing instances. Default 3.
    public var retry: Int?
    /// Seconds to wait for instances after a final response that counted more than arrived. Default 10.
    public var settle: Double?
    /// Seconds without progress before a retrieve is cancelled and retried one level lower. Default 300.
    public var stall: Double?
    /// Seconds of nothing but refusals after which `run()` returns. Default 3600.
    public var giveUp: Double?

    public init() {}

    /// The option names as the contract spells them (Lua table keys, journal `options` rows).
    public static let names = [
        "query_scp", "storage_scp", "query_model", "method", "directory", "parallel", "min_interval", "window",
        "verify", "retry", "settle", "stall", "give_up",
    ]

    /// `other`'s given fields over ours.
    public func overridden(by other: CampaignOptions) -> CampaignOptions {
        var merged = self
        merged.querySCP = other.querySCP ?? querySCP
        merged.storageSCP = other.storageSCP ?? storageSCP
        merged.queryModel = other.queryModel ?? queryModel
        merged.method = other.method ?? method
        merged.directory = other.directory ?? directory
        merged.parallel = other.parallel ?? parallel
        merged.minInterval = other.minInterval ?? minInterval
        merged.window = other.window ?? window
        merged.verify = other.verify ?? verify
        merged.retry = other.retry ?? retry
        merged.settle = other.settle ?? settle
        merged.stall = other.stall ?? stall
        merged.giveUp = other.giveUp ?? giveUp
        return merged
    }

    /// Checks the given values (misuse is raised, naming the option and what was expected).
    public func validate() throws {
        if let m = method, m != "move" && m != "get" {
            throw CampaignError("option method must be 'move' or 'get', got '\(m)'")
        }
        if let p = parallel, !(1...64).contains(p) {
            throw CampaignError("option parallel must be in 1...64, got \(p)")
        }
        if let r = retry, !(0...100).contains(r) { throw CampaignError("option retry must be in 0...100, got \(r)") }
        if let q = queryModel, q != 0 && q != 1 {
            throw CampaignError("option query_model must be 0 (Patient Root) or 1 (Study Root), got \(q)")
        }
        for (name, value) in [
            ("min_interval", minInterval), ("settle", settle), ("stall", stall), ("give_up", giveUp),
        ] {
            if let v = value, !(v >= 0 && v <= 7 * 86_400) {
                throw CampaignError("option \(name) must be a number of seconds in 0...604800, got \(v)")
            }
        }
        if let w = window { _ = try CampaignWindow(parsing: w) }
    }

    /// The options with their defaults applied.
    public var resolved: Resolved {
        Resolved(
            querySCP: querySCP, storageSCP: storageSCP, queryModel: queryModel ?? 1, method: method ?? "move",
            directory: directory, parallel: parallel ?? 2, minInterval: minInterval ?? 0,
            window: window.flatMap { try? CampaignWindow(parsing: $0) }, verify: verify ?? true, retry: retry ?? 3,
            settle: settle ?? 10, stall: stall ?? 300, giveUp: giveUp ?? 3600)
    }

    /// Options with every default applied.
    public struct Resolved: Sendable {
        public var querySCP: String?
        public var storageSCP: String?
        public var queryModel: Int
        public var method: String
        public var directory: String?
        public var parallel: Int
        public var minInterval: Double
        public var window: CampaignWindow?
        public var verify: Bool
        public var retry: Int
        public var settle: Double
        public var stall: Double
        public var giveUp: Double
    }
}
