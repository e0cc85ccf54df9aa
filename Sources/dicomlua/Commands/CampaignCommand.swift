import ArgumentParser
import DICOMCampaign
import DICOMDeidentify
import DICOMServices
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// `dicomlua campaign run|status|report` (docs/lua-api.md "campaign — bulk retrieval that survives").
/// Exit status: 0 when every item ended complete or empty, 1 when some did not (partial, failed,
/// not_found, cancelled) or the run was stopped or gave up, 2 for misuse (bad option, unknown AE, a journal
/// another process runs).
struct CampaignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "campaign",
        abstract: "Retrieve a list of studies into a folder, verified, with a journal that survives a crash.",
        subcommands: [CampaignRunCommand.self, CampaignStatusCommand.self, CampaignReportCommand.self])
}

/// Misuse: exit status 2 with the message on stderr.
private func misuse(_ message: String) -> ExitCode {
    StandardError.write("dicomlua campaign: \(message)")
    return ExitCode(2)
}

struct CampaignRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run (or resume) a campaign: add items, then retrieve every item not yet settled.",
        discussion: """
            Options given here override those stored in the journal and are stored in turn, so a resumed run
            needs only `dicomlua campaign run JOURNAL`. AEs are AE names of the user configuration or
            AET@HOST:PORT.
            """)

    @Argument(help: "The journal (a SQLite file; created if absent).") var journal: String
    @Option(help: "The archive: an AE name or AET@HOST:PORT.") var from: String?
    @Option(help: "The C-MOVE destination this process runs: an AE name or AET@HOST:PORT.") var to: String?
    @Option(help: "Add one item per row of this CSV (snake_case or DICOM keyword headers).") var csv: String?
    @Option(
        help: "Add the studies a STUDY-level C-FIND finds (KEY=VALUE, repeatable, e.g. study_date=20240101-20240131).")
    var query: [String] = []
    @Option(help: "move (C-MOVE to --to) or get (C-GET).") var method: String?
    @Option(help: "Folder the files go to (default: StorScpDir of the configuration).") var dir: String?
    @Option(help: "At most this many associations to the archive at once (default 2).") var parallel: Int?
    @Flag(help: "Do not take an inventory; judge by the archive's word.") var noVerify = false
    @Option(help: "Retry rounds for missing instances (default 3).") var retry: Int?
    @Option(help: "Open associations only inside HH:MM-HH:MM (local time).") var window: String?
    @Option(help: "Seconds between two associations to the archive (default 0).") var minInterval: Double?
    @Flag(
        help: "De-identify every instance as it arrives (PS3.15 Annex E); the map lives in the journal unless --map.")
    var deidentify = false
    @OptionGroup(title: "De-identification (with --deidentify; as for `dicomlua deidentify`)")
    var deidentification: DeidentifyOptions

    func validate() throws {
        if deidentification.isGiven && !deidentify {
            throw ValidationError("--option, --map, --lookup, --quarantine and --allow-burned-in need --deidentify")
        }
    }

    func run() throws {
        var given = CampaignOptions()
        given.querySCP = from
        given.storageSCP = to
        given.method = method
        given.directory = dir.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
        given.parallel = parallel
        given.verify = noVerify ? false : nil
        given.retry = retry
        given.window = window
        given.minInterval = minInterval
        var match: [String: String] = [:]
        for pair in query {
            guard let eq = pair.firstIndex(of: "="), eq != pair.startIndex else {
                throw misuse("--query expects KEY=VALUE, got '\(pair)'")
            }
            match[String(pair[..<eq]).lowercased()] = String(pair[pair.index(after: eq)...])
        }
        let campaign: Campaign
        do {
            campaign = try Campaign(path: journal, options: given)
            if let csv {
                let added = try campaign.addCSV(path: csv)
                StandardError.write("campaign: \(added.added) new item(s) from \(added.rows) row(s) of \(csv)")
            }
            // How it de-identifies is kept in the journal: a resumed run goes on the same way without the
            // flags; flags that contradict the journal are refused.
            let given =
                deidentify
                ? CampaignDeidentification(
                    options: deidentification.options, map: deidentification.map, lookup: deidentification.lookup,
                    quarantine: deidentification.quarantine, allowBurnedIn: deidentification.allowBurnedIn) : nil
            let stored = try campaign.journal.deidentification()
            if let settings = try CampaignDeidentification.resolve(given: given, stored: stored) {
                do {
                    campaign.deidentifier = try settings.makeDeidentifier(journalMap: campaign.journalMap)
                } catch let error as CampaignError {
                    throw error
                } catch {
                    throw CampaignError("--deidentify (\(settings)): \(error)")
                }
                campaign.quarantineDirectory = settings.quarantine
                if stored == nil { try campaign.journal.store(settings) }
                if !deidentify { StandardError.write("campaign: de-identifying as stored in the journal: \(settings)") }
            } else if try campaign.journal.keepsDeidentificationMap() {
                // A journal of schema 2 made with --deidentify: its settings were not kept.
                throw CampaignError(
                    "this campaign de-identifies (its journal keeps a de-identification map): give --deidentify "
                        + "again, so that no identified file joins the de-identified ones")
            }
        } catch let error as CampaignError {
            throw misuse(error.description)
        }
        let progress = CampaignProgress(terminal: isatty(STDERR_FILENO) == 1)
        let outcome = BlockingResult<CampaignSummary>()
        let stopSources = Self.onStopSignal { name in campaign.stop("interrupted by \(name)") }
        Task {
            do {
                if !match.isEmpty {
                    switch try await campaign.addQuery(match) {
                    case .failure(let failure):
                        outcome.set(.failure(CampaignError("query failed: \(failure.message)")))
                        return
                    case .success(let n): StandardError.write("campaign: the query found \(n) stud(ies)")
                    }
                }
                let total = try campaign.journal.summary()
                progress.begin(total: total)
                let summary = try await campaign.run(
                    onItem: { item in
                        progress.item(item)
                        return .proceed
                    }, log: { StandardError.write($0) })
                outcome.set(.success(summary))
            } catch {
                outcome.set(.failure(error))
            }
        }
        let summary: CampaignSummary
        do { summary = try outcome.wait() } catch let error as CampaignError {
            throw misuse(error.description)
        }
        _ = stopSources
        progress.end()
        StandardError.write("campaign: " + CampaignReport.countsLine(summary))
        if let message = summary.message { StandardError.write("campaign: \(message)") }
        let unsettled = CampaignItemState.allCases.filter { $0 != .complete && $0 != .empty }
            .reduce(0) { $0 + summary.count($1) }
        if summary.message != nil || unsettled > 0 { throw ExitCode(1) }
    }

    /// Calls `stop` on SIGINT and SIGTERM (the retrieves in flight are cancelled, their items go back to
    /// pending, the journal stays consistent).
    static func onStopSignal(_ stop: @escaping @Sendable (String) -> Void) -> [DispatchSourceSignal] {
        [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")].map { number, name in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { stop(name) }
            source.resume()
            return source
        }
    }
}

struct CampaignStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Counts per state of a journal, and who runs it now.")

    @Argument(help: "The journal.") var journal: String

    func run() throws {
        do {
            let j = try CampaignJournal(path: journal, readOnly: true)
            let summary = try j.summary()
            print(CampaignReport.countsLine(summary))
            if let holder = JournalLock.currentHolder(journalPath: journal) {
                print("running: \(holder)")
            } else {
                print("not running")
            }
        } catch let error as CampaignError {
            throw misuse(error.description)
        }
    }
}

struct CampaignReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "One row per item: keys, state, expected_count, arrived, missing, attempts, message.")

    @Argument(help: "The journal.") var journal: String
    @Option(help: "Write the CSV report to this file (default: standard output).") var csv: String?
    @Flag(help: "JSON instead of CSV, on standard output.") var json = false

    func validate() throws {
        if json && csv != nil { throw ValidationError("--csv and --json exclude each other") }
    }

    func run() throws {
        do {
            let items = try CampaignJournal(path: journal, readOnly: true).items()
            if json {
                print(CampaignReport.json(items), terminator: "")
            } else if let csv {
                do { try CampaignReport.csv(items).write(toFile: csv, atomically: true, encoding: .utf8) } catch {
                    throw CampaignError("cannot write '\(csv)': \(error.localizedDescription)")
                }
            } else {
                print(CampaignReport.csv(items), terminator: "")
            }
        } catch let error as CampaignError {
            throw misuse(error.description)
        }
    }
}

/// What `run` shows: on a terminal a live line on stderr (items done/total, instances, MB/s, time left);
/// otherwise one line per settled item on stdout.
final class CampaignProgress: @unchecked Sendable {
    let terminal: Bool
    private let lock = NSLock()
    private var total = 0
    private var done = 0
    private var instances = 0
    private var bytes: Int64 = 0
    private var started = Date()

    init(terminal: Bool) { self.terminal = terminal }

    func begin(total summary: CampaignSummary) {
        lock.withLock {
            total =
                summary.count(.pending) + summary.count(.running) + summary.count(.partial)
                + summary.count(.failed)
            started = Date()
        }
    }

    func item(_ item: CampaignItem) {
        guard item.state.isSettled else { return }
        let line: String = lock.withLock {
            done += 1
            instances += item.arrived
            bytes += item.bytes
            if terminal {
                let elapsed = max(0.001, Date().timeIntervalSince(started))
                let rate = Double(bytes) / elapsed / 1_000_000
                let left = done > 0 ? elapsed / Double(done) * Double(max(0, total - done)) : 0
                return String(
                    format: "\r\u{1B}[K%d/%d items · %d instances · %.1f MB/s · %@ left", done, max(total, done),
                    instances, rate, Self.duration(left))
            }
            let keys = item.keys.studyInstanceUID ?? item.keys.accessionNumber ?? item.keys.patientID ?? "?"
            let counts = item.expectedCount.map { "\(item.arrived)/\($0)" } ?? "\(item.arrived)"
            return "\(item.state.rawValue) \(keys) \(counts) instance(s)" + (item.message.map { " — \($0)" } ?? "")
        }
        if terminal {
            FileHandle.standardError.write(Data(line.utf8))
        } else {
            print(line)
            flushStandardOutput()
        }
    }

    func end() {
        if terminal { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600
            ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}
