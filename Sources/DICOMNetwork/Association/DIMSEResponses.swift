import NIOCore

/// A DIMSE response that belongs to a multi-response operation (C-FIND, C-MOVE, C-GET; PS3.7 §9.1.2–9.1.4).
public protocol DIMSEOperationResponse: DIMSECommandMessage {
    var messageIDBeingRespondedTo: UInt16 { get }
    var status: DIMSEStatus { get }
    /// The response of this type inside `message`, if it is one.
    static func extract(_ message: DIMSEMessage) -> Self?
}

extension CFindRSP: DIMSEOperationResponse {
    public static func extract(_ message: DIMSEMessage) -> CFindRSP? {
        if case .cFindRSP(let response) = message { return response }
        return nil
    }
}

/// One response of an operation, with its identifier data set (bytes in the context's transfer syntax) when
/// one was sent — C-FIND pending matches, MOVE/GET failed SOP instance lists.
public struct DIMSEResponse<Response: DIMSEOperationResponse>: Sendable {
    public var response: Response
    public var identifier: ByteBuffer?
    /// The presentation context's transfer syntax, for decoding `identifier`.
    public var transferSyntax: String
}

/// A C-STORE sub-operation received during C-GET (PS3.4 C.4.3), handed to the caller's store handler.
public struct IncomingStore: Sendable {
    public var request: CStoreRQ
    public var contextID: UInt8
    public var transferSyntax: String
    /// Accumulated bytes, or `.streamed` when the association's `dataSetSinkProvider` took it.
    public var dataSet: IncomingDataSet
    /// The sink a `.streamed` data set went to.
    public var sink: (any DataSetSink)?
    /// Non-nil when the association already sent the C-STORE-RSP with this status (`AnsweringDataSetSink`);
    /// the handler's returned status is then only for its own bookkeeping.
    public var answeredStatus: DIMSEStatus?

    public init(
        request: CStoreRQ, contextID: UInt8, transferSyntax: String, dataSet: IncomingDataSet,
        sink: (any DataSetSink)? = nil, answeredStatus: DIMSEStatus? = nil
    ) {
        self.request = request
        self.contextID = contextID
        self.transferSyntax = transferSyntax
        self.dataSet = dataSet
        self.sink = sink
        self.answeredStatus = answeredStatus
    }

    /// The parts of an incoming C-STORE-RQ message.
    public init(request: CStoreRQ, message: AssociationMessage, transferSyntax: String) {
        self.init(
            request: request, contextID: message.contextID, transferSyntax: transferSyntax, dataSet: message.dataSet,
            sink: message.sink, answeredStatus: message.answeredStatus)
    }
}

/// Decides the status of a C-STORE sub-operation (0x0000 success, 0xA700 out of resources, …).
public typealias StoreHandler = @Sendable (IncomingStore) async -> DIMSEStatus

/// The responses of one C-FIND, C-MOVE or C-GET, in order, ending after the final (non-pending) one.
/// Iterate it once. `cancel()` sends C-CANCEL-RQ (PS3.7 §9.3.2.3); keep iterating to receive the final
/// response (status 0xFE00 Cancel, or whatever the SCP sends).
///
/// During C-GET, C-STORE-RQ sub-operations arriving on the same association are passed to the store
/// handler and answered with C-STORE-RSP before iteration continues. Anything else that arrives is a
/// protocol error: the association is aborted and iteration throws.
public struct DIMSEResponses<Response: DIMSEOperationResponse>: AsyncSequence, Sendable {
    public typealias Element = DIMSEResponse<Response>

    public let association: DICOMAssociation
    /// Message ID of the request; responses carry it as MessageIDBeingRespondedTo.
    public let messageID: UInt16
    public let contextID: UInt8
    let storeHandler: StoreHandler?

    /// Sends C-CANCEL-RQ for this operation on its presentation context.
    public func cancel() async throws {
        try await association.send(CCancelRQ(messageIDBeingRespondedTo: messageID), contextID: contextID)
    }

    /// Handles this operation's pending responses with `pending` and, during a C-GET, the C-STORE-RQs the
    /// association answered itself (`IncomingStore.answeredStatus`) with `answeredStore`, on the event loop
    /// (`DICOMAssociation.handleOnEventLoop`): iteration then returns only what these do not take (the final
    /// response, C-STOREs the store handler answers). Both must return at once. Iterating to the end removes
    /// them; so does the end of the association.
    public func handleOnEventLoop(
        pending: (@Sendable (Element) -> Void)?, answeredStore: (@Sendable (IncomingStore) -> Void)? = nil
    ) {
        guard pending != nil || answeredStore != nil else { return }
        let (association, messageID) = (self.association, self.messageID)
        association.handleOnEventLoop { message in
            guard let dimse = try? message.dimse() else { return false }
            let ts = association.negotiated.acceptedContexts[message.contextID]?.transferSyntax ?? ""
            if let pending, let response = Response.extract(dimse), response.messageIDBeingRespondedTo == messageID,
                response.status.isPending
            {
                pending(DIMSEResponse(response: response, identifier: message.dataSetBytes, transferSyntax: ts))
                return true
            }
            if let answeredStore, case .cStoreRQ(let request) = dimse, message.answeredStatus != nil {
                answeredStore(IncomingStore(request: request, message: message, transferSyntax: ts))
                return true
            }
            return false
        }
    }

    /// Iterates to the end and returns every response (convenient for C-FIND with few matches).
    public func collect() async throws -> [Element] {
        var all: [Element] = []
        for try await response in self { all.append(response) }
        return all
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(responses: self, messages: association.messages.makeAsyncIterator())
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let responses: DIMSEResponses
        var messages: AssociationMessages.AsyncIterator
        var finished = false

        public mutating func next() async throws -> Element? {
            guard !finished else { return nil }
            let association = responses.association
            defer {
                if finished {
                    association.handleOnEventLoop(nil)
                    association.endAwaitingResponse()
                }
            }
            while true {
                guard let message = try await messages.next() else {
                    finished = true
                    try Task.checkCancellation()
                    throw AssociationError.protocolError(
                        "the peer released the association before the final response to message \(responses.messageID)")
                }
                let dimse: DIMSEMessage
                do {
                    dimse = try message.dimse()
                } catch {
                    finished = true
                    await association.abort()
                    throw AssociationError.protocolError("undecodable DIMSE message: \(error)")
                }
                if let response = Response.extract(dimse), response.messageIDBeingRespondedTo == responses.messageID {
                    if !response.status.isPending { finished = true }
                    let ts = association.negotiated.acceptedContexts[message.contextID]?.transferSyntax ?? ""
                    return DIMSEResponse(response: response, identifier: message.dataSetBytes, transferSyntax: ts)
                }
                if case .cStoreRQ(let request) = dimse, let handler = responses.storeHandler {
                    let ts = association.negotiated.acceptedContexts[message.contextID]?.transferSyntax ?? ""
                    let incoming = IncomingStore(request: request, message: message, transferSyntax: ts)
                    guard message.answeredStatus == nil else {
                        // Answered on the event loop (walk 1, step 9): the peer is not waiting for our handler,
                        // so the DIMSE time-out runs on and no hop to the event loop is needed
                        // (docs/design.md "The C-GET path").
                        _ = await handler(incoming)
                        continue
                    }
                    // The peer waits for our C-STORE-RSP: our handler's time does not count as its silence.
                    association.endAwaitingResponse()
                    let status = await handler(incoming)
                    association.beginAwaitingResponse()
                    try await association.send(
                        CStoreRSP(respondingTo: request, status: status), contextID: message.contextID)
                    continue
                }
                finished = true
                await association.abort()
                throw AssociationError.protocolError(
                    "expected a \(Response.commandField) for message \(responses.messageID), received \(dimse.commandField)"
                )
            }
        }
    }
}
