import Foundation
import NIOCore

/// DIMSE-C operations as SCU on an established association (PS3.7 §9.1; PS3.4 Annexes A, B, C).
///
/// Operations are synchronous (no asynchronous operations window is negotiated): run one at a time per
/// association and iterate each response sequence to its end before starting the next operation.
extension DICOMAssociation {
    /// The accepted context for `sopClassUID` (and `transferSyntax` when given), or a clear error.
    public func presentationContext(
        for sopClassUID: String, transferSyntax: String? = nil
    ) throws
        -> AcceptedPresentationContext
    {
        guard let context = negotiated.context(forAbstractSyntax: sopClassUID, transferSyntax: transferSyntax) else {
            let ts = transferSyntax.map { " with transfer syntax \($0)" } ?? ""
            throw AssociationError.invalidRequest("no accepted presentation context for SOP class \(sopClassUID)\(ts)")
        }
        return context
    }

    /// C-ECHO (PS3.7 §9.1.5, Verification SOP Class): returns the response status.
    public func echo() async throws -> DIMSEStatus {
        let context = try presentationContext(for: verificationSOPClassUID)
        let request = CEchoRQ(messageID: nextMessageID())
        try await sendRequest(request, contextID: context.id)
        let message = try await nextResponse(to: request.messageID, expecting: .cEchoRSP)
        guard case .cEchoRSP(let response) = message else { throw unexpected(message, for: request.messageID) }
        return response.status
    }

    /// C-STORE (PS3.7 §9.1.1) of a data set already encoded in `transferSyntax` (nil: the first accepted
    /// context for the SOP class, whose transfer syntax the data set must then use).
    public func store(
        sopClassUID: String, sopInstanceUID: String, dataSet: ByteBuffer, transferSyntax: String? = nil,
        priority: DIMSEPriority = .medium, moveOriginator: (aeTitle: String, messageID: UInt16)? = nil
    )
        async throws -> CStoreRSP
    {
        let context = try presentationContext(for: sopClassUID, transferSyntax: transferSyntax)
        let request = CStoreRQ(
            messageID: nextMessageID(), affectedSOPClassUID: sopClassUID,
            affectedSOPInstanceUID: sopInstanceUID, priority: priority,
            moveOriginatorAETitle: moveOriginator?.aeTitle, moveOriginatorMessageID: moveOriginator?.messageID)
        try await sendRequest(request, dataSet: dataSet, contextID: context.id)
        return try await storeResponse(to: request.messageID)
    }

    /// C-STORE streaming the data set from `source` (e.g. `FileRegionDataSetSource` over a Part 10 file
    /// after its meta information), never holding it whole in memory.
    public func store(
        sopClassUID: String, sopInstanceUID: String, dataSet source: some DataSetSource,
        transferSyntax: String? = nil, priority: DIMSEPriority = .medium,
        moveOriginator: (aeTitle: String, messageID: UInt16)? = nil
    ) async throws -> CStoreRSP {
        let context = try presentationContext(for: sopClassUID, transferSyntax: transferSyntax)
        let request = CStoreRQ(
            messageID: nextMessageID(), affectedSOPClassUID: sopClassUID,
            affectedSOPInstanceUID: sopInstanceUID, priority: priority,
            moveOriginatorAETitle: moveOriginator?.aeTitle, moveOriginatorMessageID: moveOriginator?.messageID)
        try await send(
            command: request.encodedCommandSet(), dataSet: source, contextID: context.id, thenAwaitResponse: true)
        return try await storeResponse(to: request.messageID)
    }

    /// C-FIND (PS3.7 §9.1.2): sends the identifier (encoded in the context's transfer syntax) and returns
    /// the responses — pending ones (0xFF00/0xFF01) with a match each, then the final one.
    public func find(
        sopClassUID: String, identifier: ByteBuffer, transferSyntax: String? = nil,
        priority: DIMSEPriority = .medium
    ) async throws -> DIMSEResponses<CFindRSP> {
        let context = try presentationContext(for: sopClassUID, transferSyntax: transferSyntax)
        let request = CFindRQ(messageID: nextMessageID(), affectedSOPClassUID: sopClassUID, priority: priority)
        try await sendRequest(request, dataSet: identifier, contextID: context.id)
        return DIMSEResponses(association: self, messageID: request.messageID, contextID: context.id, storeHandler: nil)
    }

    /// C-MOVE (PS3.7 §9.1.4): asks the SCP to send the matches to `destination` (an AE title it knows);
    /// pending responses carry the sub-operation counters.
    public func move(
        sopClassUID: String, destination: String, identifier: ByteBuffer, transferSyntax: String? = nil,
        priority: DIMSEPriority = .medium
    ) async throws -> DIMSEResponses<CMoveRSP> {
        let context = try presentationContext(for: sopClassUID, transferSyntax: transferSyntax)
        let request = CMoveRQ(
            messageID: nextMessageID(), affectedSOPClassUID: sopClassUID,
            moveDestination: destination, priority: priority)
        try await sendRequest(request, dataSet: identifier, contextID: context.id)
        return DIMSEResponses(association: self, messageID: request.messageID, contextID: context.id, storeHandler: nil)
    }

    /// C-GET (PS3.7 §9.1.3): the matches come back as C-STORE sub-operations on this association, each
    /// passed to `storeHandler` (whose status is returned in the C-STORE-RSP). Propose the storage SOP
    /// classes with `RoleProposal.scuAndSCP` when connecting (PS3.7 D.3.3.4).
    public func get(
        sopClassUID: String, identifier: ByteBuffer, transferSyntax: String? = nil,
        priority: DIMSEPriority = .medium, storeHandler: @escaping StoreHandler
    ) async throws
        -> DIMSEResponses<CGetRSP>
    {
        let context = try presentationContext(for: sopClassUID, transferSyntax: transferSyntax)
        let request = CGetRQ(messageID: nextMessageID(), affectedSOPClassUID: sopClassUID, priority: priority)
        try await sendRequest(request, dataSet: identifier, contextID: context.id)
        return DIMSEResponses(
            association: self, messageID: request.messageID, contextID: context.id,
            storeHandler: storeHandler)
    }

    // MARK: Helpers

    private func storeResponse(to messageID: UInt16) async throws -> CStoreRSP {
        let message = try await nextResponse(to: messageID, expecting: .cStoreRSP)
        guard case .cStoreRSP(let response) = message else { throw unexpected(message, for: messageID) }
        return response
    }

    /// The typed message; when its command set does not decode (PS3.7 §9.3), the association is aborted and
    /// a protocol error thrown.
    func decodeOrAbort(_ message: AssociationMessage) async throws -> DIMSEMessage {
        do {
            return try message.dimse()
        } catch {
            await abort()
            throw AssociationError.protocolError("undecodable DIMSE message: \(error)")
        }
    }

    /// The next incoming message, which must be the response to `messageID`; anything else aborts.
    /// The DIMSE time-out was started by `sendRequest` (or `thenAwaitResponse`).
    private func nextResponse(to messageID: UInt16, expecting field: CommandField) async throws -> DIMSEMessage {
        defer { endAwaitingResponse() }
        var iterator = messages.makeAsyncIterator()
        guard let message = try await iterator.next() else {
            try Task.checkCancellation()
            throw AssociationError.protocolError(
                "the peer released the association before answering message \(messageID)")
        }
        let dimse = try await decodeOrAbort(message)
        guard dimse.commandField == field, (try? message.command.unsignedShort(.messageIDBeingRespondedTo)) == messageID
        else {
            throw unexpected(dimse, for: messageID)
        }
        return dimse
    }

    private func unexpected(_ message: DIMSEMessage, for messageID: UInt16) -> AssociationError {
        let handler = self.handler
        channel.eventLoop.execute { handler.value.requestAbort() }
        return .protocolError(
            "expected the response to message \(messageID), received \(message.commandField); association aborted")
    }
}
