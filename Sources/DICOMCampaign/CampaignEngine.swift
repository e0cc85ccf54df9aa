import DICOMServices
import Foundation

/// The campaign engine (docs/lua-api.md "campaign — bulk retrieval that survives"): takes the journal's
/// items that are not settled, retrieves each with at most `parallel` associations to the archive, verifies
/// it against an inventory, retries what is missing, and records every state change and every arrived
/// instance in the journal before relying on it. Plain Swift; the Lua binding and the command line only
/// convert.
public final class CampaignEngine: @unchecked Sendable {
    public let journal: CampaignJournal
    public let options: CampaignOptions.Resolved
    let executor: CampaignExecutor
    /// Called when an item starts (returning `.cancel` cancels it) and when it settles (return ignored).
    public var onItem: (@Sendable (CampaignItem) async -> OperationDecision)?
    /// A line for the log (gave up, backing off, stopped).
    public var log: (@Sendable (String) -> Void)?

    private let lock = NSLock()
    private var stopMessage: String?
    private var controls: [ObjectIdentifier: OperationControl] = [:]
    private var queue: [Int64] = []
    /// Running items by the UIDs their instances carry (attribution of C-MOVE arrivals).
    private var runningByUID: [String: Int64] = [:]
    private var lastProgress: [Int64: Date] = [:]
    /// Items whose retrieve waits for the scheduler's turn (not watched for stalls meanwhile).
    private var pacing: Set<Int64> = []
    private var arrivalFailure: String?
    let scheduler: CampaignScheduler

    public init(journal: CampaignJournal, options: CampaignOptions.Resolved, executor: CampaignExecutor) {
        self.journal = journal
        self.options = options
        self.executor = executor
        scheduler = CampaignScheduler(minInterval: options.minInterval, window: options.window, giveUp: options.giveUp)
    }

    /// Stops the run: retrieves in flight are cancelled (C-CANCEL) and their items go back to `pending`.
    public func stop(_ message: String = "stopped") {
        let active: [OperationControl] = lock.withLock {
            if stopMessage == nil { stopMessage = message }
            return Array(controls.values)
        }
        for control in active { control.cancel() }
    }

    var stopped: String? { lock.withLock { stopMessage } }

    /// Runs until every item is settled, or the run is stopped, or the archive refused for `give_up`
    /// seconds. Takes the journal's lock for the duration.
    /// - Throws: `CampaignError` when another process runs the journal or the destination cannot start.
    public func run() async throws -> CampaignSummary {
        let started = Date()
        let runLock = try JournalLock(journalPath: journal.path)
        defer { runLock.release() }
        _ = try journal.resetRunning()
        let lost = try journal.recheckFiles()
        if lost > 0 { log?("campaign: \(lost) recorded file(s) were missing on disk; they will be fetched again") }
        lock.withLock {
            stopMessage = nil
            queue = (try? journal.itemIDsToRun()) ?? []
        }
        try journal.note("run started")
        try await executor.start { [weak self] arrival in self?.arrived(arrival) }
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<max(1, options.parallel) {
                group.addTask { await self.worker() }
            }
        }
        await executor.stop()
        let message = stopped
        try journal.note(message.map { "run ended: \($0)" } ?? "run ended")
        if let failure = lock.withLock({ arrivalFailure }) { log?("campaign: \(failure)") }
        return try journal.summary(elapsed: Date().timeIntervalSince(started), message: message)
    }

    // MARK: Workers

    private func next() -> Int64? {
        lock.withLock {
            guard stopMessage == nil, !queue.isEmpty else { return nil }
            return queue.removeFirst()
        }
    }

    private func worker() async {
        while let id = next() {
            do { try await process(id) } catch {
                log?("campaign: item \(id): \(error)")
                try? journal.setState(id, .failed, message: "\(error)")
            }
        }
    }

    /// The outcome of a call to the archive made through the scheduler.
    enum Call<T> {
        case done(T)
        case stopped
    }

    /// Waits for the scheduler, calls, and waits out refusals (without failing the item).
    private func call<T>(
        item: Int64? = nil, _ body: () async -> Result<T, CampaignFailure>
    ) async -> Call<Result<T, CampaignFailure>> {
        while true {
            guard await waitForTurn(item: item) else { return .stopped }
            let result = await body()
            if case .failure(let failure) = result, failure.isRefusal {
                if await scheduler.refused(failure.message) {
                    stop(
                        "gave up: the archive refused or was unreachable for \(Int(options.giveUp)) s (\(failure.message))"
                    )
                    return .stopped
                }
                log?("campaign: refused (\(failure.message)); backing off \(Int(await scheduler.currentBackoff)) s")
                continue
            }
            await scheduler.answered()
            return .done(result)
        }
    }

    /// Sleeps until the scheduler's turn; false when the run was stopped meanwhile. A running `item` that
    /// waits longer than a second is marked waiting in the journal meanwhile (`campaign status` shows it).
    private func waitForTurn(item: Int64? = nil) async -> Bool {
        let wait = await scheduler.reserve()
        guard let item, wait > 1 else { return await sleep(wait) }
        try? journal.setWaiting(item, until: Date().addingTimeInterval(wait))
        let go = await sleep(wait)
        try? journal.setWaiting(item, until: nil)
        return go
    }

    /// Sleeps `seconds` in short steps; false when the run was stopped meanwhile.
    private func sleep(_ seconds: Double) async -> Bool {
        let end = Date().addingTimeInterval(seconds)
        while stopped == nil {
            let left = end.timeIntervalSinceNow
            if left <= 0 { return true }
            try? await Task.sleep(nanoseconds: UInt64(min(left, 0.2) * 1e9))
        }
        return false
    }

    // MARK: One item

    private func process(_ id: Int64) async throws {
        guard let item = try journal.item(id), item.state.isRetaken else { return }
        guard let level = item.keys.level else { return try await resolve(item) }
        if let onItem {
            var running = item
            running.state = .running
            if await onItem(running) == .cancel {
                try await settle(id, .cancelled, message: "cancelled by the script")
                return
            }
        }
        try journal.setState(id, .running, message: nil)
        track(item, running: true)
        defer { track(item, running: false) }

        // The inventory is kept in the journal, so that a resumed run asks only for what is missing.
        var expected: [InventoryEntry]? = nil
        if options.verify {
            expected = try journal.expected(id)
            if expected == nil {
                switch await call(item: id, { await executor.inventory(item.keys, level: level) }) {
                case .stopped: return try putBack(id)
                case .done(.failure(let failure)):
                    return try await settle(id, .failed, message: "inventory failed: \(failure.message)")
                case .done(.success(let entries)):
                    try journal.setExpected(id, entries)
                    expected = entries
                }
            }
            if expected?.isEmpty ?? false {
                return try await settle(id, .empty, message: "the archive has no instance for these keys")
            }
            try reconcile(id, expected ?? [])
        }

        // Verification and retry rounds are the retrieval model's (docs/retrieval-model.md); the engine adds
        // the journal, the pace of its scheduler, the stall watchdog, and waits refusals out.
        var stalls = 0
        // After a stall the requests step down a level: study → series → image (docs/lua-api.md "campaign —
        // bulk retrieval that survives", `stall`).
        var requestLevel = level
        var triedSeries: Set<String> = []
        var result: CampaignRetrieveResult
        while true {
            let present = try expected.map { try journal.arrivedUIDs(among: $0.map(\.sopInstanceUID)) } ?? []
            if let expected, present.count == expected.count {
                return try await settle(id, .complete, message: nil)
            }
            let request: CampaignRetrieve
            if requestLevel == .series, level < .series, let expected,
                let series = Self.nextSeries(expected, present: present, tried: triedSeries)
            {
                triedSeries.insert(series.seriesInstanceUID)
                request = seriesRequest(series, of: item, expected: expected, present: present)
            } else {
                request = CampaignRetrieve(
                    level: level, keys: item.keys, inventory: expected, present: present,
                    missingFirst: requestLevel > level || !present.isEmpty, retry: options.retry,
                    settle: options.settle)
            }
            guard let outcome = await retrieve(request, item: id) else { return try putBack(id) }
            result = outcome.result
            // A C-GET's instances were recorded as its responses came; the report adds only those that came
            // after the last response (each arrival is written once).
            for arrival in result.arrivals where !outcome.recorded.contains(arrival.sopInstanceUID) {
                try journal.recordArrival(arrival, item: id)
            }
            if stopped != nil { return try putBack(id) }
            // Rounds the archive took part in (a request it refused for now is waited out, not counted).
            if !(result.refusal?.isTransient ?? false) || result.attempts > 1 {
                for _ in 0..<max(1, result.attempts) { try journal.countAttempt(id) }
            }
            if outcome.stalled {
                stalls += 1
                // The level of the request that stalled (a request at the item's level asking by UID lists
                // is an IMAGE-level one).
                let stalledAt: CampaignLevel =
                    request.level == .series && level < .series ? .series : requestLevel > level ? .image : level
                requestLevel = Self.stepDown(from: stalledAt, canListSeries: expected != nil)
                let next: String
                switch requestLevel {
                case .series: next = "asking for it series by series (SERIES level)"
                case .image: next = "asking for the missing instances by SOP Instance UID (IMAGE level)"
                case .patient, .study: next = "asking again"
                }
                log?(
                    "campaign: \(item.keys.studyInstanceUID ?? item.keys.uniqueKey): no progress for "
                        + "\(Int(options.stall)) s at \(stalledAt.rawValue.uppercased()) level: cancelled, \(next)")
                if stalls <= options.retry { continue }
                result.failure = "no progress for \(Int(options.stall)) s, \(stalls) time(s)"
                break
            }
            if let refusal = result.refusal {
                guard refusal.isTransient else { break }
                if await scheduler.refused(refusal.description) {
                    stop(
                        "gave up: the archive refused or was unreachable for \(Int(options.giveUp)) s (\(refusal))")
                    return try putBack(id)
                }
                log?("campaign: refused (\(refusal)); backing off \(Int(await scheduler.currentBackoff)) s")
                continue
            }
            await scheduler.answered()
            // Stepping down series by series: the next series with missing instances.
            if request.level == .series, level < .series { continue }
            if result.retriedUIDs > 0, let expected {
                log?(
                    "campaign: \(item.keys.studyInstanceUID ?? item.keys.uniqueKey): \(result.retriedUIDs) of "
                        + "\(expected.count) instance(s) missing after round 1; asked again for those only "
                        + "(\(result.attempts) round(s))")
            }
            break
        }
        try journal.setFailedUIDs(id, result.failedUIDs)
        guard let expected else {
            // Without verification, judged by the archive's word alone (the retrieval model's verdict).
            let state: CampaignItemState
            switch result.verdict {
            case .empty: state = .empty
            case .failed: state = .failed
            case .complete, .partial, .unverified, .cancelled:
                if result.failure != nil {
                    state = (result.completed ?? 0) > 0 ? .partial : .failed
                } else {
                    state = .complete
                }
            }
            return try await settle(
                id, state, message: result.failure ?? (state == .complete ? "not verified (verify off)" : nil))
        }
        // The journal is the truth: what arrived in this run and earlier ones.
        try reconcile(id, expected)
        let missing = try missingEntries(expected)
        if missing.isEmpty { return try await settle(id, .complete, message: nil) }
        let arrivedCount = expected.count - missing.count
        let word = result.refusal.map { "\($0)" } ?? result.message ?? result.failure
        try await settle(
            id, arrivedCount > 0 ? .partial : .failed,
            message: "\(missing.count) of \(expected.count) instance(s) missing"
                + (word.map { ": \($0)" } ?? ""))
    }

    /// The level a request goes to after one at `level` stalled: study (or patient) → series, series →
    /// image. Without an inventory there are no series or SOP Instance UIDs to name: the same level again.
    static func stepDown(from level: CampaignLevel, canListSeries: Bool) -> CampaignLevel {
        guard canListSeries else { return level }
        switch level {
        case .patient, .study: return .series
        case .series, .image: return .image
        }
    }

    /// The first series of the inventory (in its order) with missing instances not yet asked for at SERIES
    /// level.
    static func nextSeries(
        _ expected: [InventoryEntry], present: Set<String>, tried: Set<String>
    ) -> InventoryEntry? {
        expected.first { !present.contains($0.sopInstanceUID) && !tried.contains($0.seriesInstanceUID) }
    }

    /// A SERIES-level retrieve of one series of an item (after a stall at STUDY level), verified against that
    /// series' part of the inventory; a series partly arrived is asked for by SOP Instance UID lists.
    private func seriesRequest(
        _ series: InventoryEntry, of item: CampaignItem, expected: [InventoryEntry], present: Set<String>
    ) -> CampaignRetrieve {
        var keys = item.keys
        keys.studyInstanceUID = series.studyInstanceUID
        keys.seriesInstanceUID = series.seriesInstanceUID
        let entries = expected.filter { $0.seriesInstanceUID == series.seriesInstanceUID }
        let arrived = present.intersection(entries.map(\.sopInstanceUID))
        return CampaignRetrieve(
            level: .series, keys: keys, inventory: entries, present: arrived, missingFirst: !arrived.isEmpty,
            retry: options.retry, settle: options.settle)
    }

    /// Resolves an accession number by a STUDY-level C-FIND: each study found becomes its own item (queued
    /// now), none found gives `not_found`.
    private func resolve(_ item: CampaignItem) async throws {
        guard let accession = item.keys.accessionNumber else { return }
        var match = ["accession_number": accession]
        if let patient = item.keys.patientID { match["patient_id"] = patient }
        switch await call({ await executor.findStudies(match) }) {
        case .stopped: return
        case .done(.failure(let failure)):
            try await settle(item.id, .failed, message: "accession number lookup failed: \(failure.message)")
        case .done(.success(let studies)):
            let found = studies.filter { $0.keys.studyInstanceUID != nil }
            guard !found.isEmpty else {
                return try await settle(item.id, .notFound, message: "no study with accession number \(accession)")
            }
            let keys = found.map {
                CampaignKeys(
                    patientID: $0.keys.patientID ?? item.keys.patientID, accessionNumber: accession,
                    studyInstanceUID: $0.keys.studyInstanceUID)
            }
            let ids = try journal.resolve(accessionItem: item.id, studies: keys)
            lock.withLock { queue.insert(contentsOf: ids, at: 0) }
        }
    }

    struct RetrieveOutcome {
        var result: CampaignRetrieveResult
        var stalled: Bool
        /// SOP Instance UIDs recorded in the journal while the retrieve ran (a C-GET's, by its progress).
        var recorded: Set<String>
    }

    /// One retrieve with the stall watchdog (no pending response and no arrival for `stall` seconds cancels
    /// it) and the scheduler's pace before each association; nil when the run was stopped before it began.
    private func retrieve(_ request: CampaignRetrieve, item id: Int64) async -> RetrieveOutcome? {
        guard stopped == nil else { return nil }
        let control = OperationControl()
        let key = ObjectIdentifier(control)
        let stalled = StallFlag()
        lock.withLock {
            controls[key] = control
            lastProgress[id] = Date()
        }
        if stopped != nil { control.cancel() }
        let watchdog = Task {
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: 500_000_000)
                let last = lock.withLock { pacing.contains(id) ? Date() : lastProgress[id] } ?? Date()
                if Date().timeIntervalSince(last) > options.stall {
                    stalled.set()
                    control.cancel()
                    return
                }
            }
        }
        let journal = self.journal
        let recorded = RecordedUIDs()
        let result = await executor.retrieve(
            request, control: control,
            pace: { [weak self] in
                guard let self else { return false }
                // The wait for a turn (window, back-off) is not a stall.
                self.lock.withLock { _ = self.pacing.insert(id) }
                let go = await self.waitForTurn(item: id)
                self.lock.withLock { _ = self.pacing.remove(id) }
                self.progressed(id)
                return go
            },
            progress: { [weak self] arrivals in
                for arrival in arrivals where !recorded.contains(arrival.sopInstanceUID) {
                    if (try? journal.recordArrival(arrival, item: id)) != nil {
                        recorded.insert(arrival.sopInstanceUID)
                    }
                }
                self?.progressed(id)
            })
        watchdog.cancel()
        lock.withLock { _ = controls.removeValue(forKey: key) }
        return RetrieveOutcome(result: result, stalled: stalled.isSet, recorded: recorded.all)
    }

    private func progressed(_ id: Int64) { lock.withLock { lastProgress[id] = Date() } }

    /// Expected instances not recorded as arrived.
    private func missingEntries(_ expected: [InventoryEntry]?) throws -> [InventoryEntry] {
        guard let expected else { return [] }
        let arrived = try journal.arrivedUIDs(among: expected.map(\.sopInstanceUID))
        return expected.filter { !arrived.contains($0.sopInstanceUID) }
    }

    /// Records as arrived the expected instances already in the folder under their own name (stored by an
    /// earlier run that died before recording them, or by a C-GET).
    private func reconcile(_ id: Int64, _ expected: [InventoryEntry]) throws {
        for entry in try missingEntries(expected) {
            let path = (executor.directory as NSString).appendingPathComponent(
                "\(entry.sopInstanceUID).\(executor.fileExtension)")
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else { continue }
            try journal.recordArrival(
                Arrival(
                    sopInstanceUID: entry.sopInstanceUID, studyInstanceUID: entry.studyInstanceUID,
                    seriesInstanceUID: entry.seriesInstanceUID, path: path,
                    bytes: Int64((attributes[.size] as? Int) ?? 0)), item: id)
        }
    }

    private func putBack(_ id: Int64) throws {
        try journal.setState(id, .pending, message: "interrupted (\(stopped ?? "stopped")): retried by the next run")
    }

    private func settle(_ id: Int64, _ state: CampaignItemState, message: String?) async throws {
        try journal.setState(id, state, message: message)
        if let onItem, let item = try journal.item(id) { _ = await onItem(item) }
    }

    // MARK: Arrivals

    private func track(_ item: CampaignItem, running: Bool) {
        lock.withLock {
            for uid in [item.keys.studyInstanceUID, item.keys.seriesInstanceUID, item.keys.sopInstanceUID].compactMap({
                $0
            }) {
                if running {
                    runningByUID[uid] = item.id
                } else if runningByUID[uid] == item.id {
                    runningByUID[uid] = nil
                }
            }
        }
    }

    /// An instance stored by the destination SCP: recorded (committed) before its C-STORE response goes out.
    func arrived(_ arrival: Arrival) {
        let running: Int64? = lock.withLock {
            [arrival.sopInstanceUID, arrival.seriesInstanceUID, arrival.studyInstanceUID].compactMap { $0 }
                .lazy.compactMap { self.runningByUID[$0] }.first
        }
        do {
            let item =
                try running
                ?? journal.itemFor(
                    study: arrival.studyInstanceUID, series: arrival.seriesInstanceUID, sop: arrival.sopInstanceUID)
            try journal.recordArrival(arrival, item: item)
            if let item { progressed(item) }
        } catch {
            lock.withLock { arrivalFailure = "could not record \(arrival.path) in the journal: \(error)" }
        }
    }
}

/// Set once by the stall watchdog.
final class StallFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}

/// The SOP Instance UIDs one retrieve has recorded so far (its progress callback runs on the network's
/// threads).
final class RecordedUIDs: @unchecked Sendable {
    private let lock = NSLock()
    private var uids: Set<String> = []
    func insert(_ uid: String) { lock.withLock { _ = uids.insert(uid) } }
    func contains(_ uid: String) -> Bool { lock.withLock { uids.contains(uid) } }
    var all: Set<String> { lock.withLock { uids } }
}
