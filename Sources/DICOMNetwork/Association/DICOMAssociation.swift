import Foundation
import NIOCore
import NIOPosix

/// An established DICOM association (PS3.8 §7.1), on either side: the negotiated state, outgoing DIMSE
/// messages (`send`), incoming ones (`messages`), `release()` and `abort()`.
///
/// Create one with `connect(...)` (requestor/SCU) or receive one in a `DICOMServer` service handler
/// (acceptor/SCP). All I/O runs on the association's event loop; this object is safe to use from any task.
public final class DICOMAssociation: Sendable {
    /// What both sides agreed on.
    public let negotiated: NegotiatedAssociation
    /// Incoming messages in arrival order. Finishes normally when the association is released (by either
    /// side), and with an `AssociationError` when it is aborted or the connection is lost.
    public let messages: AssociationMessages

    let channel: Channel
    let handler: NIOLoopBound<AssociationHandler>
    private let closed: EventLoopFuture<AssociationError?>
    /// A new message ID for a request on this association (PS3.7 §9.3.1.1: unique among outstanding ones),
    /// from the process-wide counter, so that it is also unique across associations.
    public func nextMessageID() -> UInt16 { MessageIDAllocator.processWide() }

    /// Whether a P-DATA-TF goes out as its 12 header bytes followed by the fragment buffer itself
    /// (`PDataTFWriter.encodeInPlace`, no copy), or copied into one buffer per PDU: under TLS every write
    /// becomes a TLS record of its own, so the header is not written apart there.
    let writesFragmentsInPlace: Bool

    init(
        channel: Channel, handler: NIOLoopBound<AssociationHandler>, negotiated: NegotiatedAssociation,
        messages: AssociationMessages, closed: EventLoopFuture<AssociationError?>, overTLS: Bool
    ) {
        self.writesFragmentsInPlace = !overTLS
        self.channel = channel
        self.handler = handler
        self.negotiated = negotiated
        self.messages = messages
        self.closed = closed
        self.remoteAddress = channel.remoteAddress
    }

    /// The peer's address, taken when the association was established: NIO forgets a channel's addresses
    /// once it is closed, and a peer that sends one instance and releases at once may be gone before the
    /// service's task first asks (the storage SCP's log lines would then name no peer).
    public let remoteAddress: SocketAddress?

    /// Opens a TCP connection and negotiates an association (PS3.8 §7.1, requestor side).
    ///
    /// - Parameters:
    ///   - contexts: the presentation contexts to propose (IDs 1, 3, 5, … in this order), at most 128.
    ///   - configuration: PDU size, connect time-out, ARTIM (the time allowed for the A-ASSOCIATE-AC/RJ).
    /// - Throws: `AssociationError` — `.connectionRefused`, `.connectionTimedOut`, `.rejected(rj)`,
    ///   `.aborted`, `.timedOut`, `.protocolError`, `.invalidRequest` (also when no context was accepted).
    public static func connect(
        host: String, port: Int, callingAETitle: String, calledAETitle: String,
        contexts: [ProposedPresentationContext],
        configuration: AssociationConfiguration = AssociationConfiguration(),
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    )
        async throws -> DICOMAssociation
    {
        let request: AssociateRQ
        do {
            request = try AssociationRequestor.makeRequest(
                callingAETitle: callingAETitle, calledAETitle: calledAETitle,
                contexts: contexts,
                maximumPDULength: configuration.maximumPDULength)
        } catch {
            throw AssociationError.invalidRequest("\(error)")
        }
        let loop = eventLoopGroup.next()
        let established = loop.makePromise(of: DICOMAssociation.self)
        let closed = loop.makePromise(of: AssociationError?.self)
        let bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(configuration.connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelOption(.recvAllocator, value: AssociationReadBuffers.allocator)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let handler = AssociationHandler(
                        side: .requestor(request), configuration: configuration,
                        establishedPromise: established, closedPromise: closed)
                    try channel.pipeline.syncOperations.addPipeline(
                        handler: handler, configuration: configuration, serverHostname: host)
                }
            }
        let channel: Channel
        do {
            channel = try await bootstrap.connect(host: host, port: port).get()
        } catch {
            let mapped = mapConnectError(error, host: host, port: port)
            established.fail(mapped)
            closed.succeed(mapped)
            throw mapped
        }
        // Cancelling the calling task while negotiating closes the connection (Evt17 → A-P-ABORT).
        return try await withTaskCancellationHandler {
            try await established.futureResult.get()
        } onCancel: {
            channel.close(promise: nil)
        }
    }

    /// Sends one DIMSE message on presentation context `contextID`: the command set (encoded Implicit VR
    /// Little Endian) and optionally the data set (encoded in the context's transfer syntax). Fragments are
    /// at most the peer's maximum PDU length (PS3.8 §9.3.5, one PDV per PDU, even lengths — see
    /// `DIMSEMessageFragmenter`); returns once the bytes are handed to the transport, waiting while the
    /// socket is not writable, so a fast sender never buffers more than about 1 MiB.
    public func send(command: ByteBuffer, dataSet: ByteBuffer? = nil, contextID: UInt8) async throws {
        try await send(command: command, dataSet: dataSet, contextID: contextID, thenAwaitResponse: false)
    }

    /// `send(command:dataSet:contextID:)` in one hop to the event loop for a message up to about 1 MiB;
    /// with `thenAwaitResponse` the DIMSE time-out starts in the same hop, once the message is written.
    func send(command: ByteBuffer, dataSet: ByteBuffer?, contextID: UInt8, thenAwaitResponse: Bool) async throws {
        let fragmenter = try makeFragmenter(contextID: contextID)
        try await sendPDVs(
            fragmenter.pdvs(contextID: contextID, command: command, dataSet: dataSet),
            thenAwaitResponse: thenAwaitResponse)
    }

    /// Sends a typed DIMSE message (its command set encoded by the DIMSE layer) with an optional data set.
    public func send(_ message: some DIMSECommandMessage, dataSet: ByteBuffer? = nil, contextID: UInt8) async throws {
        try await send(command: message.encodedCommandSet(), dataSet: dataSet, contextID: contextID)
    }

    /// A request after which the DIMSE time-out starts (`beginAwaitingResponse`), in the same hop.
    func sendRequest(_ message: some DIMSECommandMessage, dataSet: ByteBuffer? = nil, contextID: UInt8) async throws {
        try await send(
            command: message.encodedCommandSet(), dataSet: dataSet, contextID: contextID, thenAwaitResponse: true)
    }

    /// Sends a message whose data set is read from `dataSet` chunk by chunk (about 1 MiB at a time), so a
    /// large data set (a file region) is never in memory whole. If reading fails midway the association is
    /// aborted (the peer would otherwise wait for the last fragment forever) and the error is rethrown.
    /// The source is closed (`DataSetSource.close()`) when the message is sent, has failed or was cancelled.
    public func send(command: ByteBuffer, dataSet: some DataSetSource, contextID: UInt8) async throws {
        try await send(command: command, dataSet: dataSet, contextID: contextID, thenAwaitResponse: false)
    }

    /// The command goes with the first chunk's fragments and the last fragment with the last chunk's, so a
    /// data set of one chunk (up to 1 MiB) costs one hop to the event loop (docs/design.md "The send path
    /// changes thread only for the disk"); with `thenAwaitResponse` the DIMSE time-out starts in the last.
    func send(
        command: ByteBuffer, dataSet: some DataSetSource, contextID: UInt8, thenAwaitResponse: Bool
    ) async throws {
        defer { dataSet.close() }
        let fragmenter = try makeFragmenter(contextID: contextID)
        var pending = fragmenter.commandPDVs(contextID: contextID, command: command)
        var stream = fragmenter.dataSetStream(contextID: contextID)
        let chunkLength = 1 << 20
        var offset = 0
        while offset < dataSet.length {
            let count = min(chunkLength, dataSet.length - offset)
            let chunk: ByteBuffer
            do {
                chunk = try await dataSet.read(offset: offset, length: count)
                guard chunk.readableBytes == count else {
                    throw AssociationError.invalidRequest(
                        "data set source returned \(chunk.readableBytes) bytes at offset \(offset), expected \(count)")
                }
            } catch {
                await abort()
                throw error
            }
            offset += count
            pending += stream.append(chunk)
            if offset < dataSet.length {
                try await sendPDVs(pending)
                pending = []
            }
        }
        try await sendPDVs(pending + stream.finish(), thenAwaitResponse: thenAwaitResponse)
    }

    /// Releases the association (A-RELEASE, PS3.8 §7.2) and waits for the peer's A-RELEASE-RP (bounded by
    /// ARTIM). Succeeds at once if the association was already released.
    public func release() async throws {
        let handler = self.handler
        try await channel.eventLoop.flatSubmit { handler.value.requestRelease() }.get()
    }

    /// Aborts the association (A-ABORT, service-user source, PS3.8 §7.3). Never throws.
    public func abort() async {
        let handler = self.handler
        try? await channel.eventLoop.submit { handler.value.requestAbort() }.get()
    }

    /// Lets `handler` take incoming messages on the event loop instead of the consumer's task, so that a
    /// message needing only quick bookkeeping (a pending C-MOVE-RSP, a C-STORE the association answered
    /// itself) wakes no task (docs/design.md "Work on the event loop"). It is asked for each complete message
    /// while the consumer waits with nothing queued and nothing in hand, so messages are still handled in
    /// arrival order; returning false hands the message to `messages` as usual. It runs on the event loop:
    /// it must return at once. Nil removes it; the end of the association removes it too, and one installed
    /// after the end is not kept (it may capture the association, which would otherwise keep the channel alive).
    public func handleOnEventLoop(_ handler: (@Sendable (AssociationMessage) -> Bool)?) {
        messages.flow.setInterceptor(handler)
    }

    /// Marks the start/end of waiting for a response, for the DIMSE time-out (`AssociationConfiguration.dimseTimeout`).
    func beginAwaitingResponse() {
        let handler = self.handler
        channel.eventLoop.execute { handler.value.beginAwaitingResponse() }
    }

    func endAwaitingResponse() {
        let handler = self.handler
        channel.eventLoop.execute { handler.value.endAwaitingResponse() }
    }

    /// Waits until the association has ended; returns nil after a normal release, the error otherwise.
    @discardableResult
    public func waitUntilEnded() async -> AssociationError? {
        do {
            return try await closed.get()
        } catch {
            return .connectionClosed
        }
    }

    // MARK: Fragmenting

    private func makeFragmenter(contextID: UInt8) throws -> DIMSEMessageFragmenter {
        guard negotiated.acceptedContexts[contextID] != nil else {
            throw AssociationError.invalidRequest("presentation context \(contextID) was not accepted")
        }
        return try DIMSEMessageFragmenter(peerMaxPDULength: UInt32(negotiated.maximumPDULengthToSend))
    }

    /// Hands PDVs (one per P-DATA-TF PDU) to the event loop in batches of about 1 MiB; each batch waits
    /// for the previous one to be written when the channel is not writable. With `thenAwaitResponse` the
    /// last batch also starts the DIMSE time-out once it is written (`beginAwaitingResponse`), in the same
    /// hop.
    private func sendPDVs(_ pdvs: [PresentationDataValue], thenAwaitResponse: Bool = false) async throws {
        guard !pdvs.isEmpty else { return }
        var index = 0
        let handler = self.handler
        repeat {
            var batch: [[ByteBuffer]] = []
            var batchBytes = 0
            while index < pdvs.count && batchBytes < 1 << 20 {
                batch.append(
                    writesFragmentsInPlace
                        ? PDataTFWriter.encodeInPlace(pdvs[index]) : [PDataTFWriter.encode([pdvs[index]])])
                batchBytes += pdvs[index].data.readableBytes
                index += 1
            }
            let pdus = batch
            let startsTimer = thenAwaitResponse && index == pdvs.count
            try await channel.eventLoop.flatSubmit {
                let written = handler.value.sendPData(pdus)
                guard startsTimer else { return written }
                return written.map { handler.value.beginAwaitingResponse() }
            }.get()
        } while index < pdvs.count
    }

    static func mapConnectError(_ error: Error, host: String, port: Int) -> AssociationError {
        if let channelError = error as? ChannelError, case .connectTimeout = channelError {
            return .connectionTimedOut(host: host, port: port)
        }
        if let connectionError = error as? NIOConnectionError {
            if connectionError.connectionErrors.contains(where: { ($0.error as? IOError)?.errnoCode == ECONNREFUSED }) {
                return .connectionRefused(host: host, port: port)
            }
            if connectionError.connectionErrors.isEmpty, connectionError.dnsAAAAError == nil,
                connectionError.dnsAError == nil
            {
                return .connectionTimedOut(host: host, port: port)
            }
        }
        if let ioError = error as? IOError, ioError.errnoCode == ECONNREFUSED {
            return .connectionRefused(host: host, port: port)
        }
        return .connectionFailed("\(error)")
    }
}

/// A data set to send, read on demand (e.g. a region of a Part 10 file after its meta information).
public protocol DataSetSource: Sendable {
    /// Total number of bytes.
    var length: Int { get }
    /// Reads exactly `length` bytes at `offset` (relative to the start of the data set).
    func read(offset: Int, length: Int) async throws -> ByteBuffer
    /// Called when the message is sent, has failed or was cancelled: release what the reads hold (an open
    /// file). A later read may open it again. The default does nothing.
    func close()
}

extension DataSetSource {
    public func close() {}
}

/// Who bounds a TLS handshake's time: the TLS handlers with the association's ARTIM, or the caller.
enum TLSHandshakeTimer: Equatable {
    case artim
    case ownedByCaller
}

extension ChannelPipeline.SynchronousOperations {
    /// [TLS handlers →] frame decoder → PDU parser → association handler: the one pipeline of both sides.
    /// With `configuration.transportSecurity` the TLS handlers come first, so the association code never
    /// sees TLS; the handshake counts against ARTIM (`artimTimeout`) — unless `handshakeTimeout` is
    /// `.ownedByCaller`: a server's pending-connection time-out then bounds it (docs/protocol-notes.md
    /// "DICOM TLS: who reports what"). `serverHostname` (requestor) is the host we connect to, for SNI and
    /// `verify_hostname`.
    func addPipeline(
        handler: AssociationHandler, configuration: AssociationConfiguration, serverHostname: String? = nil,
        handshakeTimeout: TLSHandshakeTimer = .artim
    ) throws {
        if let security = configuration.transportSecurity {
            let side: TransportSecurity.Role
            switch handler.side {
            case .requestor: side = .requestor
            case .acceptor: side = .acceptor
            }
            try self.addHandlers(
                security.makeHandlers(
                    side: side, serverHostname: serverHostname,
                    handshakeTimeout: handshakeTimeout == .artim ? configuration.artimTimeout : nil))
        }
        try self.addHandler(PDUDecodingHandler(maximumPDULength: configuration.maximumIncomingPDULength))
        try self.addHandler(handler)
    }
}
