import DICOMCore
import DICOMNetwork

/// C-FIND SCP (PS3.4 C.4.1.3): one pending response (0xFF00) per match with its identifier, then a final
/// 0x0000, or 0xFE00 when a C-CANCEL-RQ arrived first; failures 0xA900 / 0xC000 with an error comment.
struct FindOperation: Sendable {
    let service: QRSCPAssociationService
    let request: CFindRQ
    let message: AssociationMessage
    let signals: OperationSignals

    func run() async {
        let association = service.association
        let contextID = message.contextID
        let transferSyntax = association.negotiated.acceptedContexts[contextID]?.transferSyntax ?? ""
        do {
            guard let model = QueryRetrieveModel(sopClassUID: request.affectedSOPClassUID),
                model.findSOPClassUID == request.affectedSOPClassUID
            else {
                throw QueryFailure(
                    .sopClassNotSupported, "C-FIND on \(request.affectedSOPClassUID), which is not a FIND SOP class")
            }
            let identifier = try IdentifierCoding.decodeRequest(message, transferSyntax: transferSyntax)
            let level = identifier.string(QueryKeys.queryRetrieveLevel) ?? "?"
            let matches = try QueryEngine.find(identifier, model: model, in: service.records)
            var sent = 0
            for match in matches {
                if signals.isCancelled {
                    service.log("C-FIND \(model.displayName) \(level): cancelled after \(sent) match(es)")
                    try await association.send(CFindRSP(respondingTo: request, status: .cancel), contextID: contextID)
                    return
                }
                let bytes = try IdentifierCoding.encode(match, transferSyntax: transferSyntax)
                try await association.send(
                    CFindRSP(respondingTo: request, status: .pending), dataSet: bytes, contextID: contextID)
                sent += 1
            }
            service.log("C-FIND \(model.displayName) \(level): \(sent) match(es)")
            try await association.send(CFindRSP(respondingTo: request, status: .success), contextID: contextID)
        } catch let failure as QueryFailure {
            service.log("C-FIND failed: \(failure)")
            try? await association.send(
                CFindRSP(
                    respondingTo: request, status: failure.status, hasIdentifier: false,
                    errorComment: String(failure.comment.prefix(64))),
                contextID: contextID)
        } catch {
            service.log("C-FIND ended: \(error)")
        }
    }
}
