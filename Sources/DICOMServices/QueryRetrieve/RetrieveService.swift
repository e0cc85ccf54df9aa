import DICOMCore
import DICOMNetwork
import Foundation

/// What a retrieve (C-MOVE) or get (C-GET) did: IDL's `Retrieve` result and `COUNT`.
public struct RetrieveOutcome: Sendable {
    /// IDL's 1/0: true when the operation completed (success or warning status) or was cancelled.
    public var succeeded: Bool
    /// Number of Completed Sub-operations of the final response (0 when absent).
    public var count: Int
    /// Nil on success; why it failed otherwise (network, association, failure status with its code).
    public var message: String?
    /// True when a C-CANCEL-RQ was sent.
    public var cancelled: Bool
    /// The final response's status, when one arrived.
    public var finalStatus: DIMSEStatus?
    /// Files written (C-GET only).
    public var files: [String]
}

/// `IDLffDicomExQuery::Retrieve` (docs/idl-reference.md §2.7) as C-MOVE (PS3.4 C.4.2), and its
/// C-GET sibling `q:get` (PS3.4 C.4.3).
public enum RetrieveService {
    /// C-MOVE of the objects identified by `keys` from `QUERY_SCP` to the AE title of `STORAGE_SCP`.
    ///
    /// - Parameters:
    ///   - control: lets another task cancel (a heartbeat callback); the callback's `.cancel` does the same.
    ///   - onResponse: called once per pending response.
    /// - Throws: only misuse (`ConfigurationError("retrieve", …)`): unknown AE names, missing keywords.
    public static func move(
        keys: RetrieveKeys, model: IDLQueryModel, level: IDLQueryLevel, queryAE: String?, storageAE: String?,
        configuration: ConfigurationDocument, control: OperationControl = OperationControl(),
        onResponse: OperationEventHandler? = nil
    ) async throws -> RetrieveOutcome {
        let remote = try SCUConnection.remote(
            named: queryAE, property: "QUERY_SCP", method: "retrieve", configuration: configuration)
        let destination = try SCUConnection.remote(
            named: storageAE, property: "STORAGE_SCP", method: "retrieve",
            configuration: configuration)
        let identifier = try keys.identifier(model: model, level: level, method: "retrieve")
        let sopClass = model.moveSOPClassUID
        let contexts = [
            ProposedPresentationContext(abstractSyntax: sopClass, transferSyntaxes: TransferSyntaxUID.uncompressed)
        ]
        return await run(
            operation: "retrieve", title: StatusLines.retrieveTitle(destination: destination.aeTitle),
            service: .move, remote: remote, contexts: contexts, configuration: configuration,
            control: control, onResponse: onResponse, files: nil
        ) { association in
            let context = try association.presentationContext(for: sopClass)
            let responses = try await association.move(
                sopClassUID: sopClass, destination: destination.aeTitle,
                identifier: try SCUIdentifierCoding.encode(identifier, transferSyntaxUID: context.transferSyntax),
                transferSyntax: context.transferSyntax)
            return AnyResponses(responses)
        }
    }

    /// C-GET of the objects identified by `keys` from `QUERY_SCP`, written into `directory` (default: the
    /// configuration's `StorScpDir`) as `<SOP Instance UID>.<FileExtension>`.
    public static func get(
        keys: RetrieveKeys, model: IDLQueryModel, level: IDLQueryLevel, queryAE: String?, directory: URL?,
        configuration: ConfigurationDocument, control: OperationControl = OperationControl(),
        onResponse: OperationEventHandler? = nil
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
                duplicatePolicy: configuration.duplicatePolicy)
            try store.prepare()
        } catch {
            throw ConfigurationError("get", "cannot write into '\(target.path)': \(error)")
        }
        let sender = remote.aeTitle
        let sinkProvider: AssociationDataSetSinkProvider = { negotiated, contextID, _, command in
            guard let context = negotiated.acceptedContexts[contextID] else { return nil }
            return store.sink(for: command, context: context, callingAETitle: sender)
        }
        let sopClass = model.getSOPClassUID
        let contexts =
            [ProposedPresentationContext(abstractSyntax: sopClass, transferSyntaxes: TransferSyntaxUID.uncompressed)]
            // The storage classes of the project's list (StorageSOPClasses), SCP role (PS3.7 D.3.3.4).
            + StorageSOPClasses.commonUIDs.map {
                ProposedPresentationContext(
                    abstractSyntax: $0, transferSyntaxes: TransferSyntaxUID.uncompressed, role: .scuAndSCP)
            }
        let files = FileList()
        return await run(
            operation: "get", title: StatusLines.retrieveTitle(destination: nil), service: .get, remote: remote,
            contexts: contexts, configuration: configuration, control: control, onResponse: onResponse,
            files: files, sinkProvider: sinkProvider
        ) { association in
            let context = try association.presentationContext(for: sopClass)
            let responses = try await association.get(
                sopClassUID: sopClass,
                identifier: try SCUIdentifierCoding.encode(identifier, transferSyntaxUID: context.transferSyntax),
                transferSyntax: context.transferSyntax
            ) { incoming in
                let outcome = store.outcome(for: incoming, callingAETitle: sender)
                if case .success(let stored) = outcome { files.append(stored.path) }
                return ReceivedInstanceStore.status(of: outcome)
            }
            return AnyResponses(responses)
        }
    }

    /// The common loop: connect, send the request, report pending responses, cancel on request, read the
    /// final response, release.
    private static func run(
        operation: String, title: String, service: DIMSEService, remote: ApplicationEntity,
        contexts: [ProposedPresentationContext], configuration: ConfigurationDocument,
        control: OperationControl, onResponse: OperationEventHandler?, files: FileList?,
        sinkProvider: AssociationDataSetSinkProvider? = nil,
        start request: @escaping @Sendable (DICOMAssociation) async throws -> AnyResponses
    ) async
        -> RetrieveOutcome
    {
        let started = Date()
        func failed(
            _ message: String, count: Int = 0, cancelled: Bool = false, status: DIMSEStatus? = nil
        ) -> RetrieveOutcome {
            RetrieveOutcome(
                succeeded: false, count: count, message: "\(operation): \(message)", cancelled: cancelled,
                finalStatus: status, files: files?.all ?? [])
        }
        let association: DICOMAssociation
        do {
            association = try await SCUConnection.connect(
                calling: configuration.queryRetrieveSCU, remote: remote,
                contexts: contexts, configuration: configuration,
                sinkProvider: sinkProvider)
        } catch {
            return failed(SCUConnection.describe(error, remote: remote))
        }
        var lastCounts = SubOperationCounts()
        var final: (status: DIMSEStatus, counts: SubOperationCounts, comment: String?)?
        do {
            let responses = try await request(association)
            await control.attach(responses.cancel)
            var iterator = responses.makeIterator()
            while let response = try await iterator.next() {
                guard response.status.isPending else {
                    final = (response.status, response.counts, response.errorComment)
                    break
                }
                lastCounts = response.counts
                guard !control.isCancelRequested, let onResponse else { continue }
                let decision = await onResponse(
                    OperationEvent(
                        operation: operation,
                        statusLines: StatusLines.retrieveResponse(
                            title: title, status: response.status, service: service,
                            counts: response.counts, elapsed: Date().timeIntervalSince(started)),
                        status: response.status, counts: response.counts, elapsed: Date().timeIntervalSince(started),
                        messageID: responses.messageID))
                if decision == .cancel { await control.cancelNow() }
            }
        } catch {
            await association.abort()
            return failed(
                SCUConnection.describe(error, remote: remote), count: Int(lastCounts.completed ?? 0),
                cancelled: control.isCancelRequested)
        }
        try? await association.release()
        guard let final else { return failed("no final response from \(remote.name)") }
        // Counts are conditional in a final response (PS3.4 C.4.2.1.4.2).
        let count = Int(final.counts.completed ?? lastCounts.completed ?? 0)
        switch final.status.category {
        case .success, .warning, .cancel, .pending:
            return RetrieveOutcome(
                succeeded: true, count: count, message: nil, cancelled: control.isCancelRequested,
                finalStatus: final.status, files: files?.all ?? [])
        case .failure:
            let comment = final.comment.map { " (\($0))" } ?? ""
            return failed(
                "\(remote.name) answered \(final.status.description(for: service))\(comment)", count: count,
                cancelled: control.isCancelRequested, status: final.status)
        }
    }
}

/// The responses of a C-MOVE or C-GET with what the loop needs from them.
struct AnyResponses: Sendable {
    struct Response {
        var status: DIMSEStatus
        var counts: SubOperationCounts
        var errorComment: String?
    }
    let cancel: @Sendable () async -> Void
    let makeIterator: @Sendable () -> Iterator
    /// Message ID of the C-MOVE/C-GET request (the Move Originator Message ID of its sub-operations).
    let messageID: UInt16

    struct Iterator {
        var nextResponse: () async throws -> Response?
        mutating func next() async throws -> Response? { try await nextResponse() }
    }

    init(_ responses: DIMSEResponses<CMoveRSP>) {
        messageID = responses.messageID
        cancel = { try? await responses.cancel() }
        makeIterator = {
            var iterator = responses.makeAsyncIterator()
            return Iterator {
                guard let r = try await iterator.next() else { return nil }
                return Response(
                    status: r.response.status, counts: r.response.subOperations, errorComment: r.response.errorComment)
            }
        }
    }

    init(_ responses: DIMSEResponses<CGetRSP>) {
        messageID = responses.messageID
        cancel = { try? await responses.cancel() }
        makeIterator = {
            var iterator = responses.makeAsyncIterator()
            return Iterator {
                guard let r = try await iterator.next() else { return nil }
                return Response(
                    status: r.response.status, counts: r.response.subOperations, errorComment: r.response.errorComment)
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
