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
    private func call<T>(_ body: () async -> Result<T, CampaignFailure>) async -> Call<Result<T, CampaignFailure>> {
        while true {
            guard await waitForTurn() else { return .stopped }
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

    /// Sleeps until the scheduler's turn; false when the run was stopped meanwhile.
    private func waitForTurn() async -> Bool {
        let wait = await scheduler.reserve()
        return await sleep(wait)
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

        var expected: [InventoryEntry]? = nil
        if options.verify {
            expected = try journal.expected(id)
            if expected == nil {
                switch await call({ await executor.inventory(item.keys, level: level) }) {
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

        var coarsest = level
        var lastFailure: String?
        var failedUIDs: [String] = []
        var round = 0
        while true {
            let missing = try missingEntries(expected)
            if expected != nil && missing.isEmpty { break }
            if round > options.retry { break }
            if round > 0 {
                let name = item.keys.studyInstanceUID ?? item.keys.uniqueKey
                log?(
                    "campaign: \(name): \(missing.count) of \(expected?.count ?? 0) instance(s) missing after round "
                        + "\(round); asking again for those only")
                guard await sleep(pow(2, Double(round - 1))) else { return try putBack(id) }
            }
            round += 1
            try journal.countAttempt(id)
            let requests = plan(item: item, level: level, coarsest: coarsest, expected: expected, missing: missing)
            var completed = 0
            var reportedAny = false
            requestLoop: for request in requests {
                switch await retrieve(request, item: id) {
                case .stopped: return try putBack(id)
                case .done(let outcome):
                    if outcome.stalled {
                        lastFailure = "no progress for \(Int(options.stall)) s: cancelled, retried one level lower"
                        coarsest = Self.finer(coarsest)
                        break requestLoop
                    }
                    let result = outcome.result
                    for arrival in result.arrivals { try journal.recordArrival(arrival, item: id) }
                    if let c = result.completed {
                        completed += c
                        reportedAny = true
                    }
                    failedUIDs += result.failedUIDs
                    if let failure = result.failure { lastFailure = failure.message }
                }
                if stopped != nil { return try putBack(id) }
            }
            guard let expected else {
                // Without verification, judged by the archive's word alone.
                let state: CampaignItemState
                if let lastFailure {
                    state = completed > 0 ? .partial : .failed
                } else {
                    state = reportedAny && completed == 0 ? .empty : .complete
                }
                return try await settle(
                    id, state, message: lastFailure ?? (state == .complete ? "not verified (verify off)" : nil))
            }
            // An archive may answer before its last C-STORE: wait up to `settle` seconds for them.
            if completed > 0 {
                let deadline = Date().addingTimeInterval(options.settle)
                while try !missingEntries(expected).isEmpty, Date() < deadline {
                    guard await sleep(0.2) else { return try putBack(id) }
                    try reconcile(id, expected)
                }
            }
        }
        try journal.setFailedUIDs(id, failedUIDs)
        let missing = try missingEntries(expected)
        if missing.isEmpty { return try await settle(id, .complete, message: nil) }
        let arrivedCount = (expected?.count ?? 0) - missing.count
        let rounds = "\(missing.count) of \(expected?.count ?? 0) instance(s) missing after \(round) round(s)"
        try await settle(
            id, arrivedCount > 0 ? .partial : .failed,
            message: rounds + (lastFailure.map { "; last error: \($0)" } ?? ""))
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

    /// The requests of one round: the item's own level when nothing has arrived yet; else per series, the
    /// whole series when all of it is missing, or SOP Instance UID lists of at most 100.
    func plan(
        item: CampaignItem, level: CampaignLevel, coarsest: CampaignLevel, expected: [InventoryEntry]?,
        missing: [InventoryEntry]
    ) -> [CampaignRequest] {
        guard let expected else { return [CampaignRequest(level: level, keys: item.keys)] }
        if missing.count == expected.count && coarsest == level {
            return [CampaignRequest(level: level, keys: item.keys)]
        }
        var requests: [CampaignRequest] = []
        let bySeries = Dictionary(grouping: missing, by: \.seriesInstanceUID)
        let expectedBySeries = Dictionary(grouping: expected, by: \.seriesInstanceUID)
        for series in bySeries.keys.sorted() {
            let entries = bySeries[series] ?? []
            guard let first = entries.first else { continue }
            let keys = CampaignKeys(
                patientID: item.keys.patientID, studyInstanceUID: first.studyInstanceUID, seriesInstanceUID: series)
            if entries.count == expectedBySeries[series]?.count && coarsest <= .series && level <= .series {
                requests.append(CampaignRequest(level: .series, keys: keys))
                continue
            }
            let uids = entries.map(\.sopInstanceUID).sorted()
            for start in stride(from: 0, to: uids.count, by: 100) {
                requests.append(
                    CampaignRequest(
                        level: .image, keys: keys, sopInstanceUIDs: Array(uids[start..<min(start + 100, uids.count)])))
            }
        }
        return requests
    }

    static func finer(_ level: CampaignLevel) -> CampaignLevel {
        switch level {
        case .patient: return .study
        case .study: return .series
        case .series, .image: return .image
        }
    }

    struct RetrieveOutcome {
        var result: CampaignRequestResult
        var stalled: Bool
    }

    /// One request with the stall watchdog: no pending response and no arrival for `stall` seconds cancels it.
    private func retrieve(_ request: CampaignRequest, item id: Int64) async -> Call<RetrieveOutcome> {
        var stalledFlag = false
        let result: Call<Result<CampaignRequestResult, CampaignFailure>> = await call {
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
                    let last = lock.withLock { lastProgress[id] } ?? Date()
                    if Date().timeIntervalSince(last) > options.stall {
                        stalled.set()
                        control.cancel()
                        return
                    }
                }
            }
            let result = await executor.retrieve(request, control: control) { [weak self] in self?.progressed(id) }
            watchdog.cancel()
            lock.withLock { _ = controls.removeValue(forKey: key) }
            stalledFlag = stalled.isSet
            if let failure = result.failure, failure.isRefusal, !result.cancelled { return .failure(failure) }
            return .success(result)
        }
        switch result {
        case .stopped: return .stopped
        case .done(.failure(let failure)):
            return .done(RetrieveOutcome(result: CampaignRequestResult(failure: failure), stalled: false))
        case .done(.success(let r)): return .done(RetrieveOutcome(result: r, stalled: stalledFlag))
        }
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
