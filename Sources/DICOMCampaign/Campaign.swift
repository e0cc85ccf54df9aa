import DICOMDeidentify
import DICOMServices
import Foundation

/// A campaign as scripts and the command line use it (docs/lua-api.md "campaign — bulk retrieval that
/// survives"): a journal, its stored options, and the user configuration whose AE names they use.
public final class Campaign: @unchecked Sendable {
    public let journal: CampaignJournal
    /// The journal's options after `open`'s override.
    public private(set) var options: CampaignOptions
    let configuration: @Sendable () throws -> Configuration
    private let lock = NSLock()
    private var engine: CampaignEngine?
    /// De-identify every instance retrieved (docs/deidentification.md "Campaigns"); set before `run`.
    /// `journalMap()` opens the map kept in the journal.
    public var deidentifier: Deidentifier?
    /// Where burned-in instances go when de-identifying (default: the folder's name + `.quarantine`).
    public var quarantineDirectory: String?

    /// Opens (or creates) the journal at `path`; `options` override the stored ones and are stored.
    /// - Parameter configuration: makes the user configuration (a fresh working copy per run).
    public init(
        path: String, options given: CampaignOptions,
        configuration: @escaping @Sendable () throws -> Configuration = { try Configuration(scope: .user) }
    ) throws {
        try given.validate()
        journal = try CampaignJournal(path: path)
        let merged = try journal.options().overridden(by: given)
        try journal.store(given)
        options = merged
        self.configuration = configuration
    }

    /// Overrides and stores more options (those given to `run`).
    public func override(_ given: CampaignOptions) throws {
        try given.validate()
        options = options.overridden(by: given)
        try journal.store(given)
    }

    /// Adds one item (unique by its keys); true when it is new.
    @discardableResult
    public func add(_ keys: CampaignKeys, data: [String: String] = [:]) throws -> Bool {
        try journal.add(keys, data: data).added
    }

    /// Adds one item per row of a CSV file; returns how many were new and how many rows had no key.
    public func addCSV(path: String) throws -> (added: Int, rows: Int, skipped: Int) {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw CampaignError("add_csv: cannot read '\(path)': \(error.localizedDescription)")
        }
        let (rows, skipped) = try CampaignCSV.parse(text, source: path)
        return (try journal.add(rows), rows.count, skipped)
    }

    /// STUDY-level C-FIND with `match` (query field names, e.g. `study_date`); one item per study found.
    /// Returns the number found, or the failure in words (network and archive failures are returned).
    public func addQuery(_ match: [String: String]) async throws -> Result<Int, CampaignFailure> {
        let executor = try makeExecutor()
        switch await executor.findStudies(match) {
        case .failure(let failure): return .failure(failure)
        case .success(let studies):
            let rows = studies.compactMap { s -> (CampaignKeys, [String: String])? in
                guard s.keys.studyInstanceUID != nil else { return nil }
                return (s.keys, s.data)
            }
            _ = try journal.add(rows)
            return .success(rows.count)
        }
    }

    func makeExecutor() throws -> ServicesCampaignExecutor {
        let resolved = options.resolved
        let executor = try ServicesCampaignExecutor(options: resolved, configuration: try configuration())
        executor.deidentifier = deidentifier
        executor.quarantineDirectory = quarantineDirectory
        return executor
    }

    /// The de-identification map kept in this campaign's journal (tables `deid_meta` and `deid_patient`
    /// beside the journal's own), so that every run of the campaign gives the same pseudonyms and UIDs.
    public func journalMap() throws -> DeidentificationMap {
        do {
            return try DeidentificationMap(path: journal.path)
        } catch {
            throw CampaignError("cannot keep the de-identification map in the journal '\(journal.path)': \(error)")
        }
    }

    /// A campaign whose journal keeps de-identification settings (a `run --deidentify` stored them) goes on
    /// de-identifying with them when no de-identifier was set (a Lua script's `c:run()`, which has no such
    /// option). Returns the settings applied.
    @discardableResult
    func applyStoredDeidentification() throws -> CampaignDeidentification? {
        guard deidentifier == nil, let stored = try journal.deidentification() else { return nil }
        do {
            deidentifier = try stored.makeDeidentifier(journalMap: journalMap)
        } catch let error as CampaignError {
            throw error
        } catch {
            throw CampaignError("the de-identification stored in the journal (\(stored)): \(error)")
        }
        quarantineDirectory = stored.quarantine
        return stored
    }

    /// Runs the campaign (see `CampaignEngine.run`).
    public func run(
        onItem: (@Sendable (CampaignItem) async -> OperationDecision)? = nil, log: (@Sendable (String) -> Void)? = nil
    ) async throws -> CampaignSummary {
        try applyStoredDeidentification()
        let engine = CampaignEngine(journal: journal, options: options.resolved, executor: try makeExecutor())
        engine.onItem = onItem
        engine.log = log
        lock.withLock { self.engine = engine }
        defer { lock.withLock { self.engine = nil } }
        // A cancelled task (Ctrl-C in a script) stops the run as SIGINT does on the command line.
        return try await withTaskCancellationHandler {
            try await engine.run()
        } onCancel: {
            engine.stop("interrupted")
        }
    }

    /// Stops a run in progress (Ctrl-C): its items in flight go back to `pending`.
    public func stop(_ message: String = "stopped") {
        lock.withLock { engine }?.stop(message)
    }
}
