import Logging
import NIOCore

/// The pipeline stage that drives the Upper Layer state machine (PS3.8 §9.2, `UpperLayerStateMachine`)
/// for one transport connection, on either side, and carries out the actions it returns.
///
/// Inputs become events: PDUs from `PDUParsingHandler` (Evt3, 4, 6, 10, 12, 13, 16), parse/frame errors
/// (Evt19), transport activity (Evt2, 5, 17), ARTIM expiry (Evt18, scheduled on the event loop) and local
/// primitives from `DICOMAssociation` (Evt9, 11, 15) — the latter only in the states where the standard
/// allows them, so misuse by the caller is an error to the caller, not an A-ABORT.
/// Every protocol error ends in an A-ABORT with source and reason (PS3.8 §9.3.8) and a closed connection,
/// bounded by ARTIM.
final class AssociationHandler: ChannelDuplexHandler {
    typealias InboundIn = PDU
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// What the acceptor side needs from its server.
    struct AcceptorHooks: Sendable {
        /// Decides AC or RJ for a request from a peer address (server policy, association limit).
        var decide: @Sendable (AssociateRQ, SocketAddress?) -> AcceptorDecision
        /// Called on the event loop once the A-ASSOCIATE-AC is sent.
        var established: @Sendable (DICOMAssociation) -> Void
        /// An asynchronous decision taken after `decide` accepted and before the A-ASSOCIATE-AC is sent
        /// (an access hook): a rejection sends that A-ASSOCIATE-RJ instead. The acceptor waits for it.
        var decideAfter: (@Sendable (AssociateRQ, SocketAddress?) async -> AssociateRJ?)? = nil
    }

    enum Side {
        case requestor(AssociateRQ)
        case acceptor(AcceptorHooks)
    }

    var machine = UpperLayerStateMachine()
    let side: Side
    let configuration: AssociationConfiguration
    var context: ChannelHandlerContext?
    var activated = false

    // ARTIM
    var artimTask: Scheduled<Void>?
    var artimGeneration = 0

    // Results.
    var negotiated: NegotiatedAssociation?
    var assembler: MessageAssembler
    var establishedPromise: EventLoopPromise<DICOMAssociation>?
    var releasePromise: EventLoopPromise<Void>?
    let closedPromise: EventLoopPromise<AssociationError?>
    var ended = false
    let messages: AssociationMessages
    let messageContinuation: AsyncThrowingStream<AssociationMessage, Error>.Continuation
    let flow = InboundFlowControl()
    /// A `read` from the pipeline held back while the consumer is behind (backpressure).
    var readPending = false

    init(
        side: Side, configuration: AssociationConfiguration, establishedPromise: EventLoopPromise<DICOMAssociation>,
        closedPromise: EventLoopPromise<AssociationError?>
    ) {
        self.side = side
        self.configuration = configuration
        self.establishedPromise = establishedPromise
        self.closedPromise = closedPromise
        self.assembler = MessageAssembler(maximumInMemoryDataSetLength: configuration.maximumInMemoryDataSetLength)
        let (stream, continuation) = AsyncThrowingStream<AssociationMessage, Error>.makeStream()
        self.messages = AssociationMessages(stream: stream, flow: flow)
        self.messageContinuation = continuation
    }

    // MARK: Channel events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        // Weakly: the handler owns `flow`, so a strong capture would be a cycle that kept every handler (and
        // its buffers) alive after its connection closed.
        let weak = WeakAssociationHandler(self)
        let loop = context.eventLoop
        flow.resume = { loop.execute { weak.handler?.resumeReading() } }
        if case .requestor = side { process(.associateRequest) }
        if context.channel.isActive { activate() }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        end(.connectionClosed)
        cancelARTIM()
        silenceTimer?.cancel()
        silenceTimer = nil
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        activate()
        context.fireChannelActive()
    }

    private func activate() {
        guard !activated else { return }
        activated = true
        switch side {
        case .requestor: process(.transportConnected)
        case .acceptor: process(.transportAccepted)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if machine.state != .sta1 { process(.transportClosed) }
        cancelARTIM()
        end(.connectionClosed)
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        peerWasHeard()
        switch unwrapInboundIn(data) {
        case .associateRQ(let rq): process(.associateRQ(rq))
        case .associateAC(let ac): process(.associateAC(ac))
        case .associateRJ(let rj): process(.associateRJ(rj))
        case .dataTF(let values): process(.pDataTF(values))
        case .releaseRQ: process(.releaseRQ)
        case .releaseRP: process(.releaseRP)
        case .abort(let abort): process(.abortPDU(abort))
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        switch error {
        case let parse as PDUParseError:
            process(
                .invalidPDU(AbortPDU(source: .serviceProvider, reason: parse.abortReason), detail: parse.description))
        case let frame as PDUFrameDecoderError:
            switch frame {
            case .pduTooLong:
                process(
                    .invalidPDU(
                        AbortPDU(source: .serviceProvider, reason: .invalidPDUParameterValue), detail: frame.description
                    ))
            case .truncatedPDU:
                context.close(promise: nil)
            }
        case let failure as TransportFailure:
            // A failure below the Upper Layer with its reason (e.g. a TLS handshake): end with it, then
            // close; the Evt17 that follows finds the association ended.
            end(failure.associationError)
            context.close(promise: nil)
        default:
            // Transport errors (connection reset, …): close; channelInactive delivers Evt17.
            context.close(promise: nil)
        }
    }

    // MARK: Backpressure

    func read(context: ChannelHandlerContext) {
        if flow.isPaused {
            readPending = true
        } else {
            context.read()
        }
    }

    func resumeReading() {
        guard readPending, !flow.isPaused, let context else { return }
        readPending = false
        silentSince = .now()
        context.read()
    }

    /// Hands a complete message to the consumer, counting it for backpressure.
    func yield(_ message: AssociationMessage) {
        flow.produced(message)
        messageContinuation.yield(message)
    }

    // MARK: Silence time-outs (DIMSE and idle)

    /// Operations waiting for a response; while > 0, or while a peer's message is half received, peer
    /// silence longer than `dimseTimeout` aborts.
    var awaitingResponses = 0

    /// The DIMSE time-out runs while we wait for a response or for the rest of a message the peer began
    /// (a peer that stops sending mid-instance must not hold the association and its sink forever).
    private var waitingForPeer: Bool { awaitingResponses > 0 || !assembler.isIdle }
    /// The one timer behind both time-outs; it re-checks when it fires, so arming it is cheap and the
    /// per-read cost is a clock read (`silentSince`).
    var silenceTimer: Scheduled<Void>?
    private var silenceTimerDeadline: NIODeadline?
    /// When the peer last sent something, or we began waiting for it (whichever is later).
    var silentSince = NIODeadline.now()

    /// The silence limit that applies now: `dimseTimeout` while we wait for the peer; `idleTimeout`
    /// between messages of an established association when nothing is awaited (PS3.8 has no such timer;
    /// it is a server's protection of its association slots); none otherwise.
    private var silenceLimit: (limit: TimeAmount, waiting: Bool)? {
        if waitingForPeer { return configuration.dimseTimeout.map { ($0, true) } }
        guard machine.state == .sta6, let idle = configuration.idleTimeout else { return nil }
        return (idle, false)
    }

    func beginAwaitingResponse() {
        awaitingResponses += 1
        silentSince = .now()
        armSilenceTimer()
    }

    func endAwaitingResponse() {
        awaitingResponses = max(0, awaitingResponses - 1)
        armSilenceTimer()
    }

    /// The peer sent something: the silence starts again.
    func peerWasHeard() {
        silentSince = .now()
    }

    /// Makes sure the timer fires no later than the limit that applies now requires (a pending timer due
    /// earlier stays: it re-checks when it fires).
    func armSilenceTimer() {
        guard let (limit, _) = silenceLimit, let context, !ended else {
            silenceTimer?.cancel()
            silenceTimer = nil
            silenceTimerDeadline = nil
            return
        }
        let deadline = silentSince + limit
        if let scheduled = silenceTimerDeadline, silenceTimer != nil, scheduled <= deadline { return }
        silenceTimer?.cancel()
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        silenceTimerDeadline = deadline
        silenceTimer = context.eventLoop.scheduleTask(deadline: deadline) {
            let handler = bound.value
            handler.silenceTimer = nil
            handler.silenceTimerDeadline = nil
            handler.silenceTimerFired()
        }
    }

    private func silenceTimerFired() {
        guard let (limit, waiting) = silenceLimit, !ended else { return }
        // Reading paused by backpressure: the silence is ours, not the peer's.
        if flow.isPaused { silentSince = .now() }
        guard NIODeadline.now() >= silentSince + limit else { return armSilenceTimer() }
        let seconds = Double(limit.nanoseconds) / 1e9
        let text = seconds == seconds.rounded() ? "\(Int(seconds)) s" : "\(limit.nanoseconds / 1_000_000) ms"
        let error: AssociationError
        if !waiting {
            error = .timedOut("association idle: the peer sent nothing for \(text) between messages")
        } else if awaitingResponses > 0 {
            error = .timedOut("no DIMSE response within \(text)")
        } else {
            error = .timedOut("peer silent for \(text) in the middle of a DIMSE message")
        }
        switch machine.state {
        case .sta6, .sta7, .sta8, .sta9, .sta10, .sta11, .sta12:
            end(error)  // report the time-out, not the abort it causes
            process(.abortRequest(.serviceUser, detail: waiting ? "DIMSE time-out" : "idle time-out"))
        case .sta1, .sta2, .sta3, .sta4, .sta5, .sta13:
            break
        }
    }

    // MARK: Local primitives (called by DICOMAssociation on the event loop)

    /// Evt9: sends already-encoded P-DATA-TF PDUs, each as the buffers it is written from (one, or a header
    /// and a fragment: `PDataTFWriter.encodeInPlace`). The returned future completes at once while the
    /// channel is writable, otherwise when the last PDU is written (backpressure for the caller).
    func sendPData(_ pdus: [[ByteBuffer]]) -> EventLoopFuture<Void> {
        guard let context else {
            return closedPromise.futureResult.eventLoop.makeFailedFuture(AssociationError.notEstablished)
        }
        guard machine.state == .sta6 || machine.state == .sta8 else {
            return context.eventLoop.makeFailedFuture(endErrorOrNotEstablished())
        }
        guard !pdus.isEmpty else { return context.eventLoop.makeSucceededVoidFuture() }
        let written = context.eventLoop.makePromise(of: Void.self)
        process(.pDataRequest(PDataRequest(pdus: pdus, written: written)))
        guard machine.state == .sta6 || machine.state == .sta8 else {
            return context.eventLoop.makeFailedFuture(endErrorOrNotEstablished())
        }
        if context.channel.isWritable { return context.eventLoop.makeSucceededVoidFuture() }
        return written.futureResult
    }

    /// Evt11: A-RELEASE request. Completes when A-RELEASE-RP arrived (or the collision is resolved).
    func requestRelease() -> EventLoopFuture<Void> {
        let loop = closedPromise.futureResult.eventLoop
        if let releasePromise { return releasePromise.futureResult }
        guard let context, machine.state == .sta6 else {
            if ended, closedError == nil { return loop.makeSucceededVoidFuture() }
            return loop.makeFailedFuture(endErrorOrNotEstablished())
        }
        let promise = context.eventLoop.makePromise(of: Void.self)
        releasePromise = promise
        process(.releaseRequest)
        return promise.futureResult
    }

    /// Evt15: A-ABORT request by the local user.
    func requestAbort() {
        switch machine.state {
        case .sta1, .sta13:
            return
        case .sta2, .sta3, .sta4, .sta5, .sta6, .sta7, .sta8, .sta9, .sta10, .sta11, .sta12:
            process(.abortRequest(.serviceUser, detail: "aborted by the local user"))
        }
    }

    // MARK: Processing events

    /// The one place events reach the machine: each event is handed to the state machine, the ARTIM command
    /// and the action it returns are carried out, and an action whose result is itself an event (AE-6's
    /// answer, AR-2's release response, DT-2's answers, …) has it processed next, here, not from inside the
    /// action.
    func process(_ event: AssociationEvent) {
        var next: AssociationEvent? = event
        while let event = next {
            let transition = machine.handle(event.event)
            switch transition.artim {
            case .start: startARTIM()
            case .stop: cancelARTIM()
            case .unchanged: break
            }
            next = perform(transition, event)
        }
    }

    private func startARTIM() {
        cancelARTIM()
        guard let context else { return }
        let generation = artimGeneration
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        artimTask = context.eventLoop.scheduleTask(in: configuration.artimTimeout) {
            let handler = bound.value
            guard handler.artimGeneration == generation else { return }
            handler.artimTask = nil
            handler.process(.artimExpired)
        }
    }

    func cancelARTIM() {
        artimGeneration += 1
        artimTask?.cancel()
        artimTask = nil
    }

    // MARK: Ending

    private(set) var closedError: AssociationError?

    func endErrorOrNotEstablished() -> AssociationError {
        closedError ?? .notEstablished
    }

    /// Ends the association once (idempotent): completes every pending promise and the message stream.
    /// `error` nil means a normal release.
    func end(_ error: AssociationError?) {
        guard !ended else { return }
        ended = true
        closedError = error
        var logger = configuration.logger
        logger[metadataKey: "peer"] = "\(context?.channel.remoteAddress.map { "\($0)" } ?? "?")"
        switch error {
        case nil: logger.debug("association released")
        case .rejected(let rj)?: logger.notice("association rejected: \(rj)")
        case let other?: logger.warning("association ended: \(other)")
        }
        assembler.abandon()
        let failure = error ?? .notEstablished
        establishedPromise?.fail(failure)
        establishedPromise = nil
        if let error {
            releasePromise?.fail(error)
            messageContinuation.finish(throwing: error)
        } else {
            releasePromise?.succeed(())
            messageContinuation.finish()
        }
        releasePromise = nil
        closedPromise.succeed(error)
    }

    func write(_ pdu: PDU) {
        guard let context else { return }
        var buffer = context.channel.allocator.buffer(capacity: 256)
        buffer.writePDU(pdu)
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
    }

    func closeTransport() {
        context?.close(promise: nil)
    }
}

@available(*, unavailable)
extension AssociationHandler: Sendable {}

/// A weak reference to a handler, read only on its event loop (inside `loop.execute`).
final class WeakAssociationHandler: @unchecked Sendable {
    weak var handler: AssociationHandler?
    init(_ handler: AssociationHandler) { self.handler = handler }
}
