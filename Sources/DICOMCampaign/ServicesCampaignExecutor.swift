import DICOMDeidentify
import DICOMNetwork
import DICOMServices
import Foundation

/// The campaign's executor over DICOMServices: C-FIND through `QueryService`, C-MOVE and C-GET through
/// `RetrieveService`, and, for C-MOVE, a storage SCP of this process on the port of the `storage_scp` AE
/// that reports each instance before answering its C-STORE.
///
/// Verification and retry rounds are the retrieval model's (`RetrieveOptions` with the journal's inventory,
/// docs/retrieval-model.md); refusals are its structured `ArchiveRefusal`, never read from message text.
public final class ServicesCampaignExecutor: CampaignExecutor, @unchecked Sendable {
    let configuration: ConfigurationDocument
    let queryAE: String
    let storageAE: String?
    let method: String
    let queryModel: IDLQueryModel
    public let directory: String
    public let fileExtension: String
    private let lock = NSLock()
    private var scp: StorageSCP?
    /// Where the C-MOVE destination SCP reports what it stored, for the retrieval model's attribution.
    let tracker = ArrivalsTracker()
    /// De-identify every arrival (C-MOVE's SCP and C-GET; docs/deidentification.md "Campaigns"); arrivals are
    /// still tracked and journaled by the UIDs the archive sent (`StoredInstance.asReceived`).
    public var deidentifier: Deidentifier?
    /// Burned-in instances (default: the folder's name + `.quarantine`).
    public var quarantineDirectory: String?

    /// - Throws: `CampaignError` for unknown AE names or a missing folder (misuse).
    public init(options: CampaignOptions.Resolved, configuration: Configuration) throws {
        var options = options
        options.querySCP = try Self.entity(options.querySCP, name: "campaign_query_scp", type: .querySCP, configuration)
        options.storageSCP = try Self.entity(
            options.storageSCP, name: "campaign_storage_scp", type: .storageSCP, configuration)
        let document = configuration.current
        guard let queryAE = options.querySCP, !queryAE.isEmpty else {
            throw CampaignError("option query_scp is not set (the AE name of the archive)")
        }
        guard document.applicationEntity(named: queryAE) != nil else {
            throw CampaignError("query_scp '\(queryAE)' is not an application entity of \(document.filePath)")
        }
        if options.method == "move" {
            guard let storage = options.storageSCP, !storage.isEmpty else {
                throw CampaignError(
                    "option storage_scp is not set (the AE name C-MOVE sends to, which this process runs)")
            }
            guard document.applicationEntity(named: storage) != nil else {
                throw CampaignError("storage_scp '\(storage)' is not an application entity of \(document.filePath)")
            }
        }
        self.configuration = document
        self.queryAE = queryAE
        storageAE = options.storageSCP
        method = options.method
        queryModel = options.queryModel == 0 ? .patientRoot : .studyRoot
        directory = options.directory ?? document.storageDirectory.path
        fileExtension = document.fileExtension
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw CampaignError("cannot create the folder '\(directory)': \(error.localizedDescription)")
        }
    }

    /// An AE given as `AET@HOST:PORT` becomes an AE of the configuration's working copy (never saved) named
    /// `name`; an AE name is kept.
    static func entity(
        _ text: String?, name: String, type: ServiceType, _ configuration: Configuration
    ) throws -> String? {
        guard let text, let at = text.lastIndex(of: "@") else { return text }
        let aeTitle = String(text[..<at])
        let address = text[text.index(after: at)...]
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]) else {
            throw CampaignError("expected an AE name or AET@HOST:PORT, got '\(text)'")
        }
        let host = String(address[..<colon])
        do {
            try configuration.setApplicationEntity(
                name: name, aeTitle: aeTitle, hostname: host, port: port,
                serviceList: type == .querySCP ? .querySCP : .storageSCP, serviceType: type)
        } catch {
            throw CampaignError("'\(text)': \(error)")
        }
        return name
    }

    public func start(onArrival: @escaping @Sendable (Arrival) -> Void) async throws {
        guard method == "move", let storageAE else { return }
        var settings = try StorageSCPSettings(configuration: configuration, aeName: storageAE)
        settings.directory = directory
        settings.allowedCallingAETitles = nil
        settings.checkCalledAETitle = false
        do {
            let scp = try await StorageSCP.start(
                settings: settings,
                storedBeforeAnswer: { [tracker] stored in
                    let received = stored.asReceived
                    tracker.record(received)
                    onArrival(Self.arrival(received))
                }, deidentifier: deidentifier, quarantineDirectory: quarantineDirectory)
            lock.withLock { self.scp = scp }
        } catch {
            throw CampaignError(
                "cannot run the storage SCP '\(storageAE)' (\(settings.aeTitle), port \(settings.port)) that "
                    + "C-MOVE sends to: \(error)")
        }
    }

    public func stop() async {
        let scp = lock.withLock { () -> StorageSCP? in
            defer { self.scp = nil }
            return self.scp
        }
        await scp?.stop(gracePeriod: 5)
    }

    public func findStudies(_ match: [String: String]) async -> Result<[FoundStudy], CampaignFailure> {
        // Query field names (study_date) set the field; DICOM keywords (ModalitiesInStudy) go as `extra`.
        var parameters = QueryParameters(model: .studyRoot, level: .study)
        for (name, value) in match.sorted(by: { $0.key < $1.key }) {
            if let field = QueryField(rawValue: name.uppercased()) {
                parameters.values[field] = value
                continue
            }
            do { try parameters.addExtra(keyword: name, value: value, method: "add_query") } catch {
                return .failure(CampaignFailure("\(error)"))
            }
        }
        switch await query(parameters) {
        case .failure(let failure): return .failure(failure)
        case .success(let results):
            return .success(
                results.map { r in
                    var data: [String: String] = [:]
                    for name in ["study_date", "study_description", "patient_name"] where !r[name].isEmpty {
                        data[name] = r[name]
                    }
                    return FoundStudy(
                        keys: CampaignKeys(
                            patientID: r["patient_id"], accessionNumber: r["accession_number"],
                            studyInstanceUID: r["study_instance_uid"]), data: data)
                })
        }
    }

    public func inventory(
        _ keys: CampaignKeys, level: CampaignLevel
    ) async -> Result<
        [InventoryEntry], CampaignFailure
    > {
        let retrieveKeys = RetrieveKeys(
            patientID: keys.patientID, studyInstanceUID: keys.studyInstanceUID,
            seriesInstanceUID: keys.seriesInstanceUID, sopInstanceUID: keys.sopInstanceUID)
        let model: IDLQueryModel = level == .patient ? .patientRoot : queryModel
        do {
            let remote = try SCUConnection.remote(
                named: queryAE, property: "QUERY_SCP", method: "campaign", configuration: configuration)
            let items = try await RetrieveInventory.list(
                keys: retrieveKeys, model: model, level: Self.idlLevel(level), remote: remote,
                configuration: configuration)
            return .success(
                items.map {
                    InventoryEntry(
                        studyInstanceUID: $0.studyInstanceUID, seriesInstanceUID: $0.seriesInstanceUID,
                        sopInstanceUID: $0.sopInstanceUID)
                })
        } catch let failure as RetrieveInventory.Failure {
            return .failure(CampaignFailure(failure.description, refusal: failure.refusal))
        } catch {
            return .failure(CampaignFailure("\(error)"))
        }
    }

    static func idlLevel(_ level: CampaignLevel) -> IDLQueryLevel {
        switch level {
        case .patient: return .patient
        case .study: return .study
        case .series: return .series
        case .image: return .image
        }
    }

    private func query(
        _ parameters: QueryParameters
    ) async -> Result<[QueryResult], CampaignFailure> {
        do {
            let outcome = try await QueryService.query(
                parameters, queryAE: queryAE, configuration: configuration)
            if let failure = outcome.failure {
                return .failure(CampaignFailure(failure, refusal: outcome.refusal))
            }
            if outcome.truncated {
                return .failure(
                    CampaignFailure(
                        "the archive's answer was cut at MaxQueryResponses (\(outcome.results.count) matches): raise "
                            + "MaxQueryResponses or split the query (e.g. by study_date)"))
            }
            return .success(outcome.results)
        } catch {
            return .failure(CampaignFailure("\(error)"))
        }
    }

    public func retrieve(
        _ request: CampaignRetrieve, control: OperationControl, pace: @escaping @Sendable () async -> Bool,
        progress: @escaping @Sendable ([Arrival]) -> Void
    ) async -> CampaignRetrieveResult {
        let keys = RetrieveKeys(
            patientID: request.keys.patientID, studyInstanceUID: request.keys.studyInstanceUID,
            seriesInstanceUID: request.level >= .series ? request.keys.seriesInstanceUID : nil,
            sopInstanceUID: request.level == .image ? request.keys.sopInstanceUID : nil)
        let level = Self.idlLevel(request.level)
        let model: IDLQueryModel = request.level == .patient ? .patientRoot : queryModel
        let options = RetrieveOptions(
            verify: request.inventory != nil, retry: request.inventory == nil ? 0 : request.retry,
            settle: request.settle,
            inventory: request.inventory?.map {
                InventoryItem(
                    patientID: request.keys.patientID, studyInstanceUID: $0.studyInstanceUID,
                    seriesInstanceUID: $0.seriesInstanceUID, sopInstanceUID: $0.sopInstanceUID)
            }, present: request.present, missingFirst: request.missingFirst, pace: pace)
        let isGet = method == "get"
        let handler: OperationEventHandler = { event in
            // A C-GET's instances are its own (event.files); a C-MOVE's come through the SCP's onArrival.
            progress(isGet ? (event.files ?? []).map(Self.arrival) : [])
            return .proceed
        }
        let outcome: RetrieveOutcome
        do {
            if isGet {
                outcome = try await RetrieveService.get(
                    keys: keys, model: model, level: level, queryAE: queryAE,
                    directory: URL(fileURLWithPath: directory, isDirectory: true), configuration: configuration,
                    control: control, onResponse: handler, options: options, deidentifier: deidentifier,
                    quarantineDirectory: quarantineDirectory)
            } else {
                outcome = try await RetrieveService.move(
                    keys: keys, model: model, level: level, queryAE: queryAE, storageAE: storageAE,
                    configuration: configuration, control: control, onResponse: handler, options: options,
                    destinationTracker: tracker)
            }
        } catch {
            return CampaignRetrieveResult(verdict: .failed, message: "\(error)", failure: "\(error)", attempts: 0)
        }
        let report = outcome.report
        return CampaignRetrieveResult(
            verdict: report.verdict, message: report.message, failure: outcome.message, refusal: report.refusal,
            completed: report.completed, failedUIDs: report.failedUIDs, attempts: report.attempts,
            arrivals: isGet ? (report.arrived ?? []).map(Self.arrival) : [],
            retriedUIDs: report.requests.filter { $0.attempt == 2 }.reduce(0) { $0 + $1.sopInstanceUIDs.count })
    }

    /// The journal's record of an instance: by the UIDs the archive sent (`asReceived`), at the path written.
    static func arrival(_ stored: StoredInstance) -> Arrival {
        let stored = stored.asReceived
        return Arrival(
            sopInstanceUID: stored.sopInstanceUID, studyInstanceUID: stored.studyInstanceUID,
            seriesInstanceUID: stored.seriesInstanceUID, path: stored.path, bytes: Int64(stored.bytes))
    }
}
