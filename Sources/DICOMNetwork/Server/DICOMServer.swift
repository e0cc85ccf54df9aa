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

    /// Binds and starts accepting. `port` 0 picks a free port (see `port`).
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
                guard registry.openCount <= maximum else { return .reject(.localLimitExceeded) }
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
        let bootstrap = ServerBootstrap(group: eventLoopGroup)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.recvAllocator, value: AssociationReadBuffers.allocator)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    guard registry.register(channel) else {
                        throw AssociationError.notEstablished  // shutting down: refuse the connection
                    }
                    let handler = AssociationHandler(
                        side: .acceptor(hooks), configuration: associationConfiguration,
                        establishedPromise: channel.eventLoop.makePromise(),
                        closedPromise: channel.eventLoop.makePromise())
                    try channel.pipeline.syncOperations.addPipeline(
                        handler: handler,
                        configuration: associationConfiguration)
                }
            }
        let channel = try await bootstrap.bind(host: host, port: port).get()
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

    /// Number of open connections (associations being negotiated, established or closing).
    public var openConnections: Int { registry.openCount }

    /// Stops accepting, lets associations in flight finish until `gracePeriod` has passed, then aborts
    /// (A-ABORT, service-user source) and closes the remaining connections, and waits for their service
    /// handlers to return.
    public func shutdown(gracePeriod: TimeAmount = .seconds(10)) async {
        registry.stopAccepting()
        try? await serverChannel.close()
        let deadline = NIODeadline.now() + gracePeriod
        while registry.openCount > 0 && NIODeadline.now() < deadline {
            try? await Task.sleep(nanoseconds: 20_000_000)
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

/// Open child channels and service tasks of a server, behind a lock.
final class ConnectionRegistry: @unchecked Sendable {
    private let lock = NSLock()
    private var channels: [ObjectIdentifier: Channel] = [:]
    private var tasks: [Int: Task<Void, Never>] = [:]
    private var nextTaskID = 0
    private var accepting = true

    var openCount: Int { lock.withLock { channels.count } }
    var openChannels: [Channel] { lock.withLock { Array(channels.values) } }

    func register(_ channel: Channel) -> Bool {
        let id = ObjectIdentifier(channel)
        let accepted = lock.withLock { () -> Bool in
            guard accepting else { return false }
            channels[id] = channel
            return true
        }
        if accepted {
            channel.closeFuture.whenComplete { _ in self.lock.withLock { _ = self.channels.removeValue(forKey: id) } }
        }
        return accepted
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
