import Foundation
import NIOCore
import NIOPosix

/// A DICOM acceptor (SCP) on SwiftNIO: accepts TCP connections, negotiates associations under a
/// `ServerConfiguration`, and runs `service` for each established association (iterate
/// `association.messages`, answer with `association.send`). The service should consume `messages` until
/// it finishes (peer release) or throws (abort, lost connection).
public final class DICOMServer: Sendable {
    /// The bound port (the ephemeral one when started with port 0).
    public let port: Int
    private let serverChannel: Channel
    private let registry: ConnectionRegistry

    private init(port: Int, serverChannel: Channel, registry: ConnectionRegistry) {
        self.port = port
        self.serverChannel = serverChannel
        self.registry = registry
    }

    /// Binds and starts accepting. `port` 0 picks a free port (see `port`). Throws `ServerStartError` when it
    /// cannot listen (port in use, privileged port, foreign address).
    public static func start(
        host: String = "127.0.0.1", port: Int = 0, configuration: ServerConfiguration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        service: @escaping @Sendable (DICOMAssociation) async -> Void
    ) async throws -> DICOMServer {
        let registry = ConnectionRegistry()
        var policy = configuration.policy
        policy.maximumPDULength = configuration.association.maximumPDULength
        let acceptancePolicy = policy
        let maximum = configuration.maximumAssociations
        let admission = configuration.admission
        let hooks = AssociationHandler.AcceptorHooks(
            decide: { request, address in
                // Counts this request too (see `PendingConnectionHandler`); pending connections do not count.
                guard registry.associationCount <= maximum else { return .reject(.localLimitExceeded) }
                let info = AssociationRequestInfo(
                    callingAETitle: request.callingAETitle,
                    calledAETitle: request.calledAETitle, peerAddress: address)
                if let rejection = admission?(info) { return .reject(rejection) }
                return AssociationAcceptor.decide(request: request, policy: acceptancePolicy)
            },
            established: { association in
                registry.startService {
                    await service(association)
                    // A service that returns while the peer has not released: release it ourselves
                    // (PS3.8 §7.2 lets either side), bounded by ARTIM; a no-op after a release.
                    try? await association.release()
                }
            },
            decideAfter: decideAfter(configuration.decideBeforeAccept))
        let associationConfiguration = configuration.association
        let maximumPending = configuration.maximumPendingConnections
        let pendingTimeout = configuration.pendingConnectionTimeout ?? associationConfiguration.artimTimeout
        let logger = associationConfiguration.logger
        let bootstrap = ServerBootstrap(group: eventLoopGroup)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.recvAllocator, value: AssociationReadBuffers.allocator)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    guard let registration = registry.register(channel, maximumPending: maximumPending) else {
                        throw AssociationError.notEstablished  // shutting down: refuse the connection
                    }
                    if let oldest = registration.evicted {
                        logger.notice(
                            "connection from \(oldest.remoteAddress.map { "\($0)" } ?? "?") closed before its A-ASSOCIATE-RQ: \(maximumPending) connections were pending (MaxPendingConnections), the oldest makes room"
                        )
                        oldest.close(promise: nil)
                    }
                    let handler = AssociationHandler(
                        side: .acceptor(hooks), configuration: associationConfiguration,
                        establishedPromise: channel.eventLoop.makePromise(),
                        closedPromise: channel.eventLoop.makePromise())
                    try channel.pipeline.syncOperations.addPipeline(
                        handler: handler, configuration: associationConfiguration,
                        handshakeTimeout: .ownedByCaller)
                    try channel.pipeline.syncOperations.addHandler(
                        PendingConnectionHandler(registry: registry, timeout: pendingTimeout, logger: logger),
                        position: .before(handler))
                }
            }
        let channel: Channel
        do {
            channel = try await bootstrap.bind(host: host, port: port).get()
        } catch {
            throw ServerStartError(host: host, port: port, error: error)
        }
        return DICOMServer(port: channel.localAddress?.port ?? port, serverChannel: channel, registry: registry)
    }

    /// `ServerConfiguration.decideBeforeAccept` as the association handler asks it.
    private static func decideAfter(
        _ check: (@Sendable (AssociationRequestInfo) async -> AssociateRJ?)?
    ) -> (@Sendable (AssociateRQ, SocketAddress?) async -> AssociateRJ?)? {
        guard let check else { return nil }
        return { request, address in
            await check(
                AssociationRequestInfo(
                    callingAETitle: request.callingAETitle, calledAETitle: request.calledAETitle,
                    peerAddress: address))
        }
    }

    /// Number of open connections (pending, associations being negotiated, established or closing).
    public var openConnections: Int { registry.openCount }
    /// Connections that have not yet sent a complete A-ASSOCIATE-RQ.
    public var pendingConnections: Int { registry.pendingCount }

    /// Stops accepting, closes the pending connections (no A-ASSOCIATE-RQ yet), lets associations in flight
    /// finish until `gracePeriod` has passed, then aborts
    /// (A-ABORT, service-user source) and closes the remaining connections, and waits for their service
    /// handlers to return. Waits on the connections' close futures (raced against the grace period), not by
    /// polling. Calling it again (or from `run()` under a `ServiceGroup`) waits for the same end.
    public func shutdown(gracePeriod: TimeAmount = .seconds(10)) async {
        registry.stopAccepting()
        try? await serverChannel.close()
        // Connections that never asked for an association have nothing to finish.
        for channel in registry.pendingChannels { channel.close(promise: nil) }
        let open = registry.openChannels
        if !open.isEmpty {
            // Whichever comes first: every connection closed, or the grace period over (a second
            // completion of the promise is ignored).
            let loop = serverChannel.eventLoop
            let done = loop.makePromise(of: Void.self)
            let timer = loop.scheduleTask(in: gracePeriod) { done.succeed(()) }
            EventLoopFuture.andAllComplete(open.map(\.closeFuture), on: loop).whenComplete { _ in
                timer.cancel()
                done.succeed(())
            }
            try? await done.futureResult.get()
        }
        // Past the grace period: A-ABORT (service-user source) what is left, then close.
        let remaining = registry.openChannels
        for channel in remaining {
            channel.eventLoop.execute {
                try? channel.pipeline.syncOperations.handler(type: AssociationHandler.self).requestAbort()
                channel.close(promise: nil)
            }
        }
        for channel in remaining { try? await channel.closeFuture.get() }
        for task in registry.takeTasks() { await task.value }
    }
}

/// Open child channels and service tasks of a server, behind a lock. A channel is *pending* from its
/// registration until `associationRequested` (its A-ASSOCIATE-RQ arrived), then counts as an association
/// until it closes.
final class ConnectionRegistry: @unchecked Sendable {
    private let lock = NSLock()
    private var channels: [ObjectIdentifier: Channel] = [:]
    /// Pending channels with their arrival number (the smallest is the oldest).
    private var pending: [ObjectIdentifier: UInt64] = [:]
    private var arrivals: UInt64 = 0
    private var associating: Set<ObjectIdentifier> = []
    private var tasks: [Int: Task<Void, Never>] = [:]
    private var nextTaskID = 0
    private var accepting = true

    var openCount: Int { lock.withLock { channels.count } }
    var pendingCount: Int { lock.withLock { pending.count } }
    var associationCount: Int { lock.withLock { associating.count } }
    var openChannels: [Channel] { lock.withLock { Array(channels.values) } }
    var pendingChannels: [Channel] { lock.withLock { pending.keys.compactMap { channels[$0] } } }

    /// Registers a new connection as pending; nil when the server no longer accepts. At `maximumPending`
    /// pending connections, the oldest leaves the pending set and is returned as `evicted`, for the caller
    /// to close.
    func register(_ channel: Channel, maximumPending: Int) -> (channel: Channel, evicted: Channel?)? {
        let id = ObjectIdentifier(channel)
        let registration = lock.withLock { () -> (channel: Channel, evicted: Channel?)? in
            guard accepting else { return nil }
            var evicted: Channel?
            if pending.count >= maximumPending, let oldest = pending.min(by: { $0.value < $1.value })?.key {
                pending.removeValue(forKey: oldest)
                evicted = channels[oldest]
            }
            channels[id] = channel
            arrivals += 1
            pending[id] = arrivals
            return (channel, evicted)
        }
        if registration != nil {
            channel.closeFuture.whenComplete { _ in
                self.lock.withLock {
                    _ = self.channels.removeValue(forKey: id)
                    _ = self.pending.removeValue(forKey: id)
                    _ = self.associating.remove(id)
                }
            }
        }
        return registration
    }

    func isPending(_ channel: Channel) -> Bool {
        lock.withLock { pending[ObjectIdentifier(channel)] != nil }
    }

    /// The channel's A-ASSOCIATE-RQ arrived: it leaves the pending set and counts as an association.
    func associationRequested(_ channel: Channel) {
        let id = ObjectIdentifier(channel)
        lock.withLock {
            guard channels[id] != nil else { return }
            pending.removeValue(forKey: id)
            associating.insert(id)
        }
    }

    /// Runs `body` in a task that is tracked until it finishes (for `shutdown`).
    func startService(_ body: @escaping @Sendable () async -> Void) {
        lock.withLock {
            let id = nextTaskID
            nextTaskID += 1
            tasks[id] = Task {
                await body()
                self.lock.withLock { _ = self.tasks.removeValue(forKey: id) }
            }
        }
    }

    func takeTasks() -> [Task<Void, Never>] {
        lock.withLock { Array(tasks.values) }
    }

    func stopAccepting() { lock.withLock { accepting = false } }
}
