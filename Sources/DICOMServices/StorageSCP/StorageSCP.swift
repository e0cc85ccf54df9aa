import DICOMCore
import DICOMDeidentify
import DICOMNetwork
import Foundation
import Logging
import NIOCore
import NIOPosix

/// The storage SCP (PS3.4 Annex B; IDL's Storage SCP service, docs/idl-reference.md §4): a `DICOMServer`
/// accepting Verification and every Storage SOP Class (`StorageSOPClasses`) with the native and
/// encapsulated transfer syntaxes, streaming each C-STORE data set into the depot of its
/// `ReceivedInstanceStore`, moving it into place after the last fragment, then answering. Memory does not
/// depend on instance size.
///
/// AE title checks happen in the A-ASSOCIATE negotiation (1/1/7 called AE title, 1/1/3 calling AE title).
/// An optional asynchronous `gate` (a Lua `on_association` hook) decides before the A-ASSOCIATE-AC is sent
/// (the acceptor waits for it; the gate bounds its own wait): a refused peer gets an A-ASSOCIATE-RJ and
/// stores nothing (docs/lua-api.md "Hooks under load").
///
/// Events go to `observer` from NIO/task threads: the observer must return quickly (post to a run loop).
public final class StorageSCP: Sendable {
    public typealias Gate = @Sendable (StorageAssociationInfo) async -> Bool
    public typealias Observer = @Sendable (StorageSCPEvent) -> Void

    public let settings: StorageSCPSettings
    public let store: ReceivedInstanceStore
    private let server: DICOMServer
    private let observer: Observer
    private let counter: AssociationCounter

    /// The port it listens on.
    public var port: Int { server.port }
    /// Associations open now.
    public var openAssociations: Int { server.openConnections }
    /// Connections that have not yet sent a complete A-ASSOCIATE-RQ (`MaxPendingConnections`).
    public var pendingConnections: Int { server.pendingConnections }

    private init(
        settings: StorageSCPSettings, store: ReceivedInstanceStore, server: DICOMServer, observer: @escaping Observer,
        counter: AssociationCounter
    ) {
        self.settings = settings
        self.store = store
        self.server = server
        self.observer = observer
        self.counter = counter
    }

    /// Prepares the folder (throws `StoreFailure` when it cannot be created or written), removes depot
    /// leftovers, binds and starts accepting (throws `StorageSCPStartError` naming the AE title, port and
    /// address when it cannot listen).
    ///
    /// `storedBeforeAnswer` is called for each stored instance before its C-STORE-RSP goes out, on a NIO
    /// thread (the event loop; with a `deidentifier`, a thread of the de-identification pool,
    /// `DeidentifyingInstance`) (`observer` hears of it later): for bookkeeping that the sender's next message
    /// may depend on. It must return at once.
    ///
    /// With `hookBacklog`, a place in it is reserved for every stored instance before `observer` hears of it
    /// (the observer queues its hook call there): while it is full, the association waits and reads nothing
    /// (docs/lua-api.md "Hooks under load").
    ///
    /// A stored instance the association answered itself is reported on the event loop while its service
    /// task has nothing else in hand and the backlog has room (`DICOMAssociation.handleOnEventLoop`), waking
    /// no task; otherwise by the service task, in arrival order either way.
    public static func start(
        settings: StorageSCPSettings, logger: Logger? = nil,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        gate: Gate? = nil, storedBeforeAnswer: (@Sendable (StoredInstance) -> Void)? = nil,
        hookBacklog: HookBacklog? = nil,
        deidentifier: Deidentifier? = nil, quarantineDirectory: String? = nil,
        observer: @escaping Observer = { _ in }
    ) async throws -> StorageSCP {
        let log = logger ?? Logger(label: "dicomlua.storescp", factory: { _ in SwiftLogNoOpLogHandler() })
        let store = try ReceivedInstanceStore(
            directory: settings.directory, fileExtension: settings.fileExtension,
            duplicatePolicy: settings.duplicatePolicy, fsync: settings.fsync, logger: log,
            storedBeforeAnswer: storedBeforeAnswer, deidentifier: deidentifier,
            quarantineDirectory: quarantineDirectory)
        try store.prepare()
        store.removeDepotLeftovers()

        var syntaxes: [String: [String]] = [
            AcceptancePolicy.verificationSOPClassUID: ["1.2.840.10008.1.2.1", "1.2.840.10008.1.2"]
        ]
        for sopClass in StorageSOPClasses.all { syntaxes[sopClass.uid] = StorageSOPClasses.transferSyntaxes }
        let policy = AcceptancePolicy(
            calledAETitle: settings.checkCalledAETitle ? settings.aeTitle : nil,
            allowedCallingAETitles: settings.allowedCallingAETitles,
            supportedAbstractSyntaxes: syntaxes, maximumPDULength: settings.maximumPDULength)
        var association = AssociationConfiguration(
            maximumPDULength: settings.maximumPDULength,
            artimTimeout: .milliseconds(Int64(settings.artimTimeout * 1000)))
        association.dimseTimeout = settings.dimseTimeout.map { .milliseconds(Int64($0 * 1000)) }
        association.idleTimeout = settings.idleTimeout.map { .milliseconds(Int64($0 * 1000)) }
        association.associationDataSetSinkProvider = { negotiated, contextID, _, message in
            guard case .cStoreRQ(let request) = message, let context = negotiated.acceptedContexts[contextID] else {
                return nil
            }
            return store.sink(for: request, context: context, callingAETitle: negotiated.callingAETitle)
        }
        association.logger = log
        if let tls = settings.tls {
            // A failed handshake never becomes an association: say why in the SCP's log and events.
            association.transportSecurity = try TransportSecurity(settings: tls, role: .acceptor)
            association.transportSecurity?.failureReporter = { message in
                log.warning("\(message)")
                observer(.error(message))
            }
        }
        var configuration = ServerConfiguration(
            policy: policy, association: association,
            maximumAssociations: settings.maximumAssociations,
            maximumPendingConnections: settings.maximumPendingConnections)
        let counter = AssociationCounter()
        let decidedIDs = DecidedAssociationIDs()
        if let gate {
            // docs/lua-api.md "Hooks under load": the access decision comes before the A-ASSOCIATE-AC; a
            // refused peer gets an A-ASSOCIATE-RJ (rejected-permanent, service-user, no reason given).
            configuration.decideBeforeAccept = { request in
                let peer = request.peerAddress.map(describe) ?? "?"
                let info = StorageAssociationInfo(
                    id: counter.next(), callingAETitle: request.callingAETitle,
                    calledAETitle: request.calledAETitle, peer: peer)
                guard await gate(info) else {
                    observer(.associationRefused(info))
                    return .noReasonGiven
                }
                decidedIDs.set(info.id, for: peer)
                return nil
            }
        }
        let server: DICOMServer
        do {
            server = try await DICOMServer.start(
                host: settings.host, port: settings.port, configuration: configuration,
                eventLoopGroup: eventLoopGroup
            ) { association in
                let peer = association.remoteAddress.map(describe) ?? "?"
                await serveAssociation(
                    association, id: decidedIDs.take(for: peer) ?? counter.next(), store: store,
                    hookBacklog: hookBacklog, observer: observer)
            }
        } catch {
            throw StorageSCPStartError(aeTitle: settings.aeTitle, reason: "\(error)")
        }
        observer(.started(aeTitle: settings.aeTitle, port: server.port, directory: store.directory))
        return StorageSCP(settings: settings, store: store, server: server, observer: observer, counter: counter)
    }

    /// Stops accepting, lets transfers in flight finish for `gracePeriod` seconds, then closes what is left
    /// (their incomplete files are removed) and reports `.stopped`.
    public func stop(gracePeriod: Double = 10) async {
        await server.shutdown(gracePeriod: .milliseconds(Int64(gracePeriod * 1000)))
        observer(.stopped)
    }

    private static func serveAssociation(
        _ association: DICOMAssociation, id: Int, store: ReceivedInstanceStore,
        hookBacklog: HookBacklog?, observer: @escaping Observer
    ) async {
        let info = StorageAssociationInfo(
            id: id, callingAETitle: association.negotiated.callingAETitle,
            calledAETitle: association.negotiated.calledAETitle,
            peer: association.remoteAddress.map(describe) ?? "?")
        observer(.associationAccepted(info))
        let files = StoredFiles()
        let report: @Sendable (IncomingStore, Result<StoredInstance, StoreFailure>) -> Void = { incoming, outcome in
            switch outcome {
            case .success(let stored):
                files.append(stored)
                observer(.instanceStored(stored, association: info))
            case .failure(let problem):
                observer(
                    .storeFailed(
                        sopInstanceUID: incoming.request.affectedSOPInstanceUID, status: problem.status,
                        message: problem.message, association: info))
            }
        }
        association.handleOnEventLoop { message in
            // Only what the association answered itself is complete here; the rest is the task's.
            guard message.answeredStatus != nil, case .cStoreRQ(let request)? = try? message.dimse() else {
                return false
            }
            let ts = association.negotiated.acceptedContexts[message.contextID]?.transferSyntax ?? ""
            let incoming = IncomingStore(request: request, message: message, transferSyntax: ts)
            let outcome = store.outcome(for: incoming, callingAETitle: info.callingAETitle)
            if case .success = outcome, let hookBacklog, !hookBacklog.tryReserve() { return false }
            report(incoming, outcome)
            return true
        }
        var failure: String?
        do {
            try await association.serve(store: { incoming in
                let outcome = await store.completedOutcome(for: incoming, callingAETitle: info.callingAETitle)
                // Back-pressure (docs/lua-api.md "Hooks under load"): with the hook backlog full, the answer
                // waits, so the peer sends nothing more and the connection is not read.
                if case .success = outcome { await hookBacklog?.reserve() }
                report(incoming, outcome)
                // One status per C-STORE: a data set streamed into an answering sink was answered on the event
                // loop with the sink's status, which is the one reported here too.
                return incoming.answeredStatus ?? ReceivedInstanceStore.status(of: outcome)
            })
        } catch {
            failure = "\(error)"
        }
        association.handleOnEventLoop(nil)
        observer(.associationEnded(info, files: files.all, failure: failure))
    }

    private static func describe(_ address: SocketAddress) -> String {
        if let ip = address.ipAddress, let port = address.port { return "\(ip):\(port)" }
        return "\(address)"
    }
}

/// The ids given to associations by the gate, until their service starts (keyed by peer address, unique
/// among open connections).
final class DecidedAssociationIDs: @unchecked Sendable {
    private let lock = NSLock()
    private var ids: [String: Int] = [:]
    func set(_ id: Int, for peer: String) { lock.withLock { ids[peer] = id } }
    func take(for peer: String) -> Int? { lock.withLock { ids.removeValue(forKey: peer) } }
}

/// The storage SCP could not listen: "storage SCP STORE_AE cannot start: port 11112 on 0.0.0.0 is already in
/// use (another process listens there)".
public struct StorageSCPStartError: Error, Sendable, CustomStringConvertible {
    public var aeTitle: String
    public var reason: String
    public var description: String { "storage SCP \(aeTitle) cannot start: \(reason)" }
}

/// Numbers associations.
final class AssociationCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func next() -> Int {
        lock.withLock {
            value += 1
            return value
        }
    }
}

/// Files stored by one association (appended on its event loop or from its service task).
final class StoredFiles: @unchecked Sendable {
    private let lock = NSLock()
    private var files: [StoredInstance] = []
    func append(_ file: StoredInstance) { lock.withLock { files.append(file) } }
    var all: [StoredInstance] { lock.withLock { files } }
}
