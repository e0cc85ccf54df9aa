import DICOMCore
import DICOMNetwork
import NIOCore

/// Sends the responses of a C-MOVE or C-GET (PS3.4 C.4.2.1.5, C.4.3.1.5): pending ones with the four
/// counters, and the final one with the Failed SOP Instance UID List (0008,0058) when any sub-operation
/// failed.
struct RetrieveResponder: Sendable {
    let association: DICOMAssociation
    let contextID: UInt8
    let transferSyntax: String
    /// `no-counters` (README "Test faults"): responses carry no sub-operation counter.
    var withoutCounters = false
    /// Builds the response message for a status, counters and whether an identifier follows.
    let makeResponse: @Sendable (DIMSEStatus, SubOperationCounts, Bool, String?) -> any DIMSECommandMessage

    /// A C-MOVE-RSP or C-GET-RSP to `request` (they differ only in their command field, PS3.7 §9.3.3.2, §9.3.4.2).
    init<Operation: RetrieveOperation>(
        service: QRSCPAssociationService, message: AssociationMessage, request: Operation.Request,
        _ operation: Operation.Type
    ) {
        association = service.association
        contextID = message.contextID
        transferSyntax = association.negotiated.acceptedContexts[message.contextID]?.transferSyntax ?? ""
        withoutCounters = service.configuration.faults.noCounters
        let messageID = request.messageID
        let sopClassUID = request.affectedSOPClassUID
        makeResponse = { status, counts, identifier, comment in
            RetrieveRSP<Operation>(
                messageIDBeingRespondedTo: messageID, status: status, affectedSOPClassUID: sopClassUID,
                subOperations: counts, hasIdentifier: identifier, offendingElements: nil, errorComment: comment)
        }
    }

    /// Runs a retrieve: a `QueryFailure` it throws is answered with a final response of its status, any
    /// other error (the association is gone) only logged, as `<label> failed:` / `<label> ended:`.
    func run(_ label: String, log: (String) -> Void, _ body: () async throws -> Void) async {
        do {
            try await body()
        } catch let failure as QueryFailure {
            log("\(label) failed: \(failure)")
            try? await self.failure(failure)
        } catch {
            log("\(label) ended: \(error)")
        }
    }

    private func counts(_ counts: SubOperationCounts) -> SubOperationCounts {
        withoutCounters ? SubOperationCounts() : counts
    }

    func pending(_ tally: SubOperationTally) async throws {
        try await association.send(
            makeResponse(.pending, counts(tally.pendingCounts), false, nil), contextID: contextID)
    }

    func final(_ tally: SubOperationTally) async throws {
        if tally.needsFailedList {
            let identifier = try IdentifierCoding.encode(
                IdentifierCoding.failedList(tally.failedSOPInstanceUIDs),
                transferSyntax: transferSyntax)
            try await association.send(
                makeResponse(tally.finalStatus, counts(tally.finalCounts), true, nil),
                dataSet: identifier, contextID: contextID)
        } else {
            try await association.send(
                makeResponse(tally.finalStatus, counts(tally.finalCounts), false, nil), contextID: contextID)
        }
    }

    func failure(_ failure: QueryFailure) async throws {
        try await association.send(
            makeResponse(failure.status, SubOperationCounts(), false, String(failure.comment.prefix(64))),
            contextID: contextID)
    }
}
