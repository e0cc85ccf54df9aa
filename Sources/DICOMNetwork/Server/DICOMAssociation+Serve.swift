import NIOCore

/// Handles one request of a service loop; return true if it was answered (or should be ignored).
public typealias RequestHandler = @Sendable (AssociationMessage, DIMSEMessage, DICOMAssociation) async throws -> Bool

extension DICOMAssociation {
    /// A ready-made SCP service loop for `DICOMServer`: answers requests until the peer releases.
    ///
    /// - C-ECHO-RQ → C-ECHO-RSP success (Verification SCP, PS3.4 Annex A).
    /// - C-STORE-RQ → `store` decides the status (data set accumulated, or streamed when the server's
    ///   `dataSetSinkProvider` took it); without `store` → 0x0122 (SOP class not supported). A data set
    ///   streamed into an `AnsweringDataSetSink` was answered on the event loop already: `store` is still
    ///   called (with `answeredStatus` set), and no second response is sent.
    /// - Any other request → `other` first; if it is absent or returns false: C-FIND/C-MOVE/C-GET get a
    ///   final 0x0122 response, a C-CANCEL-RQ is ignored, and anything else (responses we never asked for)
    ///   aborts the association.
    ///
    /// Throws when the association is aborted or lost; returns after a normal release.
    public func serve(store: StoreHandler? = nil, other: RequestHandler? = nil) async throws {
        for try await message in messages {
            let dimse = try await decodeOrAbort(message)
            if let other, try await other(message, dimse, self) { continue }
            switch dimse {
            case .cEchoRQ(let request):
                try await send(CEchoRSP(respondingTo: request), contextID: message.contextID)
            case .cStoreRQ(let request):
                var status = DIMSEStatus.sopClassNotSupported
                if let store {
                    let ts = negotiated.acceptedContexts[message.contextID]?.transferSyntax ?? ""
                    status = await store(IncomingStore(request: request, message: message, transferSyntax: ts))
                }
                // Answered already on the event loop (a streamed data set's `AnsweringDataSetSink`)?
                guard message.answeredStatus == nil else { continue }
                try await send(CStoreRSP(respondingTo: request, status: status), contextID: message.contextID)
            case .cFindRQ(let request):
                try await send(
                    CFindRSP(respondingTo: request, status: .sopClassNotSupported), contextID: message.contextID)
            case .cMoveRQ(let request):
                try await send(
                    CMoveRSP(respondingTo: request, status: .sopClassNotSupported, subOperations: SubOperationCounts()),
                    contextID: message.contextID)
            case .cGetRQ(let request):
                try await send(
                    CGetRSP(respondingTo: request, status: .sopClassNotSupported, subOperations: SubOperationCounts()),
                    contextID: message.contextID)
            case .cCancelRQ:
                continue
            case .cEchoRSP, .cStoreRSP, .cFindRSP, .cMoveRSP, .cGetRSP:
                await abort()
                throw AssociationError.protocolError("unexpected \(dimse.commandField) on an SCP association")
            }
        }
    }
}
