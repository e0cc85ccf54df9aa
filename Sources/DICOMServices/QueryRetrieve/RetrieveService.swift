import DICOMCore
import DICOMDeidentify
import DICOMNetwork
import Foundation
import NIOCore

/// What a retrieve (C-MOVE) or get (C-GET) did: IDL's `Retrieve` result and `COUNT`, and the report.
public struct RetrieveOutcome: Sendable {
    /// IDL's 1/0: true when the (last) request completed (success or warning status) or was cancelled.
    public var succeeded: Bool
    /// Completed sub-operations summed over all requests (0 when the remote sent none).
    public var count: Int
    /// Nil on success; why it failed otherwise (network, association, failure status with its code).
    public var message: String?
    /// True when a C-CANCEL-RQ was sent.
    public var cancelled: Bool
    /// The last final response's status, when one arrived.
    public var finalStatus: DIMSEStatus?
    /// Files written (C-GET only).
    public var files: [String]
    /// The whole story and its verdict (docs/lua-api.md "Retrieve reports, verification and retry").
    public var report: RetrieveReport
}

/// `verify`, `retry`, `settle` and `CALLBACK_FINAL` of docs/lua-api.md "Retrieve reports, verification and
/// retry". The defaults give IDL's retrieve: one request, judged `unverified`.
public struct RetrieveOptions: Sendable {
    /// Make an inventory first and check what arrived against it.
    public var verify: Bool
    /// Retry rounds for missing instances (implies `verify`).
    public var retry: Int
    /// Seconds to wait after a final response while fewer instances arrived than the remote reported.
    public var settle: Double
    /// Call the event handler for the final response too.
    public var callFinal: Bool
    /// The first pause between rounds, in seconds; it doubles each round.
    public var firstPause: Double
    /// With `verify`: the inventory, when the caller already has it (a campaign keeps it in its journal);
    /// no C-FIND is made.
    public var inventory: [InventoryItem]?
    /// With `verify`: SOP Instance UIDs of the inventory the caller already holds; they count as arrived and
    /// are not asked for.
    public var present: Set<String>
    /// With `verify`: the first round asks only for the missing instances, by SOP Instance UID lists, as the
    /// retry rounds do (a campaign resuming an item, or after a request that stalled at a coarser level).
    public var missingFirst: Bool
    /// Called before each association the retrieve opens (inventory and every request): a caller that paces
    /// its associations (minimum interval, window, back-off) waits there. Returning false stops the retrieve
    /// as a cancel does.
    public var pace: (@Sendable () async -> Bool)?

    public init(
        verify: Bool = false, retry: Int = 0, settle: Double = 10, callFinal: Bool = false, firstPause: Double = 1,
        inventory: [InventoryItem]? = nil, present: Set<String> = [], missingFirst: Bool = false,
        pace: (@Sendable () async -> Bool)? = nil
    ) {
        self.verify = verify || retry > 0
        self.retry = max(0, retry)
        self.settle = max(0, settle)
        self.callFinal = callFinal
        self.firstPause = firstPause
        self.inventory = inventory
        self.present = present
        self.missingFirst = missingFirst
        self.pace = pace
    }
}

/// `IDLffDicomExQuery::Retrieve` (docs/idl-reference.md §2.7) as C-MOVE (PS3.4 C.4.2), and its
/// C-GET sibling `q:get` (PS3.4 C.4.3), with the inventory, retries and report of docs/lua-api.md
/// "Retrieve reports, verification and retry" (the model: docs/retrieval-model.md).
public enum RetrieveService {
    /// Seconds between a Ctrl-C's C-CANCEL-RQ and the abort of the association.
    public static let interruptGrace: Double = 5
    /// Most SOP Instance UIDs in one retry request.
    public static let uidsPerRetryRequest = 100

    /// C-MOVE of the objects identified by `keys` from `QUERY_SCP` to the AE title of `STORAGE_SCP`.
    ///
    /// - Parameters:
    ///   - control: lets another task cancel (a heartbeat callback); the callback's `.cancel` does the same.
    ///   - onResponse: called once per pending response (and for the final one with `options.callFinal`).
    ///   - destinationTracker: the tracker of a storage SCP of this process whose AE title is the
    ///     destination's; `system`: the system configuration (to recognise this host's storage SCP service).
    ///   - session: where the story is kept while the retrieve runs (a callback's heartbeat reads it).
    /// - Throws: only misuse (`ConfigurationError("retrieve", …)`): unknown AE names, missing keywords.
    public static func move(
        keys: RetrieveKeys, model: IDLQueryModel, level: IDLQueryLevel, queryAE: String?, storageAE: String?,
        configuration: ConfigurationDocument, control: OperationControl = OperationControl(),
        onResponse: OperationEventHandler? = nil, options: RetrieveOptions = RetrieveOptions(),
        destinationTracker: ArrivalsTracker? = nil, system: ConfigurationDocument? = nil,
        session: RetrieveSession = RetrieveSession()
    ) async throws -> RetrieveOutcome {
        let remote = try SCUConnection.remote(
            named: queryAE, property: "QUERY_SCP", method: "retrieve", configuration: configuration)
        let destination = try SCUConnection.remote(
            named: storageAE, property: "STORAGE_SCP", method: "retrieve",
            configuration: configuration)
        let identifier = try keys.identifier(model: model, level: level, method: "retrieve")
        session.observe(
            RetrieveDestination.resolve(
                destinationAETitle: destination.aeTitle, tracker: destinationTracker, system: system),
            originators: [configuration.queryRetrieveSCU.aeTitle, remote.aeTitle])
        let plan = Plan(
            operation: "retrieve", title: StatusLines.retrieveTitle(destination: destination.aeTitle),
            service: .move, remote: remote, destination: destination, configuration: configuration, control: control,
            onResponse: onResponse, options: options, session: session, sinkProvider: nil
        ) { model, identifier, index in
            let sopClass = model.moveSOPClassUID
            let contexts = [
                ProposedPresentationContext(abstractSyntax: sopClass, transferSyntaxes: TransferSyntaxUID.uncompressed)
            ]
            return (
                contexts,
                { association in
                    let context = try association.presentationContext(for: sopClass)
                    let responses = try await association.move(
                        sopClassUID: sopClass, destination: destination.aeTitle,
                        identifier: try IdentifierCoding.encode(identifier, transferSyntax: context.transferSyntax),
                        transferSyntax: context.transferSyntax)
                    return Responses(responses)
                }
            )
        }
        return await run(plan, keys: keys, model: model, level: level, identifier: identifier, files: nil)
    }

    /// C-GET of the objects identified by `keys` from `QUERY_SCP`, written into `directory` (default: the
    /// configuration's `StorScpDir`) as `<SOP Instance UID>.<FileExtension>`; with a `deidentifier`, each
    /// instance is de-identified as it arrives (docs/lua-api.md "De-identification") and verified by the SOP
    /// Instance UID the archive sent (`StoredInstance.asReceived`).
    public static func get(
        keys: RetrieveKeys, model: IDLQueryModel, level: IDLQueryLevel, queryAE: String?, directory: URL?,
        configuration: ConfigurationDocument, control: OperationControl = OperationControl(),
        onResponse: OperationEventHandler? = nil, options: RetrieveOptions = RetrieveOptions(),
        session: RetrieveSession = RetrieveSession(), deidentifier: Deidentifier? = nil,
        quarantineDirectory: String? = nil
    ) async throws -> RetrieveOutcome {
        let remote = try SCUConnection.remote(
            named: queryAE, property: "QUERY_SCP", method: "get", configuration: configuration)
        let identifier = try keys.identifier(model: model, level: level, method: "get")
        let target = directory ?? configuration.storageDirectory
        // The default StorScpDir is created when first needed; a folder the script names must exist.
        if directory == nil { try? FileManager.default.createDirectory(at: target, withIntermediateDirectories: true) }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: target.path, isDirectory: &isDirectory), isDirectory.boolValue
        else {
            throw ConfigurationError("get", "directory '\(target.path)' does not exist")
        }
        // Files are written exactly as the storage SCP writes them (depot, rename, duplicate policy).
        let store: ReceivedInstanceStore
        do {
            store = try ReceivedInstanceStore(
                directory: target.path, fileExtension: configuration.fileExtension,
                duplicatePolicy: configuration.duplicatePolicy, deidentifier: deidentifier,
                quarantineDirectory: quarantineDirectory)
            try store.prepare()
        } catch {
            throw ConfigurationError("get", "cannot write into '\(target.path)': \(error)")
        }
        let sender = remote.aeTitle
        let sinkProvider: AssociationDataSetSinkProvider = { negotiated, contextID, _, message in
            guard case .cStoreRQ(let request) = message, let context = negotiated.acceptedContexts[contextID] else {
                return nil
            }
            return store.sink(for: request, context: context, callingAETitle: sender)
        }
        // A C-GET's instances come on its own association: attributed by construction.
        session.observe(.tracker(ArrivalsTracker()), originators: [])
        let files = FileList()
        let record: @Sendable (Result<StoredInstance, StoreFailure>, Int) -> Void = { outcome, index in
            guard case .success(let stored) = outcome else { return }
            files.append(stored.path)
            // Verified against the inventory by the UIDs the archive sent.
            session.arrived(stored.asReceived, request: index)
        }
        let plan = Plan(
            operation: "get", title: StatusLines.retrieveTitle(destination: nil), service: .get, remote: remote,
            configuration: configuration, control: control, onResponse: onResponse, options: options,
            session: session, sinkProvider: sinkProvider
        ) { model, identifier, index in
            let sopClass = model.getSOPClassUID
            let contexts =
                [
                    ProposedPresentationContext(
                        abstractSyntax: sopClass, transferSyntaxes: TransferSyntaxUID.uncompressed)
                ]
                // The storage classes of the project's list (StorageSOPClasses), SCP role (PS3.7 D.3.3.4).
                + StorageSOPClasses.commonUIDs.map {
                    ProposedPresentationContext(
                        abstractSyntax: $0, transferSyntaxes: TransferSyntaxUID.uncompressed, role: .scuAndSCP)
                }
            return (
                contexts,
                { association in
                    let context = try association.presentationContext(for: sopClass)
                    let responses = try await association.get(
                        sopClassUID: sopClass,
                        identifier: try IdentifierCoding.encode(identifier, transferSyntax: context.transferSyntax),
                        transferSyntax: context.transferSyntax
                    ) { incoming in
                        let outcome = await store.completedOutcome(for: incoming, callingAETitle: sender)
                        record(outcome, index)
                        return ReceivedInstanceStore.status(of: outcome)
                    }
                    // A C-STORE the association answered itself is complete already: its bookkeeping is done
                    // on the event loop, without waking this task.
                    return Responses(responses) { incoming in
                        record(store.outcome(for: incoming, callingAETitle: sender), index)
                    }
                }
            )
        }
        return await run(plan, keys: keys, model: model, level: level, identifier: identifier, files: files)
    }

    // MARK: The rounds

    /// Builds one request: the contexts to propose and the call that sends it.
    typealias RequestBuilder =
        @Sendable (IDLQueryModel, DataSet, Int) -> (
            [ProposedPresentationContext], @Sendable (DICOMAssociation) async throws -> Responses
        )

    /// What every request of one retrieve shares.
    struct Plan: Sendable {
        var operation: String
        var title: String
        var service: DIMSEService
        var remote: ApplicationEntity
        /// The C-MOVE destination (nil for C-GET), named when the archive refuses.
        var destination: ApplicationEntity? = nil
        var configuration: ConfigurationDocument
        var control: OperationControl
        var onResponse: OperationEventHandler?
        var options: RetrieveOptions
        var session: RetrieveSession
        var sinkProvider: AssociationDataSetSinkProvider?
        var request: RequestBuilder
    }

    /// The inventory (with `verify`), the first request, the retry rounds, the report. A refused request
    /// ends the rounds (the caller waits a refusal out; rounds are for lost instances).
    private static func run(
        _ plan: Plan, keys: RetrieveKeys, model: IDLQueryModel, level: IDLQueryLevel, identifier: DataSet,
        files: FileList?
    ) async -> RetrieveOutcome {
        let session = plan.session
        let options = plan.options
        var stopped = false
        if options.verify {
            if let known = options.inventory {
                session.setInventory(.listed(known.map(\.sopInstanceUID)), items: known)
            } else if await paced(plan) {
                do {
                    let items = try await RetrieveInventory.list(
                        keys: keys, model: model, level: level, remote: plan.remote, configuration: plan.configuration)
                    session.setInventory(.listed(items.map(\.sopInstanceUID)), items: items)
                } catch {
                    session.setInventory(.failed("\(plan.remote.name): \(error)"), items: [])
                }
            } else {
                stopped = true
            }
            session.markPresent(options.present)
        }
        // Patient/Study Only has no IMAGE level: requests by UID list use Study Root (PS3.4 C.6.2).
        let listModel = model == .patientStudyOnly ? IDLQueryModel.studyRoot : model
        if stopped {
            // The caller's pace stopped it before the first request.
        } else if options.verify, options.missingFirst, session.canRetry {
            stopped = await requestMissing(plan, model: listModel, attempt: 1)
        } else if await paced(plan) {
            await exchange(plan, model: model, identifier: identifier, attempt: 1, uids: [])
        } else {
            stopped = true
        }
        if options.verify, options.retry > 0, !stopped {
            var pause = options.firstPause
            for round in 1...options.retry {
                guard !plan.control.isCancelRequested, !Task.isCancelled, session.report.refusal == nil else { break }
                guard !session.missingItems().isEmpty, session.canRetry else { break }
                try? await Task.sleep(nanoseconds: UInt64(pause * 1_000_000_000))
                pause *= 2
                if await requestMissing(plan, model: listModel, attempt: round + 1) {
                    stopped = true
                    break
                }
            }
        }
        session.scanDirectory()
        if plan.control.isCancelRequested || stopped { session.markCancelled() }
        session.close()
        let report = session.report
        let last = report.requests.last
        return RetrieveOutcome(
            succeeded: last?.failure == nil && last != nil, count: report.completed ?? 0, message: last?.failure,
            cancelled: plan.control.isCancelRequested || stopped, finalStatus: report.status,
            files: files?.all ?? [], report: report)
    }

    /// One round: the missing instances of the inventory by SOP Instance UID lists, per series. Returns true
    /// when the caller's pace stopped it.
    private static func requestMissing(_ plan: Plan, model: IDLQueryModel, attempt: Int) async -> Bool {
        for batch in batches(plan.session.missingItems()) {
            guard !plan.control.isCancelRequested, !Task.isCancelled, plan.session.report.refusal == nil else {
                break
            }
            let first = batch[0]
            let keys = RetrieveKeys(
                patientID: first.patientID, studyInstanceUID: first.studyInstanceUID,
                seriesInstanceUID: first.seriesInstanceUID,
                sopInstanceUID: batch.map(\.sopInstanceUID).joined(separator: "\\"))
            guard let identifier = try? keys.identifier(model: model, level: .image, method: plan.operation)
            else { continue }
            guard await paced(plan) else { return true }
            await exchange(
                plan, model: model, identifier: identifier, attempt: attempt, uids: batch.map(\.sopInstanceUID))
        }
        return false
    }

    /// Waits for the caller's pace (`RetrieveOptions.pace`); false when it stopped the retrieve.
    private static func paced(_ plan: Plan) async -> Bool {
        guard let pace = plan.options.pace else { return true }
        return await pace()
    }

    /// The missing instances per series, at most `uidsPerRetryRequest` per request.
    static func batches(_ items: [InventoryItem]) -> [[InventoryItem]] {
        var order: [String] = []
        var bySeries: [String: [InventoryItem]] = [:]
        for item in items {
            let key = item.studyInstanceUID + "|" + item.seriesInstanceUID
            if bySeries[key] == nil { order.append(key) }
            bySeries[key, default: []].append(item)
        }
        return order.flatMap { key -> [[InventoryItem]] in
            let all = bySeries[key] ?? []
            return stride(from: 0, to: all.count, by: uidsPerRetryRequest).map {
                Array(all[$0..<min($0 + uidsPerRetryRequest, all.count)])
            }
        }
    }

    // MARK: One request

    /// The one response loop of C-MOVE and C-GET: connect, send the request, record every response, report
    /// pending ones, cancel on request (Ctrl-C: C-CANCEL, then abort after `interruptGrace` s), read the
    /// final response, release, wait for late instances (`settle`), report the final response.
    private static func exchange(
        _ plan: Plan, model: IDLQueryModel, identifier: DataSet, attempt: Int, uids: [String]
    ) async {
        let session = plan.session
        let operation = plan.operation
        let remote = plan.remote
        let index = session.beginRequest(attempt: attempt, sopInstanceUIDs: uids)
        let (contexts, send) = plan.request(model, identifier, index)
        let association: DICOMAssociation
        do {
            association = try await SCUConnection.connect(
                calling: plan.configuration.queryRetrieveSCU, remote: remote, contexts: contexts,
                configuration: plan.configuration, sinkProvider: plan.sinkProvider)
        } catch {
            session.failed(
                index, "\(operation): \(SCUConnection.describe(error, remote: remote))",
                refusal: ArchiveRefusal(connecting: error))
            return
        }
        let control = plan.control
        // Unstructured, so that a Ctrl-C (this task's cancellation) does not cut the exchange short: it
        // sends C-CANCEL and lets the final response end the loop (or the abort after the grace period).
        let loop = Task {
            await responseLoop(plan, association: association, send: send, index: index, attempt: attempt)
        }
        await withTaskCancellationHandler {
            await loop.value
        } onCancel: {
            control.interrupt(association, grace: interruptGrace)
        }
    }

    private static func responseLoop(
        _ plan: Plan, association: DICOMAssociation,
        send: @Sendable (DICOMAssociation) async throws -> Responses, index: Int, attempt: Int
    ) async {
        let session = plan.session
        let control = plan.control
        let remote = plan.remote
        var final: RetrieveResponse?
        do {
            let responses = try await send(association)
            session.sent(index, messageID: responses.messageID)
            // Without a callback a pending response is only recorded: on the event loop, waking no task.
            var record: (@Sendable (RetrieveResponse) -> Void)?
            if plan.onResponse == nil { record = { response in session.received(index, response) } }
            responses.handleOnEventLoop(pending: record, elapsed: { session.elapsed })
            await control.attach(responses.cancel)
            var iterator = responses.makeIterator()
            while let response = try await iterator.next(session.elapsed) {
                session.received(index, response)
                guard !response.isFinal else {
                    final = response
                    break
                }
                guard !control.isCancelRequested, let onResponse = plan.onResponse else { continue }
                let decision = await onResponse(
                    event(plan, response, messageID: responses.messageID, attempt: attempt, final: false))
                if decision == .cancel { await control.cancelNow() }
            }
        } catch {
            await association.abort()
            session.failed(index, "\(plan.operation): \(SCUConnection.describe(error, remote: remote))")
            return
        }
        try? await association.release()
        let lastCounts = session.lastCounts(index)
        guard let final else {
            session.failed(index, "\(plan.operation): no final response from \(remote.name)")
            return
        }
        if final.status.category == .failure {
            let comment = final.errorComment.map { " (\($0))" } ?? ""
            // The destination as the archive must know it (PS3.4 C.4.2.2.1: it maps the title to an address).
            let destination =
                plan.destination.map {
                    "; the destination was AE title '\($0.aeTitle)', expected at \($0.hostname):\($0.port)"
                } ?? ""
            session.failed(
                index,
                "\(plan.operation): \(remote.name) (\(remote.aeTitle) at \(remote.hostname):\(remote.port)) answered "
                    + "\(final.status.description(for: plan.service))\(comment)\(destination)",
                refusal: ArchiveRefusal(
                    status: final.status, completed: Int(final.counts.completed ?? lastCounts.completed ?? 0)))
        }
        await settle(plan, index: index, completed: Int(final.counts.completed ?? lastCounts.completed ?? 0))
        if plan.options.callFinal, let onResponse = plan.onResponse {
            _ = await onResponse(
                event(plan, final, messageID: session.report.requests[index].messageID, attempt: attempt, final: true))
        }
    }

    /// Waits up to `settle` seconds while fewer instances of request `index` arrived than the remote reported
    /// completed (an archive that answers before its last C-STORE).
    private static func settle(_ plan: Plan, index: Int, completed: Int) async {
        let deadline = Date().addingTimeInterval(plan.options.settle)
        while Date() < deadline, !Task.isCancelled {
            if let arrived = plan.session.arrivedCount(request: index) {
                guard arrived < completed else { return }
            } else {
                // Observed by name: the expected instances on disk; unobservable: nothing to wait for.
                guard plan.options.verify, plan.session.isObservedByName else { return }
                plan.session.scanDirectory()
                guard plan.session.arrivedTotal() < min(completed, plan.session.report.expectedCount ?? 0) else {
                    return
                }
            }
            try? await Task.sleep(nanoseconds: 100_000_000)
        }
    }

    private static func event(
        _ plan: Plan, _ response: RetrieveResponse, messageID: UInt16?, attempt: Int, final: Bool
    ) -> OperationEvent {
        var event = OperationEvent(
            operation: plan.operation,
            statusLines: StatusLines.retrieveResponse(
                title: plan.title, status: response.status, service: plan.service, counts: response.counts,
                elapsed: response.elapsed),
            status: response.status, counts: response.counts, elapsed: response.elapsed, messageID: messageID)
        event.isFinal = final
        event.failedUIDs = response.failedSOPInstanceUIDs
        event.attempt = attempt
        event.files = plan.session.takeNewArrivals()
        return event
    }
}

/// The responses of a C-MOVE or C-GET as `RetrieveResponse`s: one loop for both (their responses are one
/// type, `RetrieveRSP`).
struct Responses: Sendable {
    let messageID: UInt16
    let cancel: @Sendable () async -> Void
    let makeIterator: @Sendable () -> Iterator
    private let onEventLoop:
        @Sendable ((@Sendable (RetrieveResponse) -> Void)?, @escaping @Sendable () -> Double) -> Void

    /// Hands pending responses to `pending` (stamped with `elapsed()`) and answered C-STOREs to the builder's
    /// `answeredStore` on the event loop (`DIMSEResponses.handleOnEventLoop`); the iterator then returns only
    /// the others.
    func handleOnEventLoop(
        pending: (@Sendable (RetrieveResponse) -> Void)?, elapsed: @escaping @Sendable () -> Double
    ) {
        onEventLoop(pending, elapsed)
    }

    struct Iterator {
        var nextResponse: (Double) async throws -> RetrieveResponse?
        mutating func next(_ elapsed: Double) async throws -> RetrieveResponse? { try await nextResponse(elapsed) }
    }

    init<Operation: RetrieveOperation>(
        _ responses: DIMSEResponses<RetrieveRSP<Operation>>, answeredStore: (@Sendable (IncomingStore) -> Void)? = nil
    ) {
        messageID = responses.messageID
        onEventLoop = { pending, elapsed in
            var received: (@Sendable (DIMSEResponse<RetrieveRSP<Operation>>) -> Void)?
            if let pending {
                received = { response in pending(RetrieveResponse(response, elapsed: elapsed())) }
            }
            responses.handleOnEventLoop(pending: received, answeredStore: answeredStore)
        }
        cancel = { try? await responses.cancel() }
        makeIterator = {
            var iterator = responses.makeAsyncIterator()
            return Iterator { elapsed in
                guard let received = try await iterator.next() else { return nil }
                return RetrieveResponse(received, elapsed: elapsed)
            }
        }
    }
}

/// Paths collected from the C-STORE handler's task.
final class FileList: @unchecked Sendable {
    private let lock = NSLock()
    private var paths: [String] = []
    func append(_ path: String) { lock.withLock { paths.append(path) } }
    var all: [String] { lock.withLock { paths } }
}
