import ArgumentParser
import DICOMNetwork
import DICOMServices
import Foundation

/// Options shared by `move` and `get` (docs/cli.md "move and get").
struct RetrieveCommandOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("The archive: AET@HOST:PORT or a configured AE name.", valueName: "REMOTE"))
    var remote: String

    @OptionGroup(title: "Retrieve") var query: ModelOptions

    @Option(help: ArgumentHelp("Folder for the received files.", valueName: "DIR"))
    var dir: String?

    @Flag(
        help: ArgumentHelp(
            "List the instances first (a hierarchical C-FIND) and check that each one arrived; name the missing."))
    var verify = false

    @Option(
        help: ArgumentHelp(
            "Ask again for missing instances, up to N rounds (implies --verify).", valueName: "N"))
    var retry = 0

    @OptionGroup var progress: ProgressOptions
    @OptionGroup var common: CommonOptions

    func validate() throws {
        guard (0...100).contains(retry) else { throw ValidationError("--retry must be in 0...100, got \(retry)") }
    }

    /// `--verify`, or `--retry` (which implies it).
    var verifies: Bool { verify || retry > 0 }

    /// `--verify` and `--retry` as the retrieval model's options (docs/retrieval-model.md).
    var retrieveOptions: DICOMServices.RetrieveOptions {
        DICOMServices.RetrieveOptions(verify: verify, retry: retry)
    }

    /// The keys, model and level: QueryRetrieveLevel if given, else the deepest level whose unique key is
    /// given; the model of -P/-S/-O, else Patient Root for a patient-level retrieve and Study Root otherwise
    /// (so a StudyInstanceUID alone is enough, PS3.4 C.6.2.2).
    func keysModelAndLevel() throws -> (RetrieveKeys, IDLQueryModel, IDLQueryLevel) {
        let list = try QueryKeyList(query.keys)
        guard !list.keys.isEmpty else {
            throw CLIUsageError("give at least one unique key, e.g. -k StudyInstanceUID=1.2.3 or -k PatientID=123")
        }
        let level = list.level ?? list.impliedRetrieveLevel
        return (try list.retrieveKeys(), query.model(default: level == .patient ? .patientRoot : .studyRoot), level)
    }
}

/// `dicomlua move REMOTE -k KEY=VALUE …`: one C-MOVE (PS3.4 C.4.2) through `RetrieveService.move`, as
/// DCMTK's `movescu`. With `--dir`, a storage SCP listens in this process for the sub-operations.
struct MoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "move",
        abstract: "Ask an archive to send instances to a storage AE (C-MOVE), optionally receiving them here.",
        discussion: """
            The destination is --dest (an AE title or a configured AE name; default: the configuration's \
            storage SCP AE). With --dir, dicomlua listens on --port (default: the destination AE's port) as \
            that AE while the move runs and writes the files into DIR; the archive must know the destination \
            AE title with this host and port (see 'dicomlua probe').
            With --verify the instances are listed first (a hierarchical C-FIND) and each one is looked for \
            among what arrived (with --dir, or in this host's storage SCP service's folder when --dest is its \
            AE); the SOP Instance UIDs still missing are printed on standard output, one a line. --retry N \
            asks again for the missing ones, up to N rounds.
            Exit status: 0 when the move completed with no failed sub-operation (with --verify: when nothing \
            is missing), 1 otherwise (a partial retrieve included), 2 for a usage error.

            Examples:
              dicomlua move PACS@10.0.0.5:104 -S -k StudyInstanceUID=1.2.3 \\
                  --dest DICOMLUA_STORE --dir ./in --port 11113
              dicomlua move MyPACS -k PatientID=12345   # to the storage SCP service
              dicomlua move MyPACS -S -k StudyInstanceUID=1.2.3 --dir ./in --verify --retry 2
            """)

    @OptionGroup var options: RetrieveCommandOptions

    @Option(help: ArgumentHelp("Move destination: an AE title or a configured AE name.", valueName: "AET"))
    var dest: String?

    @Option(help: "Port to listen on with --dir (default: the destination AE's port).")
    var port: Int?

    func validate() throws {
        if let port, !(0...65535).contains(port) { throw ValidationError("--port must be in 0...65535, got \(port)") }
        if port != nil && options.dir == nil { throw ValidationError("--port needs --dir (where the files go)") }
    }

    func run() throws {
        options.common.logging.bootstrap()
        let (keys, model, level) = try options.keysModelAndLevel()
        let cli = try CLIConfiguration()
        let name = try cli.remote(options.remote)
        try cli.setCallingTitle(options.common.aet, of: cli.document.queryRetrieveSCU)
        let destinationName = try destination(cli)
        let document = cli.document
        guard let destinationEntity = document.applicationEntity(named: destinationName) else {
            throw CLIUsageError("--dest: unknown AE '\(destinationName)'")
        }
        let progress = ProgressLine(label: "move", quiet: options.progress.quiet)
        let counter = TransferCounter()
        // With --dir the files come to this process: the retrieve sees each one (docs/retrieval-model.md
        // "Attribution"); without, it can see only this host's storage SCP service (by name, with --verify).
        let tracker = options.dir == nil ? nil : ArrivalsTracker()
        let system = options.dir == nil && options.verifies ? try? Configuration(scope: .system).current : nil
        // The explicit @Sendable works around a Swift 6.3 type-checker failure on the inferred form.
        let record: (@Sendable (StoredInstance) -> Void)? = tracker.map { tracker in
            { @Sendable in tracker.record($0) }
        }
        var listener: StorageSCP?
        if let dir = options.dir {
            var settings = try StorageSCPSettings(configuration: document, aeName: destinationName)
            settings.directory = dir
            settings.host = "0.0.0.0"
            settings.port = port ?? destinationEntity.port
            settings.allowedCallingAETitles = nil
            let listening = settings
            do {
                listener = try runBlocking {
                    try await StorageSCP.start(
                        settings: listening, storedBeforeAnswer: record,
                        observer: { event in
                            if case .instanceStored(let file, _) = event { counter.add(bytes: Int64(file.bytes)) }
                        })
                }
            } catch {
                throw CLIFailure("cannot listen as \(listening.aeTitle) on port \(listening.port): \(error)")
            }
        }
        defer { if let listener { _ = try? runBlocking { await listener.stop(gracePeriod: 5) } } }
        let control = OperationControl()
        let interrupt = InterruptToCancel { control.cancel() }
        defer { interrupt.cancel() }
        CLILogging.logger.info(
            "C-MOVE", metadata: ["peer": "\(options.remote)", "destination": "\(destinationEntity.aeTitle)"])
        let outcome = try runBlocking {
            try await RetrieveService.move(
                keys: keys, model: model, level: level, queryAE: name, storageAE: destinationName,
                configuration: document, control: control,
                onResponse: { event in
                    counter.update(event.counts)
                    progress.update(done: counter.done, total: counter.total, bytes: counter.bytes)
                    return .proceed
                }, options: options.retrieveOptions, destinationTracker: tracker, system: system)
        }
        try RetrieveSummary.finish(
            outcome: outcome, counter: counter, progress: progress, verb: "moved", verify: options.verifies,
            destination: destinationEntity, observedHere: options.dir != nil)
    }

    /// The AE name of the destination: `--dest` as a configured name, else as an AE title (an in-memory AE
    /// on this host), else the configuration's storage SCP AE.
    private func destination(_ cli: CLIConfiguration) throws -> String {
        guard let dest else { return cli.document.storageSCP.name }
        if cli.document.applicationEntity(named: dest) != nil { return dest }
        do {
            try cli.configuration.setApplicationEntity(
                ApplicationEntity(
                    name: dest, aeTitle: dest, hostname: "localhost", port: port ?? cli.document.storageSCP.port,
                    serviceList: .storageSCP, serviceType: .storageSCP, method: "dicomlua"))
        } catch {
            throw CLIUsageError("--dest: \(error)")
        }
        return dest
    }
}

/// `dicomlua get REMOTE -k KEY=VALUE … --dir DIR`: one C-GET (PS3.4 C.4.3) through `RetrieveService.get`,
/// as DCMTK's `getscu`: the instances come back on the same association and are written into DIR.
struct GetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "Fetch instances from an archive on the same association (C-GET) into a folder.",
        discussion: """
            DIR defaults to the configuration's StorScpDir. No listening port is needed (unlike move), but the \
            archive must support C-GET (see 'dicomlua probe').
            With --verify the instances are listed first (a hierarchical C-FIND) and each one is looked for \
            among what arrived; the SOP Instance UIDs still missing are printed on standard output, one a line. \
            --retry N asks again for the missing ones, up to N rounds.
            Exit status: 0 when the get completed with no failed sub-operation (with --verify: when nothing \
            is missing), 1 otherwise (a partial retrieve included), 2 for a usage error.

            Examples:
              dicomlua get PACS@10.0.0.5:104 -S -k StudyInstanceUID=1.2.3 --dir ./in
              dicomlua get PACS@10.0.0.5:104 -k StudyInstanceUID=1.2.3 --dir ./in --verify --retry 2
              dicomlua get MyPACS -k StudyInstanceUID=1.2.3 \\
                  -k SeriesInstanceUID=1.2.3.4 --dir ./in
            """)

    @OptionGroup var options: RetrieveCommandOptions

    func run() throws {
        options.common.logging.bootstrap()
        let (keys, model, level) = try options.keysModelAndLevel()
        let cli = try CLIConfiguration()
        let name = try cli.remote(options.remote)
        try cli.setCallingTitle(options.common.aet, of: cli.document.queryRetrieveSCU)
        let document = cli.document
        let directory = options.dir.map { URL(fileURLWithPath: $0, isDirectory: true) }
        if let directory {
            try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        }
        let progress = ProgressLine(label: "get", quiet: options.progress.quiet)
        let counter = TransferCounter()
        let control = OperationControl()
        let interrupt = InterruptToCancel { control.cancel() }
        defer { interrupt.cancel() }
        CLILogging.logger.info("C-GET", metadata: ["peer": "\(options.remote)"])
        let outcome: RetrieveOutcome
        do {
            outcome = try runBlocking {
                try await RetrieveService.get(
                    keys: keys, model: model, level: level, queryAE: name, directory: directory,
                    configuration: document, control: control,
                    onResponse: { event in
                        counter.update(event.counts)
                        if let file = event.file,
                            let size = try? FileManager.default.attributesOfItem(atPath: file)[.size]
                        {
                            counter.add(bytes: (size as? NSNumber)?.int64Value ?? 0)
                        }
                        progress.update(done: counter.done, total: counter.total, bytes: counter.bytes)
                        return .proceed
                    }, options: options.retrieveOptions)
            }
        } catch let error as ConfigurationError {
            throw CLIFailure("\(error)")
        }
        try RetrieveSummary.finish(
            outcome: outcome, counter: counter, progress: progress, verb: "received", verify: options.verifies)
    }
}

/// The sub-operation counters of a retrieve as the pending responses report them (PS3.4 C.4.2.1.6).
final class TransferCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var counts = SubOperationCounts()
    private var byteCount: Int64 = 0

    func update(_ new: SubOperationCounts) { lock.withLock { counts = new } }
    func add(bytes: Int64) { lock.withLock { byteCount += bytes } }

    var completed: Int { lock.withLock { Int(counts.completed ?? 0) } }
    var failed: Int { lock.withLock { Int(counts.failed ?? 0) } }
    var warning: Int { lock.withLock { Int(counts.warning ?? 0) } }
    var done: Int { completed + failed + warning }
    var total: Int? {
        lock.withLock {
            counts.remaining.map {
                Int($0) + Int(counts.completed ?? 0) + Int(counts.failed ?? 0) + Int(counts.warning ?? 0)
            }
        }
    }
    var bytes: Int64 { lock.withLock { byteCount } }
}

/// Ctrl-C during a retrieve or a send: the first cancels the operation (C-CANCEL), a second ends the process.
final class InterruptToCancel {
    private let source: DispatchSourceSignal

    init(_ cancel: @escaping @Sendable () -> Void) {
        signal(SIGINT, SIG_IGN)
        source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        var first = true
        source.setEventHandler {
            guard first else { exit(130) }
            first = false
            StandardError.write("\ninterrupted: cancelling (Ctrl-C again to quit at once)")
            cancel()
        }
        source.resume()
    }

    func cancel() {
        source.cancel()
        signal(SIGINT, SIG_DFL)
    }
}
