import Foundation

/// When the campaign may open the next association to the archive (docs/lua-api.md "campaign — bulk
/// retrieval that survives", politeness): never inside `min_interval` of the previous one, only inside
/// `window`, and not before the back-off that refusals impose has passed. Back-off doubles from 1 s up to
/// 5 minutes and is shared by every worker (the archive refused us, not one item). How many associations
/// are open at once is bounded by the number of workers (`parallel`), each of which has at most one.
actor CampaignScheduler {
    let minInterval: Double
    let window: CampaignWindow?
    let giveUp: Double
    /// Longest back-off between two tries after refusals.
    static let maximumBackoff: Double = 300

    private var nextOpen = Date.distantPast
    private var backoffUntil = Date.distantPast
    private var backoff: Double = 0
    private var refusingSince: Date?
    private(set) var lastRefusal: String?

    init(minInterval: Double, window: CampaignWindow?, giveUp: Double) {
        self.minInterval = minInterval
        self.window = window
        self.giveUp = giveUp
    }

    /// Reserves the next opening time and returns how long to wait for it.
    func reserve(now: Date = Date()) -> Double {
        var at = max(now, nextOpen, backoffUntil)
        if let window { at = at.addingTimeInterval(window.secondsUntilOpen(from: at)) }
        nextOpen = at.addingTimeInterval(minInterval)
        return at.timeIntervalSince(now)
    }

    /// A refusal: the back-off grows. Returns true when refusals have lasted `give_up` seconds.
    func refused(_ message: String, now: Date = Date()) -> Bool {
        lastRefusal = message
        backoff = backoff == 0 ? 1 : min(backoff * 2, Self.maximumBackoff)
        backoffUntil = now.addingTimeInterval(backoff)
        if refusingSince == nil { refusingSince = now }
        return now.timeIntervalSince(refusingSince!) >= giveUp
    }

    /// The archive answered: the back-off ends.
    func answered() {
        backoff = 0
        backoffUntil = .distantPast
        refusingSince = nil
    }

    /// Seconds of back-off now in force (for the progress line).
    var currentBackoff: Double { backoff }
}
