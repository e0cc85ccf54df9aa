import Logging
import NIOCore

/// The pipeline stage that drives the Upper Layer state machine (PS3.8 §9.2, `UpperLayerStateMachine`)
/// for one transport connection, on either side, and carries out the actions it returns.
///
/// Inputs become events: PDUs from `PDUDecodingHandler` (Evt3, 4, 6, 10, 12, 13, 16), parse/frame errors
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

    /// ARTIM and the silence limits, as deadlines; `timer` is the one task scheduled for the earliest.
    var timers: AssociationTimers
    private var timer: (task: Scheduled<Void>, deadline: NIODeadline)?

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
        self.timers = AssociationTimers(
            artimTimeout: configuration.artimTimeout, dimseTimeout: configuration.dimseTimeout,
            idleTimeout: configuration.idleTimeout, now: .now())
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
        timers.peerWasHeard(at: context.eventLoop.now)
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
        timers.stopARTIM()
        timer?.task.cancel()
        timer = nil
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
        timers.stopARTIM()
        rearmTimer()
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
        timers.peerWasHeard(at: now)
        context.read()
    }

    /// Hands a complete message to the consumer, counting it for backpressure — unless the consumer's
    /// event-loop handler takes it (`DICOMAssociation.handleOnEventLoop`).
    func yield(_ message: AssociationMessage) {
        if flow.intercepted(message) { return }
        flow.produced(message)
        messageContinuation.yield(message)
    }

    // MARK: Time limits (ARTIM, DIMSE and idle)

    func beginAwaitingResponse() {
        timers.beginAwaitingResponse(at: now)
        rearmTimer()
    }

    func endAwaitingResponse() {
        timers.endAwaitingResponse()
        rearmTimer()
    }

    /// The peer sent something: the silence starts again.
    func peerWasHeard() {
        timers.peerWasHeard(at: now)
    }

    /// The event loop's clock (virtual on an `EmbeddedEventLoop`), which the timer's deadlines are in.
    var now: NIODeadline { context?.eventLoop.now ?? .now() }

    /// Makes sure the one timer fires no later than the earliest deadline `timers` names now (a pending
    /// timer due earlier stays: it re-checks when it fires).
    func rearmTimer() {
        guard let context,
            let deadline = timers.nextDeadline(in: machine.state, midMessage: !assembler.isIdle, ended: ended)
        else {
            timer?.task.cancel()
            timer = nil
            return
        }
        if let timer, timer.deadline <= deadline { return }
        timer?.task.cancel()
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        let task = context.eventLoop.scheduleTask(deadline: deadline) {
            let handler = bound.value
            handler.timer = nil
            handler.timerFired()
        }
        timer = (task, deadline)
    }

    private func timerFired() {
        let expiry = timers.expired(
            at: now, in: machine.state, midMessage: !assembler.isIdle, ended: ended, readingPaused: flow.isPaused)
        switch expiry {
        case .artim?:
            process(.artimExpired)
        case .silence(let error, let detail)?:
            end(error)  // report the time-out, not the abort it causes
            process(.abortRequest(.serviceUser, detail: detail))
        case nil:
            rearmTimer()
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
            timers.apply(transition.artim, now: now)
            next = perform(transition, event)
        }
        rearmTimer()
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
        // The consumer's event-loop handler may hold the association (and so this handler): let it go.
        flow.endInterception()
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
