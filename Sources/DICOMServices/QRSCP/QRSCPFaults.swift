import Foundation

/// Misbehaviours the test Q/R SCP can be told to show (`dicomlua qrscp --fault …`; README "Test faults"),
/// so that a retrieve's report can be tested against the ways real archives fail
/// (docs/lua-api.md "Retrieve reports, verification and retry"). All off by default.
public struct QRSCPFaults: Sendable, Equatable {
    /// (a) `drop-every=K`: on the first C-MOVE/C-GET request the SCP serves, every K-th instance is not
    /// sent, yet counted as completed (the final status says success).
    public var dropEvery: Int?
    /// (b) `early-final`: the final C-MOVE response is sent before the last `earlyFinalHeldBack` C-STOREs,
    /// counting them as completed.
    public var earlyFinal = false
    /// (c) `fail-every=K`: on the first request, every K-th sub-operation fails without being sent; the
    /// final response lists it in the Failed SOP Instance UID List (0008,0058).
    public var failEvery: Int?
    /// (d) `no-counters`: no sub-operation counter in any response.
    public var noCounters = false
    /// (e) `missing-last-pending`: N−1 pending responses: none after the last sub-operation.
    public var missingLastPending = false
    /// (f) `own-originator`: the C-MOVE sub-operations carry our own AE title as Move Originator AE Title
    /// (as pynetdicom's Move SCP does, against PS3.7 §9.3.1.1).
    public var ownOriginator = false

    /// (g) `stall=LEVEL` (repeatable): every C-MOVE/C-GET at one of these Query/Retrieve Levels (PATIENT,
    /// STUDY, SERIES, IMAGE) sends nothing, neither sub-operation nor response, until the requestor cancels it
    /// (C-CANCEL; final status Cancel), as an archive that hangs on a request.
    public var stallLevels: Set<String> = []

    /// How many C-STOREs `early-final` holds back (at most the number of instances).
    public static let earlyFinalHeldBack = 2

    public init() {}

    /// True when any fault is on.
    public var any: Bool { self != QRSCPFaults() }

    /// The names accepted by `--fault`.
    public static let names = [
        "drop-every=K", "early-final", "fail-every=K", "no-counters", "missing-last-pending", "own-originator",
        "stall=LEVEL",
    ]

    /// Adds one `--fault` value.
    /// - Throws: `QRSCPConfigurationError` naming the accepted values.
    public mutating func add(_ text: String) throws {
        let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
        func count() throws -> Int {
            guard parts.count == 2, let k = Int(parts[1]), (1...10_000).contains(k) else {
                throw QRSCPConfigurationError("--fault \(parts[0]) needs =K with K in 1...10000, got \"\(text)\"")
            }
            return k
        }
        switch parts[0] {
        case "drop-every": dropEvery = try count()
        case "fail-every": failEvery = try count()
        case "early-final": earlyFinal = true
        case "no-counters": noCounters = true
        case "missing-last-pending": missingLastPending = true
        case "own-originator": ownOriginator = true
        case "stall":
            let level = parts.count == 2 ? parts[1].uppercased() : ""
            guard ["PATIENT", "STUDY", "SERIES", "IMAGE"].contains(level) else {
                throw QRSCPConfigurationError(
                    "--fault stall needs =LEVEL with LEVEL one of PATIENT, STUDY, SERIES, IMAGE, got \"\(text)\"")
            }
            stallLevels.insert(level)
        default:
            throw QRSCPConfigurationError(
                "unknown --fault \"\(text)\"; expected one of \(Self.names.joined(separator: ", "))")
        }
    }

    /// What happens to the `position`-th (1-based) instance of a request.
    enum Fate: Equatable {
        case send
        /// Not sent, counted as completed.
        case drop
        /// Not sent, counted as failed.
        case fail
    }

    func fate(position: Int, firstRequest: Bool) -> Fate {
        guard firstRequest else { return .send }
        if let k = dropEvery, position % k == 0 { return .drop }
        if let k = failEvery, position % k == 0 { return .fail }
        return .send
    }
}

/// Counts the C-MOVE/C-GET requests a Q/R SCP has served (the faults of the first request).
final class RetrieveRequestCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    /// True for the first request of the process.
    func next() -> Bool {
        lock.withLock {
            count += 1
            return count == 1
        }
    }
}
