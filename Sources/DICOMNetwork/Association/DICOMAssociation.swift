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
    public let messages: AsyncThrowingStream<AssociationMessage, Error>

    let channel: Channel
    let handler: NIOLoopBound<AssociationHandler>
    private let closed: EventLoopFuture<AssociationError?>

    init(channel: Channel, handler: NIOLoopBound<AssociationHandler>, negotiated: NegotiatedAssociation,
         messages: AsyncThrowingStream<AssociationMessage, Error>, closed: EventLoopFuture<AssociationError?>) {
        self.channel = channel
        self.handler = handler
        self.negotiated = negotiated
        self.messages = messages
        self.closed = closed
    }

    /// The peer's address.
    public var remoteAddress: SocketAddress? { channel.remoteAddress }

    /// Opens a TCP connection and negotiates an association (PS3.8 §7.1, requestor side).
    ///
    /// - Parameters:
    ///   - contexts: the presentation contexts to propose (IDs 1, 3, 5, … in this order), at most 128.
    ///   - configuration: PDU size, connect time-out, ARTIM (the time allowed for the A-ASSOCIATE-AC/RJ).
    /// - Throws: `AssociationError` — `.connectionRefused`, `.connectionTimedOut`, `.rejected(rj)`,
    ///   `.aborted`, `.timedOut`, `.protocolError`, `.invalidRequest` (also when no context was accepted).
    public static func connect(host: String, port: Int, callingAETitle: String, calledAETitle: String,
                               contexts: [ProposedPresentationContext],
                               configuration: AssociationConfiguration = AssociationConfiguration(),
                               eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton)
        async throws -> DICOMAssociation {
        let request: AssociateRQ
        do {
            request = try AssociationRequestor.makeRequest(callingAETitle: callingAETitle, calledAETitle: calledAETitle,
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
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let handler = AssociationHandler(side: .requestor(request), configuration: configuration,
                                                     establishedPromise: established, closedPromise: closed)
                    try channel.pipeline.syncOperations.addPipeline(handler: handler, configuration: configuration)
                }
            }
        do {
            _ = try await bootstrap.connect(host: host, port: port).get()
        } catch {
            let mapped = mapConnectError(error, host: host, port: port)
            established.fail(mapped)
            closed.succeed(mapped)
            throw mapped
        }
        return try await established.futureResult.get()
    }

    /// Sends one DIMSE message on presentation context `contextID`: the command set (encoded Implicit VR
    /// Little Endian) and optionally the data set (encoded in the context's transfer syntax). Fragments are
    /// at most the peer's maximum PDU length (PS3.8 §9.3.5, one PDV per PDU, even lengths); returns once the
    /// bytes are handed to the transport, waiting while the socket is not writable.
    public func send(command: ByteBuffer, dataSet: ByteBuffer? = nil, contextID: UInt8) async throws {
        try checkContext(contextID)
        let fragmentLength = maximumFragmentLength
        try await sendFragments(of: command, isCommand: true, contextID: contextID, fragmentLength: fragmentLength)
        if let dataSet {
            try await sendFragments(of: dataSet, isCommand: false, contextID: contextID, fragmentLength: fragmentLength)
        }
    }

    /// Sends a message whose data set comes from `dataSet`, read chunk by chunk, so that a large data set
    /// (a file region) is never in memory whole.
    public func send(command: ByteBuffer, dataSet: some DataSetSource, contextID: UInt8) async throws {
        try checkContext(contextID)
        let fragmentLength = maximumFragmentLength
        try await sendFragments(of: command, isCommand: true, contextID: contextID, fragmentLength: fragmentLength)
        var remaining = dataSet.length
        if remaining == 0 {
            try await sendFragments(of: ByteBuffer(), isCommand: false, contextID: contextID, fragmentLength: fragmentLength)
        }
        let chunkLength = max(fragmentLength, (1 << 20) / fragmentLength * fragmentLength)
        var offset = 0
        while remaining > 0 {
            let count = min(chunkLength, remaining)
            let chunk = try await dataSet.read(offset: offset, length: count)
            guard chunk.readableBytes == count else {
                requestAbort()
                throw AssociationError.invalidRequest("data set source returned \(chunk.readableBytes) bytes, expected \(count) at offset \(offset); association aborted")
            }
            remaining -= count
            offset += count
            try await sendFragments(of: chunk, isCommand: false, contextID: contextID, fragmentLength: fragmentLength,
                                    finalChunk: remaining == 0)
        }
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

    /// Largest PDV data length: peer's maximum PDU length − 6 (PDV item header), rounded down to even.
    var maximumFragmentLength: Int { max(2, (negotiated.maximumPDULengthToSend - 6) & ~1) }

    private func checkContext(_ contextID: UInt8) throws {
        guard negotiated.acceptedContexts[contextID] != nil else {
            throw AssociationError.invalidRequest("presentation context \(contextID) was not accepted")
        }
    }

    private func requestAbort() {
        let handler = self.handler
        channel.eventLoop.execute { handler.value.requestAbort() }
    }

    private func sendFragments(of bytes: ByteBuffer, isCommand: Bool, contextID: UInt8, fragmentLength: Int,
                               finalChunk: Bool = true) async throws {
        var rest = bytes
        let batchLimit = 1 << 20
        repeat {
            var batch: [ByteBuffer] = []
            var batchBytes = 0
            repeat {
                let count = min(fragmentLength, rest.readableBytes)
                let data = rest.readSlice(length: count)!
                let isLast = finalChunk && rest.readableBytes == 0
                var pdu = ByteBuffer()
                pdu.reserveCapacity(count + 12)
                pdu.writePDU(.dataTF([PresentationDataValue(contextID: contextID, isCommand: isCommand,
                                                            isLastFragment: isLast, data: data)]))
                batch.append(pdu)
                batchBytes += count
            } while rest.readableBytes > 0 && batchBytes < batchLimit
            let handler = self.handler
            let pdus = batch
            try await channel.eventLoop.flatSubmit { handler.value.sendPData(pdus) }.get()
        } while rest.readableBytes > 0
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
               connectionError.dnsAError == nil {
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
}

extension ChannelPipeline.SynchronousOperations {
    /// Frame decoder → PDU parser → association handler.
    func addPipeline(handler: AssociationHandler, configuration: AssociationConfiguration) throws {
        try self.addHandler(ByteToMessageHandler(PDUFrameDecoder(maximumPDULength: configuration.maximumIncomingPDULength)))
        try self.addHandler(PDUParsingHandler())
        try self.addHandler(handler)
    }
}
