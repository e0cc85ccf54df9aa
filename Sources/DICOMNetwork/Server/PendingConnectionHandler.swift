import Logging
import NIOCore

/// Keeps a server connection *pending* from the moment it is accepted until its first complete
/// A-ASSOCIATE-RQ has been parsed (the event PS3.8 §9.2 calls Evt6 in Sta2), then releases its pending
/// slot and leaves the pipeline. A pending connection takes no association slot (`maximumAssociations`):
/// silent sockets, half PDUs and slow peers cannot keep real associations out (the "slowloris" pattern).
/// A pending connection still pending after `timeout` is closed.
///
/// It sits just before `AssociationHandler`, after the PDU parser, so that everything in front of it — the
/// frame decoder, and a TLS handler at the front of the pipeline whose handshake is still running — counts
/// as pending time. Its timer is the only one running before the A-ASSOCIATE-RQ, TLS handshake included
/// (the TLS handlers run none on a server's connection): when it fires it says which step was missing —
/// the TLS handshake (told by `TLSFailureHandler` to its failure reporter) or the A-ASSOCIATE-RQ
/// (docs/protocol-notes.md "DICOM TLS: who reports what").
final class PendingConnectionHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = PDU
    typealias InboundOut = PDU

    private let registry: ConnectionRegistry
    private let timeout: TimeAmount
    private let logger: Logger
    private var timer: Scheduled<Void>?
    private var pending = true

    init(registry: ConnectionRegistry, timeout: TimeAmount, logger: Logger) {
        self.registry = registry
        self.timeout = timeout
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let channel = context.channel
        let registry = self.registry
        let logger = self.logger
        let timeout = self.timeout
        timer = context.eventLoop.scheduleTask(in: timeout) {
            guard registry.isPending(channel) else { return }
            let peer = channel.remoteAddress.map { "\($0)" } ?? "?"
            let seconds = Double(timeout.nanoseconds) / 1e9
            let text = seconds == seconds.rounded() ? "\(Int(seconds)) s" : "\(seconds) s"
            let tls = try? channel.pipeline.syncOperations.handler(type: TLSFailureHandler.self)
            if let tls, tls.handshakeExpired(after: timeout) {
                // The TLS handler said it (and closed); a server without a TLS failure reporter logs it here.
                if !tls.reportsFailures {
                    logger.notice("connection from \(peer) closed: the TLS handshake did not complete within \(text)")
                }
                return
            }
            let after = tls == nil ? "" : " (the TLS handshake completed)"
            logger.notice("connection from \(peer) closed: no complete A-ASSOCIATE-RQ within \(text)\(after)")
            channel.close(promise: nil)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard pending, case .associateRQ = unwrapInboundIn(data) else {
            context.fireChannelRead(data)
            return
        }
        pending = false
        timer?.cancel()
        timer = nil
        // Counted as an association before the association handler's decision sees the count.
        registry.associationRequested(context.channel)
        context.fireChannelRead(data)
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }
}

@available(*, unavailable)
extension PendingConnectionHandler: Sendable {}
