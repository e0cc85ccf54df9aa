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
    init<Response: SubOperationResponse>(
        association: DICOMAssociation, message: AssociationMessage, messageID: UInt16, sopClassUID: String,
        withoutCounters: Bool, _ type: Response.Type
    ) {
        self.association = association
        contextID = message.contextID
        transferSyntax = association.negotiated.acceptedContexts[message.contextID]?.transferSyntax ?? ""
        self.withoutCounters = withoutCounters
        makeResponse = { status, counts, identifier, comment in
            Response(
                messageIDBeingRespondedTo: messageID, status: status, affectedSOPClassUID: sopClassUID,
                subOperations: counts, hasIdentifier: identifier, offendingElements: nil, errorComment: comment)
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
